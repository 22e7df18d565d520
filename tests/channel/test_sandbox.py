"""The partners' sandbox through the API, as an integrator drives it: sandbox keys for each party, the
1210 and 9610 lives (order, payment, waybill, list -> released), the clock moved over the 30/45-day
return limits and over the month end (CEB818 consolidation, CEB701 -> CEB792 summary), scenarios, the
reset, and the walls: sandbox rows never reach the zone's statistics, ledgers or live readers, a live
key cannot ask for a scenario, and two sandbox partners do not see each other."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from credit.models import CreditEvent
from declarations.models import (
    ExportInventoryList,
    InventoryList,
    InventoryRefund,
    Order,
    Receipt,
    SummaryDeclaration,
)
from finance.models import BuyerQuota, TaxBill, TaxConsolidation, TaxGuarantee
from logistics.models import StockItem, Warehouse
from sharing.models import AuditEvent, SandboxClock
from sharing.services import api_key_issue
from singlewindow.core import sandbox
from stats.models import DailyStat

from ..conftest import assert_valid_ceb
from ..factories import EnterpriseFactory, official

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_random_inspection")]
PARTIES = ("platform", "seller", "logistics", "payment", "warehouse")


def _client(plain: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return client


class Sandbox:
    """The world's parties with sandbox keys: what an integrator gets to try the window."""

    def __init__(self, world):
        self.world = world
        self.clients = {}
        for name in PARTIES:
            _key, plain = api_key_issue(enterprise=getattr(world, name), name="sandbox", kind="sandbox")
            self.clients[name] = _client(plain)

    def __getitem__(self, name: str) -> APIClient:
        return self.clients[name]

    def context(self, name: str = "seller") -> sandbox.SandboxContext:
        enterprise = getattr(self.world, name)
        clock = SandboxClock.objects.filter(enterprise=enterprise).first()
        offset = datetime.timedelta(seconds=clock.offset_seconds if clock else 0)
        return sandbox.SandboxContext(tenant_id=enterprise.pk, offset=offset)

    def declare(self, docs, capture, headers=None):
        with capture(execute=True):
            answers = {}
            for kind, (who, url) in self.world.POSTER.items():
                answers[kind] = self.clients[who].post(url, docs[kind], format="json", **(headers or {}))
        assert {k: a.status_code for k, a in answers.items()} == dict.fromkeys(answers, 201), {
            k: a.json() for k, a in answers.items()
        }
        with sandbox.entered(self.context()):
            return InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])

    def advance(self, duration: str, who: str = "seller") -> dict:
        answer = self.clients[who].post("/api/v1/sandbox/clock/", {"advance": duration}, format="json")
        assert answer.status_code == 200, answer.json()
        return answer.json()


@pytest.fixture
def box(world):
    sandbox_ = Sandbox(world)
    # The first reset seeds the seller's sandbox guarantee.
    assert sandbox_["seller"].post("/api/v1/sandbox/reset/").status_code == 200
    return sandbox_


def _return_doc(inventory, items):
    from declarations.services import amendment_for_list

    doc = amendment_for_list(inventory, reason="不想要了")
    doc["items"] = [
        {"gnum": i["gnum"], "gcode": i["gcode"], "gname": i["gname"], "qty": i["qty"], "unit": i["unit"]}
        for i in items
    ]
    return doc


