"""The reference zones and parks, their public pages, and applications to settle in a park."""

import pytest

from parks.models import Park, ParkApplication, Zone
from sharing.choices import EnterpriseStatus
from sharing.models import Notification

from ..conftest import key_client
from ..factories import EnterpriseFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_reference_zones_of_the_first_three_batches():
    by_batch = {b: set(Zone.objects.filter(batch=b).values_list("city", flat=True)) for b in (1, 2, 3)}
    assert by_batch[1] == {"Hangzhou"}
    assert len(by_batch[2]) == 12 and {"Tianjin", "Suzhou", "Shenzhen"} <= by_batch[2]
    assert len(by_batch[3]) == 22 and {"Beijing", "Xi'an", "Yiwu"} <= by_batch[3]
    assert str(Zone.objects.get(slug="hangzhou").approval_date) == "2015-03-07"


def test_hangzhou_has_its_eight_parks_with_services():
    parks = Park.objects.filter(zone__slug="hangzhou")
    names = set(parks.values_list("name_en", flat=True))
    assert names == {
        "Xiacheng Park",
        "Xiasha Park",
        "Airport Park",
        "Lin'an Park",
        "Jianggan Park",
        "Xiaoshan Park",
        "Yuhang Park",
        "Postal Express Park",
    }
    assert all(park.services.exists() for park in parks)


def test_public_zone_directory_and_park_page(client):
    seller = EnterpriseFactory(park=Park.objects.get(slug="hangzhou-xiasha"), name_zh="下沙入驻企业")
    EnterpriseFactory(
        park=Park.objects.get(slug="hangzhou-xiasha"), name_zh="待审企业", status=EnterpriseStatus.PENDING
    )
    directory = client.get("/zones/", HTTP_ACCEPT_LANGUAGE="en")
    assert directory.status_code == 200 and "China (Yiwu)" in directory.content.decode()
    page = client.get("/parks/hangzhou-xiasha/").content.decode()
    assert seller.name_zh in page and "待审企业" not in page  # only approved enterprises are listed
    assert "保税仓储" in page  # a service of the park
    assert client.get("/zones/nowhere/").status_code == 404


def test_public_zone_and_park_api(api):
    zones = api.get("/api/v1/zones/?batch=2").json()
    assert zones["count"] == 12
    park = api.get("/api/v1/parks/hangzhou-airport/").json()
    assert park["zone"] == "hangzhou" and "direct-mail" in {s["code"] for s in park["services"]}
    assert api.get("/api/v1/parks/?service=bonded-warehousing&zone=hangzhou").json()["count"] >= 2


def test_apply_approve_settles_enterprise(enterprise, commerce_api, django_capture_on_commit_callbacks):
    client = key_client(enterprise)
    first = client.post("/api/v1/park-applications/", {"park": "hangzhou-yuhang", "message": "设立海外仓"})
    again = client.post("/api/v1/park-applications/", {"park": "hangzhou-yuhang", "message": "设立海外仓"})
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]  # idempotent
    with django_capture_on_commit_callbacks(execute=True):
        decided = commerce_api.post(f"/api/v1/park-applications/{first.json()['id']}/approve/", {})
    assert decided.json()["status"] == "approved"
    enterprise.refresh_from_db()
    assert enterprise.park.slug == "hangzhou-yuhang"
    assert Notification.objects.filter(enterprise=enterprise, kind="park_approved").count() == 1


def test_decline_needs_reason_and_is_shown(enterprise, commerce_api):
    client = key_client(enterprise)
    app_id = client.post("/api/v1/park-applications/", {"park": "hangzhou-linan"}).json()["id"]
    missing = commerce_api.post(f"/api/v1/park-applications/{app_id}/decline/", {})
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    commerce_api.post(f"/api/v1/park-applications/{app_id}/decline/", {"reason": "园区仓储已满"})
    row = client.get(f"/api/v1/park-applications/{app_id}/").json()
    assert row["status"] == "declined" and row["reason"] == "园区仓储已满"


def test_applications_are_tenant_scoped(enterprise, other_enterprise):
    mine = key_client(enterprise)
    theirs = key_client(other_enterprise)
    app_id = mine.post("/api/v1/park-applications/", {"park": "hangzhou-linan"}).json()["id"]
    assert theirs.get(f"/api/v1/park-applications/{app_id}/").status_code == 404
    assert theirs.get("/api/v1/park-applications/").json()["count"] == 0
    # and the enterprise cannot decide its own application
    assert mine.post(f"/api/v1/park-applications/{app_id}/approve/").status_code == 403
    assert ParkApplication.objects.get(pk=app_id).status == "pending"


def test_pending_enterprise_cannot_apply():
    pending = EnterpriseFactory(status=EnterpriseStatus.PENDING)
    user = MembershipFactory(enterprise=pending).user
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    response = client.post("/api/v1/park-applications/", {"park": "hangzhou-linan"})
    assert response.status_code == 400 and "enterprise" in response.json()["fields"]


def test_unknown_park_is_400(enterprise_api):
    response = enterprise_api.post("/api/v1/park-applications/", {"park": "atlantis"})
    assert response.status_code == 400 and "park" in response.json()["fields"]


def test_official_decides_in_the_browser(client, commerce_user, enterprise):
    application = ParkApplication.objects.create(
        enterprise=enterprise, park=Park.objects.get(slug="hangzhou-xiaoshan")
    )
    client.force_login(commerce_user)
    queue = client.get("/officials/park-applications/")
    assert enterprise.name_zh in queue.content.decode()
    client.post(
        f"/officials/park-applications/{application.pk}/decide/",
        {"decision": "decline", "reason": "材料不全"},
    )
    application.refresh_from_db()
    assert application.status == "declined" and application.reason == "材料不全"


def test_a_second_message_to_a_pending_application_is_kept(enterprise, client):
    client.force_login(MembershipFactory(enterprise=enterprise).user)
    client.post("/parks/hangzhou-yuhang/apply/", {"message": "设立海外仓"})
    client.post("/parks/hangzhou-yuhang/apply/", {"message": "另需冷链仓储"})
    client.post("/parks/hangzhou-yuhang/apply/", {"message": "另需冷链仓储"})  # sent again: kept once
    application = ParkApplication.objects.get(enterprise=enterprise)
    assert application.message == "设立海外仓\n\n另需冷链仓储"
