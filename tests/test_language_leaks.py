"""No page speaks the other language (issue 18): across every page route of the URL configuration, as
every kind of user, the Chinese rendering shows no English sentence of the portal's own catalogue or
reasons, and the English rendering no Chinese one.

A sentence is what a person reads as one: a catalogue entry's text between its placeholders, long
enough not to be a name or a code (three English words, four Chinese characters). What people typed
(enterprise names, an official's reason, goods names) is theirs, in whichever language they wrote it.
"""

import re
from functools import cache
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from lxml import html

from declarations.models import ExportInventoryList, InventoryList, Receipt, Upload
from parks.models import Park, Zone
from risk.models import Alert, RiskRule
from tests.declarations.test_views import member

from .factories import UserFactory, official

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parent.parent / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdrf]|%[sd]|\{\{[^}]*\}\}|\{\w*\}")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Not pages of the portal's own: the admin, the API (its own tests), the language switch, and links
# that need a mailed token.
SKIPPED = ("admin/", "api/", "i18n/", "accounts/activate/", "accounts/reset/")
ROLES = (
    "anonymous",
    "platform",
    "seller",
    "logistics",
    "payment",
    "warehouse",
    "customs",
    "inspection",
    "tax",
    "forex",
    "commerce",
    "finance",
    "superuser",
)


def _fragments(text: str) -> list[str]:
    return [part.strip(" .,:;()\n") for part in PLACEHOLDER.split(text)]


@cache
def english_sentences() -> frozenset[str]:
    catalog = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))
    return frozenset(
        part
        for entry in catalog
        if entry.msgstr and not entry.obsolete
        for part in _fragments(entry.msgstr)
        if len(re.findall(r"\b[A-Za-z]{2,}\b", part)) >= 3 and len(part.split()) >= 3 and not CJK.search(part)
    )


@cache
def chinese_sentences() -> frozenset[str]:
    catalog = polib.pofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    return frozenset(
        part
        for entry in catalog
        if entry.msgstr and not entry.obsolete
        for part in _fragments(entry.msgstr)
        if len(CJK.findall(part)) >= 4
    )


def _reasons() -> tuple[set[str], set[str]]:
    """The window's own reasons as stored: (English, Chinese) of receipts and lists."""
    english, chinese = set(), set()
    for info, info_en in Receipt.objects.values_list("return_info", "return_info_en"):
        if info_en and info_en != info and " " in info_en:
            english.add(info_en)
        if CJK.search(info or "") and info != info_en:
            chinese.add(info)
    for model in (InventoryList, ExportInventoryList):
        english |= {r for r in model.objects.values_list("status_reason", flat=True) if " " in r}
    return english, chinese


def _visible_text(content: bytes) -> str:
    tree = html.fromstring(content)
    # The language switch names each language in itself (中文, English) on purpose.
    for hidden in tree.xpath("//script|//style|//template|//form[contains(@action, 'setlang')]"):
        hidden.drop_tree()
    said = [tree.text_content()]
    said += tree.xpath("//@title|//@placeholder|//@aria-label|//@alt")
    return " ".join(" ".join(said).split())


def page_routes() -> list[tuple[str, str | None]]:
    """(pattern, name) of every page route: the URL configuration without the admin and the API."""
    routes = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern) and not text.startswith(SKIPPED):
                routes.append((text, pattern.name))

    walk(get_resolver().url_patterns)
    return routes


def _filled(pattern: str, values: dict[str, list[str]]) -> list[str]:
    """The route's paths with each parameter replaced by the world's objects of that kind."""
    paths = [pattern]
    for name in re.findall(r"<(?:\w+:)?(\w+)>", pattern):
        key = {"pk": _kind_of(pattern)}.get(name, name)
        paths = [
            re.sub(r"<(?:\w+:)?" + name + ">", value, path, count=1)
            for path in paths
            for value in values.get(key, [])
        ]
    return ["/" + p for p in paths]


# The kind of object a route's <pk> names, by the route's beginning.
PK_KINDS = (
    ("enterprises/", "enterprise"),
    ("officials/enterprises/", "enterprise"),
    ("officials/credit/", "enterprise"),
    ("declarations/inventories/", "inventory"),
    ("declarations/uploads/", "upload"),
    ("exports/", "export"),
    ("officials/alerts/", "alert"),
    ("warehouses/", "warehouse"),
)


# Routes whose <pk> only a form posts to: a GET answers 405 and shows nothing to read.
POST_ONLY = (
    "enterprise/webhooks/",
    "officials/park-applications/",
    "declarations/returns/",
    "notifications/",
    "enterprise/certificates/",
)


