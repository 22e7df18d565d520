from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

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


class BuyerQuota(models.Model):
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
            models.UniqueConstraint(fields=["buyer_id_number", "year"], name="one_quota_row_per_buyer_year"),
            models.CheckConstraint(condition=Q(used__gte=0) & Q(reserved__gte=0), name="quota_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.buyer_id_number} {self.year}: {self.used} (+{self.reserved})"


class QuotaUse(models.Model):
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
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RESERVED)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quota use")
        verbose_name_plural = _("quota uses")

    def __str__(self) -> str:
        return f"{self.inventory_id}: {self.amount} {self.state}"


class TaxGuarantee(models.Model):
    """A guarantor's tax guarantee with customs: drawn down by the tax of its released lists."""

    assure_code = models.CharField(_("guarantor code"), max_length=30, unique=True)
    amount = models.DecimalField(_("guarantee amount"), max_digits=16, decimal_places=2)
    used = models.DecimalField(_("drawn"), max_digits=16, decimal_places=2, default=0)
    reserved = models.DecimalField(_("reserved"), max_digits=16, decimal_places=2, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tax guarantee")
        verbose_name_plural = _("tax guarantees")
        constraints = [
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


class TaxBill(models.Model):
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
