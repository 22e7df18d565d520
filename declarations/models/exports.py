"""The export documents (CEB303, 403, 505, 603) and the monthly summary declaration (CEB701/792)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sharing.models import Enterprise
from singlewindow.core.sandbox import SandboxScoped
from singlewindow.core.texts import Text, both, encoded, rendered

from ..choices import ExitStatus, InventoryStatus
from .base import CebDocument, amount
from .imports import LIVE_LIST


class ExportOrder(CebDocument):
    """CEB303 export order (E = B2C 9610, B = B2B 9710) or overseas-warehouse booking (W = 9810)."""

    order_type = models.CharField(max_length=1)
    order_no = models.CharField(max_length=60)
    ebp_code = models.CharField(max_length=18)
    ebp_name = models.CharField(max_length=100)
    ebc_code = models.CharField(max_length=18)
    ebc_name = models.CharField(max_length=100)
    goods_value = amount(_("goods value (FOB)"))
    freight = amount(_("freight"))
    currency = models.CharField(max_length=3)

    class Meta:
        verbose_name = _("export order")
        verbose_name_plural = _("export orders")
        constraints = [
            models.UniqueConstraint(
                fields=["ebp_code", "order_no", "sandbox"], name="export_order_natural_key"
            ),
            models.CheckConstraint(
                condition=Q(goods_value__gte=0) & Q(freight__gte=0), name="export_order_amounts_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ebp_code}/{self.order_no}"


class ExportOrderItem(models.Model):
    """CEB303 OrderList line."""

    order = models.ForeignKey(ExportOrder, on_delete=models.CASCADE, related_name="items")
    gnum = models.PositiveIntegerField()
    item_no = models.CharField(max_length=30)
    item_name = models.CharField(max_length=250)
    item_describe = models.CharField(max_length=1000, blank=True)
    bar_code = models.CharField(max_length=50, blank=True)
    unit = models.CharField(max_length=3)
    currency = models.CharField(max_length=3)
    qty = amount(_("quantity"))
    price = amount(_("unit price"))
    total_price = amount(_("total price"))
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["order", "gnum"]
        constraints = [
            models.UniqueConstraint(fields=["order", "gnum"], name="export_order_item_gnum_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.gnum}"


class ReceiptOfPayment(CebDocument):
    """CEB403 receipt of payment (收款单): what the exporter received for an export order."""

    ebp_code = models.CharField(max_length=18)
    ebp_name = models.CharField(max_length=100)
    ebc_code = models.CharField(max_length=18)
    ebc_name = models.CharField(max_length=100)
    order_no = models.CharField(max_length=60)
    pay_code = models.CharField(max_length=18, blank=True)
    pay_name = models.CharField(max_length=100)
    pay_no = models.CharField(max_length=60, blank=True)
    charge = amount(_("amount received"))
    currency = models.CharField(max_length=3)
    accounting_date = models.CharField(max_length=14)

    class Meta:
        verbose_name = _("receipt of payment")
        verbose_name_plural = _("receipts of payment")
        constraints = [
            # One per paying firm: a receipt filed by a stranger never blocks the order's own (5.1).
            models.UniqueConstraint(
                fields=["ebp_code", "pay_code", "order_no", "sandbox"], name="receipt_of_payment_natural_key"
            ),
            models.CheckConstraint(condition=Q(charge__gte=0), name="receipt_of_payment_charge_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.ebp_code}/{self.order_no}"


class ExportWaybill(CebDocument):
    """CEB505 export waybill."""

    logistics_code = models.CharField(max_length=18)
    logistics_name = models.CharField(max_length=100)
    logistics_no = models.CharField(max_length=32)
    freight = amount(_("freight"))
    insured_fee = amount(_("insurance fee"))
    currency = models.CharField(max_length=3)
    gross_weight = amount(_("gross weight (kg)"))
    pack_no = models.PositiveIntegerField()
    goods_info = models.CharField(max_length=200)
    ebc_code = models.CharField(max_length=18, blank=True)
    ebc_name = models.CharField(max_length=100, blank=True)
    ebc_telephone = models.CharField(max_length=50, blank=True)

    class Meta:
        verbose_name = _("export waybill")
        verbose_name_plural = _("export waybills")
        constraints = [
            models.UniqueConstraint(
                fields=["logistics_code", "logistics_no", "sandbox"], name="export_waybill_natural_key"
            ),
            models.CheckConstraint(
                condition=Q(freight__gte=0) & Q(insured_fee__gte=0) & Q(gross_weight__gt=0),
                name="export_waybill_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.logistics_code}/{self.logistics_no}"


class ExportInventoryList(CebDocument):
    """CEB603 export inventory list (InventoryHead) and its clearance state."""

    customs_code = models.CharField(max_length=4)
    ebp_code = models.CharField(max_length=18)
    ebp_name = models.CharField(max_length=100)
    order_no = models.CharField(max_length=60)
    logistics_code = models.CharField(max_length=18)
    logistics_name = models.CharField(max_length=100)
    logistics_no = models.CharField(max_length=32)
    cop_no = models.CharField(max_length=30)
    pre_no = models.CharField(max_length=18, blank=True)
    invt_no = models.CharField(max_length=20, blank=True)
    ie_flag = models.CharField(max_length=1, default="E")
    port_code = models.CharField(max_length=4)
    ie_date = models.CharField(max_length=8)
    statistics_flag = models.CharField(max_length=1)
    agent_code = models.CharField(max_length=18)
    agent_name = models.CharField(max_length=100)
    ebc_code = models.CharField(max_length=18)
    ebc_name = models.CharField(max_length=100)
    owner_code = models.CharField(max_length=18)
    owner_name = models.CharField(max_length=100)
    iac_code = models.CharField(max_length=18, blank=True)
    iac_name = models.CharField(max_length=100, blank=True)
    ems_no = models.CharField(max_length=30, blank=True)
    trade_mode = models.CharField(_("supervision mode"), max_length=4)
    traf_mode = models.CharField(max_length=1)
    traf_name = models.CharField(max_length=100, blank=True)
    voyage_no = models.CharField(max_length=32, blank=True)
    bill_no = models.CharField(max_length=37, blank=True)
    total_package_no = models.CharField(max_length=37, blank=True)
    loct_no = models.CharField(max_length=10, blank=True)
    license_no = models.CharField(max_length=19, blank=True)
    country = models.CharField(max_length=3)
    pod = models.CharField(_("port of destination"), max_length=4)
    freight = amount(_("freight"))
    f_currency = models.CharField(max_length=3)
    f_flag = models.CharField(max_length=1)
    insured_fee = amount(_("insurance fee"))
    i_currency = models.CharField(max_length=3)
    i_flag = models.CharField(max_length=1)
    wrap_type = models.CharField(max_length=1)
    pack_no = models.PositiveIntegerField()
    gross_weight = amount(_("gross weight (kg)"))
    net_weight = amount(_("net weight (kg)"))
    # The registered overseas warehouse a 9810 shipment goes to.
    warehouse_code = models.CharField(_("overseas warehouse"), max_length=18, blank=True)

    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InventoryStatus.choices,
        default=InventoryStatus.RECEIVED,
        db_index=True,
    )
    status_reason = models.CharField(_("reason"), max_length=1000, blank=True)
    # The same reason as its message id and parameters (singlewindow.core.texts.encoded), so a page
    # renders it in its reader's language; status_reason keeps the English for the API and webhooks.
    status_reason_text = models.JSONField(_("reason (code and parameters)"), null=True, blank=True)
    return_status = models.CharField(_("customs status code"), max_length=10, blank=True)
    order = models.ForeignKey(ExportOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    receipt = models.ForeignKey(
        ReceiptOfPayment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waybill = models.ForeignKey(
        ExportWaybill, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fob_value_cny = amount(_("value (CNY)"), null=True, blank=True)
    match_requested_at = models.DateTimeField(null=True, blank=True, db_index=True)
    dispatch_batch = models.ForeignKey(
        "DispatchBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="export_lists"
    )
    summary = models.ForeignKey(
        "SummaryDeclaration", null=True, blank=True, on_delete=models.SET_NULL, related_name="lists"
    )
    final_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Where its goods are: arrival (CEB507), departure (CEB509), return (CEB213/215).
    exit_status = models.CharField(
        _("goods"), max_length=14, choices=ExitStatus.choices, default=ExitStatus.NONE, blank=True
    )
    arrived_at = models.DateTimeField(_("arrived at the site"), null=True, blank=True)
    departed_at = models.DateTimeField(_("departed"), null=True, blank=True)

    class Meta:
        verbose_name = _("export inventory list")
        verbose_name_plural = _("export inventory lists")
        indexes = [
            models.Index(fields=["ebp_code", "order_no"]),
            models.Index(fields=["logistics_code", "logistics_no"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ebc_code", "cop_no", "sandbox"], name="export_inventory_natural_key"
            ),
            models.UniqueConstraint(
                fields=["ebp_code", "order_no", "sandbox"],
                condition=LIVE_LIST,
                name="export_inventory_one_live_list_per_order",
            ),
            models.UniqueConstraint(
                fields=["logistics_code", "logistics_no", "sandbox"],
                condition=LIVE_LIST,
                name="export_inventory_one_live_list_per_waybill",
            ),
            models.CheckConstraint(
                condition=Q(freight__gte=0) & Q(insured_fee__gte=0), name="export_inventory_amounts_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ebc_code}/{self.cop_no}"

    @property
    def reason(self) -> str:
        """Why the list is where it is, in the reader's language."""
        return rendered(self.status_reason_text, self.status_reason)

    def set_reason(self, reason: "str | Text") -> None:
        """Keep a reason both as its code and parameters and as English (cut to the column)."""
        self.status_reason = both(reason)[1]
        self.status_reason_text = encoded(reason) if reason else None