def _kind_of(pattern: str) -> str:
    return next((kind for prefix, kind in PK_KINDS if pattern.startswith(prefix)), "none")


@pytest.fixture
def every_outcome(world, django_capture_on_commit_callbacks):
    """Lists of every outcome with their reasons: released, mismatched, waiting, held (with its alert),
    refused by forex, and an export list."""
    from decimal import Decimal

    from sharing.models import PaymentLicence

    world.clear(world.declaration(1, lines=1), django_capture_on_commit_callbacks)
    docs = world.declaration(2, lines=1)
    line = docs["inventory"]["items"][0]
    line["price"] = f"{Decimal(line['price']) + 1:.2f}"
    line["total_price"] = f"{Decimal(line['price']) * Decimal(line['qty']):.2f}"
    world.clear(docs, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(world.declaration(3, lines=1), order=("order", "inventory"))
        world.declare_export(world.export(1, trade_mode="9710"))
    world.declare_restricted(4, django_capture_on_commit_callbacks)
    PaymentLicence.objects.all().delete()
    world.clear(world.declaration(5, lines=1), django_capture_on_commit_callbacks)
    return world


def _client(world, role: str) -> Client:
    client = Client()
    if role == "superuser":
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
    elif role in {"customs", "inspection", "tax", "forex", "commerce", "finance"}:
        client.force_login(official(role, f"leak-{role}"))
    elif role != "anonymous":
        client.force_login(member(getattr(world, role)))
    return client


def _values(world) -> dict[str, list[str]]:
    from logistics.models import Warehouse

    return {
        "enterprise": [str(world.seller.pk)],
        "inventory": [str(pk) for pk in InventoryList.objects.values_list("pk", flat=True)],
        "export": [str(pk) for pk in ExportInventoryList.objects.values_list("pk", flat=True)],
        "upload": [str(pk) for pk in Upload.objects.values_list("pk", flat=True)],
        "alert": [str(pk) for pk in Alert.objects.values_list("pk", flat=True)],
        "warehouse": [str(pk) for pk in Warehouse.objects.values_list("pk", flat=True)],
        "slug": list(Zone.objects.values_list("slug", flat=True)[:1])
        + list(Park.objects.values_list("slug", flat=True)[:1]),
        "code": list(RiskRule.objects.filter(current=True).values_list("code", flat=True)),
        "kind": ["order", "payment", "waybill", "inventory"],
        "chart": ["overview", "rejections"],
        "table": ["country", "customs_district"],  # the forms' lookups (JSON)
    }


@pytest.mark.parametrize("role", ROLES)
def test_no_page_speaks_the_other_language(every_outcome, role):
    world = every_outcome
    client = _client(world, role)
    values = _values(world)
    english_reasons, chinese_reasons = _reasons()
    english = english_sentences() | english_reasons
    chinese = chinese_sentences() | chinese_reasons
    leaks, seen = [], 0
    for pattern, _name in page_routes():
        for path in _filled(pattern, values):
            for language, foreign in (("zh-hans", english), ("en", chinese)):
                response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
                if response.status_code != 200 or response.streaming:
                    continue
                seen += 1
                kind = response.get("Content-Type", "")
                if not any(text in kind for text in ("html", "text/", "json")):
                    continue  # a PDF or a workbook: its text is not in the bytes as such
                said = _visible_text(response.content) if "html" in kind else response.content.decode()
                leaks += [(path, language, s) for s in foreign if s in said]
    assert seen, "no page answered"
    assert leaks == [], "\n".join(f"{path} [{language}]: {s!r}" for path, language, s in sorted(leaks))


def test_the_walk_covers_every_page_route():
    """A new page route is walked by itself: each has a kind of object for its parameters."""
    for pattern, _name in page_routes():
        for name in re.findall(r"<(?:\w+:)?(\w+)>", pattern):
            assert name in {"pk", "slug", "code", "kind", "chart", "prefix", "dispatch_id", "table"}, pattern
            if name == "pk":
                assert _kind_of(pattern) != "none" or pattern.startswith(POST_ONLY), pattern


def test_the_check_catches_a_leak():
    """The sentences the walk looks for include the window's own (a pair the catalogue holds)."""
    assert "Accepted into the customs system" in english_sentences()
    assert any("海关" in s for s in chinese_sentences())
    assert not {"Enterprise", "Customs"} & english_sentences()
