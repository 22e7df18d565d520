"""What waits for each agency: the officials' worklists, as reads.

Customs: held lists (open alerts) and lists under inspection with no result yet; inspection and
quarantine: export lists under quarantine inspection and import lists waiting for its receipt; tax and
forex: lists waiting for their receipt (their dispatch not answered yet, or failed). Each queue is one
queryset over one kind of list, annotated with when it started waiting, its risk score and who of the
agency has it, so the page filters, sorts and pages in the database.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils.translation import gettext_lazy as _

from declarations.choices import InventoryStatus
from declarations.models import AgencyDispatch, ExportInventoryList, InventoryList
from sharing.choices import AgencyCode
from sharing.principal import Principal

from .models import Alert, Assignment

WAITING_DISPATCH = (AgencyDispatch.State.PENDING, AgencyDispatch.State.SENT, AgencyDispatch.State.FAILED)


@dataclass(frozen=True)
class Queue:
    code: str
    label: Any
    help: Any
    exported: bool = False
    # Officials take items of the queue; the inspection queue's official is drawn ("double random").
    takeable: bool = True
    # Low-risk items may be released together (held alerts only).
    bulk_release: bool = False


HELD = Queue(
    "held",
    _("Held lists"),
    _("Lists the risk step held for a customs decision: release, inspect or reject."),
    bulk_release=True,
)
INSPECTION = Queue(
    "inspection",
    _("Waiting for an inspection result"),
    _("Lists sent to inspection with no result yet; the official the draw named records it."),
    takeable=False,
)
QUARANTINE = Queue(
    "quarantine",
    _("Export quarantine"),
    _("Export lists under quarantine inspection, waiting for its result."),
    exported=True,
)
RECEIPTS = Queue(
    "receipts",
    _("Waiting for our receipt"),
    _("Lists sent to this agency whose answer has not come back (or failed after its retries)."),
)

QUEUES: dict[str, tuple[Queue, ...]] = {
    AgencyCode.CUSTOMS: (HELD, INSPECTION),
    AgencyCode.INSPECTION: (QUARANTINE, RECEIPTS),
    AgencyCode.TAX: (RECEIPTS,),
    AgencyCode.FOREX: (RECEIPTS,),
}

AGES = {
    "1h": timedelta(hours=1),
    "4h": timedelta(hours=4),
    "24h": timedelta(days=1),
    "72h": timedelta(days=3),
}


def agency_of(principal: Principal, requested: str | None = None) -> str | None:
    """The agency whose worklists the caller works: their own; a site administrator may look at any."""
    if principal.agency is not None:
        return principal.agency.code if principal.agency.code in QUEUES else None
    if principal.is_superuser:
        return requested if requested in QUEUES else AgencyCode.CUSTOMS
    return None


def queues_for(agency: str) -> tuple[Queue, ...]:
    return QUEUES.get(agency, ())


def queue_of(agency: str, code: str | None) -> Queue | None:
    queues = queues_for(agency)
    if not queues:
        return None
    return next((q for q in queues if q.code == code), queues[0])


def _assignee(agency: str, exported: bool, field: str) -> Subquery:
    link = "export_list" if exported else "inventory"
    return Subquery(Assignment.objects.filter(agency=agency, **{link: OuterRef("pk")}).values(field)[:1])


def items(agency: str, queue: Queue) -> QuerySet[Any]:
    """The queue's lists, each annotated with `waiting_since`, `score`, `assignee_id`, `assignee_name`
    (and `alert_id` for held lists, `dispatch_state` for receipts)."""
    qs: QuerySet[Any]
    if queue is HELD:
        qs = InventoryList.objects.filter(
            status=InventoryStatus.HELD, alert__status=Alert.Status.OPEN
        ).annotate(waiting_since=F("alert__created_at"), score=F("alert__score"), alert_id=F("alert__id"))
    elif queue is INSPECTION:
        # The drawn inspector is the one who has it: nobody takes an inspection over.
        return InventoryList.objects.filter(status=InventoryStatus.INSPECTION).annotate(
            waiting_since=F("final_at"),
            score=F("risk__score"),
            assignee_id=F("risk__inspector_id"),
            assignee_name=F("risk__inspector__username"),
        )
    elif queue is QUARANTINE:
        qs = ExportInventoryList.objects.filter(status=InventoryStatus.INSPECTION).annotate(
            waiting_since=F("final_at"), score=Value(None, output_field=IntegerField())
        )
    else:
        # One dispatch per batch and agency: the filter's join is the row the annotations read.
        qs = InventoryList.objects.filter(
            status=InventoryStatus.DISPATCHED,
            dispatch_batch__dispatches__agency=agency,
            dispatch_batch__dispatches__state__in=WAITING_DISPATCH,
        ).annotate(
            waiting_since=F("dispatch_batch__created_at"),
            score=F("risk__score"),
            dispatch_state=F("dispatch_batch__dispatches__state"),
        )
    return qs.annotate(
        assignee_id=_assignee(agency, queue.exported, "assignee_id"),
        assignee_name=_assignee(agency, queue.exported, "assignee__username"),
    )


def filtered(
    qs: QuerySet[Any],
    *,
    now: datetime,
    user_id: int | None,
    age: str = "",
    assigned: str = "",
    min_score: int | None = None,
    max_score: int | None = None,
    sort: str = "waiting_since",
    number: str = "",
) -> QuerySet[Any]:
    """The worklist's filters: part of one of the list's numbers, waiting at least `age`, assigned to
    me / to nobody / to others, a risk score range; oldest first unless sorted by score."""
    if number := number.strip():
        qs = qs.filter(
            Q(cop_no__icontains=number)
            | Q(invt_no__icontains=number)
            | Q(order_no__icontains=number)
            | Q(logistics_no__icontains=number)
        )
    if age in AGES:
        qs = qs.filter(waiting_since__lte=now - AGES[age])
    if assigned == "me":
        qs = qs.filter(assignee_id=user_id)
    elif assigned == "unassigned":
        qs = qs.filter(assignee_id__isnull=True)
    elif assigned == "others":
        qs = qs.filter(assignee_id__isnull=False).exclude(assignee_id=user_id)
    if min_score is not None:
        qs = qs.filter(score__gte=min_score)
    if max_score is not None:
        qs = qs.filter(score__lte=max_score)
    order = sort if sort in {"waiting_since", "-waiting_since", "score", "-score"} else "waiting_since"
    return qs.order_by(F(order.lstrip("-")).desc(nulls_last=True) if order.startswith("-") else order, "pk")


def counts(agency: str) -> list[tuple[Queue, int]]:
    """How many lists wait in each of the agency's queues (the home page's card)."""
    return [(queue, items(agency, queue).count()) for queue in queues_for(agency)]