class ExportInventoryItem(models.Model):
    """CEB603 InventoryList line."""

    inventory = models.ForeignKey(ExportInventoryList, on_delete=models.CASCADE, related_name="items")
    gnum = models.PositiveIntegerField()
    item_no = models.CharField(max_length=20)
    item_record_no = models.CharField(max_length=30, blank=True)
    item_name = models.CharField(max_length=250, blank=True)
    gcode = models.CharField(max_length=10)
    gname = models.CharField(max_length=250)
    gmodel = models.CharField(max_length=250)
    bar_code = models.CharField(max_length=50)
    country = models.CharField(max_length=3)
    currency = models.CharField(max_length=3)
    qty = amount(_("quantity"))
    qty1 = amount(_("quantity in first legal unit"))
    qty2 = amount(_("quantity in second legal unit"), null=True, blank=True)
    unit = models.CharField(max_length=3)
    unit1 = models.CharField(max_length=3)
    unit2 = models.CharField(max_length=3, blank=True)
    price = amount(_("unit price"))
    total_price = amount(_("total price"))
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["inventory", "gnum"]
        constraints = [models.UniqueConstraint(fields=["inventory", "gnum"], name="export_item_gnum_unique")]

    def __str__(self) -> str:
        return f"{self.inventory_id}#{self.gnum}"


