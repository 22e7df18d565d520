"""Step 1, claim: lists waiting for a match are locked a few hundred at a time (SELECT ... FOR UPDATE SKIP
LOCKED) and taken, in one transaction, through match, assess, score and dispatch.

A full claim asks for another run, so a backlog drains in batches; a deadlock victim runs again.
"""

from django.conf import settings
from django.db import transaction

from declarations.choices import MATCHABLE_STATUSES
from singlewindow.core import sandbox
from singlewindow.core.broker import send_named
from singlewindow.core.db import retrying_deadlocks, update_rows
from stats import services as stats_services

from .directions import EXPORT, IMPORT, Direction
from .dispatch import dispatch


def process_pending(direction: Direction, *, limit: int | None = None) -> int:
    """Claim up to `limit` lists of `direction` and take them as far as the fan-out; returns how many
    were claimed."""
    size = limit or settings.CLEARANCE_CLAIM_SIZE
    claimed = retrying_deadlocks(lambda: _clear_claimed(direction, size))
    if not claimed:
        return 0
    if len(claimed) == size:
        transaction.on_commit(sandbox.bound(lambda: send_named(direction.claim_task)))
    return len(claimed)


def process_pending_lists(*, limit: int | None = None) -> int:
    return process_pending(IMPORT, limit=limit)


def process_pending_exports(*, limit: int | None = None) -> int:
    return process_pending(EXPORT, limit=limit)


def _clear_claimed(direction: Direction, limit: int) -> list[int]:
    """One transaction: claim, clear (match, assess, score) and dispatch; returns the ids claimed."""
    with transaction.atomic():
        claimed = _claim(direction, limit)
        if not claimed:
            return []
        lists = direction.load(direction.model.objects.filter(pk__in=claimed).order_by("id"))
        before = stats_services.snapshot(lists)
        cleared = direction.clear(lists)
        if cleared:
            dispatch(direction, cleared, write=False)
        update_rows(lists, direction.claim_fields)
        stats_services.record_changes(lists, before)
    return claimed


def _claim(direction: Direction, limit: int) -> list[int]:
    """Lock up to `limit` lists waiting for a match; rows another processor holds are skipped."""
    return list(
        direction.model.objects.select_for_update(skip_locked=True)
        .filter(match_requested_at__isnull=False, status__in=MATCHABLE_STATUSES)
        .order_by("match_requested_at", "id")
        .values_list("id", flat=True)[:limit]
    )