def _next_month_start(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return timezone.make_aware(datetime.datetime(year, month, 1, 9, 0)).isoformat()


# --- 9610: a full life, the return window, the month end ------------------------------------------


def test_9610_life_is_released_in_the_sandbox_and_never_reaches_the_zone(
    world, box, django_capture_on_commit_callbacks
):
    docs = world.declaration(1)
    inventory = box.declare(docs, django_capture_on_commit_callbacks)
    assert inventory.sandbox and inventory.status == "released", inventory.status_reason
    assert inventory.return_status == "800"

    # The seller's sandbox reader sees it, with its receipts; its live key sees nothing of it.
    listed = box["seller"].get("/api/v1/inventories/").json()["results"]
    assert [row["cop_no"] for row in listed] == [docs["inventory"]["cop_no"]]
    assert world.client("seller").get("/api/v1/inventories/").json()["results"] == []
    assert world.client("seller").get(f"/api/v1/inventories/{inventory.pk}/").status_code == 404

    # Live queries (statistics, ledgers, credit) see none of it.
    assert not InventoryList.objects.exists() and not Order.objects.exists()
    assert InventoryList.all_rows.filter(pk=inventory.pk, sandbox=True).exists()
    assert not DailyStat.objects.exists()
    assert not TaxBill.objects.exists() and not BuyerQuota.objects.exists()
    assert not CreditEvent.objects.exists()
    live_guarantee = TaxGuarantee.objects.get(pk=world.guarantee.pk)
    assert live_guarantee.used == 0 and live_guarantee.reserved == 0
    stats = world.client("seller").get("/api/v1/stats/overview/")
    if stats.status_code == 200:
        assert stats.json().get("lists", 0) == 0
    # ...while the sandbox has its own ledger rows.
    with sandbox.entered(box.context()):
        bill = TaxBill.objects.get(inventory=inventory)
        assert bill.total > 0
        assert BuyerQuota.objects.get(buyer_id_number=docs["order"]["buyer_id_number"]).used > 0
        assert TaxGuarantee.objects.get(assure_code=world.seller.customs_code).used == bill.total


def test_the_clock_moves_past_the_30_day_return_window(world, box, django_capture_on_commit_callbacks):
    docs = world.declaration(2)
    inventory = box.declare(docs, django_capture_on_commit_callbacks)
    clock = box.advance("P31D")
    assert clock["offset_seconds"] == 31 * 86400
    read = box["seller"].get("/api/v1/sandbox/clock/").json()
    assert read["offset_seconds"] == 31 * 86400
    assert datetime.datetime.fromisoformat(read["now"]) > timezone.now() + datetime.timedelta(days=30)

    late = box["seller"].post(
        "/api/v1/inventory-returns/", _return_doc(inventory, docs["inventory"]["items"]), format="json"
    )
    assert late.status_code == 400, late.json()
    # the CEB625 rule "applied for within 30 days of release" (DOMAIN 6.4), on the list's number
    assert late.json()["return_status"] == "-625002" and "invt_no" in late.json()["fields"]
    # The same return with the live clock (a second tenant's view is not moved) would have been in time.
    assert not SandboxClock.objects.filter(enterprise=world.platform).exists()


def test_goods_not_back_within_45_days_expire_the_return(world, box, django_capture_on_commit_callbacks):
    docs = world.declaration(3)
    inventory = box.declare(docs, django_capture_on_commit_callbacks)
    applied = box["seller"].post(
        "/api/v1/inventory-returns/", _return_doc(inventory, docs["inventory"]["items"]), format="json"
    )
    assert applied.status_code == 201, applied.json()
    assert applied.json()["state"] == "awaiting"
    # The carrier of a 9610 list says the goods are back, 46 days after release on its clock.
    box.advance("P46D", who="logistics")
    back = box["logistics"].post(f"/api/v1/inventory-returns/{applied.json()['id']}/goods-received/")
    assert (back.status_code, back.json()["code"]) == (409, "expired"), back.json()
    with sandbox.entered(box.context()):
        assert InventoryRefund.objects.get(pk=applied.json()["id"]).state == "expired"


def test_month_end_lets_the_sandbox_tax_office_consolidate_ceb818(
    world, box, django_capture_on_commit_callbacks
):
    docs = world.declaration(4)
    inventory = box.declare(docs, django_capture_on_commit_callbacks)
    released = timezone.localtime(inventory.final_at)
    body = {"assure_code": world.seller.customs_code, "year": released.year, "month": released.month}
    early = box["seller"].post("/api/v1/sandbox/tax-consolidations/", body, format="json")
    assert early.status_code == 409 and "month" in early.json()["fields"]

    moved = box["seller"].post(
        "/api/v1/sandbox/clock/", {"set": _next_month_start(inventory.final_at)}, format="json"
    )
    assert moved.status_code == 200, moved.json()
    answer = box["seller"].post("/api/v1/sandbox/tax-consolidations/", body, format="json")
    assert answer.status_code == 200, answer.content
    assert b"CEB818Message" in answer.content and inventory.invt_no.encode() in answer.content
    assert_valid_ceb(answer.content)
    with sandbox.entered(box.context()):
        bill = TaxBill.objects.get(inventory=inventory)
        assert bill.status == TaxBill.Status.CONSOLIDATED
    # The live zone has no consolidation (the audit trail marks the sandbox's), and a guarantee that is
    # not the caller's is refused.
    assert not TaxConsolidation.objects.exists()
    assert AuditEvent.objects.get(action="tax.consolidated").detail["sandbox"] == "True"
    other = box["seller"].post(
        "/api/v1/sandbox/tax-consolidations/",
        {**body, "assure_code": world.platform.customs_code},
        format="json",
    )
    assert other.status_code == 400 and "assure_code" in other.json()["fields"]


# --- 1210 -------------------------------------------------------------------------------------------


def test_1210_life_draws_sandbox_stock_only(world, box, django_capture_on_commit_callbacks):
    officer = APIClient()
    officer.force_authenticate(official("customs", "customs-officer"))
    operator = world.client("warehouse")
    registered = operator.post(
        "/api/v1/warehouses/",
        {
            "code": "W2992001",
            "name": "综保区 1 号仓",
            "kind": "bonded",
            "ems_no": "T2992W000001",
            "address": "下沙",
            "capacity": 1000,
        },
        format="json",
    )
    assert registered.status_code == 201, registered.json()
    assert (
        officer.post(
            f"/api/v1/warehouses/{registered.json()['id']}/decide/", {"approve": True}, format="json"
        ).status_code
        == 200
    )

    docs = world.declaration(5, trade_mode="1210", lines=1)
    item = docs["inventory"]["items"][0]
    entry = {
        "guid": "0711AAAA-0000-4000-8000-000000000001",
        "app_type": "1",
        "app_time": f"{timezone.now():%Y%m%d%H%M%S}",
        "app_status": "2",
        "customs_code": "2928",
        "cop_no": "RK-SANDBOX-1",
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
        "lines": [
            {
                "gnum": 1,
                "logistics_no": "IN-1",
                "item_record_no": item["item_record_no"],
                "gcode": item["gcode"],
                "gname": item["gname"],
                "unit": item["unit"],
                "qty": str(Decimal(item["qty"]) * 3),
            }
        ],
    }
    assert box["warehouse"].post("/api/v1/warehouse-entries/", entry, format="json").status_code == 201
    inventory = box.declare(docs, django_capture_on_commit_callbacks)
    assert inventory.status == "released", inventory.status_reason
    warehouse = Warehouse.objects.get(code="W2992001")
    with sandbox.entered(box.context()):
        stock = StockItem.objects.get(warehouse=warehouse, item_record_no=item["item_record_no"])
        assert stock.quantity == Decimal(item["qty"]) * 2
    assert not StockItem.objects.filter(warehouse=warehouse).exists()  # the live warehouse has no stock


# --- 9610 export and its summary (CEB701 -> CEB792) ---------------------------------------------------


def test_export_summary_ceb701_to_ceb792_after_the_month_end(world, box, django_capture_on_commit_callbacks):
    docs = world.export(6)
    who = {
        "export_order": "platform",
        "receipt_of_payment": "payment",
        "export_waybill": "logistics",
        "export_inventory": "seller",
    }
    with django_capture_on_commit_callbacks(execute=True):
        for kind, url in world.EXPORT_URLS.items():
            answer = box[who[kind]].post(url, docs[kind], format="json")
            assert answer.status_code == 201, answer.json()
    with sandbox.entered(box.context()):
        exported = ExportInventoryList.objects.get(cop_no=docs["export_inventory"]["cop_no"])
    assert exported.status == "released", exported.status_reason
    released = timezone.localtime(exported.final_at)
    body = {
        "year": released.year,
        "month": released.month,
        "trade_mode": "9610",
        "decl_agent_code": "3301980001",
        "decl_agent_name": "杭州报关行",
    }
    early = box["seller"].post("/api/v1/summary-declarations/", body, format="json")
    assert early.status_code == 409

    box["seller"].post("/api/v1/sandbox/clock/", {"set": _next_month_start(exported.final_at)}, format="json")
    applied = box["seller"].post("/api/v1/summary-declarations/", body, format="json")
    assert applied.status_code == 201, applied.json()
    summary = applied.json()
    assert summary["status"] == "concluded" and [r["invt_no"] for r in summary["lists"]] == [exported.invt_no]
    for message in ("701", "792"):
        xml = box["seller"].get(f"/api/v1/summary-declarations/{summary['id']}/ceb/?message={message}")
        assert xml.status_code == 200
        assert_valid_ceb(xml.content)
    # The live zone has no summary, and the live key does not find the sandbox one.
    assert not SummaryDeclaration.objects.exists()
    assert world.client("seller").get(f"/api/v1/summary-declarations/{summary['id']}/").status_code == 404


# --- scenarios ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "status", "return_status"),
    [
        ("inspect", "inspection", "500"),
        ("reject:-621018", "rejected", "-621018"),
        ("hold", "held", "300"),
        ("timeout:customs", "dispatched", None),
    ],
)
def test_scenarios_choose_the_outcome_through_the_agencies(
    world, box, django_capture_on_commit_callbacks, scenario, status, return_status
):
    docs = world.declaration(10)
    docs["inventory"]["sandbox_scenario"] = scenario
    inventory = box.declare(docs, django_capture_on_commit_callbacks)
    assert inventory.sandbox_scenario == scenario
    assert inventory.status == status, inventory.status_reason
    if return_status:
        assert inventory.return_status == return_status


