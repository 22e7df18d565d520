"""The exchange around the lists, taken as CEB XML (DOMAIN 3 catalogue, 2.6): CEB605 export list cancel,
CEB507 arrival and CEB509 departure of export waybills, CEB607 master/sub bill, CEB213 export return and
CEB215 its tally, CEB701 summary application, and CEB711, the arrival of direct-mail (9610) import
waybills under a master bill. Each answers its receipt (CEB606, 508, 510, 608, 214, 216, 702, 712).

Rules: the filer must be the party the document names as filing it (its operator, carrier, declaring
agent or exporter: tenancy); a list is found only among the caller's; arrival comes before departure and
a departure needs a released list; a refusal answers a negative business code (the -xxx0nn codes below,
in the e-port's pattern of message number and serial, DOMAIN 4.3) naming the field. Idempotent on the
natural key (the filer's code and its own number): the same document again gets the same answer.
What the lists' clearance becomes (cancelled, closed, released after arrival) is the pipeline's, run by
task name.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sharing.models import Enterprise
from sharing.principal import Principal
from singlewindow.core.broker import run_named
from singlewindow.core.errors import ServiceError

from ..choices import ExitStatus, InventoryStatus, ReturnStatus
from ..models import LIVE_LIST, ExchangeFiling, ExchangeFilingWaybill, ExportInventoryList
from ..selectors import declared_by, own_codes
from .exchange_receipts import NO_PRE_NO, exchange_receipt
from .specs import IntakeForbidden
from .summaries import SummaryRefused, summary_apply

Kind = ExchangeFiling.Kind
# The messages taken here, with their answers.
TAKEN = frozenset(kind.value for kind in Kind)
# An export list's goods may be returned within a year of release (GACC 2020 No.44, DOMAIN 3.6).
RETURN_DAYS = 365
_SHOWN = 10  # waybills named in a refusal


class Code:
    """The business codes of refusals (returnStatus), by message."""

    CANCEL_NOT_FOUND = "-605001"  # the pipeline's -605002..-605004: with the agencies, released, too late
    CANCEL_NOT_YOURS = "-605005"
    ARRIVAL_NOT_YOURS = "-507001"
    ARRIVAL_UNKNOWN_WAYBILL = "-507002"
    ARRIVAL_DEPARTED = "-507003"
    ARRIVAL_NOT_EXPORT = "-507004"
    DEPARTURE_NOT_YOURS = "-509001"
    DEPARTURE_NOT_ARRIVED = "-509002"
    DEPARTURE_NOT_RELEASED = "-509003"
    DEPARTURE_UNKNOWN_WAYBILL = "-509004"
    BILL_NOT_YOURS = "-607001"
    BILL_UNKNOWN_WAYBILL = "-607002"
    BILL_LIST_DIFFERS = "-607003"
    BILL_OTHER_BILL = "-607004"
    RETURN_NOT_FOUND = "-213001"
    RETURN_NOT_RELEASED = "-213002"
    RETURN_TOO_LATE = "-213003"
    RETURN_LINES = "-213004"
    RETURN_NOT_YOURS = "-213005"
    RETURN_ALREADY = "-213006"
    TALLY_NOT_YOURS = "-215001"
    TALLY_NO_RETURN = "-215002"
    SUMMARY_NOT_YOURS = "-701001"
    SUMMARY_LISTS = "-701002"
    SUMMARY_MIXED = "-701003"
    SUMMARY_REFUSED = "-701004"
    ARRIVAL_IMPORT_NOT_YOURS = "-800001"
    ARRIVAL_IMPORT_NOT_IMPORT = "-800002"


class FilingRefused(ServiceError):
    """A document of the exchange refused: `.code` is its business code, `.errors` names the field."""


@dataclass
class Outcome:
    """What a document is answered: its returnStatus and returnInfo, and what the receipt names."""

    status: str
    info: str
    pre_no: str = NO_PRE_NO
    extra: dict[str, str] = field(default_factory=dict)


def _refuse(code: str, name: str, message: str) -> FilingRefused:
    return FilingRefused({name: [message]}, code, 409)


def _numbers(values: Sequence[str]) -> str:
    shown = ", ".join(values[:_SHOWN])
    return shown + (" …" if len(values) > _SHOWN else "")


def _answered(filing: ExchangeFiling) -> Outcome:
    return Outcome(filing.return_status, filing.return_info, filing.pre_no, dict(filing.answer))


def _existing(kind: str, filer_code: str, cop_no: str) -> ExchangeFiling | None:
    return ExchangeFiling.objects.filter(kind=kind, filer_code=filer_code, cop_no=cop_no).first()


def _store(
    kind: str,
    document: dict[str, Any],
    enterprise: Enterprise,
    *,
    filer_code: str,
    cop_no: str,
    outcome: Outcome,
    waybills: Sequence[tuple[int, str, str, str]] = (),
    export_list: ExportInventoryList | None = None,
) -> Outcome:
    """Keep the accepted document, its waybills and its answer; its preNo is given here."""
    now = timezone.now()
    filing = ExchangeFiling.objects.create(
        kind=kind,
        guid=document.get("guid", ""),
        filer_code=filer_code,
        cop_no=cop_no,
        pre_no="-",
        customs_code=document.get("customs_code", ""),
        bill_no=document.get("bill_no", ""),
        invt_no=document.get("invt_no", ""),
        head={k: v for k, v in document.items() if k != "items"},
        return_status=outcome.status,
        return_info=outcome.info[:1000],
        answer=outcome.extra,
        export_list=export_list,
        submitted_by=enterprise,
    )
    # The list's own preNo where the answer names a list, else one given to the document.
    given = f"E{now:%Y%m%d}{filing.pk % 1_000_000_000:09d}"
    filing.pre_no = outcome.pre_no if outcome.pre_no != NO_PRE_NO else given
    filing.save(update_fields=["pre_no"])
    ExchangeFilingWaybill.objects.bulk_create(
        ExchangeFilingWaybill(
            filing=filing, kind=kind, gnum=gnum, logistics_code=code, logistics_no=number, invt_no=invt_no
        )
        for gnum, code, number, invt_no in waybills
    )
    outcome.pre_no = filing.pre_no
    return outcome


def _lines(document: dict[str, Any]) -> list[dict[str, str]]:
    return list(document.get("items") or [])


def _gnum(line: dict[str, str], default: int) -> int:
    try:
        return int(line.get("gnum") or default)
    except ValueError:
        return default


def _waybill_lists(
    document: dict[str, Any], lock: bool = True
) -> tuple[list[str], dict[str, ExportInventoryList]]:
    """The waybill numbers a document's lines name, and the live export lists declaring them (carrier
    as the head's), by number."""
    numbers = [line["logistics_no"] for line in _lines(document) if line.get("logistics_no")]
    lists: QuerySet[ExportInventoryList] = ExportInventoryList.objects.filter(
        LIVE_LIST, logistics_code=document["logistics_code"], logistics_no__in=numbers
    )
    if lock:
        lists = lists.select_for_update(of=("self",))
    return numbers, {inventory.logistics_no: inventory for inventory in lists}


