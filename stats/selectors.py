"""Reads of the statistics: the figures of the dashboards and of /api/v1/stats/, from the counters
(DailyStat), filtered by date range, flow, supervision mode, zone and park, and scoped to the caller
(an enterprise sees its own lists only)."""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from declarations.choices import InventoryStatus
from sharing.principal import Principal
from singlewindow.core.errors import ServiceError
from singlewindow.core.inputs import parse_date, parse_id

from .models import BUCKET_FIELDS, CLEARANCE_BUCKETS, DailyStat, Outcome

BREAKDOWNS = ("flow", "trade_mode", "zone", "park", "country", "hs_chapter", "enterprise", "outcome")
MAX_DAYS = 366


@dataclass(frozen=True)
class StatsFilter:
    date_from: datetime.date
    date_to: datetime.date  # inclusive
    direction: str = ""  # "I" import, "E" export, "" both
    trade_mode: str = ""
    zone_id: int | None = None
    park_id: int | None = None
    ebc_codes: frozenset[str] = field(default_factory=frozenset)  # an enterprise's own scope

    def as_query(self) -> dict[str, str]:
        query = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        for name in ("direction", "trade_mode"):
            if getattr(self, name):
                query[name] = getattr(self, name)
        for name in ("zone_id", "park_id"):
            if getattr(self, name) is not None:
                query[name.removesuffix("_id")] = str(getattr(self, name))
        return query


class FilterError(ServiceError, ValueError):
    """A filter the figures cannot be read with: `.fields` names the parameters at fault (400)."""


