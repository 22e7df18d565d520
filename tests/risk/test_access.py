"""Who reviews risk (the alert queue, alerts' decisions, the rules) and who changes the rules: the
predicates directly, and the rules page, where a customs official previews and only an administrator
saves."""

import pytest

from risk import services
from risk.models import RiskRule
from sharing.choices import AgencyCode, MemberRole
from sharing.models import Agency, Enterprise
from sharing.principal import ANONYMOUS, Principal

from ..factories import official


def agency_member(code: str, role: str = MemberRole.STAFF) -> Principal:
    return Principal(agency=Agency(code=code), role=role)


@pytest.mark.parametrize(
    ("principal", "reviews", "changes"),
    [
        (agency_member(AgencyCode.CUSTOMS, MemberRole.ADMIN), True, True),
        (agency_member(AgencyCode.CUSTOMS), True, False),
        (Principal(is_superuser=True), True, True),
        (agency_member(AgencyCode.TAX, MemberRole.ADMIN), False, False),
        (Principal(enterprise=Enterprise(customs_code="3301900001"), role=MemberRole.ADMIN), False, False),
        (ANONYMOUS, False, False),
    ],
)
def test_who_reviews_risk_and_changes_rules(principal, reviews, changes):
    assert services.may_review_risk(principal) is reviews
    assert services.may_change_rules(principal) is changes


SAVE = 'value="save"'
RULE = {"UNDERVALUED-weight": "45", "UNDERVALUED-enabled": "on", "UNDERVALUED-ratio": "5"}


@pytest.mark.django_db
def test_a_customs_official_previews_rules_but_only_an_administrator_saves(client):
    client.force_login(official("customs", username="rules-staff"))
    assert SAVE not in client.get("/officials/risk-rules/").content.decode()
    client.post("/officials/risk-rules/UNDERVALUED/", {**RULE, "action": "save"})
    assert RiskRule.objects.get(code="UNDERVALUED", current=True).version == 1
    admin = official("customs", username="rules-admin")
    admin.membership.role = MemberRole.ADMIN
    admin.membership.save()
    client.force_login(admin)
    assert SAVE in client.get("/officials/risk-rules/").content.decode()
    client.post("/officials/risk-rules/UNDERVALUED/", {**RULE, "action": "save"})
    assert RiskRule.objects.get(code="UNDERVALUED", current=True).version == 2