def _waybill_rows(document: dict[str, Any]) -> list[tuple[int, str, str, str]]:
    return [
        (_gnum(line, n), document["logistics_code"], line["logistics_no"], line.get("invt_no", ""))
        for n, line in enumerate(_lines(document), start=1)
        if line.get("logistics_no")
    ]


# --- CEB507 arrival, CEB509 departure, CEB607 master/sub bill ---------------------------------------


def _arrival(document: dict[str, Any], enterprise: Enterprise, codes: set[str]) -> Outcome:
    """Export waybills arrived at the supervised site: their lists' goods are "arrived"."""
    filer = document["operator_code"]
    if filer not in codes and document["logistics_code"] not in codes:
        raise _refuse(
            Code.ARRIVAL_NOT_YOURS, "operator_code", _("The site operator or the carrier files an arrival.")
        )
    if (existing := _existing(Kind.ARRIVAL, filer, document["cop_no"])) is not None:
        return _answered(existing)
    if document.get("ie_flag") != "E":
        raise _refuse(Code.ARRIVAL_NOT_EXPORT, "ie_flag", _("An export arrival has ie_flag E."))
    numbers, lists = _waybill_lists(document)
    if missing := [n for n in numbers if n not in lists]:
        raise _refuse(
            Code.ARRIVAL_UNKNOWN_WAYBILL,
            "logistics_no",
            _("No export list declares these waybills: %(numbers)s.") % {"numbers": _numbers(missing)},
        )
    gone = [n for n, i in lists.items() if i.exit_status not in (ExitStatus.NONE, ExitStatus.ARRIVED)]
    if gone:
        raise _refuse(
            Code.ARRIVAL_DEPARTED,
            "logistics_no",
            _("These waybills have already left the site: %(numbers)s.") % {"numbers": _numbers(gone)},
        )
    ExportInventoryList.objects.filter(
        pk__in=[i.pk for i in lists.values()], exit_status=ExitStatus.NONE
    ).update(exit_status=ExitStatus.ARRIVED, arrived_at=timezone.now())
    info = _("Arrival recorded: %(count)s waybills.") % {"count": len(numbers)}
    return _store(
        Kind.ARRIVAL,
        document,
        enterprise,
        filer_code=filer,
        cop_no=document["cop_no"],
        outcome=Outcome(ReturnStatus.ACCEPTED, info),
        waybills=_waybill_rows(document),
    )


