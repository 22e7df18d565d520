"""The dashboards: pages over `stats.selectors`. Every chart is drawn from a Table, whose rows are also the
chart's HTML table and its CSV, so what a person sees, reads and downloads are the same figures."""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_htmx.http import HttpResponseClientRedirect

from credit import selectors as credit_selectors
from declarations import selectors as declaration_selectors
from declarations.models import AgencyDispatch
from parks import selectors as park_selectors
from sharing.choices import AgencyCode, code_meaning
from singlewindow.core.access import enterprise_member_required, guard, official_required
from singlewindow.core.csv import csv_response
from singlewindow.core.texts import rendered
from singlewindow.core.xlsx import xlsx_response

from . import selectors
from .forms import DashboardFilterForm
from .models import Outcome
from .selectors import FilterError, StatsFilter

DIMENSIONS = {
    "flow": gettext_lazy("Flow"),
    "trade_mode": gettext_lazy("Supervision mode"),
    "zone": gettext_lazy("Zone"),
    "park": gettext_lazy("Park"),
    "country": gettext_lazy("Country"),
    "hs_chapter": gettext_lazy("HS chapter"),
    "enterprise": gettext_lazy("Enterprise"),
    "outcome": gettext_lazy("Outcome"),
}
# The outcomes the charts stack. Mismatched lists have no mode or country yet: they show as their own
# slice of the import/export split only.
DECIDED = (Outcome.RELEASED.value, Outcome.REJECTED.value, Outcome.INSPECTION.value)


@dataclass
class Table:
    """The figures of one chart: `columns` are (key, heading); the CSV has every column under its key,
    the page shows the headings except the `csv_only` columns."""

    columns: list[tuple[str, str]]
    rows: list[list[Any]]
    csv_only: frozenset[str] = frozenset()

    def column(self, key: str) -> list[Any]:
        index = [k for k, _heading in self.columns].index(key)
        return [row[index] for row in self.rows]

    def heading(self, key: str) -> str:
        return dict(self.columns)[key]

    @property
    def headings(self) -> list[str]:
        return [heading for key, heading in self.columns if key not in self.csv_only]

    @property
    def cells(self) -> list[list[Any]]:
        shown = [i for i, (key, _heading) in enumerate(self.columns) if key not in self.csv_only]
        return [[row[i] for i in shown] for row in self.rows]


def _outcome_columns() -> list[tuple[str, str]]:
    return [(outcome.value, str(outcome.label)) for outcome in Outcome]


def _money_columns() -> list[tuple[str, str]]:
    return [("value_cny", _("Value released (CNY)")), ("tax", _("Tax (CNY)"))]


def overview_table(f: StatsFilter) -> Table:
    figures = selectors.overview(f)
    histogram = figures.pop("histogram")
    rows = [[key, value] for key, value in figures.items()]
    rows += [
        [f"histogram_{bound}" if bound == "longer" else f"histogram_le_{bound}s", n]
        for bound, n in histogram.items()
    ]
    return Table([("figure", _("Figure")), ("value", _("Value"))], rows)


def trend_table(f: StatsFilter) -> Table:
    columns = [("day", _("Day")), *_outcome_columns(), *_money_columns()]
    rows = [
        [entry["day"].isoformat(), *(entry[key] for key, _h in columns[1:])] for entry in selectors.trend(f)
    ]
    return Table(columns, rows)


def breakdown_table(f: StatsFilter, by: str) -> Table:
    columns = [
        ("key", _("Group code")),
        ("label", str(DIMENSIONS[by])),
        ("lists", _("Lists")),
        *_outcome_columns(),
        *_money_columns(),
    ]
    rows = [[entry[key] for key, _h in columns] for entry in selectors.breakdown(f, by)]
    return Table(columns, rows, csv_only=frozenset({"key"}))


def rejections_table(f: StatsFilter) -> Table:
    """The rejections by reason code: the code, what it means and what to do, the newest list's whole
    reason in the reader's language, and how many lists."""
    rows = [
        [
            entry["code"],
            code_meaning(entry["code"]),
            rendered(entry["reason_text"], entry["reason"]),
            entry["lists"],
        ]
        for entry in selectors.top_rejections(f)
    ]
    columns = [
        ("code", _("Code")),
        ("meaning", _("What it means")),
        ("reason", _("Reason (newest list)")),
        ("lists", _("Lists")),
    ]
    return Table(columns, rows)


TABLES: dict[str, Callable[[StatsFilter], Table]] = {
    "overview": overview_table,
    "trend": trend_table,
    **{by: partial(breakdown_table, by=by) for by in selectors.BREAKDOWNS},
    "rejections": rejections_table,
}


