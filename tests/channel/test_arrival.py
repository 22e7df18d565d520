"""CEB711 in its real meaning: the arrival of direct-mail (9610) waybills under a master bill, posted as
CEB XML and answered with CEB712. Where CEB_9610_RELEASE_AFTER_ARRIVAL says so, a 9610 list customs
concluded waits for its waybill's arrival (status "awaiting", its reason in both languages) and is
released when the arrival comes. Bonded warehouse entries keep their JSON endpoint."""

import pytest
from django.utils import translation

from declarations import ceb
from declarations.models import ExchangeFiling, InventoryList, Receipt
from logistics.models import TrackingEvent

from .helpers import post

pytestmark = pytest.mark.django_db
SAMPLES = ceb.schema_dir().parent / "samples" / "import"


def arrival_of(world, waybills: list[str], bill_no: str = "MAWB-IMPORT-1", **changes) -> dict:
    return {
        "guid": "C" * 36,
        "app_type": "1",
        "app_time": "20261201101010",
        "app_status": "2",
        "customs_code": "2991",
        "cop_no": "ARRIVAL-001",
        "operator_code": world.logistics.customs_code,
        "operator_name": "监管场所",
        "ie_flag": "I",
        "traf_mode": "5",
        "traf_no": "B-1234",
        "voyage_no": "CA1001",
        "bill_no": bill_no,
        "logistics_code": world.logistics.customs_code,
        "logistics_name": "测试物流",
        "items": [{"gnum": str(n), "logistics_no": number} for n, number in enumerate(waybills, start=1)],
        **changes,
    }


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="official CEB samples not found")
def test_the_official_ceb711_sample_parses_as_an_arrival():
    parsed = ceb.parse_message((SAMPLES / "CEB711Message.xml").read_bytes(), mode="strict")
    assert parsed.message_type == "CEB711"
    assert parsed.documents[0]["bill_no"] == "B00024204001"
    assert parsed.documents[0]["items"][0]["logistics_no"] == "L201603081138001"
    assert ceb.receipt_type_for("CEB711") == "CEB712"


def test_without_the_setting_a_9610_list_is_released_at_once(world, django_capture_on_commit_callbacks):
    inventory = world.clear(world.declaration(1), django_capture_on_commit_callbacks)
    assert inventory.status == "released" and inventory.return_status == "800"


def test_a_9610_list_waits_for_its_waybill_arrival(world, settings, django_capture_on_commit_callbacks):
    settings.CEB_9610_RELEASE_AFTER_ARRIVAL = True
    docs = world.declaration(1)
    inventory = world.clear(docs, django_capture_on_commit_callbacks)
    # customs concluded it (399), but it is not released before its goods arrived
    assert inventory.status == "awaiting", inventory.status_reason
    assert inventory.return_status == "399" and len(inventory.invt_no) == 18
    with translation.override("zh-hans"):
        assert "CEB711" in inventory.reason and "运单" in inventory.reason
    with translation.override("en"):
        assert inventory.reason.startswith("Waiting for the arrival of its waybill")
    assert not Receipt.objects.filter(document_id=inventory.pk, return_status="800").exists()
    assert not TrackingEvent.objects.filter(waybill_id=inventory.waybill_id, code="released").exists()

    [answer] = post(world.client("logistics"), "CEB711", [arrival_of(world, [inventory.logistics_no])])
    assert answer["returnStatus"] == "120", answer
    assert answer["copNo"] == "ARRIVAL-001" and len(answer["preNo"]) == 18
    inventory.refresh_from_db()
    assert inventory.status == "released" and inventory.return_status == "800"
    assert inventory.status_reason == ""
    assert Receipt.objects.filter(document_id=inventory.pk, return_status="800").count() == 1
    # the parcel's public tracking says released once, when it was
    assert TrackingEvent.objects.filter(waybill_id=inventory.waybill_id, code="released").count() == 1

    # the same arrival again: the same answer, no second release
    [again] = post(world.client("logistics"), "CEB711", [arrival_of(world, [inventory.logistics_no])])
    assert (again["returnStatus"], again["preNo"]) == ("120", answer["preNo"])
    assert Receipt.objects.filter(document_id=inventory.pk, return_status="800").count() == 1
    assert ExchangeFiling.objects.filter(kind="CEB711").count() == 1


