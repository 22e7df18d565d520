"""Imports and exports as two values of one `Direction`: the steps run one code path and read here what
differs (the model, the match rules, the agencies' contexts, the holds, the release and the ledgers)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from declarations.choices import InventoryStatus, ReceiptSource
from declarations.models import ExportInventoryList, InventoryList, Receipt
from sharing.adapters import ADAPTERS, Decision, DeclaredExport, DeclaredList
from sharing.choices import AgencyCode
from singlewindow.core.db import prefetch_children

from . import contexts, exchange, settlement
from .assess import assess
from .declared import declare_export, declare_import
from .match import match_exports, match_imports
from .records import RELEASED, REVIEW_CONCLUDED, advance_all, assign_invt_no
from .score import score

# What the claim's steps (match, assess, score, dispatch) may change on a list; each list is written
# once per claim, as its indexes are rewritten with every version of it.
IMPORT_CLAIM_FIELDS = (
    "match_requested_at",
    "status",
    "status_reason",
    "status_reason_text",
    "return_status",
    "order",
    "payment",
    "waybill",
    "matched_at",
    "dutiable_value",
    "customs_tax",
    "value_added_tax",
    "consumption_tax",
    "tax_amount",
    "tax_regime",
    "final_at",
    "dispatch_batch",
    "dispatched_at",
    "invt_no",
)
EXPORT_CLAIM_FIELDS = (
    "match_requested_at",
    "status",
    "status_reason",
    "status_reason_text",
    "return_status",
    "order",
    "receipt",
    "waybill",
    "fob_value_cny",
    "dispatch_batch",
)
FINAL_FIELDS = ("status", "return_status", "status_reason", "status_reason_text", "invt_no", "final_at")


@dataclass(frozen=True)
class Direction:
    name: str  # "import" or "export"
    ie_flag: str  # DispatchBatch.ie_flag, and the letter of the customs list number (DOMAIN 3.6)
    claim_task: str  # the registered name of the task that claims this direction's lists
    model: type[Any]
    decision_field: str  # the AgencyDecision column naming the list
    claim_fields: tuple[str, ...]
    dispatch_fields: tuple[str, ...]  # what a dispatch outside the claim writes
    audit_prefix: str  # of the audit trail's actions ("inventory.inspection_passed")
    message_type: type[DeclaredList] | type[DeclaredExport]
    clear: Callable[[list[Any]], list[Any]]  # match (and for imports assess and score): lists to dispatch
    declare: Callable[[Any], Any]
    contexts: dict[str, Callable[[Any], Any]]
    adapter_method: str  # the adapters' decision function for this direction
    hold: Callable[[str, list[Decision], dict[int, Any]], list[Decision]] | None
    track: Callable[..., None] | None  # tracking events of the lists' waybills
    finish: Callable[..., None]  # the fan-in's ledgers and credit events
    conclude: Callable[..., None]  # an inspection's conclusion's ledgers and credit events
    notify_partners: bool  # webhooks on final statuses
    related: tuple[str, ...] = field(default=())  # loaded with the lists by `load` and at a conclusion
    # Of lists about to be released, those that must first wait for their waybill's arrival (CEB711).
    awaits: Callable[[list[Any]], set[int]] | None = None

    def decide(self, agency: str, declared: Sequence[Any]) -> list[Decision]:
        """The agency's decisions on a batch, with what it knows of it."""
        decide: Callable[[Sequence[Any], Any], list[Decision]] = getattr(
            ADAPTERS[AgencyCode(agency)], self.adapter_method
        )
        return decide(declared, self.contexts[agency](declared))

    def load(self, queryset: QuerySet[Any]) -> list[Any]:
        """The lists of `queryset` with their lines (and `related`), in a few queries for a batch."""
        rows: Any = list(queryset.select_related(*self.related)) if self.related else queryset
        return prefetch_children(rows, "items")

    def waiting(self, lists: list[Any]) -> set[int]:
        """The ids of `lists` whose release waits for their waybill's arrival (one query at most)."""
        return self.awaits(lists) if self.awaits is not None else set()

    def release(
        self, inventory: InventoryList | ExportInventoryList, now: datetime, *, waiting: bool = False
    ) -> list[Receipt]:
        """Released: its customs list number (given at 120, or now), and its receipts: review concluded
        (399), then released (800); or, `waiting` for its waybill's arrival, concluded (399) only, and
        released when the arrival comes (`exchange.release_arrived`)."""
        inventory.final_at = now
        assign_invt_no(inventory, self.ie_flag, now)
        if waiting:
            return exchange.hold_for_arrival(inventory)
        inventory.status = InventoryStatus.RELEASED
        inventory.set_reason("")
        return advance_all([inventory], ReceiptSource.CUSTOMS, [REVIEW_CONCLUDED, RELEASED])


IMPORT = Direction(
    name="import",
    ie_flag="I",
    claim_task="clearance.process_pending_lists",
    model=InventoryList,
    decision_field="inventory_id",
    claim_fields=IMPORT_CLAIM_FIELDS,
    dispatch_fields=("status", "return_status", "dispatch_batch", "dispatched_at"),
    audit_prefix="inventory",
    message_type=DeclaredList,
    clear=lambda lists: score(assess(match_imports(lists))),
    declare=declare_import,
    contexts=contexts.IMPORT_CONTEXTS,
    adapter_method="decide",
    hold=settlement.hold_import,
    track=settlement.track,
    finish=settlement.finish_imports,
    conclude=settlement.conclude_import,
    notify_partners=True,
    awaits=exchange.awaiting_arrival,
)
EXPORT = Direction(
    name="export",
    ie_flag="E",
    claim_task="clearance.process_pending_exports",
    model=ExportInventoryList,
    decision_field="export_list_id",
    claim_fields=EXPORT_CLAIM_FIELDS,
    dispatch_fields=("status", "return_status", "dispatch_batch"),
    audit_prefix="export",
    message_type=DeclaredExport,
    clear=match_exports,
    declare=declare_export,
    contexts=contexts.EXPORT_CONTEXTS,
    adapter_method="decide_export",
    hold=None,
    track=None,
    finish=settlement.finish_exports,
    conclude=settlement.conclude_export,
    notify_partners=False,
    related=("receipt",),
)
DIRECTIONS = {d.ie_flag: d for d in (IMPORT, EXPORT)}


def of_batch(ie_flag: str) -> Direction:
    """The direction of a dispatch batch."""
    return DIRECTIONS[ie_flag]
