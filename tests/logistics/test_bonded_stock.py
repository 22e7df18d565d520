"""Mode 1210 from the warehouse entry (CEB711) to release with the stock deducted; a list the stock
cannot cover is refused; a return (CEB625) puts stock, quota and tax back; a cancel (CEB623) before
release gives back what was reserved. The stock and guarantee ledgers never go negative."""

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from declarations.models import InventoryList, InventoryRefund
from finance.models import BuyerQuota, QuotaUse, TaxBill, TaxBillCredit, TaxGuarantee
from logistics.models import StockItem, StockMovement, Warehouse

from ..conftest import key_client
from ..factories import official

pytestmark = pytest.mark.django_db
EMS_NO = "T2992W000001"  # the generator's account book


@pytest.fixture
def operator(world):
    return key_client(world.warehouse)


def officer(agency: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(official(agency, f"{agency}-officer"))
    return client


def _entry(world, lines, cop_no="RK-0001"):
    return {
        "guid": "0711AAAA-0000-4000-8000-000000000001",
        "app_type": "1",
        "app_time": f"{timezone.now():%Y%m%d%H%M%S}",
        "app_status": "2",
        "customs_code": "2928",
        "cop_no": cop_no,
        "operator_code": world.warehouse.customs_code,
        "operator_name": world.warehouse.name_zh,
        "ie_flag": "I",
        "traf_mode": "2",
        "traf_no": "COSCO HANGZHOU",
        "voyage_no": "V001",
        "bill_no": "COSU0001",
        "logistics_code": world.logistics.customs_code,
        "logistics_name": world.logistics.name_zh,
        "warehouse_code": "W2992001",
        "lines": lines,
    }


def _stock_lines(inventory_doc, times=1):
    return [
        {
            "gnum": item["gnum"],
            "logistics_no": f"IN-{item['gnum']}",
            "item_record_no": item["item_record_no"],
            "gcode": item["gcode"],
            "gname": item["gname"],
            "unit": item["unit"],
            "qty": str(Decimal(item["qty"]) * times),
        }
        for item in inventory_doc["items"]
    ]


@pytest.fixture
def bonded(world, operator):
    """The operator registers its bonded warehouse and customs approves it."""
    answer = operator.post(
        "/api/v1/warehouses/",
        {
            "code": "W2992001",
            "name": "综保区 1 号仓",
            "kind": "bonded",
            "ems_no": EMS_NO,
            "address": "下沙",
            "capacity": 1000,
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    # pending: not usable yet, an entry into it is refused
    docs = world.declaration(1, trade_mode="1210")
    early = operator.post(
        "/api/v1/warehouse-entries/", _entry(world, _stock_lines(docs["inventory"])), format="json"
    )
    assert early.status_code == 400 and "warehouse_code" in early.json()["fields"]
    decided = officer("customs").post(
        f"/api/v1/warehouses/{answer.json()['id']}/decide/", {"approve": True}, format="json"
    )
    assert decided.status_code == 200
    return Warehouse.objects.get(code="W2992001")


def test_1210_from_entry_to_release_deducts_stock_and_a_return_restores_everything(
    world, operator, bonded, django_capture_on_commit_callbacks
):
    docs = world.declaration(1, trade_mode="1210", lines=2)
    items = docs["inventory"]["items"]
    entry = operator.post(
        "/api/v1/warehouse-entries/", _entry(world, _stock_lines(docs["inventory"], times=3)), format="json"
    )
    assert entry.status_code == 201, entry.json()
    assert len(entry.json()["rkd_no"]) == 18
    # the same entry again changes nothing
    again = operator.post(
        "/api/v1/warehouse-entries/", _entry(world, _stock_lines(docs["inventory"], times=3)), format="json"
    )
    assert again.status_code == 200 and again.json()["id"] == entry.json()["id"]
    stock = {s.item_record_no: s for s in StockItem.objects.filter(warehouse=bonded)}
    assert {k: s.quantity for k, s in stock.items()} == {
        i["item_record_no"]: Decimal(i["qty"]) * 3 for i in items
    }

    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "released", inventory.status_reason
    for item in items:
        row = StockItem.objects.get(warehouse=bonded, item_record_no=item["item_record_no"])
        assert row.quantity == Decimal(item["qty"]) * 2 and row.reserved == 0
        movement = StockMovement.objects.get(stock_item=row, kind="release", inventory=inventory)
        assert movement.qty == -Decimal(item["qty"]) and movement.balance == row.quantity
    bill = TaxBill.objects.get(inventory=inventory)
    guarantee = TaxGuarantee.objects.get(pk=world.guarantee.pk)
    assert guarantee.used == bill.total > 0
    quota = BuyerQuota.objects.get(buyer_id_number=docs["order"]["buyer_id_number"])
    assert quota.used == inventory.dutiable_value

    # The buyer returns everything within 30 days; the goods come back to the bonded warehouse.
    refund_doc = _amendment(docs["inventory"], inventory, reason="不想要了")
    refund_doc["items"] = [
        {"gnum": i["gnum"], "gcode": i["gcode"], "gname": i["gname"], "qty": i["qty"], "unit": i["unit"]}
        for i in items
    ]
    applied = world.client("seller").post("/api/v1/inventory-returns/", refund_doc, format="json")
    assert applied.status_code == 201, applied.json()
    assert applied.json()["state"] == "awaiting"
    refund_id = applied.json()["id"]
    # the same application again is the same return
    assert (
        world.client("seller").post("/api/v1/inventory-returns/", refund_doc, format="json").status_code
        == 200
    )
    # only the warehouse (or customs) confirms the goods are back
    assert (
        world.client("seller").post(f"/api/v1/inventory-returns/{refund_id}/goods-received/").status_code
        == 403
    )
    back = operator.post(f"/api/v1/inventory-returns/{refund_id}/goods-received/")
    assert back.status_code == 200, back.json()
    assert back.json()["state"] == "completed"
    assert Decimal(back.json()["tax_returned"]) == bill.total

    for item in items:
        row = StockItem.objects.get(warehouse=bonded, item_record_no=item["item_record_no"])
        assert row.quantity == Decimal(item["qty"]) * 3
        assert StockMovement.objects.filter(stock_item=row, kind="return").count() == 1
    quota.refresh_from_db()
    assert quota.used == 0
    assert QuotaUse.objects.get(inventory=inventory).returned_amount == inventory.dutiable_value
    credit = TaxBillCredit.objects.get(refund_id=refund_id)
    assert credit.total == bill.total
    bill.refresh_from_db()
    assert bill.status == "3"  # a whole return cancels a bill not yet consolidated
    guarantee.refresh_from_db()
    assert guarantee.used == 0
    # confirming again changes nothing
    operator.post(f"/api/v1/inventory-returns/{refund_id}/goods-received/")
    assert TaxBillCredit.objects.count() == 1 and StockMovement.objects.filter(kind="return").count() == 2

    # The month's summary: the bill and its credit, nothing due; it adds up to the ledger.
    today = timezone.localdate()
    summary = world.client("seller").get(f"/api/v1/tax-summary/?year={today.year}&month={today.month}").json()
    assert Decimal(summary["tax_total"]) == bill.total
    assert Decimal(summary["credit_total"]) == bill.total and Decimal(summary["amount_due"]) == 0


def _amendment(inventory_doc, inventory, *, reason):
    """The cancel or return head the declarant sends: the list's own fields and a reason."""
    from declarations.services import amendment_for_list

    assert inventory_doc["cop_no"] == inventory.cop_no
    return amendment_for_list(inventory, reason=reason)


def test_a_list_the_stock_cannot_cover_is_refused_by_customs(
    world, operator, bonded, django_capture_on_commit_callbacks
):
    docs = world.declaration(2, trade_mode="1210", lines=1)
    lines = _stock_lines(docs["inventory"])
    lines[0]["qty"] = str(Decimal(lines[0]["qty"]) - Decimal("0.5"))  # half a piece short
    assert operator.post("/api/v1/warehouse-entries/", _entry(world, lines), format="json").status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "rejected"
    assert inventory.return_status == "-621021" and lines[0]["item_record_no"] in inventory.status_reason
    row = StockItem.objects.get(warehouse=bonded)
    assert row.quantity == Decimal(lines[0]["qty"]) and row.reserved == 0
    assert not StockMovement.objects.filter(kind="release").exists()
    # nothing of the rejected list stays held: quota and guarantee are free again
    assert BuyerQuota.objects.get(buyer_id_number=docs["order"]["buyer_id_number"]).reserved == 0
    assert TaxGuarantee.objects.get(pk=world.guarantee.pk).reserved == 0


def test_entries_respect_capacity_and_belong_to_their_operator(world, operator, bonded):
    docs = world.declaration(3, trade_mode="1210", lines=1)
    lines = _stock_lines(docs["inventory"])
    lines[0]["qty"] = "1001"
    too_many = operator.post("/api/v1/warehouse-entries/", _entry(world, lines), format="json")
    assert too_many.status_code == 400 and "lines" in too_many.json()["fields"]
    stranger = world.client("seller")
    lines[0]["qty"] = "1"
    refused = stranger.post("/api/v1/warehouse-entries/", _entry(world, lines), format="json")
    assert refused.status_code == 403
    assert not StockItem.objects.exists()
    # another enterprise sees none of the stock
    assert stranger.get("/api/v1/stock/").json()["count"] == 0
    bad = operator.post("/api/v1/warehouse-entries/", {**_entry(world, lines), "lines": []}, format="json")
    assert bad.status_code == 400 and "lines" in bad.json()["fields"]


def test_cancel_before_release_gives_back_what_was_reserved(world, django_capture_on_commit_callbacks):
    docs = world.declaration(4)
    # Only the list has arrived: it waits for its order, payment and waybill, with nothing held yet.
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs, order=("inventory",))
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "received"
    body = _amendment(docs["inventory"], inventory, reason="订单取消")
    body.pop("invt_no")
    body["cop_no"] = inventory.cop_no
    answer = world.client("seller").post("/api/v1/inventory-cancels/", body, format="json")
    assert answer.status_code == 201, answer.json()
    inventory.refresh_from_db()
    assert inventory.status == "cancelled"
    assert world.client("seller").post("/api/v1/inventory-cancels/", body, format="json").status_code == 200
    # a list of another enterprise cannot be named
    stranger = key_client(world.platform)
    assert stranger.post("/api/v1/inventory-cancels/", body, format="json").status_code in (403, 404)


def test_cancel_releases_reserved_quota_and_a_released_list_is_returned_not_cancelled(
    world, django_capture_on_commit_callbacks
):
    docs = world.declaration(5)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "released"
    body = _amendment(docs["inventory"], inventory, reason="x")
    refused = world.client("seller").post("/api/v1/inventory-cancels/", body, format="json")
    assert refused.status_code == 409 and "CEB625" in refused.json()["detail"]
    # a late return is refused naming the list, and nothing is stored
    InventoryList.objects.filter(pk=inventory.pk).update(
        final_at=timezone.now() - timezone.timedelta(days=31)
    )
    late = {
        **body,
        "items": [
            {
                "gnum": 1,
                "gcode": docs["inventory"]["items"][0]["gcode"],
                "gname": "x",
                "qty": "1",
                "unit": "007",
            }
        ],
    }
    answer = world.client("seller").post("/api/v1/inventory-returns/", late, format="json")
    assert answer.status_code == 400 and "invt_no" in answer.json()["fields"]
    assert not InventoryRefund.objects.exists()


def test_goods_not_back_within_45_days_expire_the_return(world, django_capture_on_commit_callbacks):
    docs = world.declaration(6, lines=1)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    item = docs["inventory"]["items"][0]
    body = {
        **_amendment(docs["inventory"], inventory, reason="坏了"),
        "items": [{"gnum": 1, "gcode": item["gcode"], "gname": item["gname"], "qty": "5000", "unit": "007"}],
    }
    too_many = world.client("seller").post("/api/v1/inventory-returns/", body, format="json")
    assert too_many.status_code == 400 and "items[1].qty" in too_many.json()["fields"]
    body["items"][0]["qty"] = item["qty"]
    refund = world.client("seller").post("/api/v1/inventory-returns/", body, format="json").json()
    InventoryRefund.objects.filter(pk=refund["id"]).update(
        goods_due_by=timezone.now() - timezone.timedelta(days=1)
    )
    late = key_client(world.logistics).post(f"/api/v1/inventory-returns/{refund['id']}/goods-received/")
    assert late.status_code == 409
    assert InventoryRefund.objects.get(pk=refund["id"]).state == "expired"
    assert not TaxBillCredit.objects.exists()
    quota = BuyerQuota.objects.get(buyer_id_number=docs["order"]["buyer_id_number"])
    assert quota.used == inventory.dutiable_value


def test_the_warehouse_confirms_returned_goods_from_its_page(
    world, operator, bonded, client, django_capture_on_commit_callbacks
):
    from ..factories import MembershipFactory

    docs = world.declaration(7, trade_mode="1210", lines=1)
    lines = _stock_lines(docs["inventory"], times=2)
    assert operator.post("/api/v1/warehouse-entries/", _entry(world, lines), format="json").status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    item = docs["inventory"]["items"][0]
    body = {
        **_amendment(docs["inventory"], inventory, reason="尺码不合适"),
        "items": [
            {"gnum": 1, "gcode": item["gcode"], "gname": item["gname"], "qty": item["qty"], "unit": "007"}
        ],
    }
    refund = world.client("seller").post("/api/v1/inventory-returns/", body, format="json").json()
    # another enterprise's staff sees no such return on its warehouse page
    client.force_login(MembershipFactory(enterprise=world.platform).user)
    assert f'id="return-{refund["id"]}"' not in client.get("/warehouses/").content.decode()
    assert client.post(f"/declarations/returns/{refund['id']}/goods-received/").status_code == 404
    client.force_login(MembershipFactory(enterprise=world.warehouse).user)
    page = client.get("/warehouses/").content.decode()
    assert f'id="return-{refund["id"]}"' in page
    answer = client.post(f"/declarations/returns/{refund['id']}/goods-received/")
    assert answer.status_code == 302
    assert InventoryRefund.objects.get(pk=refund["id"]).state == "completed"
    row = StockItem.objects.get(warehouse=bonded)
    assert row.quantity == Decimal(item["qty"]) * 2
    assert f'id="return-{refund["id"]}"' not in client.get("/warehouses/").content.decode()
