"""Sign-up, onboarding and officials' decisions on enterprises, as pages."""

import re

import pytest
from django.core.management import call_command

from sharing.choices import EnterpriseStatus
from sharing.models import Enterprise, EnterpriseAPIKey, Membership

from ..factories import EnterpriseFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "uscc": "91350100M000100Y43",
    "customs_code": "3501960009",
    "name_zh": "福州测试电商有限公司",
    "name_en": "Fuzhou Test Co.",
    "roles": ["ecommerce", "agent"],
}


def test_sign_up_then_file_enterprise(client, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newfirm",
            "email": "a@example.com",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/signup/done/"
    # the account works once the address is confirmed by the link mailed to it
    link = re.search(r"https?://[^/]+(/accounts/activate/\S+/)", mailoutbox[0].body).group(1)
    assert client.post(link)["Location"] == "/onboarding/"
    response = client.post("/onboarding/", FORM)
    assert response.status_code == 302
    enterprise = Enterprise.objects.get(customs_code="3501960009")
    assert enterprise.status == EnterpriseStatus.PENDING
    assert Membership.objects.get(user__username="newfirm").enterprise == enterprise


def test_onboarding_form_keeps_input_and_names_the_field(client):
    client.force_login(UserFactory())
    response = client.post("/onboarding/", {**FORM, "uscc": "91350100M000100Y44"}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="uscc"' in html and "check character" in html
    assert 'value="福州测试电商有限公司"' in html  # what was typed is still there
    assert not Enterprise.objects.exists()


def test_rejected_applicant_sees_reason_and_refiles(client, commerce_user):
    user = UserFactory()
    enterprise = EnterpriseFactory(status=EnterpriseStatus.PENDING)
    Membership.objects.create(user=user, enterprise=enterprise, role="admin")
    client.force_login(commerce_user)
    client.post(
        f"/officials/enterprises/{enterprise.pk}/", {"decision": "reject", "reason": "海关编码与执照不符"}
    )
    client.force_login(user)
    page = client.get("/onboarding/").content.decode()
    assert "海关编码与执照不符" in page
    client.post("/onboarding/", {**FORM, "customs_code": enterprise.customs_code, "uscc": enterprise.uscc})
    enterprise.refresh_from_db()
    assert enterprise.status == EnterpriseStatus.PENDING and enterprise.name_zh == FORM["name_zh"]


def test_api_key_shown_once_then_works_and_can_be_revoked(client, api):
    membership = MembershipFactory()
    client.force_login(membership.user)
    created = client.post("/enterprise/api-keys/", {"name": "订单网关"})
    assert created.status_code == 302 and created["Location"] == "/enterprise/api-keys/"
    shown = client.get(created["Location"])
    assert shown["Cache-Control"] == "no-store"
    plain = re.search(r'id="new-api-key"[^>]*>([^<]+)<', shown.content.decode()).group(1)
    assert plain not in client.get("/enterprise/api-keys/").content.decode()  # never shown again
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    assert api.get("/api/v1/enterprises/").status_code == 200
    key = EnterpriseAPIKey.objects.get(enterprise=membership.enterprise)
    client.post(f"/enterprise/api-keys/{key.prefix}/revoke/")
    assert api.get("/api/v1/enterprises/").status_code == 401


def test_staff_member_cannot_manage_keys(client):
    client.force_login(MembershipFactory(role="staff").user)
    assert client.get("/enterprise/api-keys/").status_code == 403


def test_other_enterprise_cannot_revoke_my_key(client):
    mine = MembershipFactory()
    key, _plain = EnterpriseAPIKey.objects.create_key(name="k", enterprise=mine.enterprise)
    client.force_login(MembershipFactory().user)
    assert client.post(f"/enterprise/api-keys/{key.prefix}/revoke/").status_code == 404
    key.refresh_from_db()
    assert not key.revoked


def test_review_pages_need_login(client):
    response = client.get("/officials/enterprises/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_demo_data_is_idempotent():
    call_command("seed_demo")
    counts = (Enterprise.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (Enterprise.objects.count(), Membership.objects.count()) == counts
    statuses = set(Enterprise.objects.values_list("status", flat=True))
    assert statuses == {"approved", "pending"}
    assert Membership.objects.filter(agency__isnull=False).values("agency").distinct().count() == 6
