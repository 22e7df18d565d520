"""Step 12, sweeper: re-sends what a crash or a lost message left behind, found by its state in the
database (the record); harmless when nothing is stuck. Run every 30 s by beat and by
`manage.py clearance_sweep`."""

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from declarations.choices import (
    MATCHABLE_STATUSES,
    AppStatus,
    DocumentKind,
    InventoryStatus,
    ReceiptSource,
    ReturnStatus,
)
from declarations.models import (
    AgencyDispatch,
    DispatchBatch,
    ExportInventoryList,
    IntakeEntry,
    InventoryList,
    Order,
    Payment,
    Upload,
    Waybill,
)
from declarations.services import rematch
from declarations.services.deferred import MAX_ATTEMPTS, PROCESS_TASK
from risk.models import Alert
from sharing import webhooks
from singlewindow.core.broker import send_named
from singlewindow.core.db import insert_rows, retrying_deadlocks, update_rows
from singlewindow.core.texts import Text, gettext_noop

from .amendments import refunds_expire
from .directions import EXPORT, IMPORT
from .dispatch import publish
from .fan_in import finalize_if_complete
from .records import RECEIPT_FIELDS, advance_all
from .settlement import settle_export_receipts

STALE_AFTER = timedelta(seconds=60)


def close_released(*, limit: int = 1000) -> int:
    """Released import lists nobody signed for are closed (899, DOMAIN 4.1) a set time after release
    (settings.CLEARANCE_CLOSE_AFTER_DAYS); returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.CLEARANCE_CLOSE_AFTER_DAYS)
    with transaction.atomic():
        lists = list(
            InventoryList.objects.select_for_update(skip_locked=True)
            .filter(status=InventoryStatus.RELEASED, return_status=ReturnStatus.RELEASED, final_at__lt=cutoff)
            .only(*RECEIPT_FIELDS)
            .order_by("final_at")[:limit]
        )
        step = (
            ReturnStatus.CLOSED,
            Text(gettext_noop("Closed: the time for a sign-for or a return has passed.")),
        )
        insert_rows(advance_all(lists, ReceiptSource.CUSTOMS, [step]))
        update_rows(lists, ["return_status"])
    return len(lists)


def _waiting_with_documents(cutoff: datetime, stale_after: timedelta) -> int:
    """Import lists stored in the `stale_after` before `cutoff` that wait for documents all stored
    meanwhile: marked for a match again. A document's transaction marks its lists once more after its
    commit (declarations.services.rematch); a process that died between that commit and the marking,
    while a list of the same order was claimed, left the list waiting. A list is looked at only while
    it is that old (by two sweeps, every 30 s by beat): one that waits for a payment from the firm its
    order names is claimed again twice, not every minute of its wait."""
    declared = {"app_status": AppStatus.DECLARED, "sandbox": OuterRef("sandbox")}
    by_order = {"ebp_code": OuterRef("ebp_code"), "order_no": OuterRef("order_no"), **declared}
    waiting = InventoryList.objects.filter(
        status=InventoryStatus.RECEIVED,
        app_status=AppStatus.DECLARED,
        match_requested_at__isnull=True,
        created_at__gte=cutoff - stale_after,
        created_at__lt=cutoff,
    ).filter(
        Exists(Order.objects.filter(**by_order)),
        Exists(Payment.objects.filter(**by_order)),
        Exists(
            Waybill.objects.filter(
                logistics_code=OuterRef("logistics_code"), logistics_no=OuterRef("logistics_no"), **declared
            )
        ),
    )
    ids = list(waiting.values_list("id", flat=True)[:1000])
    if not ids:
        return 0
    # As a document's marking does: locked in id order, left as they are if asked for meanwhile.
    lists = InventoryList.objects.filter(pk__in=ids, status__in=MATCHABLE_STATUSES)
    return rematch.mark_unasked(DocumentKind.INVENTORY, lists)


def sweep(*, stale_after: timedelta = STALE_AFTER) -> dict[str, int]:
    """One round; returns how much of each kind of work it found again."""
    cutoff = timezone.now() - stale_after
    stuck = list(
        AgencyDispatch.objects.filter(
            state__in=(AgencyDispatch.State.PENDING, AgencyDispatch.State.SENT),
            created_at__lt=cutoff,
        )
        .filter(Q(published_at__isnull=True) | Q(published_at__lt=cutoff))
        .values_list("id", flat=True)[:1000]
    )
    if stuck:
        publish(stuck)
        AgencyDispatch.objects.filter(pk__in=stuck).update(published_at=timezone.now())
    # Batches all four agencies answered whose fan-in a crash cut off (the answer and the fan-in are
    # two transactions).
    unanswered = AgencyDispatch.objects.filter(batch=OuterRef("pk")).exclude(
        state=AgencyDispatch.State.ANSWERED
    )
    complete = list(
        DispatchBatch.objects.filter(finalized_at__isnull=True, created_at__lt=cutoff)
        .filter(~Exists(unanswered))
        .values_list("id", flat=True)[:100]
    )
    finalized = sum(bool(retrying_deadlocks(partial(finalize_if_complete, batch_id=pk))) for pk in complete)
    # Documents answered 2 whose processor died or whose wake was lost with the broker.
    received = IntakeEntry.objects.filter(created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS).exists()
    if received:
        send_named(PROCESS_TASK)
    matching = 0
    rematched = _waiting_with_documents(cutoff, stale_after)  # woken by the marking
    for direction in (IMPORT, EXPORT):
        waiting = direction.model.objects.filter(match_requested_at__lt=cutoff, status__in=MATCHABLE_STATUSES)
        if waiting.exists():
            send_named(direction.claim_task)
            matching += 1
    # Work whose message was lost with the broker: officials' decisions on held lists, uploads still
    # queued, late receipts of released 9810 exports not yet settled.
    decided = list(
        InventoryList.objects.filter(
            status=InventoryStatus.HELD, alert__status=Alert.Status.CLOSED, alert__decided_at__lt=cutoff
        ).values_list("id", flat=True)[:1000]
    )
    if decided:
        send_named("clearance.resume_held", decided)
    uploads = list(
        Upload.objects.filter(status=Upload.Status.QUEUED, created_at__lt=cutoff).values_list(
            "id", flat=True
        )[:100]
    )
    for upload_id in uploads:
        send_named("declarations.process_upload", upload_id)
    unsettled = list(
        ExportInventoryList.objects.filter(
            status=InventoryStatus.RELEASED,
            trade_mode="9810",
            forex_settlement__isnull=True,
            final_at__lt=cutoff,
        ).values_list("id", flat=True)[:1000]
    )
    settled = settle_export_receipts(export_list_ids=unsettled) if unsettled else 0
    return {
        "closed": close_released(),
        "dispatches": len(stuck),
        "batches_finalized": finalized,
        "received": int(received),
        "matching": matching,
        "waiting_rematched": rematched,
        "webhooks": webhooks.retry_due(),
        "returns_expired": refunds_expire(),
        "held_resumed": len(decided),
        "uploads": len(uploads),
        "receipts_settled": settled,
    }
