"""Who the audit trail names: a partner's key by its name and enterprise (never the key or its hash), the
official who re-drives a dispatch, the keys' own issue and revocation."""

import json

import pytest
from django.db.models import ProtectedError

from declarations.models import AgencyDispatch, InventoryList
from declarations.services import amendment_for_list
from sharing import audit
from sharing.models import AuditEvent, EnterpriseAPIKey
from sharing.principal import PartnerUser, principal_for_user
from sharing.services import api_key_issue, api_key_revoke, audit_record

from ..factories import MembershipFactory, official

pytestmark = pytest.mark.django_db

BONDED = {
    "code": "W2992001",
    "name": "综保区 1 号仓",
    "kind": "bonded",
    "ems_no": "T2992W000001",
    "address": "下沙",
    "capacity": 1000,
}


def key_of(enterprise) -> EnterpriseAPIKey:
    return EnterpriseAPIKey.objects.get(enterprise=enterprise, name="tests")


def as_key(event: AuditEvent, enterprise) -> bool:
    key = key_of(enterprise)
    return (
        event.actor_id is None
        and event.actor_label == f"api-key:tests ({enterprise.customs_code})"
        and event.actor_api_key_prefix == key.prefix
    )


def test_a_partner_keys_request_names_the_key_and_its_enterprise(world):
    answer = world.client("warehouse").post("/api/v1/warehouses/", BONDED, format="json")
    assert answer.status_code == 201, answer.json()
    assert as_key(AuditEvent.objects.get(action="warehouse.registered"), world.warehouse)


def test_a_cancel_through_a_key_names_the_key_through_the_pipeline(world):
    world.post("inventory", world.declaration(1)["inventory"])
    body = amendment_for_list(InventoryList.objects.get(), reason="买家取消")
    answer = world.client("seller").post("/api/v1/inventory-cancels/", body, format="json")
    assert answer.status_code in (200, 201), answer.json()
    assert as_key(AuditEvent.objects.get(action="inventory.cancelled"), world.seller)


def test_the_request_user_of_a_key_is_an_actor_too(world):
    event = audit_record(actor=PartnerUser(key_of(world.platform)), action="any.thing")
    assert as_key(event, world.platform)
    assert event.object_type == "" and event.object_id == ""  # no object: `obj` is optional
    assert audit.chain_breaks() == []


def test_keys_issued_and_revoked_are_audited_without_the_key_or_its_hash(enterprise):
    admin = principal_for_user(MembershipFactory(enterprise=enterprise).user)
    key, plain = api_key_issue(enterprise=enterprise, name="ERP", by=admin)
    api_key_revoke(key=key, by=admin)
    issued, revoked = AuditEvent.objects.filter(object_type="sharing.enterpriseapikey").order_by("sequence")
    expected = {"name": "ERP", "kind": "live", "prefix": key.prefix, "enterprise": enterprise.customs_code}
    assert (issued.action, issued.detail, issued.object_id) == ("api_key.issued", expected, key.prefix)
    assert (revoked.action, revoked.detail, revoked.object_id) == ("api_key.revoked", expected, key.prefix)
    assert issued.actor_label == admin.user.username and issued.actor_id == admin.user.pk
    for event in (issued, revoked):
        row = json.dumps(list(AuditEvent.objects.filter(pk=event.pk).values().get().values()), default=str)
        assert key.hashed_key not in row and plain not in row and key.pk not in row


def test_a_redriven_dispatch_names_the_official(dispatched, client):
    from clearance import answer

    customs = AgencyDispatch.objects.get(agency="customs")
    answer.dispatch_failed(dispatch_id=customs.pk)
    officer = official("customs", "customs-officer")
    client.force_login(officer)
    assert client.post(f"/officials/dispatches/{customs.pk}/redrive/").status_code == 302
    event = AuditEvent.objects.get(action="dispatch.redriven")
    assert (event.actor_id, event.actor_label) == (officer.pk, "customs-officer")
    assert (event.object_type, event.object_id) == ("declarations.agencydispatch", str(customs.pk))
    assert event.detail == {"agency": "customs"}
    # a dispatch no longer parked is not re-driven, and nothing is recorded
    assert answer.redrive(dispatch_id=customs.pk, official_id=officer.pk) is False
    assert AuditEvent.objects.filter(action="dispatch.redriven").count() == 1


def test_a_user_who_acted_is_kept(commerce):
    audit_record(actor=commerce, action="any.thing")
    with pytest.raises(ProtectedError):
        commerce.user.delete()


def test_the_admin_lists_the_actor_label(world, admin_client):
    world.client("warehouse").post("/api/v1/warehouses/", BONDED, format="json")
    page = admin_client.get("/admin/sharing/auditevent/").content.decode()
    assert f"api-key:tests ({world.warehouse.customs_code})" in page
