"""Every receipt of a realistic life, pulled as CEB XML: a 9610 and a 1210 list to release, a cancel, a
return, the tax bills (CEB816), an export to release; each message valid against the official XSD,
correlated by preNo/invtNo/returnTime in JSON and XML alike; webhooks in CEB XML, signed."""

import json
from decimal import Decimal

import pytest
from lxml import etree

from declarations import ceb
from declarations.models import InventoryList, Receipt
from declarations.receipt_feed import FEED_NS, message_guid
from declarations.services import amendment_for_list
from finance.models import TaxBill
from logistics.models import Warehouse
from sharing import webhooks
from sharing.models import WebhookDelivery, WebhookSubscription

from ..conftest import assert_valid_ceb, key_client

pytestmark = pytest.mark.django_db
CEB = f"{{{ceb.CEB_NS}}}"
FEED = f"{{{FEED_NS}}}"


def pull(client, since=0, fmt="ceb", limit=1000):
    answer = client.get(f"/api/v1/receipts/?since={since}&limit={limit}&format={fmt}")
    assert answer.status_code == 200, answer.content[:500]
    return answer


def feed_entries(answer) -> list[etree._Element]:
    assert answer["Content-Type"].startswith("application/xml")
    root = etree.fromstring(answer.content)
    assert root.tag == f"{FEED}Feed"
    return list(root)


def message_of(entry: etree._Element) -> bytes:
    (message,) = list(entry)
    return etree.tostring(message)


def _bonded_warehouse(world):
    operator = key_client(world.warehouse)
    Warehouse.objects.create(
        code="W2992001",
        name="综保区 1 号仓",
        kind=Warehouse.Kind.BONDED,
        ems_no="T2992W000001",
        address="下沙",
        capacity=1000,
        operator=world.warehouse,
        status=Warehouse.Status.APPROVED,
    )
    return operator


