"""Credit's services and selectors through their public functions: the pipeline's events move the score
once per source document, officials' penalties, commendations and level decisions, the negative list,
and each enterprise's standing (its defaults without a profile, its level in the regime in force)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from credit import services
from credit.models import CreditEvent, CreditProfile, NegativeListEntry
from credit.selectors import (
    START_SCORE,
    credit_history,
    levels_for,
    on_negative_list,
    public_disclosure,
    regime_in_force,
    standings_for,
)
from sharing.models import AuditEvent
from sharing.principal import principal_for_user

from ..factories import EnterpriseFactory, official

pytestmark = pytest.mark.django_db


@pytest.fixture
def customs(db):
    return principal_for_user(official("customs"))


def score(enterprise) -> Decimal:
    return CreditProfile.objects.get(enterprise=enterprise).score


def pipeline_event(enterprise, kind: str, source_id: int) -> services.PipelineEvent:
    return services.PipelineEvent(
        enterprise_id=enterprise.pk,
        kind=kind,
        reason=f"{kind}: COP{source_id}",
        source_kind="inventory",
        source_id=source_id,
    )


def test_pipeline_events_move_the_score_once_per_source(enterprise, other_enterprise):
    recorded = services.events_record(
        [
            pipeline_event(enterprise, CreditEvent.Kind.RELEASED, 1),
            pipeline_event(enterprise, CreditEvent.Kind.RELEASED, 1),  # twice in one batch
            pipeline_event(enterprise, CreditEvent.Kind.MISMATCH, 2),
            pipeline_event(other_enterprise, CreditEvent.Kind.INSPECTION_FAILED, 3),
        ]
    )
    assert recorded == 3
    # the profiles are made at the starting score, then moved by the points of each kind
    assert score(enterprise) == START_SCORE + Decimal("0.05") - Decimal("0.5")
    assert score(other_enterprise) == START_SCORE - 5
    rows = set(CreditEvent.objects.values_list("enterprise_id", "kind", "points", "source_id"))
    assert rows == {
        (enterprise.pk, "released", Decimal("0.05"), 1),
        (enterprise.pk, "mismatch", Decimal("-0.5"), 2),
        (other_enterprise.pk, "inspection_failed", Decimal("-5"), 3),
    }
    # a re-delivered task records nothing again and leaves the scores
    again = services.events_record([pipeline_event(enterprise, CreditEvent.Kind.RELEASED, 1)])
    assert again == 0 and CreditEvent.objects.count() == 3
    assert score(enterprise) == START_SCORE - Decimal("0.45")
    assert services.events_record([]) == 0


def test_the_score_stays_between_0_and_200(enterprise, other_enterprise):
    CreditProfile.objects.create(enterprise=enterprise, score=Decimal("0.5"))
    CreditProfile.objects.create(enterprise=other_enterprise, score=Decimal("199.99"))
    services.events_record(
        [
            pipeline_event(enterprise, CreditEvent.Kind.REJECTED, 1),
            pipeline_event(other_enterprise, CreditEvent.Kind.RELEASED, 2),
        ]
    )
    assert score(enterprise) == 0
    assert score(other_enterprise) == 200


def test_a_released_list_earns_its_seller_a_released_event(
    world, no_random_inspection, django_capture_on_commit_callbacks
):
    inventory = world.clear(world.declaration(1), django_capture_on_commit_callbacks)
    assert inventory.status == "released", inventory.status_reason
    event = credit_history(world.seller.pk).get()
    assert (event.kind, event.points, event.source_kind, event.source_id) == (
        "released",
        Decimal("0.05"),
        "inventory",
        inventory.pk,
    )
    assert score(world.seller) == START_SCORE + Decimal("0.05")


def test_an_official_penalizes_and_commends_with_a_reason(enterprise, customs):
    penalty = services.credit_adjust(
        enterprise=enterprise, kind="penalty", points=Decimal("-30"), reason=" 虚假申报 ", by=customs
    )
    assert (penalty.points, penalty.reason, penalty.official) == (Decimal("-30"), "虚假申报", customs.user)
    assert score(enterprise) == START_SCORE - 30
    services.credit_adjust(
        enterprise=enterprise, kind="commendation", points=Decimal("10"), reason="配合查验", by=customs
    )
    assert score(enterprise) == START_SCORE - 20
    assert [e.kind for e in credit_history(enterprise.pk)] == ["commendation", "penalty"]
    audit = AuditEvent.objects.filter(object_id=str(enterprise.pk), action__startswith="credit.")
    assert sorted(audit.values_list("action", flat=True)) == ["credit.commendation", "credit.penalty"]
    assert audit.get(action="credit.penalty").detail == {"points": "-30", "reason": " 虚假申报 "}


@pytest.mark.parametrize(
    ("kind", "points", "reason", "field"),
    [
        ("released", "-1", "x", "kind"),  # the pipeline's kinds are not an official's
        ("penalty", "-1", "  ", "reason"),
        ("penalty", "5", "x", "points"),  # a penalty takes negative points
        ("commendation", "-5", "x", "points"),
        ("penalty", "-101", "x", "points"),  # at most 100
    ],
)
def test_an_adjustment_out_of_the_rules_is_refused_and_changes_nothing(
    enterprise, customs, kind, points, reason, field
):
    with pytest.raises(ValidationError) as refused:
        services.credit_adjust(
            enterprise=enterprise, kind=kind, points=Decimal(points), reason=reason, by=customs
        )
    assert field in refused.value.message_dict
    assert not CreditEvent.objects.exists() and not CreditProfile.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="credit.").exists()


def test_only_officials_decide_credit(enterprise, enterprise_admin, commerce):
    member = principal_for_user(enterprise_admin)
    assert not services.may_decide_credit(member)
    assert services.may_decide_credit(commerce)
    assert services.may_decide_credit(principal_for_user(official("customs")))
    assert not services.may_decide_credit(principal_for_user(official("tax")))
    with pytest.raises(PermissionError):
        services.credit_adjust(
            enterprise=enterprise, kind="commendation", points=Decimal(1), reason="x", by=member
        )
    with pytest.raises(PermissionError):
        services.credit_level_decide(enterprise=enterprise, level_code="dishonest", reason="x", by=member)
    with pytest.raises(PermissionError):
        services.negative_list_add(enterprise=enterprise, reason="x", ends_on=timezone.localdate(), by=member)
    assert not CreditEvent.objects.exists() and not NegativeListEntry.objects.exists()


def test_a_decided_level_wins_over_the_score_until_it_is_taken_back(enterprise, customs):
    today = timezone.localdate()
    assert levels_for([enterprise.pk], on=today)[enterprise.pk].code == "regular"  # the starting score
    profile = services.credit_level_decide(
        enterprise=enterprise, level_code="advanced_certified", reason="AEO 认证", by=customs
    )
    assert (profile.decided_level, profile.decided_reason, profile.decided_by) == (
        "advanced_certified",
        "AEO 认证",
        customs.user,
    )
    assert profile.score == START_SCORE and profile.decided_at is not None
    assert levels_for([enterprise.pk], on=today)[enterprise.pk].code == "advanced_certified"
    # a penalty moves the score, not the decided level
    services.credit_adjust(enterprise=enterprise, kind="penalty", points=Decimal(-50), reason="x", by=customs)
    assert levels_for([enterprise.pk], on=today)[enterprise.pk].code == "advanced_certified"
    # an empty code gives the enterprise back to its score's level
    services.credit_level_decide(enterprise=enterprise, level_code="", reason="认证到期", by=customs)
    assert levels_for([enterprise.pk], on=today)[enterprise.pk].code == "dishonest"  # score 50
    decided = CreditEvent.objects.filter(enterprise=enterprise, kind="level_decided").order_by("id")
    assert [(e.points, e.reason) for e in decided] == [
        (0, "advanced_certified: AEO 认证"),
        (0, "by score: 认证到期"),
    ]


def test_a_level_not_in_the_regime_in_force_is_refused(enterprise, customs):
    with pytest.raises(ValidationError) as refused:
        services.credit_level_decide(enterprise=enterprise, level_code="platinum", reason="x", by=customs)
    assert "level" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.credit_level_decide(enterprise=enterprise, level_code="dishonest", reason=" ", by=customs)
    assert "reason" in refused.value.message_dict
    assert not CreditProfile.objects.exists() and not CreditEvent.objects.exists()


def test_the_negative_list_from_adding_to_lifting(enterprise, other_enterprise, commerce):
    today = timezone.localdate()
    entry = services.negative_list_add(
        enterprise=enterprise, reason=" 走私前科 ", ends_on=today + timedelta(days=30), by=commerce
    )
    assert (entry.reason, entry.starts_on, entry.created_by) == ("走私前科", today, commerce.user)
    assert on_negative_list([enterprise.pk, other_enterprise.pk], on=today) == {enterprise.pk: entry}
    assert on_negative_list([enterprise.pk], on=today + timedelta(days=31)) == {}  # it ends
    standings = standings_for([enterprise.pk, other_enterprise.pk], on=today)
    assert standings[enterprise.pk].on_negative_list and not standings[other_enterprise.pk].on_negative_list
    disclosed = {row["enterprise"].pk: row["negative"] for row in public_disclosure(today)}
    assert disclosed[enterprise.pk] == [entry] and disclosed[other_enterprise.pk] == []

    services.negative_list_lift(entry=entry, by=commerce)
    services.negative_list_lift(entry=entry, by=commerce)  # twice: lifted once
    entry.refresh_from_db()
    assert entry.lifted_at is not None
    assert on_negative_list([enterprise.pk], on=today) == {}
    assert not standings_for([enterprise.pk], on=today)[enterprise.pk].on_negative_list
    actions = AuditEvent.objects.filter(object_id=str(enterprise.pk)).values_list("action", flat=True)
    assert sorted(actions) == ["credit.negative_list_added", "credit.negative_list_lifted"]


def test_the_negative_list_needs_a_reason_and_an_end_ahead(enterprise, commerce):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.negative_list_add(enterprise=enterprise, reason=" ", ends_on=today, by=commerce)
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.negative_list_add(
            enterprise=enterprise, reason="x", ends_on=today - timedelta(days=1), by=commerce
        )
    assert "ends_on" in refused.value.message_dict
    assert not NegativeListEntry.objects.exists()


def test_an_enterprise_without_a_profile_stands_at_the_defaults(enterprise):
    today = timezone.localdate()
    standing = standings_for([enterprise.pk], on=today)[enterprise.pk]
    assert standing.profile is None and standing.score == START_SCORE == 100
    assert standing.level.code == "regular" and standing.level.regime == regime_in_force(today)
    assert standing.decided_level == "" and standing.on_negative_list is False
    assert not CreditProfile.objects.exists()  # reading makes no profile


def test_levels_follow_the_regime_in_force():
    assert regime_in_force(date(2022, 1, 1)).code == "2021"
    assert regime_in_force(date(2026, 11, 25)).code == "2026"
    enterprise = EnterpriseFactory()
    CreditProfile.objects.create(enterprise=enterprise, score=Decimal("40"))
    assert levels_for([enterprise.pk], on=date(2022, 1, 1))[enterprise.pk].code == "dishonest"
    assert levels_for([enterprise.pk], on=date(2026, 11, 25))[enterprise.pk].code == "dishonest"
    CreditProfile.objects.filter(enterprise=enterprise).update(score=Decimal("20"))
    assert levels_for([enterprise.pk], on=date(2026, 11, 25))[enterprise.pk].code == "seriously_dishonest"
    assert levels_for([enterprise.pk], on=date(2022, 1, 1))[enterprise.pk].code == "dishonest"


def test_official_certifies_and_the_rate_follows(world, no_random_inspection):
    client = APIClient()
    client.force_authenticate(official("customs", username="credit-officer"))
    answer = client.post(
        f"/api/v1/credit-profiles/{world.seller.pk}/decide-level/",
        {"level": "advanced_certified", "reason": "AEO 认证"},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["level"] == "advanced_certified"
    assert answer.json()["inspection_rate"] == "0.0000"  # rates are zeroed by no_random_inspection
    penalty = client.post(
        f"/api/v1/credit-profiles/{world.seller.pk}/adjust/",
        {"kind": "penalty", "points": "-50", "reason": "虚假申报"},
        format="json",
    )
    assert penalty.status_code == 201
    own = world.client("seller").get("/api/v1/credit-profiles/").json()["results"]
    assert [row["enterprise"] for row in own] == [world.seller.pk]
    assert world.client("seller").get(f"/api/v1/credit-profiles/{world.platform.pk}/").status_code == 404
    assert (
        world.client("seller")
        .post(
            f"/api/v1/credit-profiles/{world.seller.pk}/adjust/",
            {"kind": "commendation", "points": "50", "reason": "x"},
        )
        .status_code
        == 403
    )
