"""Asking the clearance pipeline, by task name, to (re)match the lists that stored documents belong to."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from singlewindow.core import sandbox
from singlewindow.core.broker import send_named
from singlewindow.core.db import retrying_deadlocks
from singlewindow.core.wake import wake

from ..choices import MATCHABLE_STATUSES, AppStatus, DocumentKind, InventoryStatus
from ..models import ExportInventoryList, InventoryList
from .specs import EXPORT_KINDS

# Lists marked at once from which the clearance processor is sent without waiting for its window.
BATCH_ENOUGH = 100
# The clearance tasks a caller claims for itself once it commits (see clearance_claimed_by_caller).
_held: ContextVar[set[str] | None] = ContextVar("held_clearance_wakes", default=None)


@contextmanager
def clearance_claimed_by_caller() -> Iterator[set[str]]:
    """Within: the live zone's clearance wakes are not sent but gathered in the set given, for the
    caller to run those claims itself after it commits. The intake processor does so: the lists its
    run completed go on at once, not after the clearance window and a second task."""
    held: set[str] = set()
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)


def wake_clearance(kind: str, *, lists: int = 1) -> None:
    """After commit, the clearance processor of this kind's direction looks for lists to match: woken
    at most once per short window (singlewindow.core.wake), so that lists sent one per request are
    still claimed together; `lists` a claim's worth (a batch request) is sent at once."""
    task = "clearance.process_pending_exports" if kind in EXPORT_KINDS else "clearance.process_pending_lists"
    if sandbox.active():
        # A sandbox list's task carries its tenant's context: sent on its own, never coalesced with
        # the live zone's wake (that task would look at live rows only).
        transaction.on_commit(sandbox.bound(lambda: send_named(task)))
        return
    held = _held.get()
    if held is not None:
        held.add(task)
        return
    if lists >= BATCH_ENOUGH:
        # Nothing to gather: waiting for the window would only leave the workers idle.
        transaction.on_commit(lambda: send_named(task))
        return
    # A claim costs about 170 queries however few lists it takes: its window is the longer one.
    transaction.on_commit(lambda: wake(task, window=settings.CLEARANCE_WAKE_WINDOW_MS))


def request_match(kind: str, documents: list[dict[str, Any]]) -> int:
    """Mark the lists these documents belong to for (re)matching, and wake the clearance processor."""
    if kind in EXPORT_KINDS:
        return _request_export_match(kind, documents)
    # Saved-only lists (app_status 1) are matched once declared, not before.
    lists = InventoryList.objects.filter(status__in=MATCHABLE_STATUSES, app_status=AppStatus.DECLARED)
    if kind == DocumentKind.INVENTORY:
        lists = lists.filter(cop_no__in={d["cop_no"] for d in documents})
        keys = {(d["ebc_code"], d["cop_no"]) for d in documents}
        condition = Q(
            pk__in=[pk for pk, e, c in lists.values_list("pk", "ebc_code", "cop_no") if (e, c) in keys]
        )
    elif kind == DocumentKind.WAYBILL:
        condition = Q(
            logistics_no__in={d["logistics_no"] for d in documents},
            logistics_code__in={d["logistics_code"] for d in documents},
        )
    else:  # orders and payments join the list by platform + order number
        condition = Q(
            order_no__in={d["order_no"] for d in documents}, ebp_code__in={d["ebp_code"] for d in documents}
        )
    return _request(kind, lists.filter(condition), again=kind != DocumentKind.INVENTORY)


def _request(kind: str, lists: QuerySet[Any], *, again: bool) -> int:
    """Mark `lists` and wake the clearance; `again`: for documents other than the list itself, look
    once more after the commit (_mark_again_after_commit). Returns how many lists were marked."""
    marked = _mark_and_wake(kind, lists)
    if again:
        _mark_again_after_commit(kind, lists.exclude(pk__in=marked))
    return len(marked)


