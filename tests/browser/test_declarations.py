"""In the browser: an enterprise files a list and sees it released; an official works the review queue."""

import pytest

from declarations.models import InventoryList
from risk.models import Alert, RiskRule

from ..factories import ClearanceWorld, UserFactory, official
from .conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def test_enterprise_files_a_list_and_sees_it_released(page):
    from credit.models import CreditLevel
    from sharing.models import Membership

    CreditLevel.objects.update(inspection_rate=0)
    world = ClearanceWorld()
    docs = world.declaration(1, lines=1)
    for kind in ("order", "payment", "waybill"):
        assert world.post(kind, docs[kind]).status_code == 201
    user = UserFactory(username="seller-clerk")
    Membership.objects.create(user=user, enterprise=world.seller, role="admin")
    log_in(page, "seller-clerk")
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
    page.wait_for_url("**/declarations/inventories/*/")
    assert page.inner_text("#inventory-status") == "Released"
    assert "800" in page.inner_text("#agency-timeline")
    screenshot(page, "inventory-released")
    assert InventoryList.objects.get().status == "released"


def test_official_works_the_review_queue(page):
    from credit.models import CreditLevel

    CreditLevel.objects.update(inspection_rate=0)
    RiskRule.objects.filter(code="RESTRICTED_GOODS", current=True).update(
        parameters={"prefixes": ["33", "04", "19", "42", "61", "64", "85", "95", "96"]}
    )
    world = ClearanceWorld()
    docs = world.declaration(2, lines=1)
    for kind in ("order", "payment", "waybill", "inventory"):
        assert world.post(kind, docs[kind]).status_code == 201
    inventory = InventoryList.objects.get()
    assert inventory.status == "held"
    official("customs", username="customs-reviewer")
    log_in(page, "customs-reviewer")
    page.click("nav >> text=Review queue")
    screenshot(page, "review-queue")
    page.click(f"text={inventory.cop_no}")
    assert "watch list" in page.inner_text("#rule-hits")
    page.select_option("#id_outcome", "release")
    page.fill("#id_reason", "已核实")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/officials/alerts/")
    assert Alert.objects.get().outcome == "release"
    inventory.refresh_from_db()
    assert inventory.status == "released"