def _leave_time(value: str) -> datetime.datetime:
    try:
        naive = datetime.datetime.strptime(value, "%Y%m%d%H%M%S")
    except ValueError:
        return timezone.now()
    from ..ceb import CHINA_TZ

    return naive.replace(tzinfo=CHINA_TZ)


def _departure(document: dict[str, Any], enterprise: Enterprise, codes: set[str]) -> Outcome:
    """Export waybills left the country: released lists whose goods arrived are closed (899)."""
    filer = document["logistics_code"]
    if filer not in codes:
        raise _refuse(Code.DEPARTURE_NOT_YOURS, "logistics_code", _("The carrier files a departure."))
    if (existing := _existing(Kind.DEPARTURE, filer, document["cop_no"])) is not None:
        return _answered(existing)
    numbers, lists = _waybill_lists(document)
    if missing := [n for n in numbers if n not in lists]:
        raise _refuse(
            Code.DEPARTURE_UNKNOWN_WAYBILL,
            "logistics_no",
            _("No export list declares these waybills: %(numbers)s.") % {"numbers": _numbers(missing)},
        )
    if early := [n for n, i in lists.items() if i.exit_status != ExitStatus.ARRIVED]:
        raise _refuse(
            Code.DEPARTURE_NOT_ARRIVED,
            "logistics_no",
            _("These waybills have not arrived at the site (CEB507 first): %(numbers)s.")
            % {"numbers": _numbers(early)},
        )
    if held := [n for n, i in lists.items() if i.status != InventoryStatus.RELEASED]:
        raise _refuse(
            Code.DEPARTURE_NOT_RELEASED,
            "logistics_no",
            _("The lists of these waybills are not released: %(numbers)s.") % {"numbers": _numbers(held)},
        )
    ids = [i.pk for i in lists.values()]
    ExportInventoryList.objects.filter(pk__in=ids).update(
        exit_status=ExitStatus.DEPARTED, departed_at=_leave_time(document.get("leave_time", ""))
    )
    run_named("clearance.exports_departed", list_ids=ids)
    info = _("Departure recorded: %(count)s waybills; their lists are closed.") % {"count": len(numbers)}
    return _store(
        Kind.DEPARTURE,
        document,
        enterprise,
        filer_code=filer,
        cop_no=document["cop_no"],
        outcome=Outcome(ReturnStatus.ACCEPTED, info),
        waybills=_waybill_rows(document),
    )


