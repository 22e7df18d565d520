"""The parties' REST API: tenancy, officials' filters, authentication."""

import pytest
from django.core.management import call_command
from django.utils import translation

from sharing.choices import EnterpriseStatus
from sharing.models import AuditEvent, Enterprise, EnterpriseAPIKey, Membership, Notification
from sharing.services import api_key_revoke

from ..conftest import key_client
from ..factories import EnterpriseFactory, UserFactory, official

pytestmark = pytest.mark.django_db

VALID = {
    "uscc": "91110000600037341L",
    "customs_code": "1101960001",
    "name_zh": "北京测试跨境电商有限公司",
    "name_en": "Beijing Test CBEC Co.",
    "roles": ["platform", "ecommerce"],
}


def test_enterprise_sees_only_itself(enterprise_api, enterprise, other_enterprise):
    response = enterprise_api.get("/api/v1/enterprises/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [enterprise.pk]
    # another enterprise's record does not exist for this caller
    assert enterprise_api.get(f"/api/v1/enterprises/{other_enterprise.pk}/").status_code == 404
    assert (
        enterprise_api.get(f"/api/v1/enterprises/{enterprise.pk}/").json()["customs_code"]
        == enterprise.customs_code
    )


def test_officials_see_all_and_filter_by_role_and_status(api, customs_user):
    EnterpriseFactory(roles=["payment"], status=EnterpriseStatus.PENDING)
    EnterpriseFactory(roles=["logistics", "warehouse"])
    api.force_authenticate(customs_user)
    assert api.get("/api/v1/enterprises/").json()["count"] == 2
    rows = api.get("/api/v1/enterprises/?role=warehouse").json()["results"]
    assert [r["roles"] for r in rows] == [["logistics", "warehouse"]]
    assert api.get("/api/v1/enterprises/?status=pending&role=payment").json()["count"] == 1
    assert api.get("/api/v1/enterprises/?role=agent").json()["count"] == 0


def test_anonymous_and_bad_keys_get_401(api, enterprise):
    assert api.get("/api/v1/enterprises/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Api-Key nothere.nothing")
    response = api.get("/api/v1/enterprises/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Api-Key"


def test_revoked_key_gets_401(enterprise):
    client = key_client(enterprise)
    assert client.get("/api/v1/enterprises/").status_code == 200
    key = EnterpriseAPIKey.objects.get(enterprise=enterprise)
    api_key_revoke(key=key, by=None)
    assert client.get("/api/v1/enterprises/").status_code == 401
    assert AuditEvent.objects.filter(action="api_key.revoked", object_id=key.prefix).exists()


def test_key_of_suspended_enterprise_gets_401(enterprise):
    client = key_client(enterprise)
    Enterprise.objects.filter(pk=enterprise.pk).update(status=EnterpriseStatus.SUSPENDED)
    assert client.get("/api/v1/enterprises/").status_code == 401


def test_key_records_last_use(enterprise_api, enterprise):
    enterprise_api.get("/api/v1/agencies/")
    assert EnterpriseAPIKey.objects.get(enterprise=enterprise).last_used_at is not None


def test_signed_up_person_registers_enterprise_and_becomes_admin(api):
    person = UserFactory()
    api.force_authenticate(person)
    response = api.post("/api/v1/enterprises/", VALID, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    membership = Membership.objects.get(user=person)
    assert membership.enterprise.customs_code == VALID["customs_code"] and membership.role == "admin"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"uscc": "91110000600037341M"}, "uscc"),  # wrong check character
        ({"uscc": "9111000060003734IL"}, "uscc"),  # forbidden letter
        ({"uscc": "911100006000373"}, "uscc"),  # wrong length
        ({"uscc": "91110000600037341LXX"}, "uscc"),  # over-long
        ({"customs_code": "11019600"}, "customs_code"),
        ({"customs_code": "1101-96000"}, "customs_code"),
        ({"customs_code": "1101960001234"}, "customs_code"),
        ({"name_zh": ""}, "name_zh"),
        ({"name_zh": "名" * 101}, "name_zh"),
        ({"roles": []}, "roles"),
        ({"roles": ["smuggler"]}, "roles"),
        ({"park": "no-such-park"}, "park"),
        ({"contact_email": "not-an-email"}, "contact_email"),
    ],
)
def test_bad_registration_is_400_naming_the_field(api, change, field):
    api.force_authenticate(UserFactory())
    response = api.post("/api/v1/enterprises/", {**VALID, **change}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert any(key == field or key.startswith(f"{field}.") for key in body["fields"]), body
    assert not Enterprise.objects.exists()


@pytest.mark.parametrize("field", ["uscc", "customs_code"])
def test_duplicate_codes_are_rejected_and_the_first_stays(api, field):
    first = EnterpriseFactory(uscc=VALID["uscc"], customs_code=VALID["customs_code"], name_zh="先登记的企业")
    other = {"uscc": "91350100M000100Y43", "customs_code": "3501960001"}
    other[field] = VALID[field]
    api.force_authenticate(UserFactory())
    response = api.post("/api/v1/enterprises/", {**VALID, **other}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    first.refresh_from_db()
    assert first.name_zh == "先登记的企业" and Enterprise.objects.count() == 1


def test_partner_key_cannot_register_enterprises(enterprise_api):
    response = enterprise_api.post("/api/v1/enterprises/", VALID, format="json")
    assert response.status_code == 403


def test_commerce_official_approves_and_rejects_with_reason(commerce_api, django_capture_on_commit_callbacks):
    pending = EnterpriseFactory(status=EnterpriseStatus.PENDING)
    second = EnterpriseFactory(status=EnterpriseStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        approved = commerce_api.post(f"/api/v1/enterprises/{pending.pk}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert commerce_api.post(f"/api/v1/enterprises/{second.pk}/reject/", {}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        rejected = commerce_api.post(
            f"/api/v1/enterprises/{second.pk}/reject/", {"reason": "营业执照已过期"}, format="json"
        )
    assert rejected.json()["status"] == "rejected" and rejected.json()["status_reason"] == "营业执照已过期"
    # the applicant is told, once, by the background task
    assert Notification.objects.get(enterprise=second).reason == "营业执照已过期"
    assert AuditEvent.objects.filter(object_id=str(second.pk), action="enterprise.rejected").count() == 1


def test_only_commerce_officials_decide(api, customs_user, enterprise_api):
    pending = EnterpriseFactory(status=EnterpriseStatus.PENDING)
    api.force_authenticate(customs_user)
    assert api.post(f"/api/v1/enterprises/{pending.pk}/approve/").status_code == 403
    assert enterprise_api.post(f"/api/v1/enterprises/{pending.pk}/approve/").status_code == 403
    pending.refresh_from_db()
    assert pending.status == EnterpriseStatus.PENDING


def test_agencies_are_seeded(enterprise_api):
    codes = {row["code"] for row in enterprise_api.get("/api/v1/agencies/").json()["results"]}
    assert codes == {"customs", "inspection", "tax", "forex", "commerce", "finance"}


def test_issue_api_key_command_prints_a_working_key(enterprise, capsys):
    call_command("issue_api_key", enterprise.customs_code, "--name", "erp")
    plain = capsys.readouterr().out.strip()
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    assert client.get("/api/v1/enterprises/").json()["results"][0]["id"] == enterprise.pk
    assert EnterpriseAPIKey.objects.get(enterprise=enterprise).name == "erp"


def test_issue_api_key_refuses_pending_enterprise():
    from django.core.management.base import CommandError

    pending = EnterpriseFactory(status=EnterpriseStatus.PENDING)
    with pytest.raises(CommandError), translation.override("en"):
        call_command("issue_api_key", pending.customs_code)


def test_openapi_schema_is_served(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/enterprises/",
        "/api/v1/agencies/",
        "/api/v1/zones/",
        "/api/v1/parks/",
        "/api/v1/park-applications/",
    ]:
        assert path in paths
    assert api.get("/api/docs/").status_code == 200


def test_official_for_other_agency_cannot_see_review_page(client):
    client.force_login(official("tax"))
    assert client.get("/officials/enterprises/").status_code == 403
