"""Credit decisions through the page and the API: customs and commerce decide, other officials and
enterprises are refused; an enterprise's standing (score, decided level, negative list) as the API
and the officials' page show it."""

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from credit import services
from credit.models import CreditEvent
from credit.selectors import levels_for, standings_for
from sharing.principal import principal_for_user

from ..conftest import key_client
from ..factories import official

pytestmark = pytest.mark.django_db


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


ADJUST = {"kind": "penalty", "points": "-5", "reason": "迟报"}


def test_only_customs_and_commerce_open_the_credit_page(client, enterprise):
    url = f"/officials/credit/{enterprise.pk}/"
    for agency in ("tax", "forex"):
        client.force_login(official(agency))
        assert client.get(url).status_code == 403
        assert (
            client.post(url, {"form": "adjust", **{f"adjust-{k}": v for k, v in ADJUST.items()}}).status_code
            == 403
        )
    for agency in ("customs", "commerce"):
        client.force_login(official(agency))
        assert client.get(url).status_code == 200
    assert not CreditEvent.objects.exists()


def test_only_customs_and_commerce_decide_through_the_api(enterprise):
    url = f"/api/v1/credit-profiles/{enterprise.pk}/adjust/"
    assert signed_in(official("tax")).post(url, ADJUST, format="json").status_code == 403
    assert key_client(enterprise).post(url, ADJUST, format="json").status_code == 403
    assert not CreditEvent.objects.exists()
    assert signed_in(official("commerce")).post(url, ADJUST, format="json").status_code == 201
    assert signed_in(official("customs")).post(url, ADJUST, format="json").status_code == 201
    assert CreditEvent.objects.filter(enterprise=enterprise, kind="penalty").count() == 2


def test_the_standing_of_an_enterprise_with_a_profile(enterprise, other_enterprise):
    customs = principal_for_user(official("customs"))
    services.credit_adjust(enterprise=enterprise, kind="penalty", points=Decimal(-5), reason="x", by=customs)
    services.credit_level_decide(
        enterprise=enterprise, level_code="advanced_certified", reason="AEO", by=customs
    )
    services.negative_list_add(
        enterprise=enterprise, reason="虚假贸易", ends_on=timezone.localdate(), by=customs
    )
    rows = {
        row["enterprise"]: row
        for row in signed_in(official("tax")).get("/api/v1/credit-profiles/").json()["results"]
    }
    mine = rows[enterprise.pk]
    assert (Decimal(mine["score"]), mine["level"], mine["decided_level"], mine["on_negative_list"]) == (
        Decimal(95),
        "advanced_certified",
        "advanced_certified",
        True,
    )
    other = rows[other_enterprise.pk]
    assert (Decimal(other["score"]), other["level"], other["decided_level"], other["on_negative_list"]) == (
        Decimal(100),
        "regular",
        "",
        False,
    )
    # the enterprise sees its own standing, and nobody else's
    own = key_client(enterprise).get("/api/v1/credit-profiles/").json()["results"]
    assert [row["enterprise"] for row in own] == [enterprise.pk] and own[0][
        "decided_level"
    ] == "advanced_certified"


def test_standings_and_levels_are_read_in_a_few_queries_whatever_the_number(
    enterprise, other_enterprise, django_assert_num_queries
):
    today = timezone.localdate()
    ids = [enterprise.pk, other_enterprise.pk]
    with django_assert_num_queries(3):  # the regime, its levels, the profiles
        levels_for(ids, on=today)
    with django_assert_num_queries(4):  # and the negative list
        standings = standings_for(ids, on=today)
    assert {s.level.code for s in standings.values()} == {"regular"}
