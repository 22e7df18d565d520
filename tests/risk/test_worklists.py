"""The officials' worklists: what waits for each agency, its age and who has it, the filters, taking and
giving back, releasing low-risk alerts together, and who may do what."""

from datetime import date

import pytest

from declarations.models import InventoryList
from risk.models import Alert, Assignment
from sharing.models import AuditEvent, Membership

from ..factories import UserFactory, official

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_random_inspection")]


def held(world, capture, *numbers):
    return [world.declare_restricted(n, capture) for n in numbers]


def page(client, url="/officials/worklist/"):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_customs_sees_held_lists_with_age_score_and_takes_one(
    client, world, django_capture_on_commit_callbacks
):
    (inventory,) = held(world, django_capture_on_commit_callbacks, 1)
    me, colleague = official("customs", "customs-a"), official("customs", "customs-b")
    client.force_login(me)
    worklist = page(client)
    assert inventory.cop_no in worklist and "<strong>60</strong>" in worklist and "<time" in worklist
    assert "Held lists" in worklist and "Waiting for an inspection result" in worklist
    # take it: it shows as mine; the colleague sees who has it and cannot take it
    post = {"queue": "held", "take": inventory.pk, "next": "/officials/worklist/?queue=held"}
    assert client.post("/officials/worklist/assign/", post).status_code == 302
    assert Assignment.objects.get(agency="customs", inventory=inventory).assignee == me
    assert ">You<" in page(client, "/officials/worklist/?assigned=me")
    assert inventory.cop_no not in page(client, "/officials/worklist/?assigned=unassigned")
    assert AuditEvent.objects.filter(action="worklist.taken").count() == 1
    client.force_login(colleague)
    assert "customs-a" in page(client)
    assert "Taken from the worklist by customs-a." in page(client, f"/officials/alerts/{inventory.alert.pk}/")
    client.post("/officials/worklist/assign/", post)
    assert Assignment.objects.get(agency="customs", inventory=inventory).assignee == me
    # a staff colleague cannot give it back for me; I can
    client.post("/officials/worklist/assign/", {**post, "take": "", "drop": inventory.pk})
    assert Assignment.objects.filter(inventory=inventory).exists()
    client.force_login(me)
    client.post("/officials/worklist/assign/", {**post, "take": "", "drop": inventory.pk})
    assert not Assignment.objects.filter(inventory=inventory).exists()


def test_filters_by_score_and_age_and_an_empty_result_says_so(
    client, world, django_capture_on_commit_callbacks
):
    (inventory,) = held(world, django_capture_on_commit_callbacks, 2)
    client.force_login(official("customs"))
    assert inventory.cop_no in page(client, "/officials/worklist/?min_score=50&max_score=60")
    filtered = page(client, "/officials/worklist/?min_score=61")
    assert inventory.cop_no not in filtered and "matches the filters" in filtered
    assert inventory.cop_no not in page(client, "/officials/worklist/?age=24h")
    # a bad filter value is a field error, not a 500
    assert "Score from" in page(client, "/officials/worklist/?min_score=abc&age=forever")