def test_the_scenario_header_applies_to_the_documents_of_the_request(
    world, box, django_capture_on_commit_callbacks
):
    docs = world.declaration(11)
    inventory = box.declare(
        docs, django_capture_on_commit_callbacks, headers={"HTTP_X_SANDBOX_SCENARIO": "inspect"}
    )
    assert inventory.status == "inspection"


@pytest.mark.parametrize("where", ["header", "body"])
def test_a_live_key_is_refused_a_scenario_naming_the_field(world, where):
    docs = world.declaration(12)
    headers = {"HTTP_X_SANDBOX_SCENARIO": "inspect"} if where == "header" else {}
    if where == "body":
        docs["order"]["sandbox_scenario"] = "inspect"
    answer = world.client("platform").post("/api/v1/orders/", docs["order"], format="json", **headers)
    assert answer.status_code == 400
    assert "sandbox_scenario" in answer.json()["fields"]
    assert not Order.all_rows.exists()


def test_an_unknown_scenario_is_refused(world, box):
    docs = world.declaration(13)
    docs["order"]["sandbox_scenario"] = "explode"
    answer = box["platform"].post("/api/v1/orders/", docs["order"], format="json")
    assert answer.status_code == 400 and "sandbox_scenario" in answer.json()["fields"]


# --- clock, reset and tenancy ---------------------------------------------------------------------------


