"""Step 7, answer: one agency decides on one batch, and its answer is recorded in one transaction.

The dispatch row's lock makes an answer count once (the decisions' unique index is the backstop). An
answer locks only its own agency's ledger rows (stock for customs, guarantees for tax, allowances for
forex); the fan-in that follows is a transaction of its own (see fan_in). A re-drive locks the parked
dispatch row, then the audit chain's head.
"""

import logging
from typing import Any

import orjson
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from declarations.choices import ReceiptSource
from declarations.models import AgencyDecision, AgencyDispatch, DispatchBatch
from sharing.adapters import AgencyUnavailable, Decision
from sharing.choices import AgencyCode
from sharing.models import Exchange
from sharing.services import audit_record
from singlewindow.core.db import insert_rows, new_row, retrying_deadlocks
from singlewindow.core.texts import both

from . import directions
from .directions import Direction
from .dispatch import publish
from .fan_in import finalize_if_complete
from .records import ACCEPTED_BY_CUSTOMS, RECEIPT_FIELDS, actor, advance_all, as_json

logger = logging.getLogger(__name__)


def dispatch_to_agency(*, dispatch_id: int) -> None:
    """Ask one agency about one batch and record its answer, then try the fan-in. Safe to run twice:
    delivered again after a crash, it finds the answer in and finishes the fan-in if that was cut off."""
    dispatch = AgencyDispatch.objects.filter(pk=dispatch_id).first()
    if dispatch is None:
        return
    if dispatch.state != AgencyDispatch.State.ANSWERED:
        _ask(dispatch)
    # Whichever answer commits last sees all four and finalizes; the sweeper finalizes a batch whose
    # worker died between the two. In one transaction with the answer, customs' stock-then-guarantee
    # would meet tax's guarantee-then-stock and deadlock.
    retrying_deadlocks(lambda: finalize_if_complete(batch_id=dispatch.batch_id))


def _ask(dispatch: AgencyDispatch) -> None:
    """The agency's decisions on the batch's lists, recorded; an outage is recorded and raised."""
    message, ie_flag = (
        DispatchBatch.objects.filter(pk=dispatch.batch_id).values_list("message", "ie_flag").get()
    )
    direction = directions.of_batch(ie_flag)
    declared = [direction.message_type.from_message(item) for item in orjson.loads(message)]
    payload = as_json([d.as_payload() for d in declared])
    try:
        decisions = direction.decide(dispatch.agency, declared)
    except AgencyUnavailable as exc:
        AgencyDispatch.objects.filter(pk=dispatch.pk).update(
            attempts=F("attempts") + 1, last_error=str(exc)[:500]
        )
        Exchange.objects.create(
            direction=Exchange.Direction.OUT,
            agency=dispatch.agency,
            dispatch_id=dispatch.pk,
            document_count=len(declared),
            payload=payload,
            status=Exchange.Status.FAILED,
            error=str(exc)[:500],
        )
        raise
    retrying_deadlocks(lambda: _record_answer(direction, dispatch.pk, decisions, declared, payload))


def _record_answer(
    direction: Direction, dispatch_id: int, decisions: list[Decision], declared: list[Any], payload: str
) -> None:
    """In one transaction: the agency's holds, decisions, messages and receipts."""
    with transaction.atomic():
        dispatch = AgencyDispatch.objects.select_for_update().get(pk=dispatch_id)
        if dispatch.state == AgencyDispatch.State.ANSWERED:
            return
        by_id = {d.id: d for d in declared}
        if direction.hold is not None:
            decisions = direction.hold(dispatch.agency, decisions, by_id)
        now = timezone.now()
        # Each reason in Chinese and English, rendered once for the decision rows and the message.
        infos = [both(d.return_info) for d in decisions]
        insert_rows(
            [
                new_row(
                    AgencyDecision,
                    dispatch_id=dispatch.pk,
                    **{direction.decision_field: d.inventory_id},
                    agency=dispatch.agency,
                    outcome=d.outcome,
                    return_status=d.return_status,
                    return_info=chinese,
                    return_info_en=english,
                    held_amount=d.amounts.get("tax", d.amounts.get("usd"))
                    if d.outcome == "release"
                    else None,
                )
                for d, (chinese, english) in zip(decisions, infos, strict=True)
            ]
        )
        Exchange.objects.bulk_create(
            [
                Exchange(
                    direction=Exchange.Direction.OUT,
                    agency=dispatch.agency,
                    dispatch_id=dispatch_id,
                    document_count=len(declared),
                    payload=payload,
                    status=Exchange.Status.ANSWERED,
                    attempts=dispatch.attempts + 1,
                    answered_at=now,
                ),
                Exchange(
                    direction=Exchange.Direction.IN,
                    agency=dispatch.agency,
                    dispatch_id=dispatch_id,
                    document_count=len(decisions),
                    status=Exchange.Status.ANSWERED,
                    answered_at=now,
                    payload=as_json(
                        [
                            {"id": d.inventory_id, "status": d.return_status, "info": zh, "info_en": en}
                            for d, (zh, en) in zip(decisions, infos, strict=True)
                        ]
                    ),
                ),
            ]
        )
        if dispatch.agency == AgencyCode.CUSTOMS:
            _accepted_by_customs(direction, [d.inventory_id for d in decisions if d.outcome != "reject"])
        dispatch.state, dispatch.answered_at = AgencyDispatch.State.ANSWERED, now
        dispatch.save(update_fields=["state", "answered_at"])


def _accepted_by_customs(direction: Direction, list_ids: list[int]) -> None:
    """Customs took the lists into its system: their 120 receipt. The other answers are the agencies'
    decisions; the fan-in turns them into the list's next receipt (399 and 800, 500, or the refusal), so
    a list's receipts never go back whatever order the agencies answer in. A list held for review had
    its 120 before it was held, and keeps it.

    The lists themselves are not written here: the fan-in writes each once, with its customs number
    (given from the list's id, so the same whenever it is written) and its status. Meanwhile they are
    with the agencies, where no cancel or change reaches them."""
    if not list_ids:
        return
    lists = list(direction.model.objects.filter(pk__in=list_ids).only(*RECEIPT_FIELDS))
    insert_rows(advance_all(lists, ReceiptSource.CUSTOMS, [ACCEPTED_BY_CUSTOMS]))


def dispatch_failed(*, dispatch_id: int) -> None:
    """Retries exhausted: the dispatch is parked (dead letter) until an official re-drives it."""
    AgencyDispatch.objects.filter(pk=dispatch_id).exclude(state=AgencyDispatch.State.ANSWERED).update(
        state=AgencyDispatch.State.FAILED
    )
    logger.warning("dispatch %s failed after its retries; parked for an official", dispatch_id)


def redrive(*, dispatch_id: int, official_id: int | None = None) -> bool:
    """Send a parked dispatch again, audited with the official who asked; False when there is no
    parked dispatch with this id."""
    with transaction.atomic():
        parked = AgencyDispatch.objects.filter(pk=dispatch_id, state=AgencyDispatch.State.FAILED).update(
            state=AgencyDispatch.State.PENDING, attempts=0, last_error=""
        )
        if parked:
            dispatch = AgencyDispatch.objects.only("pk", "agency").get(pk=dispatch_id)
            audit_record(
                actor=actor(official_id), action="dispatch.redriven", obj=dispatch, agency=dispatch.agency
            )
    if parked:
        publish([dispatch_id])
    return bool(parked)