def filter_from(params: Any, *, principal: Principal, days: int = 30) -> StatsFilter:
    """The filter of a request's query parameters (date_from, date_to, direction, trade_mode, zone,
    park), scoped to the caller: an enterprise's figures are its own lists'."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}

    def date(name: str, default: datetime.date) -> datetime.date:
        raw = params.get(name) or ""
        if not raw:
            return default
        value = parse_date(raw)
        if value is None:
            # Years 1900-2100 only: a default range back from year 1, or a day after 9999-12-31, is
            # outside Python's dates.
            errors[name] = [_("A date as YYYY-MM-DD, from 1900 to 2100.")]
            return default
        return value

    def number(name: str) -> int | None:
        raw = params.get(name) or ""
        if not raw:
            return None
        value = parse_id(raw)
        if value is None:  # not ASCII digits, or beyond what the database holds (a 500 before)
            errors[name] = [_("An id: a whole number below 2^63.")]
        return value

    date_to = date("date_to", today)
    date_from = date("date_from", date_to - datetime.timedelta(days=days - 1))
    # A range with a date refused is no range to judge.
    if not errors and date_from > date_to:
        errors["date_from"] = [_("The range starts after it ends.")]
    elif not errors and (date_to - date_from).days >= MAX_DAYS:
        errors["date_from"] = [_("At most a year at a time.")]
    direction = params.get("direction") or ""
    if direction not in ("", "I", "E"):
        errors["direction"] = [_("I (import), E (export) or empty for both.")]
    trade_mode = params.get("trade_mode") or ""
    if trade_mode not in ("", "9610", "1210", "9710", "9810"):
        errors["trade_mode"] = [_("One of 9610, 1210, 9710, 9810.")]
    zone_id, park_id = number("zone"), number("park")
    if errors:
        raise FilterError(errors)
    codes: frozenset[str] = frozenset()
    if not principal.sees_everything:
        enterprise = principal.enterprise
        codes = frozenset({enterprise.customs_code, enterprise.uscc}) if enterprise else frozenset({"-"})
    return StatsFilter(date_from, date_to, direction, trade_mode, zone_id, park_id, codes)


def rows(f: StatsFilter) -> QuerySet[DailyStat]:
    qs = DailyStat.objects.filter(day__gte=f.date_from, day__lte=f.date_to)
    if f.direction:
        qs = qs.filter(direction=f.direction)
    if f.trade_mode:
        # Mismatched lists are counted without their mode (their documents may still change).
        qs = qs.filter(Q(trade_mode=f.trade_mode) | Q(outcome=Outcome.MISMATCH))
    if f.zone_id is not None:
        qs = qs.filter(zone_id=f.zone_id)
    if f.park_id is not None:
        qs = qs.filter(park_id=f.park_id)
    if f.ebc_codes:
        qs = qs.filter(ebc_code__in=f.ebc_codes)
    return qs


def _sums(qs) -> dict[str, Any]:
    aggregates = {
        name: Sum(name) for name in ("lists", "value_cny", "tax", "clearance_seconds", *BUCKET_FIELDS)
    }
    return {k: (v or 0) for k, v in qs.aggregate(**aggregates).items()}


def percentile(histogram: list[int], share: float) -> int | None:
    """The upper bound (seconds) of the bucket holding the `share` quantile; None without releases
    (and 86,401 for "longer than a day")."""
    total = sum(histogram)
    if not total:
        return None
    running = 0
    for index, count in enumerate(histogram):
        running += count
        if running >= share * total:
            return CLEARANCE_BUCKETS[index] if index < len(CLEARANCE_BUCKETS) else CLEARANCE_BUCKETS[-1] + 1
    return None


def overview(f: StatsFilter) -> dict[str, Any]:
    """Lists per outcome, release rate, value and tax of releases, clearance time p50/p95."""
    by_outcome = {o: 0 for o in Outcome.values}
    for row in rows(f).values("outcome").annotate(n=Sum("lists")):
        by_outcome[row["outcome"]] = row["n"] or 0
    released_rows = rows(f).filter(outcome=Outcome.RELEASED)
    sums = _sums(released_rows)
    histogram = [sums[name] for name in BUCKET_FIELDS]
    decided = by_outcome[Outcome.RELEASED] + by_outcome[Outcome.REJECTED] + by_outcome[Outcome.INSPECTION]
    return {
        "lists": sum(by_outcome.values()),
        **by_outcome,
        "release_rate": round(by_outcome[Outcome.RELEASED] / decided, 4) if decided else None,
        "value_cny": Decimal(sums["value_cny"]),
        "tax": Decimal(sums["tax"]),
        "clearance_p50_s": percentile(histogram, 0.5),
        "clearance_p95_s": percentile(histogram, 0.95),
        "clearance_mean_s": round(sums["clearance_seconds"] / sums["lists"], 1) if sums["lists"] else None,
        "histogram": dict(zip([*map(str, CLEARANCE_BUCKETS), "longer"], histogram, strict=True)),
    }


def trend(f: StatsFilter) -> list[dict[str, Any]]:
    """One entry per day of the range: lists per outcome, value and tax of releases."""
    days: dict[datetime.date, dict[str, Any]] = {}
    day = f.date_from
    while day <= f.date_to:
        days[day] = {"day": day, **{o: 0 for o in Outcome.values}, "value_cny": Decimal(0), "tax": Decimal(0)}
        day += datetime.timedelta(days=1)
    for row in (
        rows(f).values("day", "outcome").annotate(n=Sum("lists"), value=Sum("value_cny"), tax_sum=Sum("tax"))
    ):
        entry = days[row["day"]]
        entry[row["outcome"]] = row["n"] or 0
        if row["outcome"] == Outcome.RELEASED:
            entry["value_cny"] = row["value"] or Decimal(0)
            entry["tax"] = row["tax_sum"] or Decimal(0)
    return list(days.values())


FLOWS = {("I", "1210"): "bonded_import", ("I", "9610"): "direct_import"}


def _flow_label(key: str) -> str:
    return {
        "bonded_import": _("Bonded import (1210)"),
        "direct_import": _("Direct-mail import (9610)"),
        "export": _("Export (9610/9710/9810)"),
        "unmatched": _("Documents do not match"),
    }.get(key, key)


# The dimensions a list has only once its three documents matched.
KNOWN_ONCE_MATCHED = ("trade_mode", "country", "hs_chapter")


def breakdown(f: StatsFilter, by: str) -> list[dict[str, Any]]:
    """Lists per outcome, value and tax of releases, grouped by one dimension, largest first."""
    if by not in BREAKDOWNS:
        raise FilterError({"by": [_("One of: %(names)s.") % {"names": ", ".join(BREAKDOWNS)}]})
    column = {"zone": "zone_id", "park": "park_id", "enterprise": "ebc_code"}.get(by, by)
    group = ("direction", "trade_mode") if by == "flow" else (column,)
    counted = rows(f)
    if by in KNOWN_ONCE_MATCHED:
        # Lists whose documents were never matched have no mode, country or goods yet: they are not
        # a mode or a country of their own (the flow breakdown counts them apart).
        counted = counted.exclude(**{column: ""})
    out: dict[str, dict[str, Any]] = {}
    for row in counted.values(*group, "outcome").annotate(
        n=Sum("lists"), value=Sum("value_cny"), tax_sum=Sum("tax")
    ):
        if by == "flow":
            if row["outcome"] == Outcome.MISMATCH:
                key = "unmatched"
            else:
                key = (
                    "export"
                    if row["direction"] == "E"
                    else FLOWS.get((row["direction"], row["trade_mode"]), "")
                )
        else:
            key = str(row[column])
        entry = out.setdefault(
            key,
            {
                "key": key,
                **{o: 0 for o in Outcome.values},
                "lists": 0,
                "value_cny": Decimal(0),
                "tax": Decimal(0),
            },
        )
        entry[row["outcome"]] += row["n"] or 0
        entry["lists"] += row["n"] or 0
        if row["outcome"] == Outcome.RELEASED:
            entry["value_cny"] += row["value"] or Decimal(0)
            entry["tax"] += row["tax_sum"] or Decimal(0)
    labels = _labels(by, list(out))
    result = sorted(out.values(), key=lambda e: (-e["lists"], e["key"]))
    for entry in result:
        entry["label"] = labels.get(entry["key"], entry["key"] or "—")
    return result


def _labels(by: str, keys: list[str]) -> dict[str, str]:
    if by == "flow":
        return {k: _flow_label(k) for k in keys}
    if by in ("zone", "park"):
        from parks.models import Park, Zone

        model = Zone if by == "zone" else Park
        ids = [int(k) for k in keys if k.isdigit() and k != "0"]
        names = {str(o.pk): str(o) for o in model.objects.filter(pk__in=ids)}
        return {**names, "0": _("None")}
    if by == "enterprise":
        from sharing.models import Enterprise

        names = {}
        for e in Enterprise.objects.filter(Q(customs_code__in=keys) | Q(uscc__in=keys)):
            names[e.customs_code] = names[e.uscc] = f"{e.name_zh} ({e.customs_code})"
        return names
    if by == "outcome":
        return dict(Outcome.choices)
    if by == "trade_mode":
        modes = _trade_modes()
        return {k: f"{k} {modes[k]}" for k in keys if k in modes} | {"": _("Not matched yet")}
    if by == "country":
        countries = _countries()
        return {k: f"{countries[k]} ({k})" for k in keys if k in countries} | {"": _("Not matched yet")}
    if by == "hs_chapter":
        return {k: _("HS chapter %(n)s") % {"n": k} for k in keys if k} | {"": _("Not matched yet")}
    return {}


def _trade_modes() -> dict[str, str]:
    # Built per call: translated in the language of the request.
    return {
        "9610": _("CBEC direct purchase / B2C export"),
        "1210": _("Bonded CBEC import"),
        "9710": _("B2B direct export"),
        "9810": _("Export to overseas warehouse"),
    }


def _countries() -> dict[str, str]:
    # DOMAIN 8.3, the customs' 3-digit codes the CBEC messages use.
    return {
        "142": _("China"),
        "110": _("Hong Kong"),
        "121": _("Macao"),
        "143": _("Taiwan"),
        "116": _("Japan"),
        "133": _("Korea"),
        "132": _("Singapore"),
        "122": _("Malaysia"),
        "136": _("Thailand"),
        "141": _("Vietnam"),
        "301": _("Belgium"),
        "303": _("United Kingdom"),
        "304": _("Germany"),
        "305": _("France"),
        "307": _("Italy"),
        "309": _("Netherlands"),
        "312": _("Spain"),
        "315": _("Austria"),
        "331": _("Switzerland"),
        "344": _("Russia"),
        "501": _("Canada"),
        "502": _("United States"),
        "601": _("Australia"),
        "609": _("New Zealand"),
        "701": _("Unknown"),
    }


def top_rejections(f: StatsFilter, limit: int = 10) -> list[dict[str, Any]]:
    """The most frequent reasons of the lists rejected in the range, grouped by reason code: the
    receipt's business code (-621018, or 100) and the kind of reason (which agency, which rule), not
    by its words. Each group carries the newest list's whole reason as its example: `reason` in
    English (the API's), `reason_text` as stored (code and parameters) to render in the reader's
    language."""
    from declarations.models import ExportInventoryList, InventoryList

    start = timezone.make_aware(datetime.datetime.combine(f.date_from, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(f.date_to + datetime.timedelta(days=1), datetime.time.min)
    )
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    models = [InventoryList, ExportInventoryList]
    if f.direction:
        models = [InventoryList] if f.direction == "I" else [ExportInventoryList]
    for model in models:
        qs = model.objects.filter(status=InventoryStatus.REJECTED, final_at__gte=start, final_at__lt=end)
        if f.trade_mode:
            qs = qs.filter(trade_mode=f.trade_mode)
        if f.ebc_codes:
            qs = qs.filter(ebc_code__in=f.ebc_codes)
        if f.park_id is not None or f.zone_id is not None:
            from sharing.models import Enterprise

            members = Enterprise.objects.all()
            if f.park_id is not None:
                members = members.filter(park_id=f.park_id or None)
            if f.zone_id is not None:
                members = members.filter(park__zone_id=f.zone_id)
            codes = [c for pair in members.values_list("customs_code", "uscc") for c in pair]
            qs = qs.filter(ebc_code__in=codes)
        rows = qs.order_by("-final_at", "-id").values_list(
            "return_status", "status_reason_text", "status_reason"
        )
        for return_status, text, english in rows.iterator(chunk_size=2000):
            code = return_status or "100"
            group = groups.setdefault(
                (code, reason_kind(text, english)),
                {"code": code, "reason": english, "reason_text": text, "lists": 0},
            )
            group["lists"] += 1
    ranked = sorted(groups.values(), key=lambda g: (-g["lists"], g["code"], g["reason"]))
    return ranked[:limit]


def reason_kind(text: Any, english: str) -> str:
    """What kind of reason a stored one is, whatever its list's own numbers: its message id (the
    catalogue's code of the sentence), with the agency for an agency's answer; for a reason kept in
    English only (older rows), its first clause without numbers."""
    if isinstance(text, dict) and "join" in text:
        text = (text["join"] or [None])[0]
    if isinstance(text, dict) and "msgid" in text:
        params = text.get("params") or {}
        agency, info = params.get("agency"), params.get("info")
        if isinstance(agency, dict):  # kept in both languages: its English is the agency's code
            agency = agency.get("en") or agency.get("zh")
        if not isinstance(agency, str):
            return text["msgid"]
        # An agency's answer keeps its sentence in both languages, not its code: its shape tells it.
        if isinstance(info, dict) and "msgid" in info:
            return f"{agency}|{info['msgid']}"
        said = info.get("en") or info.get("zh", "") if isinstance(info, dict) else str(info or "")
        return f"{agency}|{reason_key(said)}"
    return reason_key(english)


def reason_key(reason: str) -> str:
    """A rejection reason without the list's own numbers, whole: its first clause with each number
    (a line, an amount, a count, a document number) shown as "…", so the lists rejected for the same
    reason count together. Business codes (-621018) and rule codes ([R2]) stay."""
    first = (reason or "").split(";")[0].strip().removeprefix("Rejected by customs:").strip()
    return LIST_NUMBER.sub("…", first) or "—"


# A number of the list: digits (with separators), or a document number of capitals and digits, not
# inside a word or a code.
LIST_NUMBER = re.compile(r"(?<![\w\-\[])(?:[A-Z]*\d[\dA-Z]*(?:[,.:]\d+)*)")


def open_alerts() -> int:
    from risk.models import Alert

    return Alert.objects.filter(status=Alert.Status.OPEN).count()
