"""Parcel tracking: steps from logistics firms and from the pipeline; a public timeline without
personal data."""

import pytest
from rest_framework.test import APIClient

from logistics.models import TrackingEvent

from ..ceb_messages import ceb_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def cleared(no_random_inspection, world, django_capture_on_commit_callbacks):
    docs = world.declaration(1)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    return world, docs


def test_pipeline_and_carrier_steps_make_a_public_timeline(cleared, client):
    world, docs = cleared
    number = docs["waybill"]["logistics_no"]
    carrier = world.client("logistics")
    answer = carrier.post(
        "/api/v1/tracking-events/",
        [
            {
                "logistics_no": number,
                "code": "out_for_delivery",
                "occurred_at": "2026-11-25T09:00:00+08:00",
                "place": "杭州西湖区站",
            },
            {"logistics_no": number, "code": "out_for_delivery", "occurred_at": "2026-11-25T09:00:00+08:00"},
        ],
        format="json",
    )
    assert answer.status_code == 201
    assert TrackingEvent.objects.filter(code="out_for_delivery").count() == 1  # the same step twice is one
    timeline = APIClient().get(f"/api/v1/tracking/{number}/").json()
    codes = [s["code"] for s in timeline["steps"]]
    assert {"declared", "released", "out_for_delivery"} <= set(codes)
    page = client.get(f"/track/?no={number}").content.decode()
    assert "杭州西湖区站" in page
    for private in (
        docs["order"]["consignee"],
        docs["order"]["consignee_telephone"],
        docs["order"]["consignee_address"],
    ):
        assert private not in page and private not in str(timeline)


def test_carriers_report_only_their_own_parcels_and_bad_events_are_400(cleared):
    from ..conftest import key_client
    from ..factories import EnterpriseFactory

    world, docs = cleared
    stranger = key_client(EnterpriseFactory(roles=["logistics"]))
    number = docs["waybill"]["logistics_no"]
    answer = stranger.post(
        "/api/v1/tracking-events/",
        {"logistics_no": number, "code": "signed", "occurred_at": "2026-11-25T10:00:00"},
        format="json",
    )
    assert answer.status_code == 400 and "logistics_no" in answer.json()["fields"]
    carrier = world.client("logistics")
    for bad, field in (
        ({"code": "teleported"}, "code"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "2999-01-01T00:00:00"}, "occurred_at"),
        ({"place": "x" * 101}, "place"),
    ):
        event = {"logistics_no": number, "code": "in_transit", "occurred_at": "2026-11-25T10:00:00", **bad}
        answer = carrier.post("/api/v1/tracking-events/", event, format="json")
        assert answer.status_code == 400 and field in answer.json()["fields"]
    assert world.client("seller").post("/api/v1/tracking-events/", {}, format="json").status_code in (
        400,
        403,
    )
    assert APIClient().get("/api/v1/tracking/NO-SUCH-PARCEL/").status_code == 404


def test_sign_for_adds_the_signed_step(cleared):
    world, docs = cleared
    waybill = docs["waybill"]
    sign_for = {
        "guid": "C" * 36,
        "app_type": "1",
        "app_time": "20261125120000",
        "app_status": "2",
        "logistics_code": waybill["logistics_code"],
        "logistics_name": waybill["logistics_name"],
        "logistics_no": waybill["logistics_no"],
        "logistics_status": "S",
        "logistics_time": "20261125120000",
    }
    answer = world.client("logistics").post(
        "/api/v1/ceb/", ceb_message("CEB513", [sign_for], guid="B" * 36), content_type="application/xml"
    )
    assert answer.status_code == 200
    assert TrackingEvent.objects.filter(code="signed").count() == 1


def test_a_number_typed_in_small_letters_or_with_spaces_is_found(cleared, client):
    _world, docs = cleared
    number = docs["waybill"]["logistics_no"]
    assert number != number.lower()
    typed = f" {number[:4].lower()} {number[4:].lower()} "
    page = client.get("/track/", {"no": typed}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="tracking-steps"' in page and "for example SF1234567890" in page
    assert APIClient().get(f"/api/v1/tracking/{number.lower()}/").json()["steps"]
