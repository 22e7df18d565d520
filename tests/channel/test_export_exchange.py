"""The exchange around export lists as CEB XML on /api/v1/ceb/: CEB605 cancel, CEB507 arrival and CEB509
departure, CEB607 master/sub bill, CEB213/215 return and tally, CEB701 summary application; each answered
by its receipt (CEB606, 508, 510, 608, 214, 216, 702), valid against the export XSD, with the business
code of a refusal, idempotent, and only for the caller's own lists."""

import datetime

import pytest
from django.utils import timezone

from declarations import ceb
from declarations.models import ExchangeFiling, ExportInventoryList, Receipt, SummaryDeclaration

from ..conftest import assert_valid_ceb
from .helpers import post

pytestmark = pytest.mark.django_db
SAMPLES = ceb.schema_dir().parent / "samples" / "export"
HEAD = {
    "guid": "B" * 36,
    "app_type": "1",
    "app_time": "20261201101010",
    "app_status": "2",
    "customs_code": "2991",
}


def released_export(world, capture, number: int = 1) -> ExportInventoryList:
    docs = world.export(number, trade_mode="9610")
    with capture(execute=True):
        world.declare_export(docs)
    inventory = ExportInventoryList.objects.get(cop_no=docs["export_inventory"]["cop_no"])
    assert inventory.status == "released", inventory.status_reason
    return inventory


def declared_export(world, number: int = 1) -> ExportInventoryList:
    """A list with no other document: received, waiting for its order (cancellable)."""
    docs = world.export(number, trade_mode="9610")
    world.declare_export(docs, kinds=("export_inventory",))
    inventory = ExportInventoryList.objects.get(cop_no=docs["export_inventory"]["cop_no"])
    assert inventory.status in ("received", "mismatch")
    return inventory


def cancel_of(inventory, **changes) -> dict:
    return {
        **HEAD,
        "cop_no": inventory.cop_no,
        "invt_no": inventory.invt_no or "0000",
        "reason": "买家取消订单",
        "agent_code": inventory.agent_code,
        "agent_name": inventory.agent_name,
        "ebc_code": inventory.ebc_code,
        "ebc_name": inventory.ebc_name,
        **changes,
    }


def arrival_of(world, lists, cop_no="ARR001", **changes) -> dict:
    return {
        **HEAD,
        "cop_no": cop_no,
        "operator_code": world.logistics.customs_code,
        "operator_name": "监管场所",
        "ie_flag": "E",
        "traf_mode": "5",
        "bill_no": "MAWB0001",
        "domestic_traf_no": "浙A12345",
        "logistics_code": world.logistics.customs_code,
        "logistics_name": "测试物流",
        "msg_count": "1",
        "msg_seq_no": "1",
        "items": [{"gnum": str(n), "logistics_no": i.logistics_no} for n, i in enumerate(lists, start=1)],
        **changes,
    }


def departure_of(world, lists, cop_no="DEP001", **changes) -> dict:
    return {
        **HEAD,
        "cop_no": cop_no,
        "logistics_code": world.logistics.customs_code,
        "logistics_name": "测试物流",
        "traf_mode": "5",
        "voyage_no": "CA1001",
        "bill_no": "MAWB0001",
        "leave_time": "20261202080000",
        "msg_count": "1",
        "msg_seq_no": "1",
        "items": [{"gnum": str(n), "logistics_no": i.logistics_no} for n, i in enumerate(lists, start=1)],
        **changes,
    }


def bill_of(world, lists, cop_no="BILL001", bill_no="MAWB0001", **changes) -> dict:
    return {
        **HEAD,
        "cop_no": cop_no,
        "agent_code": world.seller.customs_code,
        "agent_name": "测试电商",
        "traf_mode": "5",
        "traf_name": "飞机",
        "voyage_no": "CA1001",
        "bill_no": bill_no,
        "gross_weight": "12.5",
        "logistics_code": world.logistics.customs_code,
        "logistics_name": "测试物流",
        "msg_count": "1",
        "msg_seq_no": "1",
        "items": [
            {"gnum": str(n), "logistics_no": i.logistics_no, "invt_no": i.invt_no}
            for n, i in enumerate(lists, start=1)
        ],
        **changes,
    }


