"""The screenshots in docs/screenshots/tour-*: every page a person works in (filing forms, the
Documents area and its search, receipts, exports, notifications, worklists, dashboards, API keys, the
printed views), as each role sees it, in Chinese and in English, at 1280 and 390 px wide.

Run on purpose, not in every test run (it takes a few minutes and rewrites the PNGs):

    SCREENSHOTS=1 pytest tests/browser/test_screenshots.py -p no:cacheprovider

Each page must answer 200 with one heading, and pass axe-core like every page the browser tests visit.
"""

import os

import pytest

from declarations.choices import InventoryStatus
from declarations.models import InventoryList
from risk.models import Alert, RiskRule

from ..factories import ClearanceWorld, UserFactory, official
from .conftest import LANGUAGES, log_in, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="screenshots are taken with SCREENSHOTS=1"),
]


def clearance_of_every_kind() -> tuple[ClearanceWorld, dict[str, InventoryList]]:
    """A released list, a held one and one under inspection, filed through the API as partners do."""
    from credit.models import CreditLevel

    world = ClearanceWorld()
    restricted = RiskRule.objects.filter(code="RESTRICTED_GOODS", current=True)
    lists = {}
    for number, name, rate, prefixes in (
        (1, "released", 0, ["0000"]),
        (2, "held", 0, ["33", "04", "19", "42", "61", "64", "85", "95", "96"]),
        (3, "inspection", 1, ["0000"]),
    ):
        CreditLevel.objects.update(inspection_rate=rate)
        restricted.update(parameters={"prefixes": prefixes})
        docs = world.declaration(number, lines=2)
        for kind in ("order", "payment", "waybill", "inventory"):
            assert world.post(kind, docs[kind]).status_code == 201
        lists[name] = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
        assert lists[name].status == name, (name, lists[name].status)
    return world, lists


def admin_of(enterprise, username: str) -> str:
    from sharing.models import Membership

    Membership.objects.create(user=UserFactory(username=username), enterprise=enterprise, role="admin")
    return username


@pytest.mark.parametrize("lang", LANGUAGES)
def test_screenshots_of_every_page_a_role_works_in(walker, lang):
    from parks.models import Park

    page = walker
    # the official drawn for the inspection exists before the draw
    customs = official("customs", username="customs-tour").username
    world, lists = clearance_of_every_kind()
    released, held, inspected = lists["released"], lists["held"], lists["inspection"]
    assert inspected.status == InventoryStatus.INSPECTION
    alert = Alert.objects.get(inventory=held)
    park = Park.objects.order_by("pk").first()
    seller = admin_of(world.seller, "seller-tour")
    tour: dict[str, list[tuple[str, str]]] = {
        seller: [
            ("home-enterprise", "/"),
            ("dashboard-enterprise", "/dashboard/enterprise/"),
            ("inventory-lists", "/declarations/"),
            ("inventory-lists-search", f"/declarations/?number={released.cop_no[-4:]}&status=released"),
            ("inventory-lists-search-empty", "/declarations/?number=NO-SUCH-NUMBER"),
            ("orders", "/documents/orders/"),
            ("returns", "/documents/returns/"),
            ("receipts", "/declarations/receipts/"),
            ("inventory-released", f"/declarations/inventories/{released.pk}/"),
            ("inventory-held", f"/declarations/inventories/{held.pk}/"),
            ("form-inventory", "/declarations/new/inventory/"),
            ("form-export-order", "/declarations/new/export-order/"),
            ("form-export-inventory", "/declarations/new/export-inventory/"),
            ("form-refused-waybill", "/declarations/new/waybill/"),
            ("upload", "/declarations/upload/"),
            ("exports", "/exports/"),
            ("export-summaries", "/exports/summaries/"),
            ("notifications-enterprise", "/notifications/"),
            ("account", "/accounts/"),
            ("api-keys", "/enterprise/api-keys/"),
            ("tax-summary", "/finance/tax-summary/"),
        ],
        admin_of(world.payment, "payment-tour"): [
            ("payments", "/documents/payments/"),
            ("form-payment", "/declarations/new/payment/"),
            ("form-receipt-of-payment", "/declarations/new/receipt-of-payment/"),
        ],
        admin_of(world.logistics, "logistics-tour"): [
            ("waybills", "/documents/waybills/"),
            ("form-waybill", "/declarations/new/waybill/"),
            ("form-export-waybill", "/declarations/new/export-waybill/"),
        ],
        admin_of(world.platform, "platform-tour"): [
            ("form-order", "/declarations/new/order/"),
        ],
        customs: [
            ("dashboard-zone", "/dashboard/"),
            ("dashboard-agency-customs", "/dashboard/agency/"),
            ("worklist-customs-held", "/officials/worklist/?queue=held"),
            ("worklist-customs-inspection", "/officials/worklist/?queue=inspection"),
            ("review-queue", "/officials/alerts/"),
            ("alert", f"/officials/alerts/{alert.pk}/"),
            ("inventory-inspection", f"/declarations/inventories/{inspected.pk}/"),
            ("agency-receipts", "/officials/receipts/"),
            ("risk-rules", "/officials/risk-rules/"),
            ("notifications-customs", "/notifications/"),
            ("dashboard-park", f"/parks/{park.slug}/dashboard/"),
            ("documents-official", "/declarations/"),
        ],
        official("tax", username="tax-tour").username: [
            ("worklist-tax", "/officials/worklist/"),
            ("dashboard-agency-tax", "/dashboard/agency/"),
        ],
        official("inspection", username="inspection-tour").username: [
            ("worklist-inspection", "/officials/worklist/"),
        ],
        official("forex", username="forex-tour").username: [
            ("worklist-forex", "/officials/worklist/"),
        ],
    }
    refused = {"form-refused-waybill": 403}
    page.emulate_media(reduced_motion="reduce")  # the charts are drawn at once
    for username, pages in tour.items():
        page.context.clear_cookies()
        log_in(page, username)
        for name, path in pages:
            answer = page.goto(page.base_url + path)
            assert answer.status == refused.get(name, 200), (name, answer.status)
            page.wait_for_load_state("networkidle")
            assert page.locator("main h1").count() == 1, name
            screenshot(page, f"tour-{name}-{lang}", mobile=True, palette=True)

    # the printed views: a list's page and the monthly tax summary as the print stylesheet lays them out
    page.context.clear_cookies()
    log_in(page, seller)
    page.emulate_media(media="print")
    for name, path in (
        ("print-inventory", f"/declarations/inventories/{released.pk}/"),
        ("print-tax-summary", "/finance/tax-summary/"),
    ):
        page.goto(page.base_url + path)
        assert page.get_by_role("navigation").first.is_hidden(), name  # the menus are not printed
        screenshot(page, f"tour-{name}-{lang}", palette=True)
    page.emulate_media(media="screen")
