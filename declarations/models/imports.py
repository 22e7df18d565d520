"""The four import documents (CEB311 order, CEB411 payment, CEB511 waybill, CEB621 list) and their lines."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from singlewindow.core.texts import Text, both, encoded, rendered

from ..choices import DEAD_STATUSES, AppStatus, InventoryStatus
from .base import CebDocument, amount

# A list that holds its order and waybill: declared, and neither cancelled nor rejected.
LIVE_LIST = Q(app_status=AppStatus.DECLARED) & ~Q(status__in=sorted(DEAD_STATUSES))  # sorted: a stable index


class Order(CebDocument):
    """CEB311 import order (OrderHead)."""

    order_type = models.CharField(max_length=1, default="I")
    order_no = models.CharField(max_length=60)
    ebp_code = models.CharField(max_length=18)
    ebp_name = models.CharField(max_length=100)
    ebc_code = models.CharField(max_length=18)
    ebc_name = models.CharField(max_length=100)
    goods_value = amount(_("goods value"))
    freight = amount(_("freight"))
    discount = amount(_("discount"))
    tax_total = amount(_("tax withheld"))
    actual_paid = amount(_("amount actually paid"))
    currency = models.CharField(max_length=3)
    buyer_reg_no = models.CharField(max_length=60)
    buyer_name = models.CharField(max_length=60)
    buyer_telephone = models.CharField(max_length=30)
    buyer_id_type = models.CharField(max_length=1)
    buyer_id_number = models.CharField(max_length=60, db_index=True)
    pay_code = models.CharField(max_length=18, blank=True)
    pay_name = models.CharField(max_length=100, blank=True)
    pay_transaction_id = models.CharField(max_length=60, blank=True)
    batch_numbers = models.CharField(max_length=100, blank=True)
    consignee = models.CharField(max_length=100)
    consignee_telephone = models.CharField(max_length=50)
    consignee_address = models.CharField(max_length=200)
    consignee_district = models.CharField(max_length=6, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["ebp_code", "order_no", "sandbox"], name="order_natural_key"),
            models.CheckConstraint(
                condition=Q(goods_value__gte=0)
                & Q(freight__gte=0)
                & Q(discount__gte=0)
                & Q(tax_total__gte=0)
                & Q(actual_paid__gte=0),
                name="order_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ebp_code}/{self.order_no}"


class OrderItem(models.Model):
    """CEB311 OrderList line."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    gnum = models.PositiveIntegerField()
    item_no = models.CharField(max_length=30, blank=True)
    item_name = models.CharField(max_length=250)
    gmodel = models.CharField(max_length=510)
    item_describe = models.CharField(max_length=1000, blank=True)
    bar_code = models.CharField(max_length=50, blank=True)
    unit = models.CharField(max_length=3)
    qty = amount(_("quantity"))
    price = amount(_("unit price"))
    total_price = amount(_("total price"))
    currency = models.CharField(max_length=3)
    country = models.CharField(max_length=3)
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["order", "gnum"]
        constraints = [models.UniqueConstraint(fields=["order", "gnum"], name="order_item_gnum_unique")]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.gnum}"


