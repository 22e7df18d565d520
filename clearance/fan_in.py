"""Step 8, fan-in: once all four agencies answered a batch, every list gets its final status with its
ledgers, receipts and credit events, in one transaction under the batch row's lock.

Lock order, always: the batch, quotas, guarantees, forex allowances, stock (two batches' answers never
wait for each other in a cycle). Partners' webhooks are queued after commit.
"""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import transaction

from declarations.choices import InventoryStatus, ReturnStatus
from declarations.models import AgencyDecision, AgencyDispatch, DispatchBatch, InventoryList, Receipt
from sharing import webhooks
from sharing.adapters import AGENCIES
from sharing.choices import AgencyCode, NotificationKind
from sharing.reference import AGENCIES as AGENCY_NAMES
from singlewindow.core import sandbox
from singlewindow.core.broker import send_named
from singlewindow.core.db import insert_rows, update_rows
from singlewindow.core.texts import Text, gettext_noop, joined, stored
from stats import services as stats_services

from . import directions, notices, partner_events
from .directions import FINAL_FIELDS, Direction
from .records import advance, assign_invt_no, reject

AGENCY_NAMES_ZH = {code: chinese for code, chinese, _english in AGENCY_NAMES}


class Answer(NamedTuple):
    """An agency's decision as the fan-in reads it: a batch has 2,000, lighter as tuples than as models."""

    inventory_id: int
    agency: str
    outcome: str
    return_status: str
    return_info: str  # Chinese
    return_info_en: str
    held_amount: Decimal | None
    created_at: datetime


@transaction.atomic
def finalize_if_complete(*, batch_id: int) -> bool:
    """Under the batch's lock: if all four agencies answered, give every list its final status."""
    # Not the message: a batch's lists, read by each agency's task, not here.
    batch = DispatchBatch.objects.select_for_update().defer("message").get(pk=batch_id)
    if batch.finalized_at is not None:
        return False
    if AgencyDispatch.objects.filter(batch=batch).exclude(state=AgencyDispatch.State.ANSWERED).exists():
        return False
    direction = directions.of_batch(batch.ie_flag)
    answers: dict[int, list[Answer]] = defaultdict(list)
    for answer in (
        # With the list named, the partial unique index on (dispatch, list) finds them.
        AgencyDecision.objects.filter(dispatch__batch=batch, **{f"{direction.decision_field}__isnull": False})
        .order_by("agency")
        .values_list(direction.decision_field, *Answer._fields[1:])
    ):
        answers[answer[0]].append(Answer(*answer))
    lists = direction.load(
        direction.model.objects.filter(dispatch_batch=batch, status=InventoryStatus.DISPATCHED)
    )
    before = stats_services.snapshot(lists)
    now = sandbox.now()
    released, inspected, rejected, receipts = apply_answers(direction, lists, answers, now)
    direction.finish(released, inspected, rejected, answers, now)
    update_rows(released + inspected + rejected, FINAL_FIELDS)
    insert_rows(receipts)
    notices.lists_reached(NotificationKind.LIST_INSPECTION, inspected, receipts)
    notices.lists_reached(NotificationKind.LIST_REJECTED, rejected, receipts)
    stats_services.record_changes(lists, before)
    batch.finalized_at = now
    batch.save(update_fields=["finalized_at"])
    if direction.notify_partners:
        after_final([i.pk for i in released + inspected + rejected])
    return True


def apply_answers(
    direction: Direction, lists: list[Any], answers: dict[int, list[Answer]], now: datetime
) -> tuple[list[Any], list[Any], list[Any], list[Receipt]]:
    """Each list's final status from its agencies' answers: a refusal (or a missing answer) rejects it;
    else an inspection holds it; else it is released. Returns (released, inspected, rejected, receipts)."""
    released, inspected, rejected, receipts = [], [], [], []
    waiting = direction.waiting(lists)
    for inventory in lists:
        given = answers.get(inventory.pk, [])
        refusals = [a for a in given if a.outcome == "reject"]
        inventory.final_at = now
        if any(a.agency == AgencyCode.CUSTOMS and a.outcome != "reject" for a in given):
            assign_invt_no(inventory, direction.ie_flag, now)  # customs accepted it (its 120)
        if refusals or len(given) < len(AGENCIES):
            # The refusal's business code when an agency gave one (DOMAIN 4.3), customs' first.
            coded = [a.return_status for a in refusals if a.return_status.startswith("-")]
            code = coded[0] if coded else ReturnStatus.REJECTED
            receipts.append(
                reject(
                    inventory, _reasons(refusals), now, refusals[0].agency if refusals else "customs", code
                )
            )
            rejected.append(inventory)
        elif inspecting := [a for a in given if a.outcome == "inspect"]:
            inventory.status = InventoryStatus.INSPECTION
            reason = _reasons(inspecting)
            inventory.set_reason(reason)
            inspected.append(inventory)
            receipts.append(advance(inventory, inspecting[0].agency, ReturnStatus.INSPECTION, reason))
        else:
            # A list waiting for its waybill's arrival settles as released: customs concluded it.
            receipts += direction.release(inventory, now, waiting=inventory.pk in waiting)
            released.append(inventory)
    return released, inspected, rejected, [r for r in receipts if r is not None]


def _reasons(answers: list[Answer]) -> Text:
    """Each answer's reason after its agency ("forex: ..."), in the language it is rendered in."""
    return joined(
        [
            Text(
                gettext_noop("%(agency)s: %(info)s"),
                # The agency by its Chinese name in Chinese (receipts, pages), by its code in English.
                agency=stored(AGENCY_NAMES_ZH.get(a.agency, a.agency), a.agency),
                info=stored(a.return_info, a.return_info_en),
            )
            for a in answers
        ]
    )


def after_final(inventory_ids: list[int]) -> None:
    """Queue the partners' webhooks of lists that reached a final status, once the transaction commits."""
    if inventory_ids:
        transaction.on_commit(sandbox.bound(lambda: send_named("clearance.deliver_webhooks", inventory_ids)))


def notify_partners(*, inventory_ids: list[int]) -> int:
    """Webhook events for lists that reached a final status, to the enterprise that declared them (and
    the parties its BaseSubscribe named), with their CEB form for webhooks that take CEB XML."""
    fields = (
        "pk",
        "submitted_by_id",
        "ebc_code",
        "cop_no",
        "pre_no",
        "invt_no",
        "status",
        "return_status",
        "status_reason",
    )
    events = []
    for row in InventoryList.objects.filter(pk__in=inventory_ids).values(*fields):
        payload = {"id": row["pk"], **{k: row[k] for k in fields[2:-1]}, "reason": row["status_reason"]}
        if sandbox.active():
            payload["sandbox"] = True  # the partner's subscriptions are shared: say it is a test outcome
        events.append(
            (row["submitted_by_id"], "inventory.final", f"inventory:{row['pk']}:{row['status']}", payload)
        )
    more, ceb_payloads, ceb_only = partner_events.receipt_events(inventory_ids, events)
    return webhooks.enqueue(events + more, ceb_payloads, ceb_only)
