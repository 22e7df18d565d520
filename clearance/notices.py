"""Who hears of a list's turn: the enterprise that filed it when it is held, rejected or sent to
inspection, and customs' officials when alerts arrive. One insert per step's batch, inside the step's
transaction (a rolled-back step notifies no one); emails go after commit (sharing.services).

The reason is the one of the list's latest receipt, in both languages, followed by what to do next.
"""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from declarations.choices import DocumentKind
from declarations.models import ExportInventoryList, Receipt
from sharing.choices import AgencyCode, NotificationKind
from sharing.models import Agency
from sharing.services import NotificationData, notifications_create
from singlewindow.core.texts import Text, gettext_noop, joined, stored

SUBJECTS: dict[str, str] = {
    NotificationKind.LIST_HELD: gettext_noop("List %(cop_no)s is held for review by customs"),
    NotificationKind.LIST_REJECTED: gettext_noop("List %(cop_no)s was rejected"),
    NotificationKind.LIST_INSPECTION: gettext_noop("List %(cop_no)s is sent to inspection"),
}
NEXT_STEPS: dict[str, str] = {
    NotificationKind.LIST_HELD: gettext_noop(
        "Nothing to do now: an official reviews it and you will be told the decision."
    ),
    NotificationKind.LIST_REJECTED: gettext_noop(
        "It will not be released: correct what the reason names and declare a new list."
    ),
    NotificationKind.LIST_INSPECTION: gettext_noop(
        "Have the goods ready for inspection; the list is released or refused when it ends."
    ),
}

ALERTS_REASON = gettext_noop(
    "Held lists wait for a decision in the review queue: release, inspect or reject."
)


def lists_reached(kind: str, lists: Iterable[Any], receipts: Iterable[Receipt | None]) -> int:
    """Notify the enterprises that filed these lists (import or export rows) that they are held,
    rejected or under inspection; `receipts` are the step's new receipts, the reason's source."""
    latest: dict[tuple[str, int], Receipt] = {}
    for receipt in receipts:
        if receipt is not None:
            latest[(receipt.kind, receipt.document_id)] = receipt  # the last one of the step
    rows = []
    for inventory in lists:
        exported = isinstance(inventory, ExportInventoryList)
        doc_kind = DocumentKind.EXPORT_INVENTORY if exported else DocumentKind.INVENTORY
        receipt = latest.get((doc_kind, inventory.pk))
        parts: list[Any] = [Text(NEXT_STEPS[kind])]
        if receipt is not None:
            parts.insert(0, stored(receipt.return_info, receipt.return_info_en))
        rows.append(
            NotificationData(
                kind=kind,
                subject=Text(SUBJECTS[kind], cop_no=inventory.cop_no),
                reason=joined(parts, " "),
                enterprise_id=inventory.submitted_by_id,
                dedupe_key=f"{kind}:{'E' if exported else 'I'}:{inventory.pk}",
                link=reverse("export-detail" if exported else "inventory-detail", args=[inventory.pk]),
            )
        )
    return notifications_create(rows=rows)


def alerts_arrived(inventory_ids: list[int]) -> int:
    """Tell customs' officials that held lists wait in their review queue: one notification per batch,
    not one per alert, so a busy hour does not bury the rest."""
    if not inventory_ids:
        return 0
    customs = Agency.objects.filter(code=AgencyCode.CUSTOMS).values_list("pk", flat=True).first()
    if customs is None:
        return 0
    return notifications_create(
        rows=[
            NotificationData(
                kind=NotificationKind.ALERTS_RAISED,
                subject=Text(gettext_noop("New alerts to review: %(count)d"), count=len(inventory_ids)),
                reason=Text(
                    gettext_noop(
                        "Held lists wait for a decision in the review queue: release, inspect or reject."
                    )
                ),
                agency_id=customs,
                dedupe_key=f"alerts:{min(inventory_ids)}:{len(inventory_ids)}",
                link=reverse("alert-queue"),
            )
        ]
    )