def test_a_waybill_that_arrived_first_does_not_hold_its_list(
    world, settings, django_capture_on_commit_callbacks
):
    settings.CEB_9610_RELEASE_AFTER_ARRIVAL = True
    docs = world.declaration(1)
    [answer] = post(
        world.client("logistics"), "CEB711", [arrival_of(world, [docs["waybill"]["logistics_no"]])]
    )
    assert answer["returnStatus"] == "120"
    inventory = world.clear(docs, django_capture_on_commit_callbacks)
    assert inventory.status == "released" and inventory.return_status == "800"


def test_only_9610_lists_wait(world, settings, django_capture_on_commit_callbacks):
    settings.CEB_9610_RELEASE_AFTER_ARRIVAL = True
    waiting = world.clear(world.declaration(1), django_capture_on_commit_callbacks)
    assert waiting.status == "awaiting"
    # an arrival of other waybills releases nothing
    [answer] = post(world.client("logistics"), "CEB711", [arrival_of(world, ["OTHER-WAYBILL"])])
    assert answer["returnStatus"] == "120"
    assert InventoryList.objects.get(pk=waiting.pk).status == "awaiting"


def test_an_arrival_is_filed_by_its_carrier_or_site_operator(
    world, settings, django_capture_on_commit_callbacks
):
    settings.CEB_9610_RELEASE_AFTER_ARRIVAL = True
    inventory = world.clear(world.declaration(1), django_capture_on_commit_callbacks)
    [stranger] = post(world.client("seller"), "CEB711", [arrival_of(world, [inventory.logistics_no])])
    assert stranger["returnStatus"] == "-800001"
    [export] = post(
        world.client("logistics"), "CEB711", [arrival_of(world, [inventory.logistics_no], ie_flag="E")]
    )
    assert export["returnStatus"] == "-800002"
    assert InventoryList.objects.get(pk=inventory.pk).status == "awaiting"
    assert not ExchangeFiling.objects.exists()


def test_warehouse_entries_keep_their_json_endpoint(world):
    answer = world.client("warehouse").post("/api/v1/warehouse-entries/", {}, format="json")
    # the endpoint is there and validates its JSON (a field error, not a 404 or 405)
    assert answer.status_code == 400, answer.content[:300]


def test_a_list_that_passed_inspection_also_waits(world, settings, django_capture_on_commit_callbacks):
    from credit.models import CreditLevel
    from sharing.choices import MemberRole
    from sharing.models import Membership

    from ..clearance.test_inspection import api_client
    from ..factories import official

    settings.CEB_9610_RELEASE_AFTER_ARRIVAL = True
    CreditLevel.objects.update(inspection_rate=1)  # every list is drawn
    inspector = official("customs", username="inspector")
    inventory = world.clear(world.declaration(1), django_capture_on_commit_callbacks)
    assert inventory.status == "inspection"
    Membership.objects.filter(user=inspector).update(role=MemberRole.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_client(inspector).post(
            f"/api/v1/inventories/{inventory.pk}/inspection-result/",
            {"passed": True, "reason": "货证相符"},
            format="json",
        )
    assert answer.status_code == 202, answer.content[:300]
    inventory.refresh_from_db()
    assert inventory.status == "awaiting" and inventory.return_status == "399"
    [arrived] = post(world.client("logistics"), "CEB711", [arrival_of(world, [inventory.logistics_no])])
    assert arrived["returnStatus"] == "120"
    inventory.refresh_from_db()
    assert inventory.status == "released" and inventory.return_status == "800"