class Payment(CebDocument):
    """CEB411 payment voucher (PaymentHead)."""

    pay_code = models.CharField(max_length=18)
    pay_name = models.CharField(max_length=100)
    pay_transaction_id = models.CharField(max_length=60)
    order_no = models.CharField(max_length=60)
    ebp_code = models.CharField(max_length=18)
    ebp_name = models.CharField(max_length=100)
    payer_id_type = models.CharField(max_length=1)
    payer_id_number = models.CharField(max_length=60, db_index=True)
    payer_name = models.CharField(max_length=60)
    telephone = models.CharField(max_length=60, blank=True)
    amount_paid = amount(_("amount paid"))
    currency = models.CharField(max_length=3)
    pay_time = models.CharField(max_length=14)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["ebp_code", "order_no"])]
        constraints = [
            models.UniqueConstraint(
                fields=["pay_code", "pay_transaction_id", "sandbox"], name="payment_natural_key"
            ),
            models.CheckConstraint(condition=Q(amount_paid__gte=0), name="payment_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.pay_code}/{self.pay_transaction_id}"


class Waybill(CebDocument):
    """CEB511 waybill (LogisticsHead), with its CEB513 sign-for status."""

    logistics_code = models.CharField(max_length=18)
    logistics_name = models.CharField(max_length=100)
    logistics_no = models.CharField(max_length=60)
    bill_no = models.CharField(max_length=37, blank=True)
    order_no = models.CharField(max_length=60)
    freight = amount(_("freight"), default=0)
    insured_fee = amount(_("insurance fee"), default=0)
    currency = models.CharField(max_length=3)
    weight = amount(_("gross weight (kg)"))
    pack_no = models.PositiveIntegerField()
    goods_info = models.CharField(max_length=200, blank=True)
    consignee = models.CharField(max_length=100)
    consignee_address = models.CharField(max_length=200)
    consignee_telephone = models.CharField(max_length=50)
    logistics_status = models.CharField(max_length=1, blank=True)
    logistics_time = models.CharField(max_length=14, blank=True)

    class Meta:
        verbose_name = _("waybill")
        verbose_name_plural = _("waybills")
        constraints = [
            models.UniqueConstraint(
                fields=["logistics_code", "logistics_no", "sandbox"], name="waybill_natural_key"
            ),
            models.CheckConstraint(
                condition=Q(freight__gte=0) & Q(insured_fee__gte=0) & Q(weight__gt=0),
                name="waybill_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.logistics_code}/{self.logistics_no}"


class InventoryList(CebDocument):
    """CEB621 import inventory list (InventoryHead) and its clearance state."""

    order_no = models.CharField(max_length=60)
    ebp_code = models.CharField(max_length=18)
    ebp_name = models.CharField(max_length=100)
    ebc_code = models.CharField(max_length=18)
    ebc_name = models.CharField(max_length=100)
    logistics_no = models.CharField(max_length=60)
    logistics_code = models.CharField(max_length=18)
    logistics_name = models.CharField(max_length=100)
    cop_no = models.CharField(max_length=20)
    pre_no = models.CharField(max_length=18, blank=True)
    assure_code = models.CharField(max_length=30)
    ems_no = models.CharField(max_length=30, blank=True)
    invt_no = models.CharField(max_length=18, blank=True)
    ie_flag = models.CharField(max_length=1, default="I")
    decl_time = models.CharField(max_length=8)
    customs_code = models.CharField(max_length=4)
    port_code = models.CharField(max_length=4)
    ie_date = models.CharField(max_length=8, blank=True)
    buyer_id_type = models.CharField(max_length=1)
    buyer_id_number = models.CharField(max_length=60)
    buyer_name = models.CharField(max_length=60)
    buyer_telephone = models.CharField(max_length=30)
    consignee_address = models.CharField(max_length=200)
    agent_code = models.CharField(max_length=18)
    agent_name = models.CharField(max_length=100)
    area_code = models.CharField(max_length=18, blank=True)
    area_name = models.CharField(max_length=100, blank=True)
    trade_mode = models.CharField(_("supervision mode"), max_length=4)
    traf_mode = models.CharField(max_length=1)
    traf_no = models.CharField(max_length=100, blank=True)
    voyage_no = models.CharField(max_length=32, blank=True)
    bill_no = models.CharField(max_length=37, blank=True)
    loct_no = models.CharField(max_length=10, blank=True)
    license_no = models.CharField(max_length=19, blank=True)
    country = models.CharField(max_length=3)
    freight = amount(_("freight"))
    insured_fee = amount(_("insurance fee"))
    currency = models.CharField(max_length=3)
    wrap_type = models.CharField(max_length=1, blank=True)
    pack_no = models.PositiveIntegerField()
    gross_weight = amount(_("gross weight (kg)"))
    net_weight = amount(_("net weight (kg)"))

    # Clearance state, owned by declarations.services and the clearance pipeline.
    # Every index here is written again each time the pipeline moves a list, so the list keeps only
    # those its reads need: (status, created_at) serves the queues, and the links to its documents
    # (never deleted, only ever read forwards) have none.
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InventoryStatus.choices,
        default=InventoryStatus.RECEIVED,
    )
    status_reason = models.CharField(_("reason"), max_length=1000, blank=True)
    # The same reason as its message id and parameters (singlewindow.core.texts.encoded), so a page
    # renders it in its reader's language; status_reason keeps the English for the API and webhooks.
    status_reason_text = models.JSONField(_("reason (code and parameters)"), null=True, blank=True)
    return_status = models.CharField(_("customs status code"), max_length=10, blank=True)
    order = models.ForeignKey(
        Order,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inventories",
        db_index=False,
    )
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    waybill = models.ForeignKey(
        Waybill,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inventories",
        db_index=False,
    )
    dutiable_value = amount(_("dutiable value"), null=True, blank=True)
    customs_tax = amount(_("customs duty"), null=True, blank=True)
    value_added_tax = amount(_("import VAT"), null=True, blank=True)
    consumption_tax = amount(_("consumption tax"), null=True, blank=True)
    tax_amount = amount(_("tax"), null=True, blank=True)
    tax_regime = models.CharField(max_length=10, blank=True)
    # Set when one of the four documents arrives or changes: the clearance processor (re)matches it.
    match_requested_at = models.DateTimeField(null=True, blank=True)
    dispatch_batch = models.ForeignKey(
        "DispatchBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inventories",
        db_index=False,
    )
    matched_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    final_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inventory list")
        verbose_name_plural = _("inventory lists")
        indexes = [
            # A list is found by its order or waybill through the partial unique indexes below (every
            # read by those keys asks for live lists): two indexes fewer to write at each step.
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["buyer_id_number"], name="inventory_buyer"),
            # The velocity rule counts a batch's addresses over the last hour: without it, a scan of
            # every list of that hour for each batch.
            models.Index(fields=["consignee_address"], name="inventory_consignee_address"),
            # Partial: only the few lists waiting for a match, in a batch or final are in them.
            models.Index(
                fields=["match_requested_at", "id"],
                name="inventory_match_requested",
                condition=Q(match_requested_at__isnull=False),
            ),
            models.Index(
                fields=["dispatch_batch"],
                name="inventory_dispatch_batch",
                condition=Q(dispatch_batch__isnull=False),
            ),
            models.Index(fields=["final_at"], name="inventory_final_at", condition=Q(final_at__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["ebc_code", "cop_no", "sandbox"], name="inventory_natural_key"),
            # R10, 5.1: an order and a waybill belong to at most one live (declared, neither cancelled
            # nor rejected) list. Intake refuses a second list first; these are the backstop.
            models.UniqueConstraint(
                fields=["ebp_code", "order_no", "sandbox"],
                condition=LIVE_LIST,
                name="inventory_one_live_list_per_order",
            ),
            models.UniqueConstraint(
                fields=["logistics_code", "logistics_no", "sandbox"],
                condition=LIVE_LIST,
                name="inventory_one_live_list_per_waybill",
            ),
            models.CheckConstraint(
                condition=Q(freight__gte=0) & Q(insured_fee__gte=0), name="inventory_amounts_valid"
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


class InventoryItem(models.Model):
    """CEB621 InventoryList line."""

    # Looked up through the (inventory, gnum) unique index: no index of its own to write.
    inventory = models.ForeignKey(
        InventoryList, on_delete=models.CASCADE, related_name="items", db_index=False
    )
    gnum = models.PositiveIntegerField()
    item_record_no = models.CharField(max_length=30, blank=True)
    item_no = models.CharField(max_length=20, blank=True)
    item_name = models.CharField(max_length=250, blank=True)
    gcode = models.CharField(max_length=10)
    gname = models.CharField(max_length=250)
    gmodel = models.CharField(max_length=510)
    bar_code = models.CharField(max_length=50, blank=True)
    country = models.CharField(max_length=3)
    trade_country = models.CharField(max_length=3, blank=True)
    currency = models.CharField(max_length=3)
    qty = amount(_("quantity"))
    unit = models.CharField(max_length=3)
    qty1 = amount(_("quantity in first legal unit"))
    unit1 = models.CharField(max_length=3)
    qty2 = amount(_("quantity in second legal unit"), null=True, blank=True)
    unit2 = models.CharField(max_length=3, blank=True)
    price = amount(_("unit price"))
    total_price = amount(_("total price"))
    note = models.CharField(max_length=1000, blank=True)
    # The line's tax as assessed (the CEB816 TaxListRd of its bill), kept so release need not recompute it.
    tax_price = amount(_("dutiable value"), null=True, blank=True)
    customs_tax = amount(_("customs duty"), null=True, blank=True)
    value_added_tax = amount(_("import VAT"), null=True, blank=True)
    consumption_tax = amount(_("consumption tax"), null=True, blank=True)

    class Meta:
        ordering = ["inventory", "gnum"]
        constraints = [
            models.UniqueConstraint(fields=["inventory", "gnum"], name="inventory_item_gnum_unique")
        ]

    def __str__(self) -> str:
        return f"{self.inventory_id}#{self.gnum}"