def test_sandbox_endpoints_refuse_live_keys_and_bad_input(world, box):
    for method, url in (
        ("get", "/api/v1/sandbox/clock/"),
        ("post", "/api/v1/sandbox/clock/"),
        ("post", "/api/v1/sandbox/reset/"),
        ("post", "/api/v1/sandbox/tax-consolidations/"),
    ):
        assert getattr(world.client("seller"), method)(url, {}, format="json").status_code == 403
        assert getattr(APIClient(), method)(url, {}, format="json").status_code in (401, 403)
    for body, field in (
        ({"advance": "31 days"}, "advance"),
        ({"advance": "-P1D"}, "advance"),
        ({"set": "2020-01-01T00:00:00+08:00"}, "set"),
        ({"set": "tomorrow"}, "set"),
        ({}, "advance"),
    ):
        answer = box["seller"].post("/api/v1/sandbox/clock/", body, format="json")
        assert answer.status_code == 400 and field in answer.json()["fields"], (body, answer.json())


def test_reset_deletes_the_tenants_documents_and_resets_its_clock(
    world, box, django_capture_on_commit_callbacks
):
    first = box.declare(world.declaration(20), django_capture_on_commit_callbacks)
    box.advance("P2D")
    assert InventoryList.all_rows.filter(pk=first.pk).exists()
    reset = box["seller"].post("/api/v1/sandbox/reset/")
    assert reset.status_code == 200, reset.json()
    assert reset.json()["offset_seconds"] == 0 and reset.json()["deleted"]["inventories"] == 1
    assert not InventoryList.all_rows.filter(pk=first.pk).exists()
    assert box["seller"].get("/api/v1/inventories/").json()["results"] == []
    # The other parties' sandbox documents (their own order, payment, waybill) stay theirs to reset.
    assert Order.all_rows.filter(sandbox=True).exists()
    # A new life starts cleanly after the reset (the same numbers again).
    again = box.declare(world.declaration(21), django_capture_on_commit_callbacks)
    assert again.status == "released", again.status_reason


