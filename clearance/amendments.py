"""Step 11, amendments: cancel (CEB623) and return (CEB625) of import lists (DOMAIN 2.6, 6.4).

A cancel before release gives back the buyer's reserved quota, the tax and forex holds and any bonded
stock; a return within 30 days of release is accepted, and once its goods are back (within 45 days) the
quota and tax of the returned lines are given back and (1210) the goods restocked. Each runs under the
list's (or the return's) lock and is idempotent.

The head of a cancel or return is the list's: the filer chooses only the reason and (a return) the lines.
Receipts (CEB624, CEB626) go 2 (received) -> 120 (a return accepted, its goods due back) -> 399 (review
concluded: cancelled, or the goods are back); a refusal answers its negative code (-623xxx, -625xxx).
800 (released) belongs to the list's own CEB622 and is never a cancel's or a return's answer.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

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
from declarations.models.amendments import LIST_HEAD_FIELDS, return_lines_key
from declarations.selectors import return_window_open
from finance import ledgers
from logistics import services as logistics_services
from logistics.models import Warehouse
from sharing.selectors import enterprises_by_code
from sharing.services import audit_record
from singlewindow.core import sandbox
from singlewindow.core.db import insert_rows, update_rows
from singlewindow.core.errors import ServiceError
from singlewindow.core.texts import Text, gettext_noop
from stats import services as stats_services

from .fan_in import after_final
from .records import actor, receipt
from .settlement import settle_import_ledgers


class RefusalCode(models.TextChoices):
    """The business codes a refused cancel (-623xxx) or return (-625xxx) answers as its returnStatus
    (DOMAIN 4.3), and an expired return's."""

    CANCEL_WITH_AGENCIES = "-623002", "list with the agencies"
    CANCEL_RELEASED = "-623003", "list released: return it instead"
    CANCEL_TOO_LATE = "-623004", "list no longer cancellable"
    CANCEL_HEAD = "-623005", "head differs from the list's"
    RETURN_NOT_RELEASED = "-625001", "list not released"
    RETURN_TOO_LATE = "-625002", "applied for more than 30 days after release"
    RETURN_LINES = "-625003", "lines not on the list or more than remains"
    RETURN_HEAD = "-625004", "head differs from the list's"
    RETURN_EXPIRED = "-625005", "goods not back within 45 days"


class AmendmentRefused(ServiceError):
    """A cancel or return that breaks a rule: `.errors` names the fields, `.code` the `RefusalCode`."""

    code = ReturnStatus.REJECTED


# What of a cancel or return is the filer's own: its message header, reason and note.
FILER_FIELDS = ("guid", "app_type", "app_time", "app_status", "reason", "note")


def _list_head(inventory: InventoryList, data: dict[str, Any], code: RefusalCode) -> dict[str, Any]:
    """The head to store: the list's own fields with the filer's message header, reason and note. A
    head field sent with another value than the list's is refused on its field (the e-port refuses a
    cancel or return that does not match its list); nothing the filer sent is stored in its place."""
    # Intake normalised both (party codes to the registered customs code, resident IDs upper-case),
    # so the other spelling of the list's own party or buyer compares equal.
    head = {name: getattr(inventory, name) for name in LIST_HEAD_FIELDS}
    sent = {name: str(data[name]).strip() for name in LIST_HEAD_FIELDS if data.get(name) not in (None, "")}
    errors: dict[str, list[str]] = {}
    for name, value in sent.items():
        own = str(head[name])
        if value != own:
            errors[name] = [
                _("The list has %(own)s, not %(value)s: the head is the list's.")
                % {"own": own or "-", "value": value}
            ]
    if errors:
        raise AmendmentRefused(errors, code, 400)
    return {**{k: data[k] for k in FILER_FIELDS if k in data}, **head}


def _goods_receiver(inventory: InventoryList) -> int | None:
    """The enterprise a return's goods come back to, which alone (with customs) confirms them: the
    operator of the bonded warehouse whose account book the 1210 list names, else the list's carrier."""
    if inventory.trade_mode == "1210":
        warehouses = Warehouse.objects.filter(ems_no=inventory.ems_no, kind=Warehouse.Kind.BONDED)
        return warehouses.exclude(ems_no="").values_list("operator_id", flat=True).first()
    return enterprises_by_code({inventory.logistics_code}).get(inventory.logistics_code)


