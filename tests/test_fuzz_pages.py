"""Every URL pattern of the portal fuzzed (pages, API, admin), as anonymous, as an enterprise's admin and
as a customs official: no answer may be a server error.

Each pattern's path is filled with valid-looking values (ids and slugs of the test data) and hostile
ones (a 21-digit id, 2**63, long, unicode and CRLF text); its query string is drawn by hypothesis from
hostile values of every class that once answered 500: numbers of 21 digits and more, dates at years 1
and 9999 (and reversed ranges), lists (a key repeated), CRLF, unicode, very long values. A page's own
forms are posted back with some fields made hostile.

The parameters fuzzed are found, not listed: those a route reads while it answers a plain GET (recorded
on the request's QueryDicts) and those its HTML forms carry, beside a few every list reads. So a new
route, a new filter or a new form field is fuzzed by itself.

Bounded: PAGE_FUZZ_EXAMPLES (default 2) drawn query strings per route and caller beside one fixed case
per class; run more by hand with `PAGE_FUZZ_EXAMPLES=50 pytest tests/test_fuzz_pages.py`.
"""

import copy
import datetime
import os
import re
import traceback
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from singlewindow.core.throttling import PartnerRateThrottle

from .factories import MembershipFactory, official

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
EXAMPLES = int(os.environ.get("PAGE_FUZZ_EXAMPLES", "2"))
SEED = int(os.environ.get("FUZZ_SEED", "20261206"))
ROOT = Path(__file__).resolve().parent.parent

# Read by every list and filter: fuzzed on every route, whether or not a plain GET reads them.
COMMON_KEYS = ["page", "page_size", "ordering", "sort", "format", "date_from", "date_to", "park", "zone",
               "year", "month", "status", "kind", "since", "limit", "next", "lang", "q", "id"]  # fmt: skip


# One fixed value per class that once gave a 500, sent in every key a route reads.
HUGE = "9" * 21
CLASSES = {
    "a 21-digit number": HUGE,
    "2**63": str(2**63),
    "a negative number beyond 64 bits": str(-(2**63) - 1),
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "an offset past year 1": "0001-01-01T00:00:00+23:59",
    "an offset past year 9999": "9999-12-31T23:59:59-23:59",
    "CRLF": "a\r\nSet-Cookie: x=1",
    "unicode": "中文\u202e\U0001f600ﬀ²",
    "a very long value": "9" * 5000,
    "superscript digits": "²³",
}
# Sent alone in each key a route reads: a refusal of one key must not hide another key's 500.
ALONE = [HUGE, "0001-01-01", "9999-12-31", "0001-01-01T00:00:00+23:59", "²³"]
# Each as a whole query: ranges reversed or years apart, and lists where one value is meant.
FIXED_QUERIES = {
    "reversed range": "date_from=2026-05-01&date_to=2026-01-01",
    "year 1 to 9999": "date_from=0001-01-01&date_to=9999-12-31",
    "malformed escapes": "park=%ZZ&date_from=%C0%80&page=%FF",
    "keys without values": "park&zone&date_from&page",
}

values = st.one_of(
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.sampled_from(list(CLASSES.values())),
    st.dates().map(datetime.date.isoformat),
    st.datetimes().map(lambda d: d.isoformat() + "+23:59"),
    st.text(max_size=40),
    st.integers(min_value=300, max_value=20_000).map(lambda n: "x" * n),
    st.sampled_from(["", "0", "-1", "1e400", "NaN", "[1, 2]", '{"a": 1}', "null", "true", "\r\n", "%00"]),
)


@dataclass
class Route:
    """One URL pattern: its route text (as `resolve()` names it), the names of its path parameters and
    the pieces to build a URL from."""

    route: str
    parts: list[tuple[str, str | None]]  # (literal text, None) or (parameter name, converter or regex)
    is_api: bool = field(init=False)

    def __post_init__(self) -> None:
        self.is_api = self.route.lstrip("^").startswith("api/")

    @property
    def parameters(self) -> list[tuple[str, str]]:
        return [(text, kind) for text, kind in self.parts if kind is not None]

    def url(self, values: dict[str, str]) -> str:
        out = []
        for text, kind in self.parts:
            out.append(text if kind is None else quote(values[text], safe=""))
        return "/" + "".join(out)


_GROUP = re.compile(r"\(\?P<(\w+)>([^()]*)\)")
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _pieces(pattern) -> list[tuple[str, str | None]]:
    """A pattern as literal text and parameters: `<int:pk>` of a route, `(?P<pk>[^/.]+)` of a regex."""
    text = str(pattern)
    # (regex, group of the name, group of the converter or regex)
    regex, name_at, kind_at = (_CONVERTER, 2, 1) if isinstance(pattern, RoutePattern) else (_GROUP, 1, 2)
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for match in regex.finditer(text):
        pieces.append((_literal(text[position : match.start()], pattern), None))
        pieces.append((match.group(name_at), match.group(kind_at) or "str"))
        position = match.end()
    pieces.append((_literal(text[position:], pattern), None))
    return [(t, k) for t, k in pieces if t or k]


