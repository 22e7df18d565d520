"""Risk and credit in the pipeline: holds, the review queue, the double-random draw, rule versions."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from credit.models import CreditEvent, CreditLevel
from declarations.models import AgencyDecision, InventoryList
from finance.models import BuyerQuota
from risk.models import Alert, RiskAssessment, RiskRule
from risk.services import draw_value, replay

from ..factories import official

pytestmark = pytest.mark.django_db


@pytest.fixture
def customs():
    user = official("customs", username="customs-reviewer")
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_held_list_released_by_an_official_goes_through_the_agencies(
    world, customs, django_capture_on_commit_callbacks
):
    inventory = world.declare_restricted(1, django_capture_on_commit_callbacks)
    assert inventory.status == "held" and inventory.status_reason == "RISK-RESTRICTED_GOODS"
    alert = Alert.objects.get(inventory=inventory)
    row = customs.get(f"/api/v1/alerts/{alert.pk}/").json()
    assert row["assessment"]["hits"][0]["rule"] == "RESTRICTED_GOODS"
    assert (
        "watch list" in row["assessment"]["hits"][0]["evidence"]
        and row["assessment"]["hits"][0]["version"] == 1
    )
    # the enterprise sees a reason code, not the rules
    seller_view = world.client("seller").get(f"/api/v1/inventories/{inventory.pk}/").json()
    assert seller_view["status_reason"] == "RISK-RESTRICTED_GOODS" and "watch list" not in str(seller_view)
    with django_capture_on_commit_callbacks(execute=True):
        answer = customs.post(f"/api/v1/alerts/{alert.pk}/release/", {"reason": "药品已获进口许可"})
    assert answer.status_code == 200 and answer.json()["outcome"] == "release"
    inventory.refresh_from_db()
    # released by the official, the list went through the four agencies
    assert inventory.status == "released", inventory.status_reason
    assert AgencyDecision.objects.filter(inventory=inventory, agency="forex").exists()


def test_rejected_by_an_official_returns_the_quota_and_costs_credit(
    world, customs, django_capture_on_commit_callbacks
):
    inventory = world.declare_restricted(2, django_capture_on_commit_callbacks)
    alert = Alert.objects.get(inventory=inventory)
    assert customs.post(f"/api/v1/alerts/{alert.pk}/reject/", {}).status_code == 400  # a reason is required
    with django_capture_on_commit_callbacks(execute=True):
        customs.post(f"/api/v1/alerts/{alert.pk}/reject/", {"reason": "无进口许可"})
    inventory.refresh_from_db()
    assert inventory.status == "rejected" and "无进口许可" in inventory.status_reason
    assert BuyerQuota.objects.get(buyer_id_number=inventory.buyer_id_number).reserved == 0
    assert CreditEvent.objects.filter(enterprise=world.seller, kind="rejected").count() == 1
    assert Alert.objects.get(pk=alert.pk).decided_by is not None


def test_sent_to_inspection_by_an_official(world, customs, django_capture_on_commit_callbacks):
    inventory = world.declare_restricted(3, django_capture_on_commit_callbacks)
    alert = Alert.objects.get(inventory=inventory)
    with django_capture_on_commit_callbacks(execute=True):
        customs.post(f"/api/v1/alerts/{alert.pk}/inspect/", {"reason": "查验药品"})
    inventory.refresh_from_db()
    assert inventory.status == "inspection"


def test_only_customs_officials_work_alerts_and_rules(world, django_capture_on_commit_callbacks):
    inventory = world.declare_restricted(4, django_capture_on_commit_callbacks)
    alert = Alert.objects.get(inventory=inventory)
    seller = world.client("seller")
    assert seller.get("/api/v1/alerts/").status_code == 403
    assert seller.get(f"/api/v1/alerts/{alert.pk}/").status_code == 403
    assert seller.get("/api/v1/risk-rules/").status_code == 403
    tax = APIClient()
    tax.force_authenticate(official("tax"))
    assert tax.post(f"/api/v1/alerts/{alert.pk}/release/", {}).status_code == 403
    assert Alert.objects.get(pk=alert.pk).status == "open"


def test_negative_list_holds_new_declarations(world, django_capture_on_commit_callbacks):
    from credit.services import negative_list_add
    from sharing.principal import principal_for_user

    negative_list_add(
        enterprise=world.seller,
        reason="虚假申报",
        ends_on=date.today() + timedelta(days=90),
        by=principal_for_user(official("commerce")),
    )
    docs = world.declaration(5)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "held"
    hits = {h["rule"] for h in RiskAssessment.objects.get(inventory=inventory).hits}
    assert "NEGATIVE_LIST" in hits
    public = APIClient().get("/api/v1/negative-list/").json()
    assert public["results"][0]["reason"] == "虚假申报" and "score" not in public["results"][0]


def test_inspection_draw_follows_the_credit_rate_and_replays(world, django_capture_on_commit_callbacks):
    CreditLevel.objects.filter(code="regular").update(inspection_rate=Decimal("0.5"))
    official("customs", username="inspector-a")
    official("customs", username="inspector-b")
    docs = [world.declaration(n) for n in range(10, 30)]
    with django_capture_on_commit_callbacks(execute=True):
        for kind in ("order", "payment", "waybill", "inventory"):
            world.post(kind, [d[kind] for d in docs])
    assessments = list(RiskAssessment.objects.all())
    selected = [a for a in assessments if a.selected_for_inspection]
    assert 0 < len(selected) < 20  # about half at a 50% rate
    for assessment in assessments:
        value, chosen, inspector = replay(assessment)
        assert value == assessment.draw_value and chosen == assessment.selected_for_inspection
        assert inspector == assessment.inspector_id
        assert draw_value(assessment.draw_seed, assessment.inventory_id) == assessment.draw_value
    assert {i.status for i in InventoryList.objects.filter(pk__in=[a.inventory_id for a in selected])} == {
        "inspection"
    }
    assert all(a.inspector_id is not None for a in selected)


def test_declared_conflict_redraws_the_inspector(world, django_capture_on_commit_callbacks):
    from risk.services import declare_conflict
    from sharing.principal import principal_for_user

    CreditLevel.objects.filter(code="regular").update(inspection_rate=1)
    users = [official("customs", username=f"inspector-{n}") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(world.declaration(40))
    assessment = RiskAssessment.objects.get()
    first = assessment.inspector
    declared = declare_conflict(assessment=assessment, by=principal_for_user(first))
    assert declared.inspector_id not in (None, first.pk) and declared.inspector_conflicts == [first.pk]
    assert replay(declared)[2] == declared.inspector_id  # the re-draw replays too
    assert {u.pk for u in users} >= {declared.inspector_id}


def test_rule_change_makes_a_new_version_and_preview_counts(world, django_capture_on_commit_callbacks):
    admin = official("customs", username="customs-admin")
    admin.membership.role = "admin"
    admin.membership.save()
    client = APIClient()
    client.force_authenticate(admin)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(world.declaration(50, lines=1))
    preview = client.post(
        "/api/v1/risk-rules/UNDERVALUED/preview/", {"parameters": {"ratio": "5"}}, format="json"
    ).json()
    assert preview["hits"] == 1 and preview["examined"] == 1 and preview["sample"][0]["evidence"]
    assert client.post("/api/v1/risk-rules/UNDERVALUED/preview/", {}, format="json").json()["hits"] == 0
    changed = client.post("/api/v1/risk-rules/UNDERVALUED/change/", {"weight": 70}, format="json")
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert RiskRule.objects.filter(code="UNDERVALUED").count() == 2
    assert RiskRule.objects.get(code="UNDERVALUED", current=True).weight == 70
    # a customs officer without the admin role may read but not change
    reader = APIClient()
    reader.force_authenticate(official("customs", username="customs-staff"))
    assert reader.get("/api/v1/risk-rules/").status_code == 200
    assert (
        reader.post("/api/v1/risk-rules/UNDERVALUED/change/", {"weight": 1}, format="json").status_code == 403
    )


@pytest.mark.parametrize(
    ("code", "parameters", "field"),
    [
        ("SPLIT_ORDERS", {"lower": "x"}, "parameters.lower"),
        ("SPLIT_ORDERS", {"min_lists": "many"}, "parameters.min_lists"),
        ("SPLIT_ORDERS", {"nonsense": 1}, "parameters"),
        ("RESTRICTED_GOODS", {"prefixes": "2402"}, "parameters.prefixes"),
        ("UNDERVALUED", {"ratio": "NaN"}, "parameters.ratio"),
    ],
)
def test_bad_rule_parameters_are_400_and_never_saved(world, code, parameters, field):
    admin = official("customs", username="param-admin")
    admin.membership.role = "admin"
    admin.membership.save()
    client = APIClient()
    client.force_authenticate(admin)
    for action in ("preview", "change"):
        answer = client.post(
            f"/api/v1/risk-rules/{code}/{action}/", {"parameters": parameters}, format="json"
        )
        assert answer.status_code == 400 and field in answer.json()["fields"]
    assert RiskRule.objects.filter(code=code).count() == 1
    assert client.get("/api/v1/risk-rules/NOPE/").status_code == 404
