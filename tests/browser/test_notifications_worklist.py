"""In the browser: an enterprise hears that its list is held (in English and Chinese) and marks it read;
customs takes a held list from its worklist and releases it with the low-risk bulk release."""

import pytest

from declarations.models import InventoryList
from risk.models import RiskRule

from ..factories import ClearanceWorld, UserFactory, official
from .conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def held_world(numbers):
    from credit.models import CreditLevel

    CreditLevel.objects.update(inspection_rate=0)
    RiskRule.objects.filter(code="RESTRICTED_GOODS", current=True).update(
        parameters={"prefixes": ["33", "04", "19", "42", "61", "64", "85", "95", "96"]}
    )
    world = ClearanceWorld()
    for number in numbers:
        docs = world.declaration(number, lines=1)
        for kind in ("order", "payment", "waybill", "inventory"):
            assert world.post(kind, docs[kind]).status_code == 201
    assert set(InventoryList.objects.values_list("status", flat=True)) == {"held"}
    return world


def test_enterprise_sees_a_notification_for_a_held_list(page, browser):
    from sharing.models import Membership, NotificationPreference

    world = held_world([31])
    inventory = InventoryList.objects.get()
    user = UserFactory(username="seller-notified")
    Membership.objects.create(user=user, enterprise=world.seller, role="admin")
    log_in(page, "seller-notified")
    page.goto(f"{page.base_url}/")
    assert page.inner_text(".unread-count").startswith("1")
    page.get_by_role("link", name="Notifications").click()
    page.wait_for_url("**/notifications/")
    item = page.locator("#notifications li").first
    assert f"List {inventory.cop_no} is held for review by customs" in item.inner_text()
    assert "an official reviews it" in item.inner_text()
    screenshot(page, "notifications")
    # the same notification in Chinese, for a reader whose browser asks for it
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    chinese = context.new_page()
    chinese.set_default_timeout(15000)
    chinese.base_url = page.base_url
    log_in(chinese, "seller-notified")
    chinese.goto(f"{page.base_url}/notifications/")
    assert f"清单 {inventory.cop_no} 被海关挂起人工审核" in chinese.inner_text("#notifications")
    screenshot(chinese, "notifications-390")
    context.close()
    # marking it read clears the header's count
    page.get_by_role("button", name="Mark read").click()
    page.wait_for_url("**/notifications/")
    assert page.locator(".unread-count").count() == 0
    # and asks for a daily digest by email on the account page
    page.get_by_role("link", name="Email preferences").click()
    page.get_by_label("A daily digest").check()
    page.locator("#notifications").get_by_role("button", name="Save").click()
    page.wait_for_url("**/accounts/**")
    assert "Your email preference is saved." in page.inner_text(".messages")
    assert NotificationPreference.objects.get(user=user).email == "daily"
    screenshot(page, "account-notifications")


def test_customs_takes_and_bulk_releases_from_the_worklist(page):
    held_world([32, 33])
    official("customs", username="customs-worklist")
    log_in(page, "customs-worklist")
    page.get_by_role("link", name="Worklist").first.click()
    page.wait_for_url("**/officials/worklist/")
    rows = page.locator("#worklist tbody tr")
    assert rows.count() == 2
    rows.first.get_by_role("button", name="Take").click()
    page.wait_for_url("**/officials/worklist/**")
    assert "You" in page.locator("#worklist tbody tr").first.inner_text()
    screenshot(page, "worklist")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "worklist-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    for row in page.locator("#worklist tbody input[type=checkbox]").all():
        row.check()
    page.get_by_label("Reason for releasing the selected lists").fill("低风险，已核实")
    page.get_by_role("button", name="Release the selected lists").click()
    page.wait_for_url("**/officials/worklist/**")
    assert "2 lists released to the agencies" in page.inner_text(".messages")
    assert set(InventoryList.objects.values_list("status", flat=True)) == {"released"}
    assert "Nothing waits in this queue." in page.inner_text("main")
