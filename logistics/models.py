"""Intelligent logistics: the tracking timeline of each parcel."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from declarations.models import Waybill
from singlewindow.core.sandbox import SandboxScoped


class TrackingEvent(SandboxScoped):
    """One step of a parcel's journey: posted by its logistics firm or added by the pipeline."""

    class Code(models.TextChoices):
        PICKED_UP = "picked_up", _("Picked up")
        IN_TRANSIT = "in_transit", _("In transit")
        ARRIVED = "arrived", _("Arrived at the supervised site")
        DECLARED = "declared", _("Declared to the agencies")
        INSPECTION = "inspection", _("Held for inspection")
        RELEASED = "released", _("Released by customs")
        REJECTED = "rejected", _("Refused clearance")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
        SIGNED = "signed", _("Signed for")
        EXCEPTION = "exception", _("Delivery exception")

    class Source(models.TextChoices):
        LOGISTICS = "logistics", _("Logistics enterprise")
        PIPELINE = "pipeline", _("Single window")

    waybill = models.ForeignKey(Waybill, on_delete=models.CASCADE, related_name="tracking_events")
    code = models.CharField(_("status"), max_length=20, choices=Code.choices)
    place = models.CharField(_("place"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("time"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [
            # The same step reported twice is one step.
            models.UniqueConstraint(
                fields=["waybill", "code", "occurred_at"], name="one_tracking_event_per_step"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.waybill_id} {self.code} {self.occurred_at:%Y-%m-%d %H:%M}"


class Warehouse(models.Model):
    """A registered warehouse: bonded (mode 1210 stock under a customs account book), overseas (the
    destination of 9810 exports) or ordinary. Customs approves a registration before it is used."""

    class Kind(models.TextChoices):
        BONDED = "bonded", _("Bonded warehouse")
        OVERSEAS = "overseas", _("Overseas warehouse")
        ORDINARY = "ordinary", _("Ordinary warehouse")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    code = models.CharField(_("warehouse code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    operator = models.ForeignKey(
        "sharing.Enterprise", on_delete=models.PROTECT, related_name="warehouses", verbose_name=_("operator")
    )
    park = models.ForeignKey(
        "parks.Park", null=True, blank=True, on_delete=models.SET_NULL, related_name="warehouses"
    )
    # The customs account book (emsNo) of a bonded warehouse: 1210 lists name it.
    ems_no = models.CharField(_("account book"), max_length=30, blank=True)
    country = models.CharField(_("country (customs code)"), max_length=3, default="142")
    address = models.CharField(_("address"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity (units)"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        constraints = [
            models.UniqueConstraint(
                fields=["ems_no"], condition=~models.Q(ems_no=""), name="one_warehouse_per_account_book"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="bonded") | ~models.Q(ems_no=""), name="bonded_warehouse_has_book"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StockItem(SandboxScoped):
    """One SKU (account-book item) in a bonded warehouse: quantity on hand and quantity reserved by
    lists customs has accepted but not yet released. Neither can go negative (database checks)."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock")
    item_record_no = models.CharField(_("account-book item no."), max_length=30)
    owner_code = models.CharField(_("owner (e-commerce enterprise)"), max_length=18)
    gcode = models.CharField(_("commodity code"), max_length=10)
    gname = models.CharField(_("commodity name"), max_length=250)
    unit = models.CharField(_("unit"), max_length=3)
    quantity = models.DecimalField(_("on hand"), max_digits=19, decimal_places=5, default=0)
    reserved = models.DecimalField(_("reserved"), max_digits=19, decimal_places=5, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["warehouse", "item_record_no"]
        verbose_name = _("stock item")
        verbose_name_plural = _("stock items")
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "item_record_no", "sandbox"], name="one_stock_row_per_sku"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0)
                & models.Q(reserved__gte=0)
                & models.Q(reserved__lte=models.F("quantity")),
                name="stock_never_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse_id}/{self.item_record_no}: {self.quantity}"

    @property
    def available(self):
        return self.quantity - self.reserved


class WarehouseEntry(SandboxScoped):
    """CEB711 warehouse-entry detail (DeliveryHead): goods entering a warehouse, filed by its operator.

    The CEB711 lines name the waybills that arrived; the stock lines say which SKUs and how many.
    """

    guid = models.CharField(max_length=36)
    app_type = models.CharField(max_length=1, default="1")
    app_time = models.CharField(max_length=14)
    app_status = models.CharField(max_length=3, default="2")
    customs_code = models.CharField(max_length=4)
    cop_no = models.CharField(max_length=20)
    pre_no = models.CharField(max_length=18, blank=True)
    rkd_no = models.CharField(_("entry number"), max_length=18, blank=True)
    operator_code = models.CharField(max_length=18)
    operator_name = models.CharField(max_length=100)
    ie_flag = models.CharField(max_length=1, default="I")
    traf_mode = models.CharField(max_length=1)
    traf_no = models.CharField(max_length=100)
    voyage_no = models.CharField(max_length=32)
    bill_no = models.CharField(max_length=37)
    logistics_code = models.CharField(max_length=18)
    logistics_name = models.CharField(max_length=100)
    unload_location = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=1000, blank=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="entries")
    submitted_by = models.ForeignKey("sharing.Enterprise", on_delete=models.PROTECT, related_name="+")
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("warehouse entry")
        verbose_name_plural = _("warehouse entries")
        constraints = [
            models.UniqueConstraint(
                fields=["operator_code", "cop_no", "sandbox"], name="warehouse_entry_natural_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.operator_code}/{self.cop_no}"


class WarehouseEntryLine(models.Model):
    """CEB711 DeliveryList line (gnum, logistics_no), with the SKU and quantity it brings in."""

    entry = models.ForeignKey(WarehouseEntry, on_delete=models.CASCADE, related_name="lines")
    gnum = models.PositiveIntegerField()
    logistics_no = models.CharField(max_length=60)
    item_record_no = models.CharField(max_length=30)
    gcode = models.CharField(max_length=10)
    gname = models.CharField(max_length=250)
    unit = models.CharField(max_length=3)
    qty = models.DecimalField(max_digits=19, decimal_places=5)
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["entry", "gnum"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "gnum"], name="warehouse_entry_line_gnum_unique"),
            models.CheckConstraint(condition=models.Q(qty__gt=0), name="warehouse_entry_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}#{self.gnum}"


class StockMovement(SandboxScoped):
    """The stock ledger: every change of a SKU's quantity on hand, with the document that caused it.

    A list moves a SKU at most once per kind (unique), so a re-delivered task cannot deduct twice.
    """

    class Kind(models.TextChoices):
        ENTRY = "entry", _("Entry (CEB711)")
        RELEASE = "release", _("Released list (CEB621)")
        RETURN = "return", _("Return (CEB625)")

    stock_item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    qty = models.DecimalField(_("quantity"), max_digits=19, decimal_places=5)  # signed
    balance = models.DecimalField(_("balance after"), max_digits=19, decimal_places=5)
    entry = models.ForeignKey(WarehouseEntry, null=True, blank=True, on_delete=models.PROTECT)
    inventory = models.ForeignKey(
        "declarations.InventoryList", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund = models.ForeignKey(
        "declarations.InventoryRefund", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.UniqueConstraint(
                fields=["stock_item", "kind", "inventory"],
                condition=models.Q(inventory__isnull=False),
                name="one_movement_per_list",
            ),
            models.UniqueConstraint(
                fields=["stock_item", "refund"],
                condition=models.Q(refund__isnull=False),
                name="one_movement_per_return",
            ),
            models.UniqueConstraint(
                fields=["stock_item", "entry"],
                condition=models.Q(entry__isnull=False),
                name="one_movement_per_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stock_item_id} {self.kind} {self.qty}"