def return_of(inventory, co_el_no="RET001", qty=None, **changes) -> dict:
    items = [
        {
            "gnum": str(item.gnum),
            "gcode": item.gcode,
            "gname": item.gname,
            "gmodel": item.gmodel,
            "qty": str(qty if qty is not None else item.qty),
            "qty1": str(item.qty1),
            "unit": item.unit,
            "unit1": item.unit1,
        }
        for item in inventory.items.all()
    ]
    return {
        **HEAD,
        "ebp_code": inventory.ebp_code,
        "ebp_name": inventory.ebp_name,
        "ebc_code": inventory.ebc_code,
        "ebc_name": inventory.ebc_name,
        "logistics_no": inventory.logistics_no,
        "logistics_code": inventory.logistics_code,
        "logistics_name": inventory.logistics_name,
        "co_el_no": co_el_no,
        "invt_no": inventory.invt_no,
        "agent_code": inventory.agent_code,
        "agent_name": inventory.agent_name,
        "bill_no": "MAWB0001",
        "ie_flag": "I",
        "traf_mode": "5",
        "traf_name": "飞机",
        "port_code": "2991",
        "reason": "买家退货",
        "country": inventory.country,
        "voyage_no": "CA1002",
        "items": items,
        **changes,
    }


def tally_of(world, inventory, co_el_no="RET001", **changes) -> dict:
    return {
        **HEAD,
        "operator_code": world.logistics.customs_code,
        "operator_name": "监管场所",
        "logistics_code": inventory.logistics_code,
        "logistics_name": inventory.logistics_name,
        "logistics_no": inventory.logistics_no,
        "invt_no": inventory.invt_no,
        "co_el_no": co_el_no,
        "bill_no": "MAWB0002",
        "ie_flag": "I",
        "traf_mode": "5",
        "traf_name": "飞机",
        "voyage_no": "CA1002",
        **changes,
    }


# --- the official samples ------------------------------------------------------------------------


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="official CEB samples not found")
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("CEB507", {"operator_code", "bill_no", "domestic_traf_no", "items"}),
        ("CEB509", {"leave_time", "bill_no", "items"}),
        ("CEB605", {"invt_no", "reason", "agent_code"}),
        ("CEB607", {"bill_no", "voyage_no", "gross_weight", "items"}),
        ("CEB213", {"co_el_no", "invt_no", "reason", "items"}),
        ("CEB215", {"co_el_no", "logistics_no", "operator_code"}),
        ("CEB701", {"decl_agent_code", "summary_flag", "items"}),
    ],
)
def test_official_samples_parse(name, keys):
    parsed = ceb.parse_message((SAMPLES / f"{name}Message.xml").read_bytes(), mode="strict")
    assert parsed.message_type == name
    assert keys <= set(parsed.documents[0])


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="official CEB samples not found")
# (The official CEB214 sample names its root CEB214 instead of CEB214Message: the XSD refuses it.)
@pytest.mark.parametrize("name", ["CEB508", "CEB510", "CEB606", "CEB608", "CEB216", "CEB702"])
def test_official_receipt_samples_are_schema_valid(name):
    assert_valid_ceb((SAMPLES / f"{name}Message.xml").read_bytes())


@pytest.mark.parametrize(
    ("receipt_type", "receipt"),
    [
        ("CEB606", {"agent_code": "3301960001", "cop_no": "C1", "pre_no": "B" * 18, "invt_no": "29912026E1"}),
        ("CEB214", {"agent_code": "3301960001", "co_el_no": "R1", "invt_no": "29912026E1"}),
        (
            "CEB702",
            {"agent_code": "A", "ebc_code": "B", "cop_no": "C", "pre_no": "E" * 18, "msg_seq_no": "1"},
        ),
    ],
)
def test_the_receipts_written_are_schema_valid(receipt_type, receipt):
    answer = {"return_status": "-605001", "return_time": "20261201101010123", "return_info": "拒绝"}
    assert_valid_ceb(ceb.build_receipt_message(receipt_type, [{**receipt, **answer}]))


# --- CEB605 cancel ----------------------------------------------------------------------------------


