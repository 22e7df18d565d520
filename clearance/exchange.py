"""Step 12, the exchange around the lists: what an arrival, a departure or a cancel of an export list
does to the lists (DOMAIN 3, catalogue), and CEB711, the arrival of direct-mail (9610) import waybills
under a master bill, for which such lists wait before release where the zone says so.

Each runs under the lists' locks, is idempotent (a list already where the message takes it is left
alone) and writes the lists' receipts: a cancel concludes with 399, never 800; a departure closes the
list (899); an arrival releases an import list that waited for it (800).
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from declarations.choices import CANCELLABLE_STATUSES, InventoryStatus, ReceiptSource, ReturnStatus
from declarations.models import ExchangeFiling, ExchangeFilingWaybill, ExportInventoryList, InventoryList
from singlewindow.core.db import insert_rows, update_rows
from singlewindow.core.errors import ServiceError
from singlewindow.core.texts import Text, gettext_noop
from stats import services as stats_services

from . import settlement
from .records import RELEASED, advance, advance_all

# Why a 9610 list customs concluded is not yet released, in the reader's language.
AWAITING_ARRIVAL = Text(
    gettext_noop("Waiting for the arrival of its waybill under its master bill (CEB711).")
)
DEPARTED = Text(gettext_noop("Departed (CEB509): the list is closed."))


class CancelCode:
    """The business codes a refused export cancel (CEB605) answers as its returnStatus."""

    NOT_FOUND = "-605001"
    WITH_AGENCIES = "-605002"
    RELEASED = "-605003"
    TOO_LATE = "-605004"


class CancelRefused(ServiceError):
    """An export cancel that breaks a rule: `.code` is its CancelCode, `.errors` names the field."""


def release_waits_for_arrival() -> bool:
    return bool(getattr(settings, "CEB_9610_RELEASE_AFTER_ARRIVAL", False))


def awaiting_arrival(lists: list[Any]) -> set[int]:
    """Of import lists about to be released, the 9610 ones whose waybill has not arrived (no CEB711
    names it): one query for a batch, none when the zone releases without waiting."""
    if not release_waits_for_arrival():
        return set()
    direct = [i for i in lists if getattr(i, "trade_mode", "") == "9610"]
    if not direct:
        return set()
    # By number (one IN list), the carrier compared here: an OR of pairs grows too deep for a batch.
    arrived = set(
        ExchangeFilingWaybill.objects.filter(
            kind=ExchangeFiling.Kind.IMPORT_ARRIVAL, logistics_no__in={i.logistics_no for i in direct}
        ).values_list("logistics_code", "logistics_no")
    )
    return {i.pk for i in direct if (i.logistics_code, i.logistics_no) not in arrived}


def hold_for_arrival(inventory: InventoryList | ExportInventoryList) -> list[Any]:
    """Customs concluded the list (399) but its goods have not arrived: it waits, with its reason."""
    inventory.status = InventoryStatus.AWAITING_ARRIVAL
    inventory.set_reason(AWAITING_ARRIVAL)
    return advance_all(
        [inventory],
        ReceiptSource.CUSTOMS,
        [(ReturnStatus.REVIEW_CONCLUDED, Text(gettext_noop("Customs review concluded.")))],
    )


@transaction.atomic
def release_arrived(*, waybills: list[tuple[str, str]]) -> list[int]:
    """The import lists that waited for these waybills' arrival are released (800); returns their ids."""
    if not waybills:
        return []
    named = set(waybills)
    lists = [
        inventory
        for inventory in InventoryList.objects.select_for_update(of=("self",))
        .filter(logistics_no__in={number for _code, number in named}, status=InventoryStatus.AWAITING_ARRIVAL)
        .prefetch_related("items")
        .order_by("pk")
        if (inventory.logistics_code, inventory.logistics_no) in named
    ]
    if not lists:
        return []
    before = stats_services.snapshot(lists)
    now = timezone.now()
    receipts = []
    for inventory in lists:
        inventory.status = InventoryStatus.RELEASED
        inventory.set_reason("")
        inventory.final_at = now
        if (made := advance(inventory, ReceiptSource.CUSTOMS, *RELEASED)) is not None:
            receipts.append(made)
    update_rows(lists, ["status", "return_status", "status_reason", "status_reason_text", "final_at"])
    insert_rows(receipts)
    stats_services.record_changes(lists, before)
    settlement.track(lists, "released")
    from .fan_in import after_final  # not at the top: the fan-in imports the directions, which import us

    after_final([i.pk for i in lists])  # the partners' webhooks, after commit
    return [i.pk for i in lists]


def export_list_cancel(*, list_id: int, reason: str) -> ExportInventoryList:
    """Cancel an export list before release (CEB605): cancelled with 399 and the cancel's reason. A
    list with the agencies, released or otherwise past it is refused with its code."""
    inventory = (
        ExportInventoryList.objects.select_for_update(of=("self",)).prefetch_related("items").get(pk=list_id)
    )
    if inventory.status == InventoryStatus.CANCELLED:
        return inventory
    if inventory.status == InventoryStatus.DISPATCHED:
        raise CancelRefused(
            {"invt_no": [_("The list is with the agencies; cancel it once they have answered.")]},
            CancelCode.WITH_AGENCIES,
            409,
        )
    if inventory.status == InventoryStatus.RELEASED:
        raise CancelRefused(
            {"invt_no": [_("A released export list is not cancelled; apply for a return (CEB213) instead.")]},
            CancelCode.RELEASED,
            409,
        )
    if inventory.status not in CANCELLABLE_STATUSES:
        raise CancelRefused(
            {
                "invt_no": [
                    _("The list is %(status)s and can no longer be cancelled.")
                    % {"status": inventory.get_status_display()}
                ]
            },
            CancelCode.TOO_LATE,
            409,
        )
    before = stats_services.snapshot([inventory])
    info = Text(gettext_noop("Cancelled (CEB605): %(reason)s"), reason=reason)
    inventory.status = InventoryStatus.CANCELLED
    inventory.set_reason(info)
    inventory.final_at = timezone.now()
    made = advance(inventory, ReceiptSource.CUSTOMS, ReturnStatus.REVIEW_CONCLUDED, info)
    update_rows([inventory], ["status", "return_status", "status_reason", "status_reason_text", "final_at"])
    insert_rows([made] if made is not None else [])
    stats_services.record_changes([inventory], before)
    return inventory


def exports_departed(*, list_ids: list[int], now: datetime | None = None) -> int:
    """Released export lists whose goods departed (CEB509) are closed (899). Returns how many."""
    lists = list(
        ExportInventoryList.objects.select_for_update(of=("self",)).filter(
            pk__in=list_ids, status=InventoryStatus.RELEASED
        )
    )
    receipts = [
        made for i in lists if (made := advance(i, ReceiptSource.CUSTOMS, ReturnStatus.CLOSED, DEPARTED))
    ]
    update_rows([i for i in lists if i.return_status == ReturnStatus.CLOSED], ["return_status"])
    insert_rows(receipts)
    return len(receipts)