def _bill(document: dict[str, Any], enterprise: Enterprise, codes: set[str]) -> Outcome:
    """The master bill (and voyage) a list's waybills travel under, filled in after the lists."""
    filer = document["agent_code"]
    if filer not in codes and document["logistics_code"] not in codes:
        raise _refuse(
            Code.BILL_NOT_YOURS, "agent_code", _("The declaring agent or the carrier files the master bill.")
        )
    if (existing := _existing(Kind.BILL, filer, document["cop_no"])) is not None:
        return _answered(existing)
    numbers, lists = _waybill_lists(document)
    if document["logistics_code"] not in codes:  # an agent: only the lists it declared
        mine = set(
            ExportInventoryList.objects.filter(
                declared_by(enterprise), pk__in=[i.pk for i in lists.values()]
            ).values_list("logistics_no", flat=True)
        )
        lists = {n: i for n, i in lists.items() if n in mine}
    if missing := [n for n in numbers if n not in lists]:
        raise _refuse(
            Code.BILL_UNKNOWN_WAYBILL,
            "logistics_no",
            _("None of your export lists declares these waybills: %(numbers)s.")
            % {"numbers": _numbers(missing)},
        )
    for line in _lines(document):
        inventory = lists[line["logistics_no"]]
        if line.get("invt_no") and line["invt_no"] != inventory.invt_no:
            raise _refuse(
                Code.BILL_LIST_DIFFERS,
                "invt_no",
                _("Waybill %(waybill)s is on list %(own)s, not %(sent)s.")
                % {"waybill": line["logistics_no"], "own": inventory.invt_no or "-", "sent": line["invt_no"]},
            )
    if other := [n for n, i in lists.items() if i.bill_no and i.bill_no != document["bill_no"]]:
        raise _refuse(
            Code.BILL_OTHER_BILL,
            "bill_no",
            _("These waybills are already under another master bill: %(numbers)s.")
            % {"numbers": _numbers(other)},
        )
    ExportInventoryList.objects.filter(pk__in=[i.pk for i in lists.values()]).update(
        bill_no=document["bill_no"],
        voyage_no=document.get("voyage_no", "")[:32],
        traf_name=document.get("traf_name", "")[:100],
    )
    info = _("Master bill %(bill)s recorded for %(count)s waybills.") % {
        "bill": document["bill_no"],
        "count": len(numbers),
    }
    return _store(
        Kind.BILL,
        document,
        enterprise,
        filer_code=filer,
        cop_no=document["cop_no"],
        outcome=Outcome(ReturnStatus.ACCEPTED, info),
        waybills=_waybill_rows(document),
    )


# --- CEB605 cancel, CEB213 return and CEB215 its tally ------------------------------------------------


def _own_list(enterprise: Enterprise, document: dict[str, Any]) -> ExportInventoryList | None:
    """The export list a cancel or return names (by invtNo, else the exporter's copNo) among those the
    caller declared."""
    lists = ExportInventoryList.objects.filter(declared_by(enterprise))
    if document.get("invt_no"):
        found = lists.filter(invt_no=document["invt_no"]).first()
        if found is not None:
            return found
    if document.get("cop_no") and document.get("ebc_code"):
        return lists.filter(ebc_code=document["ebc_code"], cop_no=document["cop_no"]).first()
    return None


def _cancel(document: dict[str, Any], enterprise: Enterprise, codes: set[str]) -> Outcome:
    """Cancel an export list before release (CEB605); a second cancel of a list gets the first's answer."""
    filer = document["agent_code"]
    if filer not in codes and document["ebc_code"] not in codes:
        raise _refuse(
            Code.CANCEL_NOT_YOURS, "agent_code", _("The exporter or its declaring agent cancels its list.")
        )
    if (existing := _existing(Kind.CANCEL, filer, document["cop_no"])) is not None:
        return _answered(existing)
    inventory = _own_list(enterprise, document)
    if inventory is None:
        raise _refuse(Code.CANCEL_NOT_FOUND, "invt_no", _("None of your export lists has this number."))
    if (earlier := inventory.filings.filter(kind=Kind.CANCEL).first()) is not None:
        return _answered(earlier)
    try:
        run_named("clearance.cancel_export_list", list_id=inventory.pk, reason=document["reason"])
    except ServiceError as exc:  # the pipeline's refusal, its code the receipt's status
        raise FilingRefused(exc.errors, exc.code, exc.status) from None
    info = _("Cancelled: %(reason)s") % {"reason": document["reason"]}
    outcome = Outcome(
        ReturnStatus.REVIEW_CONCLUDED,
        info,
        inventory.pre_no or NO_PRE_NO,
        {"invt_no": inventory.invt_no or document["invt_no"]},
    )
    return _store(
        Kind.CANCEL,
        document,
        enterprise,
        filer_code=filer,
        cop_no=document["cop_no"],
        outcome=outcome,
        export_list=inventory,
    )