class SummaryDeclaration(SandboxScoped):
    """CEB701 summary application and its CEB792 result: a month's released B-type export lists of
    one consignor, consolidated into one customs declaration (used for forex and rebates)."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied (CEB701)")
        CONCLUDED = "concluded", _("Declared (CEB792)")

    guid = models.CharField(max_length=36)
    app_type = models.CharField(max_length=1, default="1")
    app_time = models.CharField(max_length=14)
    app_status = models.CharField(max_length=3, default="2")
    customs_code = models.CharField(max_length=4)
    cop_no = models.CharField(max_length=30)
    pre_no = models.CharField(max_length=18, blank=True)
    sum_no = models.CharField(_("summary number"), max_length=18, blank=True)
    agent_code = models.CharField(max_length=18)
    agent_name = models.CharField(max_length=100)
    ebc_code = models.CharField(max_length=18)
    ebc_name = models.CharField(max_length=100)
    decl_agent_code = models.CharField(max_length=18)
    decl_agent_name = models.CharField(max_length=100)
    start_time = models.CharField(max_length=14)
    end_time = models.CharField(max_length=14)
    loct_no = models.CharField(max_length=10, blank=True)
    summary_flag = models.CharField(max_length=1, default="1")
    item_name_flag = models.CharField(max_length=1, blank=True)
    msg_count = models.PositiveIntegerField(default=1)
    msg_seq_no = models.PositiveIntegerField(default=1)
    note = models.CharField(max_length=1000, blank=True)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    trade_mode = models.CharField(max_length=4)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPLIED)
    # CEB792 SummaryResultHead
    op_date = models.CharField(max_length=17, blank=True)
    decl_seq_no = models.CharField(max_length=18, blank=True)
    entry_id = models.CharField(_("customs declaration no."), max_length=18, blank=True)
    dec_state = models.CharField(max_length=3, blank=True)
    gross_weight = amount(_("gross weight (kg)"), default=0)
    net_weight = amount(_("net weight (kg)"), default=0)
    total_value_cny = amount(_("value (CNY)"), default=0)
    list_count = models.PositiveIntegerField(_("lists"), default=0)
    submitted_by = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-month", "ebc_code"]
        verbose_name = _("summary declaration")
        verbose_name_plural = _("summary declarations")
        constraints = [
            # One summary per consignor, month and mode: applying again returns the first.
            models.UniqueConstraint(
                fields=["ebc_code", "year", "month", "trade_mode", "sandbox"],
                name="one_summary_per_month_and_mode",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ebc_code} {self.year}-{self.month:02d} {self.trade_mode}"
