"""Step 5, dispatch: a batch of cleared lists becomes one DispatchBatch and one AgencyDispatch per agency
(the outbox, in the caller's transaction), and one task per agency is published after commit."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from declarations.choices import InventoryStatus
from declarations.models import AgencyDispatch, DispatchBatch
from sharing.adapters import AGENCIES
from singlewindow.core import sandbox
from singlewindow.core.broker import send_named
from singlewindow.core.db import update_rows

from .directions import Direction
from .records import as_json


def dispatch(direction: Direction, lists: list[Any], *, write: bool = True) -> DispatchBatch:
    """Lists with their documents and items loaded -> one batch, one dispatch row per agency.
    With write=False the caller writes the lists' new state with its own changes."""
    message = as_json([direction.declare(i).to_message() for i in lists])
    batch = DispatchBatch.objects.create(size=len(lists), message=message, ie_flag=direction.ie_flag)
    dispatches = AgencyDispatch.objects.bulk_create([AgencyDispatch(batch=batch, agency=a) for a in AGENCIES])
    now = timezone.now()
    for inventory in lists:
        # The receipts (3 sent to customs) were given when the list cleared the window's checks.
        inventory.status = InventoryStatus.DISPATCHED
        inventory.dispatch_batch, inventory.dispatched_at = batch, now
    if write:
        update_rows(lists, direction.dispatch_fields)
    if direction.track is not None:
        direction.track(lists, "declared")
    ids = [d.pk for d in dispatches]
    transaction.on_commit(sandbox.bound(lambda: publish(ids)))
    return batch


def publish(dispatch_ids: Iterable[int]) -> None:
    """Send one task per agency dispatch; runs after commit (and again from the sweeper)."""
    # Each agency's tasks go to the queue named after it (settings.AGENCY_QUEUES).
    agencies = dict(AgencyDispatch.objects.filter(pk__in=list(dispatch_ids)).values_list("id", "agency"))
    ids = [
        dispatch_id
        for dispatch_id, agency in agencies.items()
        if send_named("clearance.dispatch_to_agency", dispatch_id, queue=agency)
    ]
    AgencyDispatch.objects.filter(pk__in=ids, state=AgencyDispatch.State.PENDING).update(
        state=AgencyDispatch.State.SENT, published_at=timezone.now()
    )