def test_a_list_not_yet_released_is_cancelled_once(world):
    inventory = declared_export(world)
    [answer] = post(world.client("seller"), "CEB605", [cancel_of(inventory)])
    assert answer["returnStatus"] == "399", answer
    assert answer["copNo"] == inventory.cop_no and len(answer["preNo"]) == 18
    inventory.refresh_from_db()
    assert inventory.status == "cancelled" and inventory.return_status == "399"
    assert "买家取消订单" in inventory.status_reason
    assert Receipt.objects.filter(document_id=inventory.pk, return_status="399").count() == 1
    # the same cancel again: the same answer, nothing new
    [again] = post(world.client("seller"), "CEB605", [cancel_of(inventory)])
    assert (again["returnStatus"], again["preNo"]) == ("399", answer["preNo"])
    assert ExchangeFiling.objects.filter(kind="CEB605").count() == 1


def test_a_released_list_is_not_cancelled(world, django_capture_on_commit_callbacks):
    inventory = released_export(world, django_capture_on_commit_callbacks)
    [answer] = post(world.client("seller"), "CEB605", [cancel_of(inventory)])
    assert answer["returnStatus"] == "-605003"
    assert "CEB213" in answer["returnInfo"]
    inventory.refresh_from_db()
    assert inventory.status == "released"


def test_a_cancel_of_another_enterprise_list_is_refused(world):
    inventory = declared_export(world)
    # the platform is not the exporter nor its agent
    [answer] = post(world.client("platform"), "CEB605", [cancel_of(inventory)])
    assert answer["returnStatus"] == "-605005"
    # naming itself as agent, it still finds none of its own lists
    [answer] = post(
        world.client("platform"), "CEB605", [cancel_of(inventory, agent_code=world.platform.customs_code)]
    )
    assert answer["returnStatus"] == "-605001"
    inventory.refresh_from_db()
    assert inventory.status in ("received", "mismatch")


# --- CEB507 arrival, CEB509 departure ----------------------------------------------------------------


def test_arrival_then_departure_closes_the_list(world, django_capture_on_commit_callbacks):
    inventory = released_export(world, django_capture_on_commit_callbacks)
    client = world.client("logistics")
    # departure before arrival is refused
    [early] = post(client, "CEB509", [departure_of(world, [inventory])])
    assert early["returnStatus"] == "-509002"
    [arrived] = post(client, "CEB507", [arrival_of(world, [inventory])])
    assert arrived["returnStatus"] == "120" and arrived["billNo"] == "MAWB0001"
    inventory.refresh_from_db()
    assert inventory.exit_status == "arrived" and inventory.arrived_at is not None
    # the same arrival again is the same document
    [again] = post(client, "CEB507", [arrival_of(world, [inventory])])
    assert again["preNo"] == arrived["preNo"]
    [departed] = post(client, "CEB509", [departure_of(world, [inventory])])
    assert departed["returnStatus"] == "120", departed
    inventory.refresh_from_db()
    assert inventory.exit_status == "departed" and inventory.return_status == "899"
    assert inventory.status == "released"  # still summarised and settled as released
    assert timezone.localtime(inventory.departed_at).hour == 8
    # the exporter reads where its goods are; an enterprise the list does not name does not see it
    shown = world.client("seller").get(f"/api/v1/export-inventories/{inventory.pk}/")
    assert shown.status_code == 200 and shown.json()["exit_status"] == "departed"
    assert world.client("warehouse").get(f"/api/v1/export-inventories/{inventory.pk}/").status_code == 404
    departed = world.client("seller").get("/api/v1/export-inventories/?exit_status=departed").json()
    arrived = world.client("seller").get("/api/v1/export-inventories/?exit_status=arrived").json()
    assert [row["id"] for row in departed["results"]] == [inventory.pk] and arrived["results"] == []
    # goods that left do not arrive again
    [late] = post(client, "CEB507", [arrival_of(world, [inventory], cop_no="ARR002")])
    assert late["returnStatus"] == "-507003"


def test_a_departure_needs_a_released_list(world):
    inventory = declared_export(world)
    client = world.client("logistics")
    [arrived] = post(client, "CEB507", [arrival_of(world, [inventory])])
    assert arrived["returnStatus"] == "120"
    [answer] = post(client, "CEB509", [departure_of(world, [inventory])])
    assert answer["returnStatus"] == "-509003"