def _return_lines_errors(inventory: ExportInventoryList, lines: list[dict[str, str]]) -> list[str]:
    quantities = {item.gnum: item.qty for item in inventory.items.all()}
    wrong = []
    for line in lines:
        try:
            gnum, qty = int(line["gnum"]), Decimal(line["qty"])
        except (KeyError, ValueError, InvalidOperation):
            wrong.append(str(line.get("gnum", "?")))
            continue
        if gnum not in quantities or not Decimal(0) < qty <= quantities[gnum]:
            wrong.append(str(gnum))
    return wrong


def _return(document: dict[str, Any], enterprise: Enterprise, codes: set[str]) -> Outcome:
    """Apply for the return of a released export list's goods (CEB213), within a year of release."""
    filer = document["agent_code"]
    if filer not in codes and document["ebc_code"] not in codes:
        raise _refuse(
            Code.RETURN_NOT_YOURS,
            "agent_code",
            _("The exporter or its declaring agent applies for a return."),
        )
    if (existing := _existing(Kind.RETURN, filer, document["co_el_no"])) is not None:
        return _answered(existing)
    inventory = _own_list(enterprise, {"invt_no": document["invt_no"]})
    if inventory is None:
        raise _refuse(Code.RETURN_NOT_FOUND, "invt_no", _("None of your export lists has this number."))
    if inventory.status != InventoryStatus.RELEASED:
        raise _refuse(Code.RETURN_NOT_RELEASED, "invt_no", _("Only a released export list is returned."))
    if inventory.final_at is None or timezone.now() - inventory.final_at > datetime.timedelta(
        days=RETURN_DAYS
    ):
        raise _refuse(
            Code.RETURN_TOO_LATE, "invt_no", _("Goods are returned within a year of the list's release.")
        )
    if inventory.exit_status in (ExitStatus.RETURN_APPLIED, ExitStatus.RETURNED):
        raise _refuse(Code.RETURN_ALREADY, "invt_no", _("A return of this list was already applied for."))
    if wrong := _return_lines_errors(inventory, _lines(document)):
        raise _refuse(
            Code.RETURN_LINES,
            "gnum",
            _("Lines not on the list, or more than it declared: %(lines)s.") % {"lines": ", ".join(wrong)},
        )
    ExportInventoryList.objects.filter(pk=inventory.pk).update(exit_status=ExitStatus.RETURN_APPLIED)
    outcome = Outcome(
        ReturnStatus.ACCEPTED,
        _("Return accepted: the goods are due back at the site."),
        inventory.pre_no or NO_PRE_NO,
        {"ebp_code": inventory.ebp_code, "ebc_code": inventory.ebc_code},
    )
    return _store(
        Kind.RETURN,
        document,
        enterprise,
        filer_code=filer,
        cop_no=document["co_el_no"],
        outcome=outcome,
        waybills=[(1, inventory.logistics_code, inventory.logistics_no, inventory.invt_no)],
        export_list=inventory,
    )