def _stock(world, operator, inventory_doc):
    from django.utils import timezone

    lines = [
        {
            "gnum": item["gnum"],
            "logistics_no": f"IN-{item['gnum']}",
            "item_record_no": item["item_record_no"],
            "gcode": item["gcode"],
            "gname": item["gname"],
            "unit": item["unit"],
            "qty": str(Decimal(item["qty"]) * 2),
        }
        for item in inventory_doc["items"]
    ]
    entry = {
        "guid": "0711AAAA-0000-4000-8000-000000000001",
        "app_type": "1",
        "app_time": f"{timezone.now():%Y%m%d%H%M%S}",
        "app_status": "2",
        "customs_code": "2928",
        "cop_no": "RK-0001",
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
    answer = operator.post("/api/v1/warehouse-entries/", entry, format="json")
    assert answer.status_code == 201, answer.json()


def test_a_whole_life_is_pulled_as_valid_ceb_receipts(world, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    # 9610 released, then returned; another 9610 cancelled before release
    direct = world.declaration(1, lines=1)
    released = world.clear(direct, capture)
    assert released.status == "released", released.status_reason
    waiting = world.declaration(2, lines=1)
    with capture(execute=True):
        world.declare(waiting, order=("inventory",))
    pending = InventoryList.objects.get(cop_no=waiting["inventory"]["cop_no"])
    seller = world.client("seller")
    cancel = seller.post(
        "/api/v1/inventory-cancels/", amendment_for_list(pending, reason="买家取消订单"), format="json"
    )
    assert cancel.status_code == 201, cancel.json()
    item = direct["inventory"]["items"][0]
    refund = amendment_for_list(released, reason="质量问题")
    refund["items"] = [{k: item[k] for k in ("gnum", "gcode", "gname", "qty", "unit")}]
    with capture(execute=True):
        applied = seller.post("/api/v1/inventory-returns/", refund, format="json")
    assert applied.status_code == 201, applied.json()
    # 1210 from bonded stock to release
    operator = _bonded_warehouse(world)
    bonded_docs = world.declaration(3, trade_mode="1210", lines=1)
    _stock(world, operator, bonded_docs["inventory"])
    bonded = world.clear(bonded_docs, capture)
    assert bonded.status == "released", bonded.status_reason
    # the waybill is signed for (CEB513 -> CEB514)
    signed = world.client("logistics").post(
        "/api/v1/ceb/",
        _sign_for(world, direct["waybill"]),
        content_type="application/xml",
    )
    assert signed.status_code == 200, signed.content[:300]
    # an export released
    export_docs = world.export(4, trade_mode="9710", lines=1, qty=2)
    with capture(execute=True):
        answers = world.declare_export(export_docs)
    assert {a.status_code for a in answers.values()} == {201}

    seen: dict[str, set[str]] = {}
    for name in ("seller", "platform", "payment", "logistics"):
        entries = feed_entries(pull(world.client(name)))
        ids = [int(e.get("id")) for e in entries]
        assert ids == sorted(ids) and ids  # oldest first
        for entry in entries:
            xml = message_of(entry)
            assert_valid_ceb(xml)
            root = etree.fromstring(xml)
            message_type = etree.QName(root).localname.removesuffix("Message")
            assert entry.get("messageType") == message_type
            seen.setdefault(message_type, set()).add(entry.get("returnStatus"))
            receipt = Receipt.objects.get(pk=entry.get("id"))
            # the return element's guid is the receipt's; the message's is derived, stable
            assert root.get("guid") == message_guid(receipt.guid)
            assert next(root.iter(f"{CEB}guid")).text == receipt.guid
            assert len(entry.get("returnTime")) == 17
            if message_type != "CEB816":
                assert next(root.iter(f"{CEB}returnTime")).text == entry.get("returnTime")
                assert next(root.iter(f"{CEB}returnStatus")).text == receipt.return_status
    assert {"CEB312", "CEB412", "CEB512", "CEB514", "CEB622", "CEB624", "CEB626", "CEB816"} <= set(seen)
    assert {"CEB304", "CEB404", "CEB506", "CEB604"} <= set(seen)
    assert {"2", "120", "800"} <= seen["CEB622"] and "399" in seen["CEB624"]
    assert "800" in seen["CEB604"]

    # the tax bills: one CEB816 per released import list, its amounts the bill's
    bills = {b.invt_no: b for b in TaxBill.objects.all()}
    assert set(bills) == {released.invt_no, bonded.invt_no}
    entries = [e for e in feed_entries(pull(seller)) if e.get("messageType") == "CEB816"]
    assert {e.get("invtNo") for e in entries} == set(bills)
    for entry in entries:
        bill = bills[entry.get("invtNo")]
        head = next(etree.fromstring(message_of(entry)).iter(f"{CEB}TaxHeadRd"))
        assert head.findtext(f"{CEB}taxNo") == bill.tax_no
        assert Decimal(head.findtext(f"{CEB}valueAddedTax")) == bill.value_added_tax
        assert entry.get("preNo") == InventoryList.objects.get(invt_no=bill.invt_no).pre_no

    # pulled again, the same messages (same guids): a partner may de-duplicate on them
    assert pull(seller).content == pull(seller).content


def test_json_entries_carry_pre_no_invt_no_and_return_time(world, django_capture_on_commit_callbacks):
    released = world.clear(world.declaration(1, lines=1), django_capture_on_commit_callbacks)
    body = pull(world.client("seller"), fmt="json").json()
    lists = [r for r in body["results"] if r["kind"] == "inventory"]
    assert [r["return_status"] for r in lists][-1] == "800"
    for row in lists:
        assert row["pre_no"] == released.pre_no and len(row["return_time"]) == 17
        assert row["message_type"] == "CEB622" and row["copy"] is None
    assert lists[-1]["invt_no"] == released.invt_no
    (bill,) = [r for r in body["results"] if r["kind"] == "tax_bill"]
    assert bill["invt_no"] == released.invt_no and bill["message_type"] == "CEB816"
    assert bill["natural_key"] == TaxBill.objects.get().tax_no
    # the platform's own queue: its order's receipts only, no list numbers on them
    platform = pull(world.client("platform"), fmt="json").json()["results"]
    assert {r["kind"] for r in platform} == {"order"} and {r["pre_no"] for r in platform} == {None}
    # JSON stays the default
    default = world.client("seller").get("/api/v1/receipts/?since=0")
    assert default["Content-Type"].startswith("application/json") and default.json() == body


def test_the_ceb_feed_pages_by_cursor_and_keeps_tenancy(world, django_capture_on_commit_callbacks):
    world.clear(world.declaration(1, lines=1), django_capture_on_commit_callbacks)
    seller = world.client("seller")
    first = etree.fromstring(pull(seller, limit=2).content)
    assert first.get("more") == "true" and first.get("count") == "2"
    rest = etree.fromstring(pull(seller, since=int(first.get("nextCursor"))).content)
    assert rest.get("more") == "false"
    everything = {e.get("id") for e in feed_entries(pull(seller))}
    assert {e.get("id") for e in first} | {e.get("id") for e in rest} == everything
    # another enterprise's queue has none of them; an unknown format is refused, bad cursors are 400
    stranger = key_client(world.warehouse)
    assert feed_entries(pull(stranger)) == []
    assert stranger.get("/api/v1/receipts/?format=csv").status_code == 404
    refused = seller.get("/api/v1/receipts/?since=x&format=ceb")
    assert refused.status_code == 400 and "since" in refused.json()["fields"]
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/receipts/?format=ceb").status_code in (401, 403)


def test_webhooks_deliver_ceb_xml_signed_or_json(world, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(webhooks, "url_problem", lambda url: None)
    seller = world.seller
    as_ceb = WebhookSubscription.objects.create(
        enterprise=seller, url="https://partner.example/ceb", secret="s" * 64, payload_format="ceb"
    )
    as_json = WebhookSubscription.objects.create(
        enterprise=seller, url="https://partner.example/json", secret="j" * 64
    )
    sent = []

    def post(target, body, headers, timeout):
        sent.append((target, body, headers))

        class Answer:
            status, reason, location = 200, "OK", ""

        return Answer()

    monkeypatch.setattr(webhooks.webhook_targets, "check", lambda url: url)
    monkeypatch.setattr(webhooks.webhook_targets, "post", post)
    released = world.clear(world.declaration(1, lines=1), django_capture_on_commit_callbacks)
    assert released.status == "released"
    xml_delivery = WebhookDelivery.objects.get(subscription=as_ceb, event="inventory.final")
    json_delivery = WebhookDelivery.objects.get(subscription=as_json, event="inventory.final")
    assert json.loads(json_delivery.payload)["invt_no"] == released.invt_no
    assert_valid_ceb(xml_delivery.payload.encode())
    root = etree.fromstring(xml_delivery.payload.encode())
    assert etree.QName(root).localname == "CEB622Message"
    assert root.findtext(f"{CEB}InventoryReturn/{CEB}returnStatus") == "800"
    assert root.findtext(f"{CEB}InventoryReturn/{CEB}invtNo") == released.invt_no
    # the tax bill goes to the CEB subscriber as its CEB816
    bill_delivery = WebhookDelivery.objects.get(subscription=as_ceb, event="tax_bill.generated")
    assert_valid_ceb(bill_delivery.payload.encode())
    # a JSON webhook keeps its one event per list
    assert list(WebhookDelivery.objects.filter(subscription=as_json).values_list("event", flat=True)) == [
        "inventory.final"
    ]
    by_url = {target: (body, headers) for target, body, headers in sent}
    body, headers = by_url["https://partner.example/ceb"]
    assert headers["Content-Type"].startswith("application/xml")
    assert headers[webhooks.SIGNATURE_HEADER] == webhooks.sign(as_ceb.secret, body)
    body, headers = by_url["https://partner.example/json"]
    assert headers["Content-Type"] == "application/json"
    assert headers[webhooks.SIGNATURE_HEADER] == webhooks.sign(as_json.secret, body)


def test_a_subscriber_chooses_its_payload_format_by_api(world, monkeypatch):
    monkeypatch.setattr(webhooks, "url_problem", lambda url: None)
    client = world.client("seller")
    made = client.post(
        "/api/v1/webhooks/", {"url": "https://partner.example/h", "payload_format": "ceb"}, format="json"
    )
    assert made.status_code == 201, made.json()
    assert made.json()["payload_format"] == "ceb"
    default = client.post("/api/v1/webhooks/", {"url": "https://partner.example/i"}, format="json")
    assert default.json()["payload_format"] == "json"
    bad = client.post(
        "/api/v1/webhooks/", {"url": "https://partner.example/j", "payload_format": "xml"}, format="json"
    )
    assert bad.status_code == 400 and "payload_format" in bad.json()["fields"]


def _sign_for(world, waybill: dict) -> bytes:
    from django.utils import timezone

    from ..ceb_messages import ceb_message

    document = {
        "guid": "0513AAAA-0000-4000-8000-000000000001",
        "app_type": "1",
        "app_time": f"{timezone.now():%Y%m%d%H%M%S}",
        "app_status": "2",
        "logistics_code": waybill["logistics_code"],
        "logistics_name": waybill["logistics_name"],
        "logistics_no": waybill["logistics_no"],
        "logistics_status": "S",
        "logistics_time": f"{timezone.now():%Y%m%d%H%M%S}",
    }
    transfer = {
        "cop_code": waybill["logistics_code"],
        "cop_name": "x",
        "dxp_mode": "DXP",
        "dxp_id": "DXPENT01",
    }
    return ceb_message("CEB513Message", [document], base_transfer=transfer)