def _literal(text: str, pattern) -> str:
    if isinstance(pattern, RegexPattern):
        text = text.replace("^", "").replace("$", "").replace("/?", "").replace("\\.", ".")
    return text


def all_routes() -> list[Route]:
    """Every URL pattern of the URLconf, in order."""
    found: list[Route] = []

    def walk(patterns, route: str, parts: list):
        for pattern in patterns:
            here = parts + _pieces(pattern.pattern)
            text = route + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text, here)
            elif isinstance(pattern, URLPattern):
                found.append(Route(text, here))

    walk(get_resolver().url_patterns, "", [])
    return found


def path_values(route: Route, pools: dict[str, list[str]]) -> list[dict[str, str]]:
    """Fillings of the route's path: valid-looking ones first, then hostile ones for each parameter."""
    valid = {name: _valid(name, kind, pools)[0] for name, kind in route.parameters}
    fillings = [valid]
    for name, kind in route.parameters:
        for value in _valid(name, kind, pools)[1:3] + _hostile(kind):
            fillings.append({**valid, name: value})
    return fillings


def _valid(name: str, kind: str, pools: dict[str, list[str]]) -> list[str]:
    if name in pools:
        return pools[name]
    if "|" in kind:  # an alternation of literals (the admin's app labels)
        return kind.split("|")
    if kind in ("int", "[^/.]+") or name.endswith("pk") or name.endswith("_id"):
        return pools["pk"]
    if kind == "slug":
        return pools["slug"]
    return ["1", "x"]


def _hostile(kind: str) -> list[str]:
    numbers = [HUGE, str(2**63), "0"]
    if kind == "int":
        return numbers
    if kind == "slug":
        return ["x" * 300, "-", "_"]
    return [*numbers, "x" * 300, "中文\u202e", "a\r\nb", "%00"]


@dataclass
class Form:
    """A form of a page: where it posts, its fields with the values it offers, which are hidden."""

    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)

    def baseline(self) -> dict[str, str]:
        """The form as a person would send it untouched: the first value offered for each field."""
        return {
            name: next((v for v in offered if v), offered[0] if offered else "")
            for name, offered in self.fields.items()
        }


class _Forms(HTMLParser):
    """The forms of a page (inputs, selects and their options, textareas, buttons); fields outside any
    form are gathered in one of their own, posted to the page."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.forms: list[Form] = [Form(page, "post")]
        self._form = self.forms[0]
        self._page = page
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = Form(a.get("action") or self._page, (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif tag in ("input", "textarea", "button", "select") and a.get("name"):
            name = a["name"] or ""
            self._form.fields.setdefault(name, [])
            value = a.get("value")
            if value is None and a.get("type") in ("checkbox", "radio"):
                value = "on"
            if value is not None:
                self._form.fields[name].append(value)
            if a.get("type") == "hidden":
                self._form.hidden.add(name)
            self._select = name if tag == "select" else None
        elif tag == "option" and self._select and a.get("value") is not None:
            self._form.fields[self._select].append(a["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = self.forms[0]


class Recorder:
    """Records the keys read from any QueryDict while it is on (request.GET, request.POST, DRF's
    query_params are all QueryDicts)."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.on = False

    def __enter__(self):
        self.on = True
        return self

    def __exit__(self, *exc):
        self.on = False


@pytest.fixture
def recorder(monkeypatch) -> Recorder:
    recording = Recorder()
    for method in ("get", "getlist", "__getitem__", "__contains__"):
        original = getattr(MultiValueDict, method)

        def spy(self, key, *args, _original=original, **kwargs):
            # QueryDicts only: the URL resolver keeps its names in a MultiValueDict too.
            if recording.on and isinstance(key, str) and isinstance(self, QueryDict):
                recording.keys.add(key)
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(MultiValueDict, method, spy)
    return recording


@pytest.fixture
def portal(dispatched, django_capture_on_commit_callbacks):
    """The world with two lists dispatched, one held with an alert, a webhook and a negative-list entry:
    a little of what the pages list and their forms act on."""
    from credit.models import NegativeListEntry
    from sharing.models import WebhookSubscription

    WebhookSubscription.objects.create(
        enterprise=dispatched.seller, url="https://example.com/hook", secret="s" * 32
    )
    today = datetime.date.today()
    NegativeListEntry.objects.create(
        enterprise=dispatched.platform,
        reason="fuzz",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
    )
    dispatched.declare_restricted(3, django_capture_on_commit_callbacks)
    return dispatched