def _tally(document: dict[str, Any], enterprise: Enterprise, codes: set[str]) -> Outcome:
    """The site operator tallies returned goods (CEB215): the return they belong to is concluded."""
    filer = document["operator_code"]
    if filer not in codes and document["logistics_code"] not in codes:
        raise _refuse(
            Code.TALLY_NOT_YOURS,
            "operator_code",
            _("The site operator or the carrier tallies returned goods."),
        )
    if (existing := _existing(Kind.RETURN_TALLY, filer, document["co_el_no"])) is not None:
        return _answered(existing)
    returns = ExchangeFiling.objects.filter(
        kind=Kind.RETURN,
        cop_no=document["co_el_no"],
        export_list__logistics_code=document["logistics_code"],
        export_list__logistics_no=document["logistics_no"],
    ).select_related("export_list")
    if document.get("invt_no"):
        returns = returns.filter(export_list__invt_no=document["invt_no"])
    accepted = returns.first()
    if accepted is None or accepted.export_list is None:
        raise _refuse(
            Code.TALLY_NO_RETURN,
            "co_el_no",
            _("No accepted return (CEB213) has this number for this waybill."),
        )
    ExportInventoryList.objects.filter(pk=accepted.export_list.pk).update(exit_status=ExitStatus.RETURNED)
    return _store(
        Kind.RETURN_TALLY,
        document,
        enterprise,
        filer_code=filer,
        cop_no=document["co_el_no"],
        outcome=Outcome(ReturnStatus.REVIEW_CONCLUDED, _("Returned goods tallied; the return is concluded.")),
        waybills=_waybill_rows({"logistics_code": document["logistics_code"], "items": [document]}),
        export_list=accepted.export_list,
    )


# --- CEB701 summary application -------------------------------------------------------------------


def _summary_month(document: dict[str, Any], codes: set[str]) -> tuple[int, int, str]:
    """The (year, month, mode) the application summarises: its lists', or its time window's."""
    names = [line["invt_no"] for line in _lines(document) if line.get("invt_no")]
    if names:
        lists = list(ExportInventoryList.objects.filter(invt_no__in=names, ebc_code__in=codes))
        found = {i.invt_no for i in lists}
        usable = {
            i.invt_no
            for i in lists
            if i.status == InventoryStatus.RELEASED and i.statistics_flag == "B" and i.final_at is not None
        }
        if bad := [n for n in names if n not in usable]:
            unknown = [n for n in bad if n not in found]
            message = (
                _("None of your export lists has these numbers: %(numbers)s.")
                if unknown
                else _("Only released lists declared with statistics_flag B are summarised: %(numbers)s.")
            )
            raise _refuse(Code.SUMMARY_LISTS, "invt_no", message % {"numbers": _numbers(unknown or bad)})
        keys = {
            (timezone.localtime(i.final_at).year, timezone.localtime(i.final_at).month, i.trade_mode)
            for i in lists
        }
    else:
        start = document.get("start_time", "")
        if len(start) < 6 or not start[:6].isdigit():
            raise _refuse(
                Code.SUMMARY_LISTS, "invt_no", _("Name the lists, or the time window to summarise.")
            )
        year, month = int(start[:4]), int(start[4:6])
        modes = (
            ExportInventoryList.objects.filter(
                ebc_code__in=codes,
                status=InventoryStatus.RELEASED,
                statistics_flag="B",
                summary__isnull=True,
                final_at__year=year,
                final_at__month=month,
            )
            .values_list("trade_mode", flat=True)
            .distinct()
        )
        keys = {(year, month, mode) for mode in modes}
        if not keys:
            raise _refuse(
                Code.SUMMARY_LISTS, "start_time", _("No released lists (statistics_flag B) in that window.")
            )
    if len(keys) > 1:
        raise _refuse(
            Code.SUMMARY_MIXED,
            "invt_no",
            _("One application summarises one month and one supervision mode; split it."),
        )
    return next(iter(keys))


def _summary(document: dict[str, Any], enterprise: Enterprise, codes: set[str], by: Principal) -> Outcome:
    """A summary application as CEB XML: the month and mode of the lists it names (or its window) are
    summarised as the monthly summary declaration is (one per consignor, month and mode)."""
    filer = document["ebc_code"]
    if filer not in codes:
        raise _refuse(Code.SUMMARY_NOT_YOURS, "ebc_code", _("An exporter applies for its own summary."))
    if (existing := _existing(Kind.SUMMARY, filer, document["cop_no"])) is not None:
        return _answered(existing)
    year, month, mode = _summary_month(document, codes)
    try:
        summary, _created = summary_apply(
            ebc_code=filer,
            year=year,
            month=month,
            trade_mode=mode,
            decl_agent_code=document["decl_agent_code"],
            decl_agent_name=document["decl_agent_name"],
            by=by,
        )
    except SummaryRefused as exc:
        raise FilingRefused(exc.errors, Code.SUMMARY_REFUSED, exc.status) from None
    info = _("Summary %(sum_no)s: declaration %(entry_id)s, %(count)s lists.") % {
        "sum_no": summary.sum_no,
        "entry_id": summary.entry_id,
        "count": summary.list_count,
    }
    outcome = Outcome(
        ReturnStatus.REVIEW_CONCLUDED,
        info,
        summary.pre_no if len(summary.pre_no) == 18 else NO_PRE_NO,
        {"sum_no": summary.sum_no},
    )
    return _store(
        Kind.SUMMARY, document, enterprise, filer_code=filer, cop_no=document["cop_no"], outcome=outcome
    )


