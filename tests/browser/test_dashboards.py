"""The dashboards in the browser: an enterprise watches its list released and its figures move; a customs
official releases a held list and the zone dashboard counts it without being reloaded; the language
switch changes the page's text."""

import pytest

from declarations.models import InventoryList
from risk.models import Alert, RiskRule

from ..factories import ClearanceWorld, UserFactory, official
from .conftest import log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def world(page):
    from credit.models import CreditLevel

    CreditLevel.objects.update(inspection_rate=0)  # exact outcomes: no random inspection
    return ClearanceWorld()


def watch_console(page) -> list[str]:
    """Errors the page logs, Content-Security-Policy violations included."""
    errors: list[str] = []

    def on_console(message) -> None:
        # The portal has no favicon: the browser's own request for one is not the page's error.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def charts_drawn(page) -> int:
    """How many of the page's canvases Chart.js has drawn on."""
    return page.evaluate(
        "() => typeof Chart === 'function'"
        " ? [...document.querySelectorAll('canvas[data-chart]')].filter(c => Chart.getChart(c)).length : -1"
    )


def test_enterprise_files_a_list_watches_it_released_and_sees_its_dashboard(page, world):
    from sharing.models import Membership

    # given the order, payment and waybill filed by the other parties through the API
    docs = world.declaration(1, lines=1)
    for kind in ("order", "payment", "waybill"):
        assert world.post(kind, docs[kind]).status_code == 201
    user = UserFactory(username="seller-clerk")
    Membership.objects.create(user=user, enterprise=world.seller, role="admin")
    errors = watch_console(page)
    page.emulate_media(reduced_motion="reduce")
    log_in(page, "seller-clerk")

    # when the enterprise files the inventory list in the form
    page.goto(f"{page.base_url}/declarations/new/inventory/")
    inventory = docs["inventory"]
    for name, value in inventory.items():
        if name in ("items", "guid", "app_type", "app_time", "app_status") or value in ("", None):
            continue
        field = page.locator(f"#id_{name}")
        if field.count():
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(str(value))
            elif field.get_attribute("type") == "date":  # the picker takes ISO dates
                field.fill(f"{value[:4]}-{value[4:6]}-{value[6:8]}")
            else:
                field.fill(str(value))
    for key, value in inventory["items"][0].items():
        field = page.locator(f"[name='items-0-{key}']")
        if field.count() and value not in ("", None):
            field.fill(str(value))
    page.get_by_role("button", name="Declare", exact=True).click()

    # then it watches its list reach "released"
    page.wait_for_url("**/declarations/inventories/*/")
    assert page.inner_text("#inventory-status") == "Released"
    listed = InventoryList.objects.get()
    assert page.url.endswith(f"/declarations/inventories/{listed.pk}/")

    # and its dashboard (from the navigation) counts it
    page.click("nav.mainnav >> text=Dashboard")
    page.wait_for_url("**/dashboard/enterprise/")
    assert page.get_attribute("nav.mainnav a[aria-current=page]", "href") == "/dashboard/enterprise/"
    assert page.inner_text("#kpi-released") == "1"
    assert page.inner_text("#kpi-tax") == f"{listed.tax_amount:,.2f}"
    assert charts_drawn(page) == 3
    # the table behind a chart is one click away
    assert page.locator("#table-trend").is_hidden()
    page.click("#chart-trend [data-table-toggle]")
    assert page.locator("#table-trend").is_visible() and page.locator("#chart-trend canvas").is_hidden()
    page.click("#chart-trend [data-table-toggle]")
    assert page.locator("#table-trend").is_hidden()
    screenshot(page, "dashboard-enterprise")
    assert errors == []


def test_official_releases_a_held_list_and_the_zone_dashboard_counts_it_live(page, world):
    # given one list released, and one held by the watch list of goods; its goods are put on the list
    # rather than given a medicine's code (3004), which inspection would reject after the release
    released = world.declaration(1, lines=1)
    for kind in ("order", "payment", "waybill", "inventory"):
        assert world.post(kind, released[kind]).status_code == 201
    held = world.declaration(2, lines=1)
    RiskRule.objects.filter(code="RESTRICTED_GOODS", current=True).update(
        parameters={"prefixes": [held["inventory"]["items"][0]["gcode"]]}
    )
    for kind in ("order", "payment", "waybill", "inventory"):
        assert world.post(kind, held[kind]).status_code == 201
    inventory = InventoryList.objects.get(cop_no=held["inventory"]["cop_no"])
    assert inventory.status == "held"
    official("customs", username="customs-reviewer")
    errors = watch_console(page)
    page.emulate_media(reduced_motion="reduce")
    log_in(page, "customs-reviewer")

    # the zone dashboard, open on one tab, shows what was released so far, with its charts drawn
    page.click("nav.mainnav >> text=Dashboard")
    page.wait_for_url("**/dashboard/")
    assert page.inner_text("#kpi-released") == "1"
    assert page.inner_text("#kpi-alerts") == "1"
    assert charts_drawn(page) == 4
    page.evaluate("() => { window.notReloaded = true; }")

    # when the official works the review queue on another tab and releases the list
    queue = page.context.new_page()
    queue.goto(f"{page.base_url}/dashboard/")
    queue.click("#kpis >> text=Work the review queue")
    queue.wait_for_url("**/officials/alerts/")
    screenshot(queue, "dashboard-review-queue")
    queue.click(f"text={inventory.cop_no}")
    queue.select_option("#id_outcome", "release")
    queue.click("main form button[type=submit]")
    queue.wait_for_url("**/officials/alerts/")
    assert Alert.objects.get().outcome == "release"
    inventory.refresh_from_db()
    assert inventory.status == "released"
    queue.close()

    # then the dashboard counts it at its next refresh, without being reloaded
    page.wait_for_function(
        "() => document.getElementById('kpi-released').textContent.trim() === '2'", timeout=25000
    )
    assert page.inner_text("#kpi-alerts") == "0"
    assert page.evaluate("() => window.notReloaded") is True
    assert charts_drawn(page) == 4
    screenshot(page, "dashboard-zone")

    # the language switch in the header changes the page's text, and back
    page.select_option("#language", "zh-hans")
    page.wait_for_selector("html[lang='zh-hans']")
    assert page.url.endswith("/dashboard/")
    navigation = page.inner_text("nav.mainnav")
    assert "审核队列" in navigation and "Review queue" not in navigation
    page.select_option("#language", "en")
    page.wait_for_selector("html[lang='en']")
    assert "Review queue" in page.inner_text("nav.mainnav")
    assert page.inner_text("h1") == "Zone at a glance"
    screenshot(page, "dashboard-en")
    assert errors == []
