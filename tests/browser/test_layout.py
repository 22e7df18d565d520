"""The layout on a phone and on a desktop: a menu that folds behind a button, tables that scroll in
their own box, a skip link, one row of menu at 1280 px; axe-core finds nothing critical or serious.
Screenshots of the pages at both widths land in docs/screenshots/."""

import pytest

from declarations.models import InventoryList

from ..factories import ClearanceWorld, UserFactory, official
from .conftest import axe_check, log_in, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def released(page) -> InventoryList:
    from credit.models import CreditLevel
    from sharing.models import Membership

    CreditLevel.objects.update(inspection_rate=0)
    world = ClearanceWorld()
    docs = world.declaration(1, lines=2)
    for kind in ("order", "payment", "waybill", "inventory"):
        assert world.post(kind, docs[kind]).status_code == 201
    clerk = UserFactory(username="seller-clerk")
    Membership.objects.create(user=clerk, enterprise=world.seller, role="admin")
    return InventoryList.objects.get()


def page_scrolls_sideways(page) -> list[str]:
    """The elements that stick out of the window on the right (none when the page fits)."""
    return page.evaluate(
        """() => document.documentElement.scrollWidth <= window.innerWidth + 1 ? [] :
        [...document.querySelectorAll("body *")]
          .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                       && !e.closest(".table-scroll, .mainnav"))
          .slice(0, 5).map(e => e.tagName + "." + e.className)"""
    )


def test_phone_menu_folds_and_tables_scroll_in_their_box(page, released):
    log_in(page, "seller-clerk")
    page.set_viewport_size(PHONE)
    page.goto(f"{page.base_url}/declarations/")
    toggle = page.get_by_role("button", name="Menu")
    nav = page.locator("nav.mainnav")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()
    assert page.locator("header.topbar").bounding_box()["height"] < 160
    assert not page_scrolls_sideways(page)  # the list's table scrolls inside its own box
    assert page.locator("main .table-scroll table").count() >= 1
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and nav.is_visible()
    axe_check(page)  # the opened menu, too
    page.get_by_role("link", name="Documents").click()
    page.wait_for_load_state()
    page.get_by_role("link", name=released.cop_no).click()
    page.wait_for_url("**/declarations/inventories/*/")
    assert not page_scrolls_sideways(page)
    assert page.get_by_role("link", name="Release notice (PDF)").is_visible()


def test_keyboard_skips_to_the_content(page, released):
    log_in(page, "seller-clerk")
    page.goto(f"{page.base_url}/declarations/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    assert skip.evaluate("e => e === document.activeElement") and skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_menu_is_one_row_at_1280_px(page):
    official("customs", username="customs-officer")
    log_in(page, "customs-officer")
    page.goto(f"{page.base_url}/officials/alerts/")
    links = page.locator("nav.mainnav a")
    tops = {round(box["y"]) for box in (links.nth(i).bounding_box() for i in range(links.count()))}
    assert len(tops) == 1, "the menu wraps"
    assert not page.get_by_role("button", name="Menu").is_visible()


def test_chinese_phone_layout(page, released):
    page.context.clear_cookies()
    log_in(page, "seller-clerk")
    page.goto(f"{page.base_url}/declarations/")
    page.select_option("#language", "zh-hans")
    page.wait_for_function("document.documentElement.lang.startsWith('zh')")  # the page came back in Chinese
    page.set_viewport_size(PHONE)
    assert page.get_by_role("button", name="菜单").is_visible()
    page.get_by_role("link", name="跳到正文").focus()
    assert not page_scrolls_sideways(page)


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("home", "/"),
        ("declarations", "/declarations/"),
        ("inventory-detail", "/declarations/inventories/{pk}/"),
        ("tax-summary", "/finance/tax-summary/"),
        ("api-keys", "/enterprise/api-keys/"),
        ("not-allowed-405", "/enterprise/api-keys/any/revoke/"),
        ("zones", "/zones/"),
        ("track", "/track/"),
    ],
)
def test_screenshots_of_the_pages_at_both_widths(page, released, name, path):
    log_in(page, "seller-clerk")
    page.goto(page.base_url + path.format(pk=released.pk))
    assert page.locator("main h1").count() == 1
    assert not page_scrolls_sideways(page)
    screenshot(page, f"layout-{name}", mobile=True)


def test_axe_reports_what_it_finds(page):
    """The check itself: an input without a label is a critical violation it reports."""
    page.goto(f"{page.base_url}/zones/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')")
    found = axe_check(page)
    assert any("critical label" in violation for violation in found)
    page.axe_violations.clear()  # seen: the test is about the check, not the page


def test_an_official_previews_a_rule_by_its_form(page):
    official("customs", username="customs-rules")
    log_in(page, "customs-rules")
    page.goto(f"{page.base_url}/officials/risk-rules/")
    rule = page.locator("#rule-SPLIT_ORDERS")
    rule.get_by_label("Window (hours)").fill("200000")
    rule.get_by_role("button", name="Preview").click()
    problem = rule.locator("[aria-live] .notice")
    problem.wait_for()
    assert "Window (hours)" in problem.inner_text()
    assert page.locator("header.topbar").count() == 1  # not a second copy of the portal
    axe_check(page)
    rule.get_by_label("Window (hours)").fill("24")
    rule.get_by_role("button", name="Preview").click()
    rule.get_by_text("lists of the last 7 days would be hit").wait_for()
    screenshot(page, "layout-risk-rules", mobile=True)


def test_the_seller_downloads_the_release_notice(page, released):
    log_in(page, "seller-clerk")
    page.goto(f"{page.base_url}/declarations/inventories/{released.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Release notice (PDF)").click()
    path = download.value.path()
    assert download.value.suggested_filename == f"release-notice-{released.invt_no}.pdf"
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
