"""Step 10, review: what officials decide. Lists held by the risk step resume after an alert's decision
(release or inspect -> the fan-out; reject -> a receipt and the quota given back), and a physical
inspection's conclusion releases or refuses a list with its ledgers. Each runs under the list's lock
and only on lists still in the state it expects, so a second delivery changes nothing."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from credit.models import CreditEvent
from declarations.choices import InventoryStatus
from declarations.models import AgencyDecision, InventoryList
from finance import ledgers
from risk.models import Alert, RiskAssessment
from sharing.choices import NotificationKind
from sharing.services import audit_record
from singlewindow.core.db import insert_rows, update_rows
from singlewindow.core.texts import Text, gettext_noop
from stats import services as stats_services

from . import notices, settlement
from .directions import EXPORT, FINAL_FIELDS, IMPORT, Direction
from .dispatch import dispatch
from .fan_in import after_final
from .records import actor, credit_events, reject


def resume_held(*, inventory_ids: list[int]) -> int:
    """Continue the import lists an official decided on; returns how many were taken."""
    with transaction.atomic():
        lists = list(
            InventoryList.objects.select_for_update(of=("self",))
            .filter(pk__in=inventory_ids, status=InventoryStatus.HELD)
            .select_related("payment", "order")
            .prefetch_related("items")
            .order_by("id")
        )
        alerts = {
            a.inventory_id: a for a in Alert.objects.filter(inventory__in=lists, status=Alert.Status.CLOSED)
        }
        lists = [i for i in lists if i.pk in alerts]
        if not lists:
            return 0
        before = stats_services.snapshot(lists)
        rejected = [i for i in lists if alerts[i.pk].outcome == Alert.Outcome.REJECT]
        onward = [i for i in lists if alerts[i.pk].outcome != Alert.Outcome.REJECT]
        inspect = [i.pk for i in onward if alerts[i.pk].outcome == Alert.Outcome.INSPECT]
        if inspect:
            RiskAssessment.objects.filter(inventory_id__in=inspect).update(selected_for_inspection=True)
        now = timezone.now()
        receipts = [
            reject(
                inventory,
                Text(gettext_noop("Rejected by customs: %(reason)s"), reason=alerts[inventory.pk].reason),
                now,
            )
            for inventory in rejected
        ]
        update_rows(rejected, ["status", "return_status", "status_reason", "status_reason_text", "final_at"])
        insert_rows([r for r in receipts if r is not None])
        notices.lists_reached(NotificationKind.LIST_REJECTED, rejected, receipts)
        settlement.track(rejected, "rejected")
        ledgers.quota_settle([], rejected)
        credit_events(rejected, CreditEvent.Kind.REJECTED, gettext_noop("rejected by customs after review"))
        stats_services.record_changes(lists, before)
        if onward:
            dispatch(IMPORT, onward)
        after_final([i.pk for i in rejected])
    return len(lists)


def conclude_inspection(
    direction: Direction, *, list_id: int, passed: bool, reason: str, official_id: int | None
) -> bool:
    """The physical inspection of a list ends: passed -> released with its ledgers; failed -> refused,
    its holds given back. False when the list is not under inspection (already concluded)."""
    with transaction.atomic():
        inventory: Any = (
            direction.model.objects.select_for_update(of=("self",))
            .select_related(*direction.related)
            .prefetch_related("items")
            .filter(pk=list_id, status=InventoryStatus.INSPECTION)
            .first()
        )
        if inventory is None:
            return False
        answers = {
            inventory.pk: list(AgencyDecision.objects.filter(**{direction.decision_field: inventory.pk}))
        }
        before = stats_services.snapshot([inventory])
        now = timezone.now()
        inventory.final_at = now
        if passed:
            receipts = direction.release(inventory, now, waiting=bool(direction.waiting([inventory])))
        else:
            refused = reject(
                inventory, Text(gettext_noop("Inspection failed: %(reason)s"), reason=reason), now
            )
            receipts = [refused] if refused is not None else []
        direction.conclude(inventory, passed, reason, answers, now)
        update_rows([inventory], FINAL_FIELDS)
        insert_rows(receipts)
        if not passed:
            notices.lists_reached(NotificationKind.LIST_REJECTED, [inventory], receipts)
        stats_services.record_changes([inventory], before)
        outcome = "inspection_passed" if passed else "inspection_failed"
        audit_record(
            actor=actor(official_id),
            action=f"{direction.audit_prefix}.{outcome}",
            obj=inventory,
            reason=reason,
        )
        if direction.notify_partners:
            after_final([inventory.pk])
    return True


def inspection_conclude(*, inventory_id: int, passed: bool, reason: str, official_id: int | None) -> bool:
    """Customs concludes an import list's inspection (see conclude_inspection)."""
    return conclude_inspection(
        IMPORT, list_id=inventory_id, passed=passed, reason=reason, official_id=official_id
    )


def export_inspection_conclude(
    *, export_list_id: int, passed: bool, reason: str, official_id: int | None
) -> bool:
    """The quarantine inspection of an export list ends (see conclude_inspection)."""
    return conclude_inspection(
        EXPORT, list_id=export_list_id, passed=passed, reason=reason, official_id=official_id
    )