def test_bulk_release_releases_low_risk_and_refuses_high_risk(
    client, world, django_capture_on_commit_callbacks
):
    low_a, low_b, high = held(world, django_capture_on_commit_callbacks, 3, 4, 5)
    Alert.objects.filter(inventory=high).update(score=95)
    ids = list(Alert.objects.order_by("pk").values_list("pk", flat=True))
    client.force_login(official("customs"))
    # one reason is required: nothing is released without it
    client.post("/officials/alerts/release/", {"alert": ids, "reason": " "})
    assert Alert.objects.filter(status="open").count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/officials/alerts/release/",
            {"alert": ids, "reason": "低风险，已核实"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302
    statuses = dict(InventoryList.objects.values_list("pk", "status"))
    assert statuses[low_a.pk] == statuses[low_b.pk] == "released" and statuses[high.pk] == "held"
    assert Alert.objects.get(inventory=high).status == "open"
    assert AuditEvent.objects.filter(action="alert.release").count() == 2
    shown = page(client, "/officials/worklist/")
    assert f"{high.cop_no} not released" in shown and "95 is over 70" in shown


def test_bulk_release_refuses_an_enterprise_held_by_credit(client, world, django_capture_on_commit_callbacks):
    from credit.models import NegativeListEntry

    (inventory,) = held(world, django_capture_on_commit_callbacks, 6)
    NegativeListEntry.objects.create(
        enterprise=world.seller, reason="test", starts_on=date(2020, 1, 1), ends_on=date(2099, 1, 1)
    )
    client.force_login(official("customs"))
    client.post("/officials/alerts/release/", {"alert": [inventory.alert.pk], "reason": "ok"})
    assert Alert.objects.get(inventory=inventory).status == "open"


def test_bulk_release_and_taking_are_customs_only_and_post_only(
    client, world, django_capture_on_commit_callbacks
):
    (inventory,) = held(world, django_capture_on_commit_callbacks, 7)
    tax = official("tax")
    client.force_login(tax)
    assert (
        client.post("/officials/alerts/release/", {"alert": [inventory.alert.pk], "reason": "x"}).status_code
        == 403
    )
    # a tax official names customs' queue: refused, nothing assigned
    client.post("/officials/worklist/assign/", {"queue": "held", "take": inventory.pk})
    assert not Assignment.objects.exists()
    assert inventory.cop_no not in page(client, "/officials/worklist/?queue=held")
    client.force_login(official("customs"))
    assert client.get("/officials/alerts/release/").status_code == 405
    assert client.get("/officials/worklist/assign/").status_code == 405


@pytest.mark.parametrize("who", ["enterprise", "commerce", "finance"])
def test_who_has_no_worklist(client, world, who):
    if who == "enterprise":
        user = UserFactory()
        Membership.objects.create(user=user, enterprise=world.seller, role="admin")
    else:
        user = official(who)
    client.force_login(user)
    assert client.get("/officials/worklist/").status_code == 403


def test_tax_sees_lists_waiting_for_its_receipt_with_buyers_masked(client, dispatched):
    inventory = InventoryList.objects.order_by("pk").first()
    client.force_login(official("tax"))
    worklist = page(client)
    assert "Waiting for our receipt" in worklist and inventory.cop_no in worklist
    assert inventory.buyer_name not in worklist and inventory.buyer_name[:1] + "*" in worklist
    client.post("/officials/worklist/assign/", {"queue": "receipts", "take": inventory.pk})
    assert Assignment.objects.get(agency="tax").inventory == inventory
    # customs does not see tax's assignment as its own
    client.force_login(official("customs"))
    assert "Held lists" in page(client)


def test_the_inspection_queue_shows_the_drawn_inspector_and_cannot_be_taken(
    client, world, django_capture_on_commit_callbacks
):
    (inventory,) = held(world, django_capture_on_commit_callbacks, 8)
    customs = official("customs")
    client.force_login(customs)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/officials/alerts/{inventory.alert.pk}/", {"outcome": "inspect", "reason": "查验"})
    assert InventoryList.objects.get(pk=inventory.pk).status == "inspection"
    worklist = page(client, "/officials/worklist/?queue=inspection")
    assert inventory.cop_no in worklist and 'name="take"' not in worklist
    client.post("/officials/worklist/assign/", {"queue": "inspection", "take": inventory.pk})
    assert not Assignment.objects.exists()


def test_a_rejection_does_not_say_the_declaration_continues(
    client, world, django_capture_on_commit_callbacks
):
    (inventory,) = held(world, django_capture_on_commit_callbacks, 9)
    client.force_login(official("customs"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/officials/alerts/{inventory.alert.pk}/",
            {"outcome": "reject", "reason": "无许可"},
            HTTP_ACCEPT_LANGUAGE="en",
            follow=True,
        )
    text = response.content.decode()
    assert "continues" not in text and "the list is rejected" in text


def test_the_home_card_counts_the_agencys_queues(client, world, django_capture_on_commit_callbacks):
    held(world, django_capture_on_commit_callbacks, 10)
    client.force_login(official("customs"))
    home = page(client, "/")
    assert 'id="worklist-card"' in home and "arrives with the declaration pipeline" not in home
    assert "Held lists</a>: <strong>1</strong>" in home
