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

    # Clearance state, owned by declarations.services and singlewindow.clearance.
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
            models.Index(fields=["ebp_code", "order_no"]),
            models.Index(fields=["logistics_code", "logistics_no"]),
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
            models.UniqueConstraint(fields=["ebc_code", "cop_no"], name="inventory_natural_key"),
            models.CheckConstraint(
                condition=Q(freight__gte=0) & Q(insured_fee__gte=0), name="inventory_amounts_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ebc_code}/{self.cop_no}"


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


class Receipt(models.Model):
    """One answer about one document: from the window itself or from an agency.

    Receipts are kept as a history; the document's status never regresses to an earlier one.
    The id is the cursor of the partners' pull queue.
    """

    # Ten receipts per order: the (enterprise, id) index serves the queue and the enterprise's lookups.
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="receipts", db_index=False
    )
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
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
    ie_flag = models.CharField(max_length=1, default="I")  # I: import lists, E: export lists
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

    # Four per list: the dispatch is found through the unique indexes, and each list kind's index holds
    # only its own rows.
    dispatch = models.ForeignKey(
        AgencyDispatch, on_delete=models.CASCADE, related_name="decisions", db_index=False
    )
    inventory = models.ForeignKey(
        InventoryList, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    export_list = models.ForeignKey(
        "ExportInventoryList",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decisions",
        db_index=False,
    )
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
            models.UniqueConstraint(
                fields=["dispatch", "inventory"],
                name="one_decision_per_dispatch",
                condition=Q(inventory__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["dispatch", "export_list"],
                name="one_export_decision_per_dispatch",
                condition=Q(export_list__isnull=False),
            ),
            models.CheckConstraint(
                condition=(Q(inventory__isnull=False) & Q(export_list__isnull=True))
                | (Q(inventory__isnull=True) & Q(export_list__isnull=False)),
                name="decision_about_one_list",
            ),
        ]
        indexes = [
            models.Index(
                fields=["export_list"], name="decision_export_list", condition=Q(export_list__isnull=False)
            )
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
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
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


class ListAmendment(models.Model):
    """What CEB623 (cancel) and CEB625 (return) share: the list they concern, its parties and buyer."""

    guid = models.CharField(max_length=36)
    app_type = models.CharField(max_length=1, default="1")
    app_time = models.CharField(max_length=14)
    app_status = models.CharField(max_length=3, default="2")
    customs_code = models.CharField(max_length=4)
    order_no = models.CharField(max_length=60)
    ebp_code = models.CharField(max_length=18)
    ebp_name = models.CharField(max_length=100)
    ebc_code = models.CharField(max_length=18)
    ebc_name = models.CharField(max_length=100)
    logistics_no = models.CharField(max_length=60)
    logistics_code = models.CharField(max_length=18)
    logistics_name = models.CharField(max_length=100)
    cop_no = models.CharField(max_length=20, blank=True)
    pre_no = models.CharField(max_length=18, blank=True)
    invt_no = models.CharField(max_length=18)
    buyer_id_type = models.CharField(max_length=1)
    buyer_id_number = models.CharField(max_length=60)
    buyer_name = models.CharField(max_length=60)
    buyer_telephone = models.CharField(max_length=30)
    agent_code = models.CharField(max_length=18)
    agent_name = models.CharField(max_length=100)
    reason = models.CharField(_("reason"), max_length=1000)
    note = models.CharField(max_length=1000, blank=True)
    submitted_by = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    class Meta:
        abstract = True


class InventoryCancel(ListAmendment):
    """CEB623: the declaring enterprise cancels a list before it is released. One per list."""

    inventory = models.OneToOneField(InventoryList, on_delete=models.PROTECT, related_name="cancellation")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("list cancellation")
        verbose_name_plural = _("list cancellations")

    def __str__(self) -> str:
        return f"cancel {self.invt_no or self.inventory_id}"


class InventoryRefund(ListAmendment):
    """CEB625: a return of released goods, applied for within 30 days of release; the goods must be
    back in the supervised site or bonded warehouse within 45 days. Completing it gives the buyer's
    quota and the tax of the returned lines back and (1210) puts the goods back in stock."""

    class State(models.TextChoices):
        AWAITING_GOODS = "awaiting", _("Accepted: waiting for the goods")
        COMPLETED = "completed", _("Goods back: tax and quota returned")
        EXPIRED = "expired", _("Expired: goods not back within 45 days")

    inventory = models.OneToOneField(InventoryList, on_delete=models.PROTECT, related_name="refund")
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.AWAITING_GOODS, db_index=True
    )
    goods_due_by = models.DateTimeField(_("goods due back by"))
    goods_received_at = models.DateTimeField(_("goods back at"), null=True, blank=True)
    dutiable_value = amount(_("value returned"), default=0)
    tax_returned = amount(_("tax returned"), default=0)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")

    def __str__(self) -> str:
        return f"return {self.invt_no}"


class InventoryRefundLine(models.Model):
    """CEB625 InvtRefundList: a line of the original list and the quantity returned."""

    refund = models.ForeignKey(InventoryRefund, on_delete=models.CASCADE, related_name="lines")
    gnum = models.PositiveIntegerField()
    gcode = models.CharField(max_length=10)
    gname = models.CharField(max_length=250)
    qty = amount(_("quantity returned"))
    unit = models.CharField(max_length=3)
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["refund", "gnum"]
        constraints = [
            models.UniqueConstraint(fields=["refund", "gnum"], name="refund_line_gnum_unique"),
            models.CheckConstraint(condition=Q(qty__gt=0), name="refund_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.refund_id}#{self.gnum}"


# ---------------------------------------------------------------------------------------------
# Export (DOMAIN 3): CEB303 order, CEB403 receipt of payment, CEB505 waybill, CEB603 list, and the
# CEB701/792 summary declaration ("list approval and release, summary declaration").


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
            models.UniqueConstraint(fields=["ebp_code", "order_no"], name="export_order_natural_key"),
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
            models.UniqueConstraint(fields=["ebp_code", "order_no"], name="receipt_of_payment_natural_key"),
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
                fields=["logistics_code", "logistics_no"], name="export_waybill_natural_key"
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

    class Meta:
        verbose_name = _("export inventory list")
        verbose_name_plural = _("export inventory lists")
        indexes = [
            models.Index(fields=["ebp_code", "order_no"]),
            models.Index(fields=["logistics_code", "logistics_no"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["ebc_code", "cop_no"], name="export_inventory_natural_key"),
            models.CheckConstraint(
                condition=Q(freight__gte=0) & Q(insured_fee__gte=0), name="export_inventory_amounts_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ebc_code}/{self.cop_no}"


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


class SummaryDeclaration(models.Model):
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
                fields=["ebc_code", "year", "month", "trade_mode"], name="one_summary_per_month_and_mode"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ebc_code} {self.year}-{self.month:02d} {self.trade_mode}"