def test_an_arrival_names_declared_waybills_of_its_filer(world, django_capture_on_commit_callbacks):
    inventory = released_export(world, django_capture_on_commit_callbacks)
    unknown = arrival_of(world, [inventory], items=[{"gnum": "1", "logistics_no": "NOSUCHWAYBILL"}])
    [answer] = post(world.client("logistics"), "CEB507", [unknown])
    assert answer["returnStatus"] == "-507002" and "NOSUCHWAYBILL" in answer["returnInfo"]
    [answer] = post(world.client("seller"), "CEB507", [arrival_of(world, [inventory])])
    assert answer["returnStatus"] == "-507001"
    [answer] = post(world.client("logistics"), "CEB507", [arrival_of(world, [inventory], ie_flag="I")])
    assert answer["returnStatus"] == "-507004"
    inventory.refresh_from_db()
    assert inventory.exit_status == ""


# --- CEB607 master/sub bill ---------------------------------------------------------------------------


def test_a_master_bill_is_filled_in_on_its_lists(world, django_capture_on_commit_callbacks):
    first = released_export(world, django_capture_on_commit_callbacks, 1)
    second = released_export(world, django_capture_on_commit_callbacks, 2)
    [answer] = post(world.client("seller"), "CEB607", [bill_of(world, [first, second])])
    assert answer["returnStatus"] == "120", answer
    assert answer["billNo"] == "MAWB0001" and answer["agentCode"] == world.seller.customs_code
    for inventory in (first, second):
        inventory.refresh_from_db()
        assert (inventory.bill_no, inventory.voyage_no, inventory.traf_name) == ("MAWB0001", "CA1001", "飞机")
    # another master bill for the same waybill
    [other] = post(
        world.client("seller"), "CEB607", [bill_of(world, [first], cop_no="BILL002", bill_no="M2")]
    )
    assert other["returnStatus"] == "-607004"
    # a list number that is not the waybill's list
    wrong = bill_of(world, [first], cop_no="BILL003")
    wrong["items"][0]["invt_no"] = second.invt_no
    [answer] = post(world.client("seller"), "CEB607", [wrong])
    assert answer["returnStatus"] == "-607003"


def test_a_master_bill_names_only_the_filer_lists(world, django_capture_on_commit_callbacks):
    inventory = released_export(world, django_capture_on_commit_callbacks)
    [answer] = post(world.client("platform"), "CEB607", [bill_of(world, [inventory])])
    assert answer["returnStatus"] == "-607001"
    bill = bill_of(world, [inventory], agent_code=world.platform.customs_code)
    [answer] = post(world.client("platform"), "CEB607", [bill])
    assert answer["returnStatus"] == "-607002"
    assert ExportInventoryList.objects.get(pk=inventory.pk).bill_no == ""


# --- CEB213 return, CEB215 tally ------------------------------------------------------------------


def test_a_return_is_applied_for_then_tallied(world, django_capture_on_commit_callbacks):
    inventory = released_export(world, django_capture_on_commit_callbacks)
    [answer] = post(world.client("seller"), "CEB213", [return_of(inventory)])
    assert answer["returnStatus"] == "120", answer
    assert answer["invtNo"] == inventory.invt_no and answer["ebcCode"] == inventory.ebc_code
    inventory.refresh_from_db()
    assert inventory.exit_status == "return_applied"
    [again] = post(world.client("seller"), "CEB213", [return_of(inventory)])
    assert again["returnStatus"] == "120" and again["preNo"] == answer["preNo"]
    [second] = post(world.client("seller"), "CEB213", [return_of(inventory, co_el_no="RET002")])
    assert second["returnStatus"] == "-213006"
    # the tally of goods that came back under another number is refused, then the right one concludes
    [unknown] = post(world.client("logistics"), "CEB215", [tally_of(world, inventory, co_el_no="NOPE")])
    assert unknown["returnStatus"] == "-215002"
    [tallied] = post(world.client("logistics"), "CEB215", [tally_of(world, inventory)])
    assert tallied["returnStatus"] == "399", tallied
    inventory.refresh_from_db()
    assert inventory.exit_status == "returned"
    [stranger] = post(world.client("platform"), "CEB215", [tally_of(world, inventory, co_el_no="RET003")])
    assert stranger["returnStatus"] == "-215001"