# --- CEB711 arrival of direct-mail import waybills --------------------------------------------------


def _import_arrival(document: dict[str, Any], enterprise: Enterprise, codes: set[str]) -> Outcome:
    """Direct-mail (9610) waybills arrived under their master bill: recorded once per carrier and bill,
    and the lists that waited for them (CEB_9610_RELEASE_AFTER_ARRIVAL) are released."""
    filer = document["logistics_code"]
    if filer not in codes and document["operator_code"] not in codes:
        raise _refuse(
            Code.ARRIVAL_IMPORT_NOT_YOURS,
            "logistics_code",
            _("The carrier or the site operator files the arrival of its waybills."),
        )
    if (existing := _existing(Kind.IMPORT_ARRIVAL, filer, document["bill_no"])) is not None:
        return _answered(existing)
    if document.get("ie_flag") != "I":
        raise _refuse(
            Code.ARRIVAL_IMPORT_NOT_IMPORT, "ie_flag", _("An arrival of import waybills has ie_flag I.")
        )
    rows = _waybill_rows(document)
    outcome = _store(
        Kind.IMPORT_ARRIVAL,
        document,
        enterprise,
        filer_code=filer,
        cop_no=document["bill_no"],
        outcome=Outcome(ReturnStatus.ACCEPTED, ""),
        waybills=rows,
    )
    released = run_named(
        "clearance.release_arrived", waybills=[(code, number) for _g, code, number, _i in rows]
    )
    text = _("Arrival of %(count)s waybills under master bill %(bill)s; %(released)s lists released.")
    outcome.info = text % {
        "count": len(rows),
        "bill": document["bill_no"],
        "released": len(released),
    }
    ExchangeFiling.objects.filter(
        kind=Kind.IMPORT_ARRIVAL, filer_code=filer, cop_no=document["bill_no"]
    ).update(return_info=outcome.info[:1000])
    return outcome


_HANDLERS: dict[str, Callable[..., Outcome]] = {
    Kind.ARRIVAL: _arrival,
    Kind.DEPARTURE: _departure,
    Kind.CANCEL: _cancel,
    Kind.BILL: _bill,
    Kind.RETURN: _return,
    Kind.RETURN_TALLY: _tally,
    Kind.IMPORT_ARRIVAL: _import_arrival,
}


def _handle(message_type: str, document: dict[str, Any], enterprise: Enterprise, by: Principal) -> Outcome:
    codes = set(own_codes(enterprise)) - {""}
    try:
        with transaction.atomic():
            if message_type == Kind.SUMMARY:
                return _summary(document, enterprise, codes, by)
            return _HANDLERS[message_type](document, enterprise, codes)
    except FilingRefused as exc:
        return Outcome(exc.code, exc.detail)
    except IntegrityError:
        # The same document filed at the same moment by another request: answer what it was answered.
        return Outcome(ReturnStatus.REJECTED, _("The same document is being filed; send it again."))


def exchange_submit(*, message_type: str, documents: Sequence[dict[str, Any]], by: Principal) -> list[dict]:
    """Take CEB507/509/605/607/213/215/701/711 documents of an approved enterprise, one answer per
    document in order, as the receipt fields of its answer (CEB508/510/606/608/214/216/702/712)."""
    enterprise = by.enterprise
    if enterprise is None or not enterprise.is_approved:
        raise IntakeForbidden(gettext_lazy("Only an approved enterprise may submit documents."))
    now = timezone.now()
    return [
        exchange_receipt(message_type, document, _handle(message_type, document, enterprise, by), now)
        for document in documents
    ]
