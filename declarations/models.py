"""The documents of a declaration, as the CEB message set: field names are the element names in
snake_case (DOMAIN.md 2.1-2.5), so JSON and CEB XML map one to one.

Lengths and decimal places follow the 2022-05 XSD; amounts are N19,5. Times keep the CEB text
formats (app_time YYYYMMDDhhmmss, decl_time YYYYMMDD) so a document reads back as it was sent.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sharing.models import Enterprise

from .choices import AppType, DocumentKind, InventoryStatus, ReceiptSource


def amount(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=19, decimal_places=5, **kwargs)


class CebDocument(models.Model):
    """Fields every declared document has: its CEB header and who submitted it."""

    guid = models.CharField(max_length=36)
    app_type = models.CharField(max_length=1, choices=AppType.choices, default=AppType.NEW)
    app_time = models.CharField(max_length=14)
    app_status = models.CharField(max_length=3, default="2")
    note = models.CharField(max_length=1000, blank=True)
    submitted_by = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    # sha256 of the business content (guid, app_time and app_type excluded): re-sending the same
    # document is recognised and answered with the same receipt.
    content_hash = models.CharField(max_length=64)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


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
            models.UniqueConstraint(fields=["ebp_code", "order_no"], name="order_natural_key"),
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
            models.UniqueConstraint(fields=["pay_code", "pay_transaction_id"], name="payment_natural_key"),
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
            models.UniqueConstraint(fields=["logistics_code", "logistics_no"], name="waybill_natural_key"),
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
    buyer_id_number = models.CharField(max_length=60, db_index=True)
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

    # Clearance state, owned by declarations.services and singlewindow.clearance.
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InventoryStatus.choices,
        default=InventoryStatus.RECEIVED,
        db_index=True,
    )
    status_reason = models.CharField(_("reason"), max_length=1000, blank=True)
    return_status = models.CharField(_("customs status code"), max_length=10, blank=True)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="inventories"
    )
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    waybill = models.ForeignKey(
        Waybill, null=True, blank=True, on_delete=models.SET_NULL, related_name="inventories"
    )
    dutiable_value = amount(_("dutiable value"), null=True, blank=True)
    customs_tax = amount(_("customs duty"), null=True, blank=True)
    value_added_tax = amount(_("import VAT"), null=True, blank=True)
    consumption_tax = amount(_("consumption tax"), null=True, blank=True)
    tax_amount = amount(_("tax"), null=True, blank=True)
    tax_regime = models.CharField(max_length=10, blank=True)
    # Set when one of the four documents arrives or changes: the clearance processor (re)matches it.
    match_requested_at = models.DateTimeField(null=True, blank=True, db_index=True)
    dispatch_batch = models.ForeignKey(
        "DispatchBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="inventories"
    )
    matched_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    final_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("inventory list")
        verbose_name_plural = _("inventory lists")
        indexes = [
            models.Index(fields=["ebp_code", "order_no"]),
            models.Index(fields=["logistics_code", "logistics_no"]),
            models.Index(fields=["status", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["ebc_code", "cop_no"], name="inventory_natural_key"),
            models.CheckConstraint(
                condition=Q(freight__gte=0) & Q(insured_fee__gte=0), name="inventory_amounts_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ebc_code}/{self.cop_no}"


class InventoryItem(models.Model):
    """CEB621 InventoryList line."""

    inventory = models.ForeignKey(InventoryList, on_delete=models.CASCADE, related_name="items")
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


class Receipt(models.Model):
    """One answer about one document: from the window itself or from an agency.

    Receipts are kept as a history; the document's status never regresses to an earlier one.
    The id is the cursor of the partners' pull queue.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="receipts")
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    document_id = models.BigIntegerField()
    source = models.CharField(max_length=12, choices=ReceiptSource.choices, default=ReceiptSource.PORTAL)
    natural_key = models.CharField(max_length=100)
    return_status = models.CharField(max_length=10)
    return_info = models.CharField(max_length=1000)
    guid = models.CharField(max_length=36)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["enterprise", "id"]), models.Index(fields=["kind", "document_id"])]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self) -> str:
        return f"{self.kind} {self.natural_key}: {self.return_status}"


class DispatchBatch(models.Model):
    """Lists sent together to the four agencies: one task per agency per batch.

    The fan-in is decided here, in the database: when the last AgencyDispatch of the batch has
    answered, the one that notices (under this row's lock) finalizes every list of the batch.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    finalized_at = models.DateTimeField(null=True, blank=True)
    size = models.PositiveIntegerField(default=0)
    # What is sent to the agencies: the lists with what they need of the order and payment, written
    # once when the batch is dispatched, so each agency's task reads one row instead of the tables.
    message = models.TextField(default="[]")

    class Meta:
        verbose_name = _("dispatch batch")
        verbose_name_plural = _("dispatch batches")

    def __str__(self) -> str:
        return f"batch {self.pk} ({self.size})"


class AgencyDispatch(models.Model):
    """What was sent to one agency for one batch, and whether it answered: the outbox of the fan-out.

    Written in the same transaction as the lists' status change; a periodic sweeper re-sends the task
    of any row still unanswered after a while, so a crash between commit and publish loses nothing.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        FAILED = "failed", _("Failed: retries exhausted")

    batch = models.ForeignKey(DispatchBatch, on_delete=models.CASCADE, related_name="dispatches")
    agency = models.CharField(max_length=12, choices=ReceiptSource.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "agency"], name="one_dispatch_per_agency")]
        verbose_name = _("agency dispatch")
        verbose_name_plural = _("agency dispatches")

    def __str__(self) -> str:
        return f"{self.agency} batch {self.batch_id}: {self.state}"


class AgencyDecision(models.Model):
    """One agency's answer about one list (unique: a re-delivered task cannot answer twice)."""

    dispatch = models.ForeignKey(AgencyDispatch, on_delete=models.CASCADE, related_name="decisions")
    inventory = models.ForeignKey(InventoryList, on_delete=models.CASCADE, related_name="decisions")
    agency = models.CharField(max_length=12, choices=ReceiptSource.choices)
    outcome = models.CharField(max_length=10)  # release | inspect | reject
    return_status = models.CharField(max_length=10)
    return_info = models.CharField(max_length=1000)
    # What the agency holds for the list until its final status: tax of the guarantee (CNY), or the
    # payer's forex allowance (USD); given back exactly, whatever the rate or the date then.
    held_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dispatch", "inventory"], name="one_decision_per_dispatch")
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.inventory_id}: {self.outcome}"


class Upload(models.Model):
    """A file of many documents (CEB XML or CSV) filed in the browser, processed in the background
    in chunks so the page can show its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Processing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey("auth.User", null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("document"), max_length=16, choices=DocumentKind.choices)
    file_name = models.CharField(_("file"), max_length=200)
    file_format = models.CharField(_("format"), max_length=4)  # xml | csv
    content = models.TextField()
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("documents"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    accepted = models.PositiveIntegerField(_("stored"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.processed / self.total)