def test_two_sandbox_partners_do_not_see_each_other(world, box, django_capture_on_commit_callbacks):
    inventory = box.declare(world.declaration(30), django_capture_on_commit_callbacks)
    stranger = EnterpriseFactory(roles=["ecommerce"])
    _key, plain = api_key_issue(enterprise=stranger, name="sandbox", kind="sandbox")
    other = _client(plain)
    assert other.get("/api/v1/inventories/").json()["results"] == []
    assert other.get(f"/api/v1/inventories/{inventory.pk}/").status_code == 404
    assert other.get("/api/v1/receipts/").status_code in (200, 404)
    if other.get("/api/v1/receipts/").status_code == 200:
        body = other.get("/api/v1/receipts/").json()
        rows = body["results"] if isinstance(body, dict) else body
        assert rows == []
    # Each tenant has its own clock.
    box.advance("P5D")
    assert other.get("/api/v1/sandbox/clock/").json()["offset_seconds"] == 0
    # A reset of one tenant leaves the other's documents.
    assert other.post("/api/v1/sandbox/reset/").status_code == 200
    assert InventoryList.all_rows.filter(pk=inventory.pk).exists()
    # Receipts of sandbox documents never reach the live pull queue.
    assert not Receipt.objects.filter(document_id=inventory.pk, kind="inventory").exists()


def test_the_api_keys_page_issues_a_sandbox_key_that_acts_in_the_sandbox(client):
    from sharing.models import EnterpriseAPIKey

    from ..factories import MembershipFactory

    membership = MembershipFactory()
    client.force_login(membership.user)
    created = client.post("/enterprise/api-keys/", {"name": "sandbox gateway", "kind": "sandbox"})
    assert created.status_code == 302
    page = client.get("/enterprise/api-keys/", HTTP_ACCEPT_LANGUAGE="en")
    plain = page.context["new_key"]
    assert b'class="key-kind">Sandbox<' in page.content
    key = EnterpriseAPIKey.objects.get(enterprise=membership.enterprise)
    assert key.kind == "sandbox"
    assert _client(plain).get("/api/v1/sandbox/clock/").status_code == 200
    # a live key is the default, and an unknown kind is refused on its field
    client.post("/enterprise/api-keys/", {"name": "live gateway"})
    assert EnterpriseAPIKey.objects.get(name="live gateway").kind == "live"
    refused = client.post("/enterprise/api-keys/", {"name": "odd", "kind": "test"})
    assert refused.status_code == 200 and "kind" in refused.context["form"].errors


def test_the_same_numbers_live_and_in_the_sandbox_are_two_documents(
    world, box, django_capture_on_commit_callbacks
):
    docs = world.declaration(40)
    live = world.clear(docs, django_capture_on_commit_callbacks)
    assert live.status == "released" and not live.sandbox
    test = box.declare(docs, django_capture_on_commit_callbacks)
    assert test.pk != live.pk and test.sandbox and test.status == "released", test.status_reason
    assert InventoryList.all_rows.filter(cop_no=docs["inventory"]["cop_no"]).count() == 2
    assert Order.objects.get(order_no=docs["order"]["order_no"]).sandbox is False  # live reader: the live one


def test_an_enterprise_administrator_issues_a_sandbox_key_by_api(world):
    from ..factories import MembershipFactory

    membership = MembershipFactory()
    admin = APIClient()
    admin.force_login(membership.user)
    issued = admin.post("/api/v1/api-keys/", {"name": "sandbox gateway", "kind": "sandbox"}, format="json")
    assert issued.status_code == 201, issued.json()
    assert issued.json()["kind"] == "sandbox" and issued["Cache-Control"].startswith("max-age=0")
    assert _client(issued.json()["key"]).get("/api/v1/sandbox/clock/").status_code == 200
    listed = admin.get("/api/v1/api-keys/").json()
    assert [(k["name"], k["kind"]) for k in listed] == [("sandbox gateway", "sandbox")]
    assert "key" not in listed[0]
    bad = admin.post("/api/v1/api-keys/", {"name": "x", "kind": "test"}, format="json")
    assert bad.status_code == 400 and "kind" in bad.json()["fields"]
    # a partner key cannot mint keys, nor read another enterprise's
    assert (
        _client(issued.json()["key"]).post("/api/v1/api-keys/", {"name": "more"}, format="json").status_code
        == 403
    )
    assert world.client("seller").get("/api/v1/api-keys/").status_code == 403
