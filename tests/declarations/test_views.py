"""The declaration pages: forms, uploads with progress, receipts, the agencies' view, webhooks."""

import csv
import hashlib
import hmac
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from declarations.models import InventoryList, Order, Upload
from sharing.models import Membership, WebhookDelivery
from sharing.webhooks import subscription_create

from ..factories import UserFactory, official
from .test_intake import to_ceb

pytestmark = pytest.mark.django_db


def member(enterprise):
    user = UserFactory()
    Membership.objects.create(user=user, enterprise=enterprise, role="admin")
    return user


def form_data(document: dict) -> dict:
    data = {
        k: v
        for k, v in document.items()
        if k != "items" and k not in ("guid", "app_type", "app_time", "app_status")
    }
    items = document.get("items", [])
    for row, item in enumerate(items):
        for key, value in item.items():
            data[f"items-{row}-{key}"] = value
    # The lines are a formset: its management data says how many rows the page sent.
    data.update({"items-TOTAL_FORMS": len(items), "items-INITIAL_FORMS": 0})
    return data


def test_order_form_files_an_order_and_keeps_input_on_error(client, world):
    client.force_login(member(world.platform))
    order = world.declaration(1, lines=1)["order"]
    bad = form_data(order) | {"actual_paid": "1.00"}
    page = client.post("/declarations/new/order/", bad, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 400 and 'data-field="actual_paid"' in html
    assert f'value="{order["buyer_name"]}"' in html
    assert not Order.objects.exists()
    done = client.post("/declarations/new/order/", form_data(order))
    assert done.status_code == 302 and Order.objects.get().order_no == order["order_no"]


def test_inventory_form_shows_line_errors_on_the_line(client, world):
    client.force_login(member(world.seller))
    inventory = world.declaration(2, lines=1)["inventory"]
    data = form_data(inventory) | {"items-0-gcode": "123"}
    html = client.post("/declarations/new/inventory/", data).content.decode()
    assert 'data-field="items-0-gcode"' in html


def test_csv_upload_is_processed_with_progress(client, world, django_capture_on_commit_callbacks):
    client.force_login(member(world.platform))
    orders = [world.declaration(n)["order"] for n in range(1, 6)]
    orders[3]["actual_paid"] = "0.01"
    head = [k for k in orders[0] if k != "items"]
    lines = list(orders[0]["items"][0])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(head + [f"items.{k}" for k in lines])
    for order in orders:
        for item in order["items"]:
            writer.writerow([order[k] for k in head] + [item[k] for k in lines])
    upload = io.BytesIO(buffer.getvalue().encode())
    upload.name = "orders.csv"
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/declarations/upload/", {"kind": "order", "file": upload})
    assert answer.status_code == 302
    record = Upload.objects.get()
    assert (record.status, record.total, record.accepted, record.rejected) == ("done", 5, 4, 1)
    assert record.problems[0]["document"] == 4 and "actual_paid" in record.problems[0]["errors"]
    page = client.get(answer["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "100%" in page and "hx-trigger" not in page  # finished: the page stops polling
    assert Order.objects.count() == 4


def test_xml_upload_and_bad_file(client, world, django_capture_on_commit_callbacks):
    client.force_login(member(world.platform))
    body = to_ceb("order", [world.declaration(7)["order"]])
    upload = io.BytesIO(body)
    upload.name = "CEB311.xml"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/declarations/upload/", {"kind": "order", "file": upload}).status_code == 302
    assert Order.objects.count() == 1
    hostile = io.BytesIO(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')
    hostile.name = "evil.xml"
    page = client.post("/declarations/upload/", {"kind": "order", "file": hostile})
    assert page.status_code == 400 and 'data-field="file"' in page.content.decode()


def test_lists_receipts_and_agency_view(client, world, django_capture_on_commit_callbacks):
    docs = world.declaration(8)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get()
    client.force_login(member(world.seller))
    listing = client.get("/declarations/?status=released").content.decode()
    assert docs["inventory"]["cop_no"] in listing
    detail = client.get(f"/declarations/inventories/{inventory.pk}/").content.decode()
    assert 'id="agency-timeline"' in detail and "source-forex" in detail and "800" in detail
    assert docs["inventory"]["cop_no"] in client.get("/declarations/receipts/").content.decode()
    # another enterprise gets 404 for the list
    client.force_login(
        member(
            world.logistics.__class__.objects.create(
                customs_code="9999999999",
                uscc="91350100M000100Y43",
                name_zh="无关企业",
                roles=["ecommerce"],
                status="approved",
            )
        )
    )
    assert client.get(f"/declarations/inventories/{inventory.pk}/").status_code == 404
    # a tax official sees the tax agency's receipts only
    client.force_login(official("tax"))
    page = client.get("/officials/receipts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Tax guaranteed" in page and "Forex:" not in page


def test_webhook_is_signed_and_recorded(world, django_capture_on_commit_callbacks):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers["X-Singlewindow-Signature"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        subscription = subscription_create(
            enterprise=world.seller, url=f"http://127.0.0.1:{server.server_address[1]}/hook"
        )
        with django_capture_on_commit_callbacks(execute=True):
            world.declare(world.declaration(9))
    finally:
        server.shutdown()
    body, signature = received[0]
    expected = "sha256=" + hmac.new(subscription.secret.encode(), body, hashlib.sha256).hexdigest()
    assert signature == expected
    assert json.loads(body)["status"] == "released"
    delivery = WebhookDelivery.objects.get()
    assert delivery.response_code == 204 and delivery.delivered_at is not None


def test_failed_webhook_is_kept_for_retry(world, django_capture_on_commit_callbacks):
    from sharing import webhooks

    subscription_create(enterprise=world.seller, url="http://127.0.0.1:9/unreachable")
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(world.declaration(10))
    delivery = WebhookDelivery.objects.get()
    assert delivery.delivered_at is None and delivery.attempts >= 1 and delivery.error
    assert delivery.next_attempt_at is not None  # the sweeper re-sends it once the backoff has passed
    assert webhooks.send(delivery_id=delivery.pk) > 0
