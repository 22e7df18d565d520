"""Finance's records: tax rates and retail limits, buyers' annual quotas and their uses, guarantees,
tax bills and consolidations, forex settlements, VAT exemptions and financing requests."""

from decimal import Decimal

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from singlewindow.core.sandbox import SandboxScoped

HS_PREFIX_VALIDATOR = RegexValidator(r"^[0-9]{2,10}$", _("Enter 2 to 10 digits of an HS code."))


class TaxRate(models.Model):
    """Import VAT, consumption tax and MFN duty rates for an HS-code prefix over a period.

    The longest prefix of a 10-digit `gcode` with a row in force wins; a code with no row is unknown
    to the tariff and customs rejects it. `duty_rate` is used only for full-tax orders (DOMAIN 6.3).
    """

    hs_prefix = models.CharField(
        _("HS code prefix"),
        max_length=10,
        validators=[HS_PREFIX_VALIDATOR],
        help_text=_("Chapter (2 digits), heading (4 digits) or a longer prefix of the 10-digit code."),
    )
    description = models.CharField(_("description"), max_length=200)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=6, decimal_places=4, help_text=_("e.g. 0.1300"))
    consumption_rate = models.DecimalField(
        _("consumption tax rate"),
        max_digits=6,
        decimal_places=4,
        default=0,
        help_text=_("Ad valorem; 0 when the goods bear no consumption tax."),
    )
    duty_rate = models.DecimalField(
        _("duty rate"),
        max_digits=6,
        decimal_places=4,
        default=0,
        help_text=_("Most-favoured-nation duty, charged only on single items taxed in full."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty while in force."))

    class Meta:
        ordering = ["hs_prefix", "-valid_from"]
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        constraints = [
            models.UniqueConstraint(
                fields=["hs_prefix", "valid_from"], name="taxrate_prefix_valid_from_unique"
            ),
            models.CheckConstraint(
                condition=Q(hs_prefix__regex=r"^[0-9]{2,10}$"), name="taxrate_prefix_digits"
            ),
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0, vat_rate__lte=1), name="taxrate_vat_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(consumption_rate__gte=0, consumption_rate__lt=1),
                name="taxrate_consumption_rate_range",
            ),
            models.CheckConstraint(
                condition=Q(duty_rate__gte=0, duty_rate__lte=1), name="taxrate_duty_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="taxrate_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hs_prefix} {self.description} ({self.valid_from})"


class RetailLimit(models.Model):
    """The per-transaction and per-buyer annual limits of the retail import regime from a date on."""

    single_limit = models.DecimalField(_("single-transaction limit"), max_digits=12, decimal_places=2)
    annual_limit = models.DecimalField(_("annual limit"), max_digits=12, decimal_places=2)
    valid_from = models.DateField(_("valid from"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("retail import limit")
        verbose_name_plural = _("retail import limits")
        constraints = [
            models.CheckConstraint(condition=Q(single_limit__gt=0), name="retaillimit_single_positive"),
            models.CheckConstraint(
                condition=Q(annual_limit__gte=F("single_limit")), name="retaillimit_annual_not_below_single"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.single_limit} / {self.annual_limit} ({self.valid_from})"


class TaxTotalTolerance(models.Model):
    """How far the tax a platform pre-collected (CEB311 `taxTotal`) may be from the tax customs computes,
    as a share of customs' figure, from a date on, with the source of the rule.

    An order with `taxTotal` 0 is always accepted (the platform withheld nothing; DOMAIN 6.5): the share
    applies to a non-zero `taxTotal`. The rule is second-hand (DOMAIN 5.3 R12 [S]), so it is a row an
    official can correct; with no row in force customs asks for the exact tax (to the cent).
    """

    share = models.DecimalField(
        _("tolerance"), max_digits=5, decimal_places=4, help_text=_("A share of the tax: 0.0500 is 5%.")
    )
    source = models.CharField(_("source"), max_length=300, help_text=_("Where the rule comes from."))
    valid_from = models.DateField(_("valid from"), unique=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("pre-collected tax tolerance")
        verbose_name_plural = _("pre-collected tax tolerances")
        constraints = [
            models.CheckConstraint(
                condition=Q(share__gte=0, share__lte=1), name="taxtotaltolerance_share_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.share} ({self.valid_from})"


class BuyerQuota(SandboxScoped):
    """A buyer's use of the annual CBEC limit in one calendar year, per resident ID number.

    `reserved` holds lists being cleared, `used` lists released. The row is locked while a list is
    assessed, so two lists of the same buyer cleared at once cannot both pass over the limit.
    """

    buyer_id_number = models.CharField(_("buyer ID number"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"))
    used = models.DecimalField(_("used"), max_digits=14, decimal_places=2, default=0)
    reserved = models.DecimalField(_("reserved"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("buyer annual quota")
        verbose_name_plural = _("buyer annual quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["buyer_id_number", "year", "sandbox"], name="one_quota_row_per_buyer_year"
            ),
            models.CheckConstraint(condition=Q(used__gte=0) & Q(reserved__gte=0), name="quota_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.buyer_id_number} {self.year}: {self.used} (+{self.reserved})"


class QuotaUse(SandboxScoped):
    """One list's claim on its buyer's annual quota: reserved at assessment, then used or given back."""

    class State(models.TextChoices):
        RESERVED = "reserved", _("Reserved")
        USED = "used", _("Used")
        RETURNED = "returned", _("Given back")

    inventory = models.OneToOneField(
        "declarations.InventoryList", on_delete=models.PROTECT, related_name="quota_use"
    )
    quota = models.ForeignKey(BuyerQuota, on_delete=models.PROTECT, related_name="uses")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    # The part given back by a return (CEB625) after release.
    returned_amount = models.DecimalField(_("returned"), max_digits=14, decimal_places=2, default=0)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RESERVED)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quota use")
        verbose_name_plural = _("quota uses")

    def __str__(self) -> str:
        return f"{self.inventory_id}: {self.amount} {self.state}"


class TaxGuarantee(SandboxScoped):
    """A guarantor's tax guarantee with customs: drawn down by the tax of its released lists."""

    assure_code = models.CharField(_("guarantor code"), max_length=30)
    amount = models.DecimalField(_("guarantee amount"), max_digits=16, decimal_places=2)
    used = models.DecimalField(_("drawn"), max_digits=16, decimal_places=2, default=0)
    reserved = models.DecimalField(_("reserved"), max_digits=16, decimal_places=2, default=0)
    # Set when what is left falls under LOW_SHARE of the amount and the guarantor was warned;
    # cleared by a top-up, so the next fall warns again.
    low_warned_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    LOW_SHARE = Decimal("0.20")

    class Meta:
        verbose_name = _("tax guarantee")
        verbose_name_plural = _("tax guarantees")
        constraints = [
            # A partner's sandbox guarantee beside its live one.
            models.UniqueConstraint(fields=["assure_code", "sandbox"], name="one_guarantee_per_guarantor"),
            models.CheckConstraint(
                condition=Q(used__gte=0) & Q(reserved__gte=0) & Q(amount__gte=0),
                name="guarantee_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assure_code}: {self.used}/{self.amount}"

    @property
    def available(self):
        return self.amount - self.used - self.reserved

    @property
    def is_low(self) -> bool:
        return self.available < self.amount * self.LOW_SHARE


class TaxBill(SandboxScoped):
    """The electronic tax bill of a released list (CEB816 TaxHeadRd), the withholding ledger entry.

    One per list: the unique inventory makes recording it twice impossible.
    """

    class Status(models.TextChoices):
        GENERATED = "1", _("Generated")
        CONSOLIDATED = "2", _("Consolidated")
        CANCELLED = "3", _("Cancelled")

    inventory = models.OneToOneField(
        "declarations.InventoryList", on_delete=models.PROTECT, related_name="tax_bill"
    )
    guid = models.CharField(max_length=36)
    return_time = models.CharField(max_length=17)
    invt_no = models.CharField(max_length=18)
    tax_no = models.CharField(max_length=50, unique=True)
    customs_tax = models.DecimalField(max_digits=19, decimal_places=5)
    value_added_tax = models.DecimalField(max_digits=19, decimal_places=5)
    consumption_tax = models.DecimalField(max_digits=19, decimal_places=5)
    status = models.CharField(max_length=1, choices=Status.choices, default=Status.GENERATED)
    ent_duty_no = models.CharField(max_length=50, blank=True)
    consolidation = models.ForeignKey(
        "TaxConsolidation", null=True, blank=True, on_delete=models.PROTECT, related_name="bills"
    )
    note = models.CharField(max_length=1000, blank=True)
    assure_code = models.CharField(max_length=64, db_index=True)
    ebc_code = models.CharField(max_length=64)
    logistics_code = models.CharField(max_length=64)
    agent_code = models.CharField(max_length=18)
    customs_code = models.CharField(max_length=4)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("tax bill")
        verbose_name_plural = _("tax bills")

    def __str__(self) -> str:
        return self.tax_no

    @property
    def total(self):
        return self.customs_tax + self.value_added_tax + self.consumption_tax


class TaxBillLine(models.Model):
    """CEB816 TaxListRd."""

    bill = models.ForeignKey(TaxBill, on_delete=models.CASCADE, related_name="lines")
    gnum = models.PositiveIntegerField()
    gcode = models.CharField(max_length=10)
    tax_price = models.DecimalField(max_digits=19, decimal_places=5)
    customs_tax = models.DecimalField(max_digits=19, decimal_places=5)
    value_added_tax = models.DecimalField(max_digits=19, decimal_places=5)
    consumption_tax = models.DecimalField(max_digits=19, decimal_places=5)

    class Meta:
        ordering = ["bill", "gnum"]

    def __str__(self) -> str:
        return f"{self.bill_id}#{self.gnum}"


class TaxBillCredit(SandboxScoped):
    """Tax given back on a bill by a return (CEB625) or its cancellation: a ledger entry of its own,
    so a bill already consolidated stays as it was and the credit falls in the month it was granted."""

    bill = models.ForeignKey(TaxBill, on_delete=models.PROTECT, related_name="credits")
    refund = models.OneToOneField(
        "declarations.InventoryRefund", on_delete=models.PROTECT, related_name="tax_credit"
    )
    customs_tax = models.DecimalField(max_digits=19, decimal_places=5)
    value_added_tax = models.DecimalField(max_digits=19, decimal_places=5)
    consumption_tax = models.DecimalField(max_digits=19, decimal_places=5)
    assure_code = models.CharField(max_length=64, db_index=True)
    consolidation = models.ForeignKey(
        "TaxConsolidation", null=True, blank=True, on_delete=models.PROTECT, related_name="credits"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("tax credit")
        verbose_name_plural = _("tax credits")

    def __str__(self) -> str:
        return f"credit on {self.bill_id}"

    @property
    def total(self):
        return self.customs_tax + self.value_added_tax + self.consumption_tax


class TaxConsolidation(SandboxScoped):
    """A guarantor's month of withheld tax consolidated into one payment form (entDutyNo): its bills
    move from generated (1) to consolidated (2), the CEB818 status."""

    assure_code = models.CharField(_("guarantor code"), max_length=64)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    ent_duty_no = models.CharField(_("payment form no."), max_length=50)
    bill_count = models.PositiveIntegerField(_("tax bills"))
    tax_total = models.DecimalField(_("tax of the bills"), max_digits=19, decimal_places=5)
    credit_total = models.DecimalField(_("tax given back"), max_digits=19, decimal_places=5)
    amount_due = models.DecimalField(_("amount due"), max_digits=19, decimal_places=5)
    consolidated_by = models.ForeignKey("auth.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("consolidated at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-month", "assure_code"]
        verbose_name = _("tax consolidation")
        verbose_name_plural = _("tax consolidations")
        constraints = [
            models.UniqueConstraint(
                fields=["assure_code", "year", "month", "sandbox"], name="one_consolidation_per_month"
            ),
            models.UniqueConstraint(fields=["ent_duty_no", "sandbox"], name="one_consolidation_per_form"),
        ]

    def __str__(self) -> str:
        return self.ent_duty_no


class GuaranteeTopUp(models.Model):
    """A tax official raises a guarantee (the guarantor lodged more with customs)."""

    guarantee = models.ForeignKey(TaxGuarantee, on_delete=models.PROTECT, related_name="top_ups")
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    reference = models.CharField(_("bank guarantee reference"), max_length=60)
    by = models.ForeignKey("auth.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("guarantee top-up")
        verbose_name_plural = _("guarantee top-ups")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="top_up_positive"),
            models.UniqueConstraint(fields=["guarantee", "reference"], name="one_top_up_per_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.guarantee_id} +{self.amount}"


class ForexSettlement(SandboxScoped):
    """Forex settles a released export list against its receipt of payment (CEB403): the amount in
    its currency and in CNY at the rate of the day. One per list."""

    export_list = models.OneToOneField(
        "declarations.ExportInventoryList", on_delete=models.PROTECT, related_name="forex_settlement"
    )
    ebc_code = models.CharField(max_length=18, db_index=True)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=19, decimal_places=5)
    cny_per_unit = models.DecimalField(max_digits=12, decimal_places=6)
    amount_cny = models.DecimalField(max_digits=19, decimal_places=2)
    settled_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-settled_at"]
        verbose_name = _("forex settlement")
        verbose_name_plural = _("forex settlements")

    def __str__(self) -> str:
        return f"{self.export_list_id}: {self.amount} {self.currency}"


class VatExemption(SandboxScoped):
    """Export VAT exemption ("no invoice, tax exempt") recorded for a released list of an eligible
    exporter: 9610 B2C goods the exporter bought without a VAT invoice, not excluded goods."""

    export_list = models.OneToOneField(
        "declarations.ExportInventoryList", on_delete=models.PROTECT, related_name="vat_exemption"
    )
    ebc_code = models.CharField(max_length=18, db_index=True)
    value_cny = models.DecimalField(max_digits=19, decimal_places=2)
    basis = models.CharField(max_length=200)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("export VAT exemption")
        verbose_name_plural = _("export VAT exemptions")

    def __str__(self) -> str:
        return f"{self.export_list_id} exempt {self.value_cny}"


class FinancingRequest(models.Model):
    """An enterprise applies for a micro-loan or credit insurance against its record; a financial
    services officer decides. No bank is called: the decision is recorded for the enterprise to see."""

    class Kind(models.TextChoices):
        LOAN = "loan", _("Micro-loan")
        INSURANCE = "insurance", _("Credit insurance")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    enterprise = models.ForeignKey(
        "sharing.Enterprise", on_delete=models.PROTECT, related_name="financing_requests"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    purpose = models.CharField(_("purpose"), max_length=500)
    # The record it was judged on, as it stood when applying.
    volume_12m = models.DecimalField(
        _("declared value, last 12 months (CNY)"), max_digits=16, decimal_places=2
    )
    lists_12m = models.PositiveIntegerField(_("released lists, last 12 months"))
    credit_level = models.CharField(_("credit level"), max_length=20)
    suggested_limit = models.DecimalField(_("suggested limit (CNY)"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("financing request")
        verbose_name_plural = _("financing requests")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="financing_amount_positive"),
            models.CheckConstraint(
                condition=Q(term_months__gte=1) & Q(term_months__lte=60), name="financing_term_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.kind} {self.amount}"