@pytest.fixture
def callers(portal) -> dict[str, Client]:
    """Anonymous, the seller's admin, a customs official: each a browser with its session."""
    anonymous = Client()
    member = Client()
    member.force_login(MembershipFactory(enterprise=portal.seller).user)
    officer = Client()
    officer.force_login(official("customs", "fuzz-pages-customs"))
    return {"anonymous": anonymous, "enterprise": member, "official": officer}


@pytest.fixture
def pools(portal) -> dict[str, list[str]]:
    """Valid-looking path values read from the test data: ids of the portal's own rows, slugs of zones
    and parks, codes of rules and tables, a waybill number, a key prefix, a chart."""
    from declarations.models import Waybill
    from parks.models import Park, Zone
    from risk.models import RiskRule
    from sharing.models import EnterpriseAPIKey

    ids: set[int] = set()
    for config in apps.get_app_configs():
        if Path(config.path).is_relative_to(ROOT):
            for model in config.get_models():
                ids.update(model.objects.order_by("pk").values_list("pk", flat=True)[:2])
    waybill = Waybill.objects.first()
    return {
        "pk": [str(i) for i in sorted(i for i in ids if isinstance(i, int))][:12] or ["1"],
        "slug": [
            *Park.objects.values_list("slug", flat=True)[:2],
            *Zone.objects.values_list("slug", flat=True)[:1],
        ],
        "code": list(RiskRule.objects.values_list("code", flat=True)[:2]) or ["RESTRICTED_GOODS"],
        "logistics_no": [waybill.logistics_no if waybill else "1"],
        "prefix": list(EnterpriseAPIKey.objects.values_list("prefix", flat=True)[:1]) or ["x"],
        "chart": ["trend", "park", "overview"],
        "kind": ["order", "inventory", "payment"],
        "by": ["park", "zone", "country"],
        "table": ["country", "currency"],
        "app_label": ["sharing", "auth"],
        "url": ["x", "sharing/enterprise/1/change/"],
        "object_id": ["1", HUGE],
        "content_type_id": ["1", HUGE],
    }


@dataclass
class Findings:
    """Server errors by what failed where (one example request each), requests sent, patterns reached."""

    server_errors: dict[str, list[str]] = field(default_factory=dict)
    sent: int = 0
    routes_hit: set[str] = field(default_factory=set)
    forms_seen: set[tuple[str, str, frozenset[str]]] = field(default_factory=set)  # the layout's, once

    def report(self) -> str:
        return "\n".join(
            f"{what} ({len(requests)}x), e.g. {requests[0][:300]}"
            for what, requests in self.server_errors.items()
        )

    def send(self, client: Client, who: str, method: str, url: str, data: dict | None = None) -> None:
        self.sent += 1
        cookies = copy.deepcopy(client.cookies)  # a logout or a language switch must not last
        savepoint = transaction.savepoint()
        try:
            answer = client.get(url) if method == "get" else client.post(url, data or {})
            if answer.status_code >= 500:
                what = f"{answer.status_code} at {resolve_route(url)}"
                self.server_errors.setdefault(what, []).append(f"{who} {method.upper()} {url}")
        except Exception as exc:
            # The innermost frame of the portal's own code (not the tests', not a library's).
            frames = [
                f
                for f in traceback.extract_tb(exc.__traceback__)
                if f.filename.startswith(str(ROOT))
                and "/tests/" not in f.filename
                and "/.venv/" not in f.filename
            ]
            where = f"{Path(frames[-1].filename).relative_to(ROOT)}:{frames[-1].lineno}" if frames else "?"
            what = f"{type(exc).__name__}: {str(exc)[:120]} at {where}"
            self.server_errors.setdefault(what, []).append(f"{who} {method.upper()} {url}")
        finally:
            transaction.savepoint_rollback(savepoint)
            client.cookies = cookies


def resolve_route(url: str) -> str:
    try:
        return resolve(url.split("?")[0]).route
    except Exception:
        return url.split("?")[0]


def _discover(client: Client, url: str, recorder: Recorder) -> tuple[set[str], list[Form]]:
    """The keys the route reads answering a plain GET, and its forms."""
    recorder.keys.clear()
    cookies = copy.deepcopy(client.cookies)
    savepoint = transaction.savepoint()
    try:
        with recorder:
            answer = client.get(url)
    except Exception:
        return set(recorder.keys), []  # reported by the fuzzing that follows
    finally:
        transaction.savepoint_rollback(savepoint)
        client.cookies = cookies
    forms = _Forms(url)
    if answer.status_code == 200 and answer.get("Content-Type", "").startswith("text/html"):
        forms.feed(answer.content.decode("utf-8", "replace"))
    return set(recorder.keys), [form for form in forms.forms if form.fields]


