"""What every step writes besides the lists themselves: receipts, credit events, message text."""

from datetime import datetime
from typing import Any

import orjson
from django.contrib.auth import get_user_model

from credit import services as credit_services
from declarations.choices import DocumentKind, InventoryStatus, ReturnStatus
from declarations.guids import new_guid
from declarations.models import ExportInventoryList, InventoryList, Receipt
from sharing.adapters import DeclaredExport
from sharing.selectors import enterprises_by_code
from singlewindow.core.db import new_row


def as_json(value: Any) -> str:
    """Messages and exchange payloads as text (UTF-8 as it is), by orjson: a batch's message is 500 lists."""
    return orjson.dumps(value).decode()


def receipt(inventory: Any, source: str, status: str, info: str) -> Receipt:
    """A receipt about a list (import or export), for the enterprise that filed it (from the row or
    the dispatch message)."""
    is_row = isinstance(inventory, InventoryList | ExportInventoryList)
    exported = isinstance(inventory, ExportInventoryList | DeclaredExport)
    return new_row(
        Receipt,
        enterprise_id=inventory.submitted_by_id if is_row else inventory.enterprise_id,
        kind=DocumentKind.EXPORT_INVENTORY if exported else DocumentKind.INVENTORY,
        document_id=inventory.pk if is_row else inventory.id,
        source=source,
        natural_key=f"{inventory.ebc_code}/{inventory.cop_no}"[:100],
        return_status=status,
        return_info=info[:1000] or "-",
        guid=new_guid(),
    )


def credit_events(
    lists: list[Any], kind: str, reason: str, *, by_field: str = "ebc_code", source_kind: str = "inventory"
) -> None:
    """Credit events of the enterprises responsible for these lists (one per list and kind)."""
    if not lists:
        return
    ids = enterprises_by_code({getattr(i, by_field) for i in lists})
    credit_services.events_record(
        [
            credit_services.PipelineEvent(
                enterprise_id=ids[getattr(i, by_field)],
                kind=kind,
                reason=f"{reason}: {i.cop_no}",
                source_kind=source_kind,
                source_id=i.pk,
            )
            for i in lists
            if getattr(i, by_field) in ids
        ]
    )


def reject(inventory: InventoryList | ExportInventoryList, reason: str, now: datetime) -> None:
    """A list refused for good: status rejected, CEB 100, its reason (cut to the column) and time."""
    inventory.status, inventory.return_status = InventoryStatus.REJECTED, ReturnStatus.REJECTED
    inventory.status_reason, inventory.final_at = reason[:1000], now


def actor(user_id: int | None) -> Any:
    """The user an audit event names, from the id a task carries (None: the system)."""
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None
