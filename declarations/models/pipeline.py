"""Rows the clearance writes about a list: receipts, dispatch batches, agencies' dispatches and decisions."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sharing.models import Enterprise
from singlewindow.core.db import new_row
from singlewindow.core.sandbox import SandboxScoped
from singlewindow.core.texts import Text, both, in_reader_language

from ..choices import DocumentKind, ReceiptSource
from ..guids import new_guid
from .imports import InventoryList


class Receipt(SandboxScoped):
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
    # The reason in Chinese (a CEB receipt's returnInfo) and in English: a reader gets their language.
    return_info = models.CharField(max_length=1000)
    return_info_en = models.CharField(max_length=1000, blank=True, default="")
    guid = models.CharField(max_length=36)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["enterprise", "id"]), models.Index(fields=["kind", "document_id"])]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self) -> str:
        return f"{self.kind} {self.natural_key}: {self.return_status}"

    @property
    def info(self) -> str:
        """The reason in the reader's language."""
        return in_reader_language(self.return_info, self.return_info_en)

    @classmethod
    def new(
        cls,
        *,
        enterprise_id: int,
        kind: str,
        document_id: int,
        natural_key: str,
        status: str,
        info: str | Text,
        source: str = ReceiptSource.PORTAL,
    ) -> "Receipt":
        """An unsaved receipt (for `insert_rows` or `save`), its reason rendered in Chinese and English."""
        chinese, english = both(info)
        return new_row(
            cls,
            enterprise_id=enterprise_id,
            kind=kind,
            document_id=document_id,
            source=source,
            natural_key=natural_key[:100],
            return_status=status,
            return_info=chinese or "-",
            return_info_en=english or "-",
            guid=new_guid(),
        )


class DispatchBatch(SandboxScoped):
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


class AgencyDispatch(SandboxScoped):
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
        # The agencies' dashboards count their dispatches by state (live rows only) from this index.
        indexes = [models.Index(fields=["agency", "sandbox", "state"], name="dispatch_agency_state")]
        verbose_name = _("agency dispatch")
        verbose_name_plural = _("agency dispatches")

    def __str__(self) -> str:
        return f"{self.agency} batch {self.batch_id}: {self.state}"


class AgencyDecision(SandboxScoped):
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
    # The agency's reason in Chinese and in English, like a receipt's: the fan-in builds the list's
    # refusal from both, and a reader gets their language.
    return_info = models.CharField(max_length=1000)
    return_info_en = models.CharField(max_length=1000, blank=True, default="")
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

    # Read like a receipt on the officials' pages (with its list selected): the agency's answer.
    @property
    def document_id(self) -> int | None:
        return self.inventory_id

    @property
    def natural_key(self) -> str:
        return f"{self.inventory.ebc_code}/{self.inventory.cop_no}" if self.inventory_id else ""

    def get_source_display(self) -> str:
        return str(self.get_agency_display())

    @property
    def info(self) -> str:
        """The reason in the reader's language."""
        return in_reader_language(self.return_info, self.return_info_en)
