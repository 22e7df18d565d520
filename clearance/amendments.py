"""Step 11, amendments: cancel (CEB623) and return (CEB625) of import lists (DOMAIN 2.6, 6.4).

A cancel before release gives back the buyer's reserved quota, the tax and forex holds and any bonded
stock; a return within 30 days of release is accepted, and once its goods are back (within 45 days) the
quota and tax of the returned lines are given back and (1210) the goods restocked. Each runs under the
list's (or the return's) lock and is idempotent.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from declarations.choices import (
    CANCELLABLE_STATUSES,
    GOODS_BACK_DAYS,
    DocumentKind,
    InventoryStatus,
    ReceiptSource,
    ReturnStatus,
)
from declarations.models import (
    AgencyDecision,
    InventoryCancel,
    InventoryList,
    InventoryRefund,
    InventoryRefundLine,
)
from declarations.selectors import return_window_open
from finance import ledgers
from logistics import services as logistics_services
from sharing.services import audit_record
from singlewindow.core.db import insert_rows, update_rows
from singlewindow.core.errors import ServiceError
from stats import services as stats_services

from .fan_in import after_final
from .records import actor, receipt
from .settlement import settle_import_ledgers


class AmendmentRefused(ServiceError):
    """A cancel or return that breaks a rule: `.errors` names the fields, `.code` the CEB error."""

    code = ReturnStatus.REJECTED


def _head(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "items"}


def list_cancel(
    *, inventory_id: int, data: dict[str, Any], enterprise_id: int, user_id: int | None
) -> tuple[InventoryCancel, bool]:
    """Cancel a list before release. Idempotent: a second cancel returns the first."""
    with transaction.atomic():
        inventory = (
            InventoryList.objects.select_for_update(of=("self",))
            .select_related("payment")
            .prefetch_related("items")
            .get(pk=inventory_id)
        )
        existing = InventoryCancel.objects.filter(inventory=inventory).first()
        if existing is not None:
            return existing, False
        if inventory.status == InventoryStatus.DISPATCHED:
            raise AmendmentRefused(
                {
                    "invt_no": [
                        "The list is with the agencies; cancel it once they have answered (unless released)."
                    ]
                },
                "-623002",
                409,
            )
        if inventory.status == InventoryStatus.RELEASED:
            raise AmendmentRefused(
                {"invt_no": ["A released list is not cancelled; apply for a return (CEB625) instead."]},
                "-623003",
                409,
            )
        if inventory.status not in CANCELLABLE_STATUSES:
            raise AmendmentRefused(
                {"invt_no": [f"The list is {inventory.status} and can no longer be cancelled."]},
                "-623004",
                409,
            )
        answers = {inventory.pk: list(AgencyDecision.objects.filter(inventory=inventory))}
        before = stats_services.snapshot([inventory])
        cancel = InventoryCancel.objects.create(
            **_head(data), inventory=inventory, submitted_by_id=enterprise_id
        )
        settle_import_ledgers([], [inventory], answers)
        inventory.status, inventory.final_at = InventoryStatus.CANCELLED, timezone.now()
        inventory.status_reason = f"Cancelled (CEB623): {data['reason']}"[:1000]
        update_rows([inventory], ["status", "status_reason", "final_at"])
        stats_services.record_changes([inventory], before)
        answer = receipt(
            inventory, ReceiptSource.CUSTOMS, ReturnStatus.RELEASED, "Cancellation approved (CEB624)"
        )
        answer.kind, answer.document_id = DocumentKind.CANCEL, cancel.pk
        insert_rows([answer])
        audit_record(
            actor=actor(user_id), action="inventory.cancelled", obj=inventory, reason=data["reason"][:200]
        )
        after_final([inventory.pk])
    return cancel, True


def refund_apply(
    *, inventory_id: int, data: dict[str, Any], enterprise_id: int, user_id: int | None
) -> tuple[InventoryRefund, bool]:
    """Apply for a return of a released list; the goods are then due back within 45 days of release.
    Idempotent per list."""
    with transaction.atomic():
        inventory = (
            InventoryList.objects.select_for_update(of=("self",))
            .prefetch_related("items")
            .get(pk=inventory_id)
        )
        existing = InventoryRefund.objects.filter(inventory=inventory).first()
        if existing is not None:
            return existing, False
        if inventory.status != InventoryStatus.RELEASED:
            raise AmendmentRefused({"invt_no": ["Only a released list can be returned."]}, "-625001", 409)
        released_at = inventory.final_at
        if released_at is None or not return_window_open(inventory, timezone.now()):
            raise AmendmentRefused(
                {"invt_no": [f"Released on {released_at:%Y-%m-%d}: a return is applied for within 30 days."]},
                "-625002",
            )
        items = {item.gnum: item for item in inventory.items.all()}
        errors: dict[str, list[str]] = {}
        for line in data["items"]:
            item = items.get(line["gnum"])
            where = f"items[{line['gnum']}]"
            if item is None:
                errors[f"{where}.gnum"] = [f"The list has no line {line['gnum']}."]
            elif line["gcode"] != item.gcode:
                errors[f"{where}.gcode"] = [f"Line {item.gnum} is {item.gcode}, not {line['gcode']}."]
            elif line["qty"] > item.qty:
                errors[f"{where}.qty"] = [
                    f"At most {item.qty.normalize()} were released on line {item.gnum}."
                ]
        if errors:
            raise AmendmentRefused(errors, "-625003")
        refund = InventoryRefund.objects.create(
            **_head(data),
            inventory=inventory,
            submitted_by_id=enterprise_id,
            goods_due_by=released_at + timedelta(days=GOODS_BACK_DAYS),
        )
        InventoryRefundLine.objects.bulk_create(
            [InventoryRefundLine(refund=refund, **line) for line in data["items"]]
        )
        answer = receipt(
            inventory,
            ReceiptSource.CUSTOMS,
            ReturnStatus.ACCEPTED,
            "Return accepted: goods due back (CEB626)",
        )
        answer.kind, answer.document_id = DocumentKind.REFUND, refund.pk
        insert_rows([answer])
        audit_record(actor=actor(user_id), action="inventory.return_applied", obj=inventory, refund=refund.pk)
    return refund, True


def refund_goods_back(*, refund_id: int, user_id: int | None, at: datetime | None = None) -> InventoryRefund:
    """The returned goods are back in the supervised site or bonded warehouse: the ledgers give back
    the returned lines' share and (1210) the goods go back in stock. Idempotent; past the 45 days the
    return expires instead and nothing is given back (the caller reads the state)."""
    at = at or timezone.now()
    with transaction.atomic():
        refund = InventoryRefund.objects.select_for_update().get(pk=refund_id)
        if refund.state != InventoryRefund.State.AWAITING_GOODS:
            return refund
        if at > refund.goods_due_by:
            refund.state = InventoryRefund.State.EXPIRED
            refund.save(update_fields=["state"])
            return refund
        inventory = InventoryList.objects.prefetch_related("items").get(pk=refund.inventory_id)
        lines = list(refund.lines.all())
        ledgers.return_credit(inventory=inventory, refund=refund, lines=lines)
        refund.goods_received_at, refund.state = at, InventoryRefund.State.COMPLETED
        refund.save(update_fields=["dutiable_value", "tax_returned", "goods_received_at", "state"])
        claim = logistics_services.stock_claim(inventory, lines=lines)
        if claim is not None:
            logistics_services.stock_return(claim=claim, refund_id=refund.pk)
        answer = receipt(
            inventory,
            ReceiptSource.CUSTOMS,
            ReturnStatus.RELEASED,
            f"Return completed: tax {refund.tax_returned} given back",
        )
        answer.kind, answer.document_id = DocumentKind.REFUND, refund.pk
        insert_rows([answer])
        audit_record(
            actor=actor(user_id),
            action="inventory.returned",
            obj=inventory,
            refund=refund.pk,
            tax=str(refund.tax_returned),
        )
    return refund


def refunds_expire(*, now: datetime | None = None) -> int:
    """Returns whose goods did not come back within 45 days expire: nothing is given back."""
    return InventoryRefund.objects.filter(
        state=InventoryRefund.State.AWAITING_GOODS, goods_due_by__lt=now or timezone.now()
    ).update(state=InventoryRefund.State.EXPIRED)