def _fuzz_route(route: Route, client: Client, who: str, pools, recorder: Recorder, found: Findings) -> None:
    fillings = path_values(route, pools)
    url = route.url(fillings[0])
    try:
        # Django joins the routes of included URLconfs without their leading "^".
        if resolve(url).route.replace("^", "") == route.route.replace("^", ""):
            found.routes_hit.add(route.route)
    except Exception:  # noqa: S110 - a URL that resolves nowhere is still sent: it must answer 404
        pass
    for filling in fillings[1:]:  # hostile paths: each once, plain
        found.send(client, who, "get", route.url(filling))
    if route.route.startswith("admin/"):
        # Django's own admin, closed to everyone here but staff: its paths and two hostile queries.
        for value in (HUGE, "9999-12-31"):
            found.send(client, who, "get", f"{url}?{urlencode([(k, value) for k in COMMON_KEYS])}")
        return
    read, forms = _discover(client, url, recorder)
    fields = {name for form in forms for name in form.fields}
    keys = sorted((read | fields | set(COMMON_KEYS)) - {"csrfmiddlewaretoken"})

    for query in FIXED_QUERIES.values():
        found.send(client, who, "get", f"{url}?{query}")
    for value in CLASSES.values():
        found.send(client, who, "get", f"{url}?{urlencode([(k, value) for k in keys])}")
    found.send(client, who, "get", f"{url}?{urlencode([(k, v) for k in keys for v in ('1', 'a')])}")
    for key in sorted(read - {"format", "csrfmiddlewaretoken"}):
        for value in ALONE:
            found.send(client, who, "get", f"{url}?{urlencode([(key, value)])}")

    pairs = st.lists(st.tuples(st.sampled_from(keys), values), max_size=8)

    @seed(SEED ^ zlib.crc32(f"{who} {route.route}".encode()))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(query=pairs)
    def get(query):
        found.send(client, who, "get", f"{url}?{urlencode(query)}")

    get()
    if route.is_api:
        return  # bodies of the API: tests/test_fuzz_api.py and tests/test_hostile_input.py
    # The page's own forms sent back as a person would, with the fields one fills in made hostile: all at
    # once with one class, or some drawn by hypothesis. Hidden fields keep their values, so the form
    # the page means is the one bound.
    for number, form in enumerate(forms):
        _fuzz_form(form, client, who, f"{number} {route.route}", found)


def _fuzz_form(form: Form, client: Client, who: str, name: str, found: Findings) -> None:
    seen = (form.action, form.method, frozenset(form.fields))
    if seen in found.forms_seen:
        return
    found.forms_seen.add(seen)
    baseline = form.baseline()
    filled = sorted(set(form.fields) - form.hidden - {"csrfmiddlewaretoken"})

    def send(data: dict[str, str]) -> None:
        if form.method == "post":
            found.send(client, who, "post", form.action, data)
        else:
            found.send(client, who, "get", f"{form.action}?{urlencode(data)}")

    send(baseline)
    # Hidden ids are what a page posts back to name its object: hostile numbers go there too.
    ids = [k for k in form.hidden if baseline.get(k, "").isdigit()]
    for value in (HUGE, "0001-01-01", "9999-12-31", "9" * 5000, "中文\u202e", "²³"):
        send({**baseline, **{k: value for k in filled}})
    for value in (HUGE, "²³", "-1"):
        if ids:
            send({**baseline, **{k: value for k in ids}})
    if not filled:
        return
    offered = [v for k in filled for v in form.fields[k] if len(v) < 100] or ["1"]

    @seed(SEED ^ zlib.crc32(f"form {who} {name}".encode()))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(changes=st.dictionaries(st.sampled_from(filled), st.one_of(values, st.sampled_from(offered))))
    def fuzz(changes):
        send({**baseline, **changes})

    fuzz()


@pytest.fixture
def unthrottled(monkeypatch):
    # The anonymous rate (300/min) would turn most of the fuzz into 429s; the cache it fills is emptied
    # before and after, so no other test meets this one's counts.
    cache.clear()
    monkeypatch.setattr(PartnerRateThrottle, "THROTTLE_RATES", {"partner": "1000000/s", "anon": "1000000/s"})
    yield
    cache.clear()


@pytest.mark.parametrize("who", ["anonymous", "enterprise", "official"])
def test_every_url_with_hostile_paths_queries_and_forms_gets_no_server_error(
    who, callers, pools, recorder, unthrottled, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # login forms posted
    routes = all_routes()
    assert len(routes) > 250
    found = Findings()
    for route in routes:
        _fuzz_route(route, callers[who], who, pools, recorder, found)
    assert found.server_errors == {}, found.report()
    missed = {r.route for r in routes} - found.routes_hit
    assert missed == set(), f"patterns no valid-looking URL resolved to: {sorted(missed)}"
    assert found.sent > 10 * len(routes)
    print(f"{who}: {len(routes)} patterns, {found.sent} requests")  # shown with -s