@dataclass
class ChartCard:
    """A chart on a page: its title, its table, and what Chart.js needs to draw it (json_script)."""

    name: str  # the key of TABLES, for the CSV link
    title: str
    table: Table
    chart: dict[str, Any]

    @property
    def data_id(self) -> str:
        return f"chart-{self.name}-data"

    @property
    def empty(self) -> bool:
        return not any(value for dataset in self.chart["datasets"] for value in dataset["data"])


def chart_card(
    name: str, title: str, f: StatsFilter, *, kind: str, label: str, series: tuple[str, ...]
) -> ChartCard:
    table = TABLES[name](f)
    chart = {
        "type": kind,
        "labels": [str(value) for value in table.column(label)],
        "datasets": [
            {"key": str(key), "label": table.heading(key), "data": table.column(key)} for key in series
        ],
    }
    return ChartCard(name, title, table, chart)


def _duration(seconds: int | None) -> str:
    """A clearance-time bucket bound, as a person reads it."""
    if seconds is None:
        return "—"
    if seconds > 86400:
        return _("over a day")
    if seconds < 60:
        return _("≤ %(n)s s") % {"n": seconds}
    if seconds < 3600:
        return _("≤ %(n)s min") % {"n": seconds // 60}
    return _("≤ %(n)s h") % {"n": seconds // 3600}


def _kpis(f: StatsFilter) -> dict[str, Any]:
    figures = selectors.overview(f)
    rate = figures["release_rate"]
    return {
        **figures,
        "release_rate_pct": "—" if rate is None else f"{rate * 100:.1f} %",
        "p50": _duration(figures["clearance_p50_s"]),
        "p95": _duration(figures["clearance_p95_s"]),
    }


def _filtered(request, *, with_park: bool = True) -> tuple[DashboardFilterForm, StatsFilter | None]:
    """The filter form bound to the query, and the selector's filter (None when the input is wrong)."""
    try:
        f = selectors.filter_from(request.GET, principal=request.principal)
    except FilterError as exc:
        form = DashboardFilterForm(request.GET, with_park=with_park)
        form.add_filter_errors(exc.fields)
        return form, None
    # The form shows the range in force, the default one included.
    data = request.GET.copy()
    for name in ("date_from", "date_to"):
        if not data.get(name):
            data[name] = getattr(f, name).isoformat()
    return DashboardFilterForm(data, with_park=with_park), f


def _live_context(f: StatsFilter) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "kpis": _kpis(f),
        "today": selectors.overview(dataclasses.replace(f, date_from=today, date_to=today)),
        "alerts_open": selectors.open_alerts(),
        "now": timezone.now(),
        "query": urlencode(f.as_query()),
        "live": True,
    }


def zone_dashboard(request):
    """The zone at a glance, for officials; an enterprise is sent to its own dashboard."""
    principal = request.principal
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if principal.enterprise is not None:
        query = request.META.get("QUERY_STRING")
        return redirect(reverse("stats-enterprise") + (f"?{query}" if query else ""))
    if not principal.sees_everything:
        raise PermissionDenied
    form, f = _filtered(request)
    context: dict[str, Any] = {"form": form, "f": f, "parks": park_selectors.park_list()}
    if f is None:
        return render(request, "stats/zone_dashboard.html", context, status=400)
    context.update(_live_context(f))
    context["charts"] = [
        chart_card("trend", _("Lists per day"), f, kind="line", label="day", series=DECIDED),
        chart_card(
            "flow",
            _("Import and export"),
            f,
            kind="doughnut",
            label="label",
            series=("lists",),
        ),
        chart_card("trade_mode", _("By supervision mode"), f, kind="bar", label="label", series=DECIDED),
        chart_card("park", _("By park"), f, kind="bar", label="label", series=DECIDED),
    ]
    context["rejections"] = rejections_table(f)
    return render(request, "stats/zone_dashboard.html", context)


def live(request):
    """The KPI cards alone: the zone dashboard polls this fragment and swaps it in place."""
    if not request.user.is_authenticated and request.htmx:
        # The session ended while the page was open: the whole page goes to the login, not the fragment.
        return HttpResponseClientRedirect(resolve_url(settings.LOGIN_URL) + "?next=" + reverse("stats-zone"))
    return _live_fragment(request)


@official_required
def _live_fragment(request):
    _form, f = _filtered(request)
    if f is None:
        return HttpResponse(status=400)
    return render(request, "stats/_kpis.html", _live_context(f))


@enterprise_member_required
def enterprise_dashboard(request):
    """An enterprise's own lists: volumes, rejections and their reasons, tax, credit level."""
    enterprise = request.principal.enterprise
    form, f = _filtered(request, with_park=False)
    context: dict[str, Any] = {"form": form, "f": f, "enterprise": enterprise}
    if f is None:
        return render(request, "stats/enterprise_dashboard.html", context, status=400)
    today = timezone.localdate()
    context.update(
        {
            "kpis": _kpis(f),
            "level": credit_selectors.levels_for([enterprise.pk], on=today)[enterprise.pk],
            "query": urlencode(f.as_query()),
            "charts": [
                chart_card("trend", _("My lists per day"), f, kind="line", label="day", series=DECIDED),
                chart_card(
                    "trade_mode", _("By supervision mode"), f, kind="bar", label="label", series=DECIDED
                ),
                chart_card("country", _("By country"), f, kind="bar", label="label", series=DECIDED),
            ],
            "rejections": rejections_table(f),
        }
    )
    return render(request, "stats/enterprise_dashboard.html", context)


@guard(lambda p: p.agency is not None)
def agency_dashboard(request):
    """An agency's queue: what the window sent it, by state, and for customs the alerts to review."""
    agency = request.principal.agency
    counts = declaration_selectors.dispatch_counts(agency=agency.code)
    states = [(state, label, counts.get(state, 0)) for state, label in AgencyDispatch.State.choices]
    context = {
        "agency": agency,
        "states": states,
        "dispatched": sum(counts.values()),
        "alerts_open": selectors.open_alerts() if request.principal.is_agency(AgencyCode.CUSTOMS) else None,
        "parks": park_selectors.park_list(),
    }
    return render(request, "stats/agency_dashboard.html", context)


@official_required
def park_dashboard(request, slug: str):
    """A park's settled enterprises and their volumes."""
    park = get_object_or_404(park_selectors.park_list(), slug=slug)
    form, f = _filtered(request, with_park=False)
    context: dict[str, Any] = {"form": form, "f": f, "park": park, "parks": park_selectors.park_list()}
    if f is None:
        return render(request, "stats/park_dashboard.html", context, status=400)
    f = dataclasses.replace(f, park_id=park.pk)
    enterprise_chart = chart_card(
        "enterprise", _("Lists per enterprise"), f, kind="bar", label="label", series=DECIDED
    )
    context.update(
        {
            "kpis": _kpis(f),
            "query": urlencode(f.as_query()),
            "charts": [
                chart_card("trend", _("Lists per day"), f, kind="line", label="day", series=DECIDED),
                enterprise_chart,
            ],
            "settled": _settled_volumes(park, enterprise_chart.table),
        }
    )
    return render(request, "stats/park_dashboard.html", context)


def _settled_volumes(park, table: Table) -> list[dict[str, Any]]:
    """The park's settled enterprises, each with its figures (an enterprise files under its customs
    code or its USCC: both count), zero for those without lists in the range."""
    keys = [key for key, _heading in table.columns]
    by_code = {entry["key"]: entry for entry in (dict(zip(keys, row, strict=True)) for row in table.rows)}
    out = []
    for enterprise in park_selectors.park_settled_enterprises(park=park):
        figures = {key: 0 for key in ("lists", "released", "rejected", "inspection", "value_cny", "tax")}
        for code in (enterprise.customs_code, enterprise.uscc):
            for key in figures:
                figures[key] += by_code.get(code, {}).get(key, 0)
        out.append({"enterprise": enterprise, **figures})
    return sorted(out, key=lambda row: (-row["lists"], row["enterprise"].name_zh))


@guard(lambda p: p.sees_everything or p.enterprise is not None)
def chart_csv(request, chart: str, export: str = "csv"):
    """The table of any chart as CSV (or .xlsx), with the page's query string, scoped like the page
    (an enterprise's filter only ever holds its own lists). The headers are the columns' headings in
    the reader's language, always in the same order; programs read the keys from the JSON API."""
    if chart not in TABLES:
        raise Http404
    try:
        f = selectors.filter_from(request.GET, principal=request.principal)
    except FilterError as exc:
        lines = [f"{name}: {message}" for name, messages in exc.fields.items() for message in messages]
        return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")
    table = TABLES[chart](f)
    header = [str(heading) for _key, heading in table.columns]
    # `chart` is a key of TABLES and the dates are dates: the file name holds nothing else.
    name = f"{chart}-{f.date_from}-{f.date_to}"
    if export == "xlsx":
        return xlsx_response(f"{name}.xlsx", header, table.rows)
    # A byte-order mark, so that spreadsheet programs read the Chinese names as UTF-8.
    return csv_response(f"{name}.csv", header, table.rows, bom=True)
