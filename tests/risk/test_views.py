"""The officials' pages (review queue, alerts, rules with preview, credit) and the public credit page."""

import pytest

from credit.models import CreditEvent, NegativeListEntry
from declarations.models import InventoryList
from risk.models import Alert, RiskRule

from ..factories import official

pytestmark = pytest.mark.django_db


def test_official_works_the_queue_in_the_browser(client, world, django_capture_on_commit_callbacks):
    inventory = world.declare_restricted(1, django_capture_on_commit_callbacks)
    alert = Alert.objects.get()
    client.force_login(official("customs"))
    queue = client.get("/officials/alerts/?sort=-score").content.decode()
    assert inventory.cop_no in queue and "RESTRICTED_GOODS" in queue
    detail = client.get(f"/officials/alerts/{alert.pk}/").content.decode()
    assert "watch list" in detail and 'id="rule-hits"' in detail
    page = client.post(
        f"/officials/alerts/{alert.pk}/", {"outcome": "reject", "reason": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200 and 'data-field="reason"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/officials/alerts/{alert.pk}/", {"outcome": "release", "reason": "已核实"})
    assert done.status_code == 302
    assert InventoryList.objects.get().status == "released"


def test_enterprises_and_other_agencies_cannot_open_the_queue(client, world):
    from sharing.models import Membership

    from ..factories import UserFactory

    user = UserFactory()
    Membership.objects.create(user=user, enterprise=world.seller, role="admin")
    client.force_login(user)
    assert client.get("/officials/alerts/").status_code == 403
    assert client.get("/officials/risk-rules/").status_code == 403
    client.force_login(official("forex"))
    assert client.get("/officials/alerts/").status_code == 403


def test_rules_page_previews_and_saves(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(world.declaration(2, lines=1))
    admin = official("customs", username="rules-admin")
    admin.membership.role = "admin"
    admin.membership.save()
    client.force_login(admin)
    assert "UNDERVALUED" in client.get("/officials/risk-rules/").content.decode()
    data = {
        "UNDERVALUED-weight": "45",
        "UNDERVALUED-enabled": "on",
        "UNDERVALUED-ratio": "5",
    }
    preview = client.post(
        "/officials/risk-rules/UNDERVALUED/",
        {**data, "action": "preview"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "1 of 1 lists" in preview
    assert RiskRule.objects.filter(code="UNDERVALUED").count() == 1  # a preview saves nothing
    client.post("/officials/risk-rules/UNDERVALUED/", {**data, "action": "save"})
    assert RiskRule.objects.get(code="UNDERVALUED", current=True).version == 2


def test_credit_pages(client, world):
    client.force_login(official("customs", username="credit-page"))
    url = f"/officials/credit/{world.seller.pk}/"
    client.post(
        url, {"form": "adjust", "adjust-kind": "penalty", "adjust-points": "-5", "adjust-reason": "迟报"}
    )
    client.post(url, {"form": "negative", "negative-reason": "虚假贸易", "negative-ends_on": "2099-01-01"})
    assert CreditEvent.objects.filter(enterprise=world.seller, kind="penalty").exists()
    assert NegativeListEntry.objects.filter(enterprise=world.seller).exists()
    page = client.get(url).content.decode()
    assert "迟报" in page and "虚假贸易" in page
    client.logout()
    public = client.get("/credit/").content.decode()
    assert world.seller.name_zh in public and "虚假贸易" in public
    assert "迟报" not in public and world.seller.uscc not in public  # no private data


def test_rule_parameters_are_a_form_whose_errors_name_the_field(client):
    client.force_login(official("customs", username="rules-preview"))
    page = client.get("/officials/risk-rules/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="SPLIT_ORDERS-window_hours"' in page and "Window (hours)" in page
    assert 'name="RESTRICTED_GOODS-prefixes"' in page and "2402, 2403" in page
    assert "Parameters (JSON)" not in page
    wrong = {"SPLIT_ORDERS-weight": "60", "SPLIT_ORDERS-window_hours": "a day", "action": "preview"}
    wrong |= {"SPLIT_ORDERS-lower": "0", "SPLIT_ORDERS-limit": "5000", "SPLIT_ORDERS-min_lists": "2"}
    fragment = client.post(
        "/officials/risk-rules/SPLIT_ORDERS/", wrong, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en"
    )
    html = fragment.content.decode()
    # htmx swaps only a 200: the official sees which field is wrong, not a copy of the whole portal
    assert fragment.status_code == 200 and "Window (hours)" in html and 'class="topbar"' not in html
    prefixes = {
        "RESTRICTED_GOODS-weight": "60",
        "RESTRICTED_GOODS-prefixes": "2402, 30x",
        "action": "preview",
    }
    page = client.post("/officials/risk-rules/RESTRICTED_GOODS/", prefixes, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400 and 'data-field="prefixes"' in page.content.decode()
    assert "30x is not an HS code prefix" in page.content.decode()