def mark_unasked(kind: str, lists: QuerySet[Any]) -> int:
    """In a transaction of its own, mark those of `lists` no one has asked to match (each locked, in
    id order, and read as it is then) and wake the clearance for them; returns how many were looked at.
    """
    with transaction.atomic():
        return len(_mark_and_wake(kind, lists, unmarked_only=True))


def _mark_and_wake(kind: str, lists: QuerySet[Any], *, unmarked_only: bool = False) -> list[int]:
    marked = _mark_for_match(lists, unmarked_only=unmarked_only)
    if marked:
        wake_clearance(kind, lists=len(marked))
    return marked


def _mark_again_after_commit(kind: str, lists: QuerySet[Any]) -> None:
    """Once this transaction commits, mark those of these lists no one has asked to match.

    A list and its order (payment, waybill) stored at the same moment by two transactions miss each
    other: the order's UPDATE above does not see the list, still uncommitted, and the list's claim,
    run as soon as the list commits, does not see the order, not yet committed; the list then waits
    for a document that is there (one batch of 250 in an open-loop benchmark run). After the commit
    the order is visible to every claim that starts later: a list committed by then and not waiting
    for a claim is marked here (one that a claim holds is waited for and seen as the claim left it),
    one committed after reads the order at its claim. The lists marked in the transaction are left
    out (`lists` excludes them): no claim could take them before the commit, their locks held until
    then. Usually there is no such list: one query, without a transaction or a lock, says so (a list
    it cannot see was committed after it, so after this commit too)."""

    def mark() -> None:
        if lists.exists():
            retrying_deadlocks(lambda: mark_unasked(kind, lists))

    # robust: the documents are committed and answered whatever happens here
    transaction.on_commit(sandbox.bound(mark), robust=True)


def _mark_for_match(lists: QuerySet[Any], *, unmarked_only: bool = False) -> list[int]:
    """Ask for these lists' match. The rows are locked in id order first: an order batch, its payments
    and its waybills arriving at once mark the same lists, each through its own index (order number,
    logistics number), and two UPDATEs that locked them in their indexes' orders deadlocked.
    `unmarked_only`: leave the lists already asked for as they are once locked (a locked row gives its
    latest values, a claim that had it meanwhile included). Returns the ids of the lists now asked
    for: a claim running meanwhile skipped them (SKIP LOCKED), so the caller wakes one for them."""
    locked = list(lists.order_by("pk").select_for_update().values_list("pk", "match_requested_at"))
    ids = [pk for pk, asked in locked if not (unmarked_only and asked)]
    if ids:
        lists.model.objects.filter(pk__in=ids).update(match_requested_at=timezone.now())
    return [pk for pk, _asked in locked]


def _request_export_match(kind: str, documents: list[dict[str, Any]]) -> int:
    lists = ExportInventoryList.objects.all()
    if kind == DocumentKind.EXPORT_INVENTORY:
        keys = {(d["ebc_code"], d["cop_no"]) for d in documents}
        rows = lists.filter(cop_no__in={k[1] for k in keys}).values_list("pk", "ebc_code", "cop_no")
        condition = Q(pk__in=[pk for pk, e, c in rows if (e, c) in keys])
    elif kind == DocumentKind.EXPORT_WAYBILL:
        condition = Q(
            logistics_no__in={d["logistics_no"] for d in documents},
            logistics_code__in={d["logistics_code"] for d in documents},
        )
    else:
        condition = Q(
            order_no__in={d["order_no"] for d in documents}, ebp_code__in={d["ebp_code"] for d in documents}
        )
    if kind == DocumentKind.RECEIPT_OF_PAYMENT:
        # A 9810 shipment is paid for after it sold abroad: its receipt settles a list already released.
        released = list(
            lists.filter(
                condition, status=InventoryStatus.RELEASED, forex_settlement__isnull=True
            ).values_list("pk", flat=True)
        )
        if released:
            transaction.on_commit(
                sandbox.bound(lambda: send_named("clearance.settle_export_receipts", released))
            )
    matchable = lists.filter(condition, status__in=MATCHABLE_STATUSES)
    return _request(kind, matchable, again=kind != DocumentKind.EXPORT_INVENTORY)
