"""What every step writes besides the lists themselves: receipts, credit events, message text."""

from datetime import datetime
from typing import Any

import orjson
from django.contrib.auth import get_user_model

from credit import services as credit_services
from declarations.choices import DocumentKind, InventoryStatus, ReturnStatus
from declarations.models import ExportInventoryList, InventoryList, Receipt
from sharing.adapters import DeclaredExport
from sharing.models import EnterpriseAPIKey
from sharing.selectors import enterprises_by_code
from singlewindow.core.texts import Text, gettext_noop


def as_json(value: Any) -> str:
    """Messages and exchange payloads as text (UTF-8 as it is), by orjson: a batch's message is 500 lists."""
    return orjson.dumps(value).decode()


def receipt(inventory: Any, source: str, status: str, info: str | Text) -> Receipt:
    """A receipt about a list (import or export), for the enterprise that filed it (from the row or
    the dispatch message), its reason kept in Chinese and English."""
    is_row = isinstance(inventory, InventoryList | ExportInventoryList)
    exported = isinstance(inventory, ExportInventoryList | DeclaredExport)
    return Receipt.new(
        enterprise_id=inventory.submitted_by_id if is_row else inventory.enterprise_id,
        kind=DocumentKind.EXPORT_INVENTORY if exported else DocumentKind.INVENTORY,
        document_id=inventory.pk if is_row else inventory.id,
        source=source,
        natural_key=f"{inventory.ebc_code}/{inventory.cop_no}",
        status=status,
        info=info,
    )


# DOMAIN 4.1: a list's receipts run (1) -> 2 -> 3 -> 120 -> (300 | 500) -> 399 -> 800 -> 899, and never go
# back. A negative business code is an error of this attempt (the list stays declared: a corrected
# document or list takes it on); 100, 4 and 700 end it.
_ORDER = {"1": 1, "2": 2, "3": 3, "120": 4, "300": 5, "500": 5, "399": 6, "800": 7, "899": 8}


# What `receipt` and `advance` read of a list row.
RECEIPT_FIELDS = ("id", "return_status", "submitted_by_id", "ebc_code", "cop_no")
SENT_TO_CUSTOMS = (ReturnStatus.SENT, Text(gettext_noop("Sent to customs.")))
ACCEPTED_BY_CUSTOMS = (ReturnStatus.ACCEPTED, Text(gettext_noop("Accepted into the customs system.")))
REVIEW_CONCLUDED = (ReturnStatus.REVIEW_CONCLUDED, Text(gettext_noop("Customs review concluded.")))
RELEASED = (ReturnStatus.RELEASED, Text(gettext_noop("Released.")))


def _rank(status: str) -> int | None:
    if not status:
        return 0
    if status in _ORDER:
        return _ORDER[status]
    return _ORDER["2"] if status.startswith("-") else None


def advance(inventory: Any, source: str, status: str, info: str | Text) -> Receipt | None:
    """The list's next receipt, and its return_status moved on; None (and nothing changed) when the
    status would go back or the list has ended. A refusal (negative code or 100) may follow any status
    but an end."""
    current = _rank(inventory.return_status)
    if current is None:
        return None
    new = _rank(status)
    if new is not None and not status.startswith("-") and new <= current:
        return None
    inventory.return_status = status
    return receipt(inventory, source, status, info)


def advance_all(lists: list[Any], source: str, steps: list[tuple[str, str | Text]]) -> list[Receipt]:
    """Each list's receipts for these (status, info) steps, in order, skipping those it has passed."""
    out = []
    for inventory in lists:
        for status, info in steps:
            if (made := advance(inventory, source, status, info)) is not None:
                out.append(made)
    return out


def assign_invt_no(inventory: Any, ie_flag: str, now: datetime) -> None:
    """The customs list number, given when customs accepts the list (120), so that a cancel (CEB623)
    can name it: 4-digit district + year + I/E + 9-digit serial (DOMAIN 7.4). Kept once given."""
    if not inventory.invt_no:
        inventory.invt_no = f"{inventory.customs_code}{now:%Y}{ie_flag}{inventory.pk % 1_000_000_000:09d}"


def credit_events(
    lists: list[Any], kind: str, reason: str, *, by_field: str = "ebc_code", source_kind: str = "inventory"
) -> None:
    """Credit events of the enterprises responsible for these lists (one per list and kind); sandbox
    lists touch no one's credit."""
    lists = [i for i in lists if not getattr(i, "sandbox", False)]
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


def reject(
    inventory: InventoryList | ExportInventoryList,
    reason: str | Text,
    now: datetime,
    source: str = "customs",
    code: str = ReturnStatus.REJECTED,
) -> Receipt | None:
    """A list refused for good: status rejected, its reason (cut to the column) and time, and its
    receipt: the business code when there is one (DOMAIN 4.3), else 100."""
    inventory.status = InventoryStatus.REJECTED
    inventory.set_reason(reason)
    inventory.final_at = now
    return advance(inventory, source, code or ReturnStatus.REJECTED, reason)


def actor(user_id: int | None, api_key_prefix: str | None = None) -> Any:
    """Who an audit event names, from what a task carries: a partner's key by its prefix (never its
    id, which embeds the key's hash), else a user by id, else (None) the system."""
    if api_key_prefix:
        return EnterpriseAPIKey.objects.select_related("enterprise").filter(prefix=api_key_prefix).first()
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None