def test_a_return_names_a_released_list_and_its_lines(world, django_capture_on_commit_callbacks):
    inventory = released_export(world, django_capture_on_commit_callbacks)
    [too_many] = post(world.client("seller"), "CEB213", [return_of(inventory, qty=999)])
    assert too_many["returnStatus"] == "-213004"
    [stranger] = post(world.client("platform"), "CEB213", [return_of(inventory)])
    assert stranger["returnStatus"] == "-213005"
    ExportInventoryList.objects.filter(pk=inventory.pk).update(
        final_at=timezone.now() - datetime.timedelta(days=400)
    )
    [late] = post(world.client("seller"), "CEB213", [return_of(inventory)])
    assert late["returnStatus"] == "-213003"
    pending = declared_export(world, 2)
    pending.invt_no = "29912026E000000099"
    ExportInventoryList.objects.filter(pk=pending.pk).update(invt_no=pending.invt_no)
    [not_released] = post(world.client("seller"), "CEB213", [return_of(pending, co_el_no="RET009")])
    assert not_released["returnStatus"] == "-213002"


# --- CEB701 summary application, CEB702 -----------------------------------------------------------


def _last_month() -> datetime.datetime:
    first = timezone.localdate().replace(day=1)
    day = first - datetime.timedelta(days=10)
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 12))


def summary_apply_of(world, lists, cop_no="SUM001", **changes) -> dict:
    return {
        **HEAD,
        "cop_no": cop_no,
        "agent_code": world.seller.customs_code,
        "agent_name": "测试电商",
        "ebc_code": world.seller.customs_code,
        "ebc_name": "测试电商",
        "decl_agent_code": world.seller.customs_code,
        "decl_agent_name": "测试电商",
        "summary_flag": "1",
        "item_name_flag": "1",
        "msg_count": "1",
        "msg_seq_no": "1",
        "items": [{"invt_no": i.invt_no} for i in lists],
        **changes,
    }


def test_a_summary_application_as_xml_is_answered_with_ceb702(world, django_capture_on_commit_callbacks):
    inventory = released_export(world, django_capture_on_commit_callbacks)
    ExportInventoryList.objects.filter(pk=inventory.pk).update(final_at=_last_month())
    [answer] = post(world.client("seller"), "CEB701", [summary_apply_of(world, [inventory])])
    assert answer["returnStatus"] == "399", answer
    summary = SummaryDeclaration.objects.get()
    assert answer["sumNo"] == summary.sum_no and len(answer["sumNo"]) == 18
    assert summary.lists.get() == ExportInventoryList.objects.get(pk=inventory.pk)
    [again] = post(world.client("seller"), "CEB701", [summary_apply_of(world, [inventory])])
    assert again["sumNo"] == summary.sum_no and SummaryDeclaration.objects.count() == 1


def test_a_summary_application_names_the_exporter_own_released_lists(
    world, django_capture_on_commit_callbacks
):
    inventory = released_export(world, django_capture_on_commit_callbacks)
    [stranger] = post(world.client("platform"), "CEB701", [summary_apply_of(world, [inventory])])
    assert stranger["returnStatus"] == "-701001"
    missing = summary_apply_of(world, [inventory], items=[{"invt_no": "29912026E000000777"}])
    [answer] = post(world.client("seller"), "CEB701", [missing])
    assert answer["returnStatus"] == "-701002"
    # released this month: the month is not over
    [answer] = post(world.client("seller"), "CEB701", [summary_apply_of(world, [inventory])])
    assert answer["returnStatus"] == "-701004"
    assert not SummaryDeclaration.objects.exists()


def test_an_exchange_message_needs_an_approved_enterprise(world, api):
    inventory = declared_export(world)
    from ..ceb_messages import ceb_message

    answer = api.post(
        "/api/v1/ceb/", ceb_message("CEB605", [cancel_of(inventory)]), content_type="application/xml"
    )
    assert answer.status_code in (401, 403)
