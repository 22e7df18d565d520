"""BaseSubscribe (DOMAIN 1.3): the parties a message names get copies in their pull queue and webhooks
(ALL and RET every receipt, DATA the arrival's), and nothing else; an address that names no
registered party refuses the request before anything is stored."""

import pytest
from lxml import etree

from declarations import ceb
from declarations.models import DocumentSubscription, InventoryList, Order, Receipt
from sharing import webhooks
from sharing.models import WebhookDelivery, WebhookSubscription

from ..ceb_messages import ceb_message
from ..conftest import assert_valid_ceb, key_client

pytestmark = pytest.mark.django_db


def queue(client, fmt="json"):
    answer = client.get(f"/api/v1/receipts/?since=0&format={fmt}")
    assert answer.status_code == 200
    return answer.json()["results"] if fmt == "json" else etree.fromstring(answer.content)


def with_subscriptions(xml: bytes, *subscriptions: tuple[str, str]) -> bytes:
    """The message with BaseSubscribe elements (status, dxpAddress) after its BaseTransfer (XSD order)."""
    root = etree.fromstring(xml)
    transfer = root.find(f"{{{ceb.CEB_NS}}}BaseTransfer")
    for position, (status, address) in enumerate(subscriptions, start=1):
        element = etree.Element(f"{{{ceb.CEB_NS}}}BaseSubscribe")
        for name, value in (("status", status), ("dxpMode", "DXP"), ("dxpAddress", address)):
            etree.SubElement(element, f"{{{ceb.CEB_NS}}}{name}").text = value
        root.insert(root.index(transfer) + position, element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_json_ret_subscription_copies_every_receipt_of_the_list_only(
    world, django_capture_on_commit_callbacks
):
    docs = world.declaration(1, lines=1)
    watcher = world.warehouse
    docs["inventory"]["base_subscribe"] = [
        {"status": "RET", "dxp_mode": "DXP", "dxp_address": watcher.customs_code, "note": "仓库"}
    ]
    released = world.clear(docs, django_capture_on_commit_callbacks)
    assert released.status == "released", released.status_reason
    subscription = DocumentSubscription.objects.get()
    assert (subscription.kind, subscription.document_id, subscription.scope) == (
        "inventory",
        released.pk,
        "RET",
    )
    assert subscription.subscriber == watcher and subscription.named_by == world.seller

    copies = queue(key_client(watcher))
    own = Receipt.objects.filter(kind="inventory", document_id=released.pk).order_by("id")
    assert [r["id"] for r in copies] == [r.pk for r in own]
    assert {r["copy"] for r in copies} == {"RET"} and copies[-1]["return_status"] == "800"
    assert copies[-1]["invt_no"] == released.invt_no
    # the filer's queue marks nothing as a copy; the platform, not named, gets none of the list's
    assert {r["copy"] for r in queue(world.client("seller"))} == {None}
    assert {r["kind"] for r in queue(world.client("platform"))} == {"order"}
    # the CEB feed says the same, each message still valid
    feed = queue(key_client(watcher), fmt="ceb")
    assert [e.get("copy") for e in feed] == ["RET"] * len(copies)
    for entry in feed:
        assert_valid_ceb(etree.tostring(entry[0]))


def test_ceb_xml_base_subscribe_by_dxp_id_and_customs_code(world, django_capture_on_commit_callbacks):
    docs = world.declaration(2, lines=1)
    logistics, payment = world.logistics, world.payment
    order = ceb_message("CEB311Message", [docs["order"]])
    body = with_subscriptions(
        order, ("DATA", f"DXPENT{logistics.customs_code}"), ("ALL", payment.customs_code)
    )
    assert ceb.schema_errors(body) == []  # the message as the e-port takes it
    with django_capture_on_commit_callbacks(execute=True):
        answer = world.client("platform").post("/api/v1/ceb/", body, content_type="application/xml")
        assert answer.status_code == 200, answer.content[:400]
        world.declare(docs, order=("payment", "waybill", "inventory"))
    stored = Order.objects.get(order_no=docs["order"]["order_no"])
    scopes = dict(DocumentSubscription.objects.filter(kind="order").values_list("subscriber_id", "scope"))
    assert scopes == {logistics.pk: "DATA", payment.pk: "ALL"}

    order_receipts = list(Receipt.objects.filter(kind="order", document_id=stored.pk).order_by("id"))
    assert len(order_receipts) >= 2  # received, then the list's progress on the order
    # DATA: only the receipt that answered the order's arrival (the CEB312 of the answer), beside the
    # carrier's own receipts
    answered = etree.fromstring(answer.content).findtext(f"{{{ceb.CEB_NS}}}OrderReturn/{{{ceb.CEB_NS}}}guid")
    carrier = [r for r in queue(world.client("logistics")) if r["kind"] == "order"]
    assert [(r["guid"], r["copy"]) for r in carrier] == [(answered, "DATA")]
    # ALL: every receipt of the order, beside the payment firm's own
    paying = [r for r in queue(world.client("payment")) if r["kind"] == "order"]
    assert [r["id"] for r in paying] == [r.pk for r in order_receipts]
    assert {r["copy"] for r in paying} == {"ALL"}
    # neither sees the list: nobody named them for it
    assert not [r for r in queue(world.client("payment")) if r["kind"] == "inventory"]


def test_an_unknown_or_malformed_subscription_refuses_before_storing(world):
    docs = world.declaration(3, lines=1)
    unknown = dict(docs["order"], base_subscribe=[{"status": "ALL", "dxp_address": "DXPENT9999999999"}])
    answer = world.client("platform").post("/api/v1/orders/", unknown, format="json")
    assert answer.status_code == 400 and "base_subscribe" in answer.json()["fields"]
    assert "DXPENT9999999999" in answer.json()["fields"]["base_subscribe"][0]
    for bad in ("ALL", [{"status": "SOME", "dxp_address": world.payment.customs_code}], [{}] * 6):
        refused = world.client("platform").post(
            "/api/v1/orders/", dict(docs["order"], base_subscribe=bad), format="json"
        )
        assert refused.status_code == 400 and "base_subscribe" in refused.json()["fields"]
    body = with_subscriptions(ceb_message("CEB311Message", [docs["order"]]), ("RET", "NOBODY"))
    refused = world.client("platform").post("/api/v1/ceb/", body, content_type="application/xml")
    assert refused.status_code == 400 and "base_subscribe" in refused.json()["fields"]
    assert not Order.objects.exists() and not DocumentSubscription.objects.exists()
    assert not Receipt.objects.exists()


def test_a_subscriber_webhook_gets_the_copy_of_the_final_status(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(webhooks.webhook_targets, "check", lambda url: url)

    class Answer:
        status, reason, location = 200, "OK", ""

    monkeypatch.setattr(webhooks.webhook_targets, "post", lambda *a, **k: Answer())
    watcher = world.warehouse
    hook = WebhookSubscription.objects.create(
        enterprise=watcher, url="https://watcher.example/h", secret="w" * 64, payload_format="ceb"
    )
    docs = world.declaration(4, lines=1)
    docs["inventory"]["base_subscribe"] = [{"status": "ALL", "dxp_address": watcher.customs_code}]
    released = world.clear(docs, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(subscription=hook, event="inventory.final")
    assert_valid_ceb(delivery.payload.encode())
    assert released.invt_no in delivery.payload and delivery.delivered_at is not None
    # the tax bill is the seller's business, not the subscriber's
    assert not WebhookDelivery.objects.filter(subscription=hook, event="tax_bill.generated").exists()
    assert InventoryList.objects.count() == 1