def _receipts(
    inventory: InventoryList,
    kind: str,
    document: InventoryCancel | InventoryRefund,
    steps: Iterable[tuple[str, str, str | Text]],
) -> None:
    """The receipts (source, returnStatus, info) of a cancel (CEB624) or return (CEB626), for whoever
    filed it, keyed by the list (DOMAIN 2.7)."""
    rows = []
    for source, status, info in steps:
        row = receipt(inventory, source, status, info)
        row.enterprise_id, row.kind, row.document_id = document.submitted_by_id, kind, document.pk
        rows.append(row)
    insert_rows(rows)


def list_cancel(
    *,
    inventory_id: int,
    data: dict[str, Any],
    enterprise_id: int,
    user_id: int | None,
    api_key_prefix: str | None = None,
) -> tuple[InventoryCancel, bool]:
    """Cancel a list before release: its head as the list has it, receipts 2 then 399, the list
    cancelled with 399 and the cancel's reason. Idempotent: a second cancel returns the first."""
    with transaction.atomic():
        inventory = (
            InventoryList.objects.select_for_update(of=("self",))
            .select_related("payment")
            .prefetch_related("items")
            .get(pk=inventory_id)
        )
        head = _list_head(inventory, data, RefusalCode.CANCEL_HEAD)
        existing = InventoryCancel.objects.filter(inventory=inventory).first()
        if existing is not None:
            return existing, False
        if inventory.status == InventoryStatus.DISPATCHED:
            raise AmendmentRefused(
                {
                    "invt_no": [
                        _(
                            "The list is with the agencies; cancel it once they have answered "
                            "(unless released)."
                        )
                    ]
                },
                RefusalCode.CANCEL_WITH_AGENCIES,
                409,
            )
        if inventory.status == InventoryStatus.RELEASED:
            raise AmendmentRefused(
                {"invt_no": [_("A released list is not cancelled; apply for a return (CEB625) instead.")]},
                RefusalCode.CANCEL_RELEASED,
                409,
            )
        if inventory.status not in CANCELLABLE_STATUSES:
            raise AmendmentRefused(
                {
                    "invt_no": [
                        _("The list is %(status)s and can no longer be cancelled.")
                        % {"status": inventory.get_status_display()}
                    ]
                },
                RefusalCode.CANCEL_TOO_LATE,
                409,
            )
        answers = {inventory.pk: list(AgencyDecision.objects.filter(inventory=inventory))}
        before = stats_services.snapshot([inventory])
        cancel = InventoryCancel.objects.create(**head, inventory=inventory, submitted_by_id=enterprise_id)
        settle_import_ledgers([], [inventory], answers)
        info = Text(gettext_noop("Cancelled (CEB623): %(reason)s"), reason=data["reason"])
        # The list's own status is concluded (399) with the cancel's reason: a cancelled list was not
        # released, so never 800.
        inventory.status, inventory.return_status = InventoryStatus.CANCELLED, ReturnStatus.REVIEW_CONCLUDED
        inventory.set_reason(info)
        inventory.final_at = sandbox.now()
        update_rows(
            [inventory], ["status", "return_status", "status_reason", "status_reason_text", "final_at"]
        )
        stats_services.record_changes([inventory], before)
        _receipts(
            inventory,
            DocumentKind.CANCEL,
            cancel,
            [
                (
                    ReceiptSource.PORTAL,
                    ReturnStatus.DECLARING,
                    Text(gettext_noop("Cancellation received (CEB623).")),
                ),
                (
                    ReceiptSource.CUSTOMS,
                    ReturnStatus.REVIEW_CONCLUDED,
                    Text(gettext_noop("Cancellation approved (CEB624).")),
                ),
            ],
        )
        audit_record(
            actor=actor(user_id, api_key_prefix),
            action="inventory.cancelled",
            obj=inventory,
            reason=data["reason"][:200],
        )
        after_final([inventory.pk])
    return cancel, True


def _returned_before(inventory: InventoryList) -> dict[int, Decimal]:
    """Quantity per line that earlier returns of the list took (waiting for their goods or completed;
    an expired return took nothing)."""
    lines = InventoryRefundLine.objects.filter(
        refund__inventory=inventory,
        refund__state__in=[InventoryRefund.State.AWAITING_GOODS, InventoryRefund.State.COMPLETED],
    )
    return dict(lines.order_by().values("gnum").annotate(total=Sum("qty")).values_list("gnum", "total"))


def _line_errors(inventory: InventoryList, lines: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Each returned line must be a line of the list, as the list names it, and at most what earlier
    returns left of it; errors are named `items[<gnum>].<field>`."""
    items = {item.gnum: item for item in inventory.items.all()}
    before = _returned_before(inventory)
    errors: dict[str, list[str]] = {}
    for line in lines:
        item = items.get(line["gnum"])
        where = f"items[{line['gnum']}]"
        if item is None:
            errors[f"{where}.gnum"] = [_("The list has no line %(n)s.") % {"n": line["gnum"]}]
            continue
        for name in ("gcode", "gname", "unit"):
            if line[name] != getattr(item, name):
                errors[f"{where}.{name}"] = [
                    _("Line %(n)s has %(own)s, not %(value)s.")
                    % {"n": item.gnum, "own": getattr(item, name), "value": line[name]}
                ]
        taken = before.get(item.gnum, Decimal(0))
        if line["qty"] > item.qty - taken:
            errors[f"{where}.qty"] = [
                _(
                    "At most %(left)s remain to be returned on line %(n)s "
                    "(%(released)s released, %(taken)s returned before)."
                )
                % {
                    "left": f"{(item.qty - taken).normalize():f}",
                    "n": item.gnum,
                    "released": f"{item.qty.normalize():f}",
                    "taken": f"{taken.normalize():f}",
                }
                if taken
                else _("At most %(released)s were released on line %(n)s.")
                % {"released": f"{item.qty.normalize():f}", "n": item.gnum}
            ]
    return errors


def refund_apply(
    *,
    inventory_id: int,
    data: dict[str, Any],
    enterprise_id: int,
    user_id: int | None,
    api_key_prefix: str | None = None,
) -> tuple[InventoryRefund, bool]:
    """Apply for a return of some lines of a released list: its head as the list has it, receipts 2
    then 120; the goods are then due back within 45 days of release, to the enterprise that alone
    confirms them (`_goods_receiver`). Idempotent per list, guid and lines (`InventoryRefund`'s natural
    key); other lines, or another message, are a new return within what earlier returns left."""
    with transaction.atomic():
        # The list's lock serialises its returns, so two never take the same quantity.
        inventory = (
            InventoryList.objects.select_for_update(of=("self",))
            .prefetch_related("items")
            .get(pk=inventory_id)
        )
        head = _list_head(inventory, data, RefusalCode.RETURN_HEAD)
        key = return_lines_key((line["gnum"], line["qty"]) for line in data["items"])
        existing = InventoryRefund.objects.filter(
            inventory=inventory, guid=data["guid"], lines_key=key
        ).first()
        if existing is not None:
            return existing, False
        if inventory.status != InventoryStatus.RELEASED:
            raise AmendmentRefused(
                {"invt_no": [_("Only a released list can be returned.")]},
                RefusalCode.RETURN_NOT_RELEASED,
                409,
            )
        released_at = inventory.final_at
        if released_at is None or not return_window_open(inventory, sandbox.now()):
            raise AmendmentRefused(
                {
                    "invt_no": [
                        _("Released on %(date)s: a return is applied for within 30 days.")
                        % {"date": f"{released_at:%Y-%m-%d}"}
                    ]
                },
                RefusalCode.RETURN_TOO_LATE,
            )
        errors = _line_errors(inventory, data["items"])
        if errors:
            raise AmendmentRefused(errors, RefusalCode.RETURN_LINES)
        refund = InventoryRefund.objects.create(
            **head,
            inventory=inventory,
            lines_key=key,
            goods_receiver_id=_goods_receiver(inventory),
            submitted_by_id=enterprise_id,
            goods_due_by=released_at + timedelta(days=GOODS_BACK_DAYS),
        )
        InventoryRefundLine.objects.bulk_create(
            [InventoryRefundLine(refund=refund, **line) for line in data["items"]]
        )
        _receipts(
            inventory,
            DocumentKind.REFUND,
            refund,
            [
                (
                    ReceiptSource.PORTAL,
                    ReturnStatus.DECLARING,
                    Text(gettext_noop("Return received (CEB625).")),
                ),
                (
                    ReceiptSource.CUSTOMS,
                    ReturnStatus.ACCEPTED,
                    Text(
                        gettext_noop("Return accepted: the goods are due back by %(date)s (CEB626)."),
                        date=f"{refund.goods_due_by:%Y-%m-%d}",
                    ),
                ),
            ],
        )
        audit_record(
            actor=actor(user_id, api_key_prefix),
            action="inventory.return_applied",
            obj=inventory,
            refund=refund.pk,
        )
    return refund, True


def _expired(refunds: Sequence[InventoryRefund]) -> None:
    """Receipts of returns whose goods did not come back within 45 days: nothing is given back."""
    for refund in refunds:
        _receipts(
            refund.inventory,
            DocumentKind.REFUND,
            refund,
            [
                (
                    ReceiptSource.CUSTOMS,
                    RefusalCode.RETURN_EXPIRED,
                    Text(
                        gettext_noop("Return expired: the goods were due back by %(date)s."),
                        date=f"{refund.goods_due_by:%Y-%m-%d}",
                    ),
                )
            ],
        )


def refund_goods_back(
    *, refund_id: int, user_id: int | None, at: datetime | None = None, api_key_prefix: str | None = None
) -> InventoryRefund:
    """The returned goods are back in the supervised site or bonded warehouse (said by whom
    `declarations.selectors.confirms_goods` allows): the ledgers give back the returned lines' share,
    (1210) the goods go back in stock, and the return concludes with 399. Idempotent; past the 45 days
    the return expires instead and nothing is given back (the caller reads the state)."""
    at = at or sandbox.now()
    with transaction.atomic():
        refund = InventoryRefund.objects.select_for_update().get(pk=refund_id)
        if refund.state != InventoryRefund.State.AWAITING_GOODS:
            return refund
        inventory = InventoryList.objects.prefetch_related("items").get(pk=refund.inventory_id)
        refund.inventory = inventory
        if at > refund.goods_due_by:
            refund.state = InventoryRefund.State.EXPIRED
            refund.save(update_fields=["state"])
            _expired([refund])
            return refund
        lines = list(refund.lines.all())
        ledgers.return_credit(inventory=inventory, refund=refund, lines=lines)
        refund.goods_received_at, refund.state = at, InventoryRefund.State.COMPLETED
        refund.save(update_fields=["dutiable_value", "tax_returned", "goods_received_at", "state"])
        claim = logistics_services.stock_claim(inventory, lines=lines)
        if claim is not None:
            logistics_services.stock_return(claim=claim, refund_id=refund.pk)
        _receipts(
            inventory,
            DocumentKind.REFUND,
            refund,
            [
                (
                    ReceiptSource.CUSTOMS,
                    ReturnStatus.REVIEW_CONCLUDED,
                    Text(
                        gettext_noop(
                            "Return completed (CEB626): the goods are back, tax %(tax)s given back."
                        ),
                        tax=refund.tax_returned,
                    ),
                )
            ],
        )
        audit_record(
            actor=actor(user_id, api_key_prefix),
            action="inventory.returned",
            obj=inventory,
            refund=refund.pk,
            tax=str(refund.tax_returned),
        )
    return refund


def refunds_expire(*, now: datetime | None = None) -> int:
    """Returns whose goods did not come back within 45 days expire, each with its receipt: nothing is
    given back."""
    with transaction.atomic():
        due = list(
            InventoryRefund.objects.select_for_update(of=("self",))
            .filter(state=InventoryRefund.State.AWAITING_GOODS, goods_due_by__lt=now or sandbox.now())
            .select_related("inventory")
            .order_by("id")
        )
        if not due:
            return 0
        InventoryRefund.objects.filter(pk__in=[r.pk for r in due]).update(state=InventoryRefund.State.EXPIRED)
        _expired(due)
    return len(due)
