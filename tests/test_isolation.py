"""Tenant isolation, generated over the API's routes: for every list route, each object the owner sees
answers 404 to another enterprise's key at its detail route (and at every action under it)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from declarations.models import InventoryList

from .conftest import key_client
from .factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

# Public on purpose: the zone directory, parks, the negative list and the register of approved
# warehouses (lists name them) carry no enterprise's private data.
PUBLIC = {"zones", "parks", "negative-list", "agencies", "warehouses"}
# Customs' and officials' queues: an enterprise is refused them outright.
OFFICIALS_ONLY = {"alerts", "risk-rules"}


def api_routes() -> dict[str, list[str]]:
    """{resource: [detail route patterns]} of /api/v1/, read from the URL configuration."""
    routes: dict[str, list[str]] = {}

    def walk(patterns, prefix=""):
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern) and text.lstrip("^").startswith("api/v1/"):
                parts = text.replace("^", "").replace("$", "").split("/")
                if len(parts) > 3 and "(?P<" in parts[3] and "format" not in text:
                    routes.setdefault(parts[2], []).append(text)

    walk(get_resolver().url_patterns)
    return routes


@pytest.fixture
def two_worlds(world, no_random_inspection, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from declarations.models import ExportInventoryList
    from declarations.services import amendment_for_list
    from finance.models import TaxBill
    from finance.services import tax_consolidate
    from logistics.models import Warehouse
    from sharing.principal import principal_for_user
    from singlewindow.core.months import last_month

    from .factories import official

    # The list must be released for its return below: no random inspection draw (no_random_inspection).
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(world.declaration(1))
        world.client("seller").post("/api/v1/park-applications/", {"park": "hangzhou-linan"}, format="json")
        world.declare_export(world.export(1, trade_mode="9710"))
    # Every kind of private record of issue 5: stock and its entry, a return, a financing request, a
    # summary declaration, a consolidated month.
    Warehouse.objects.create(
        code="W1",
        name="仓",
        kind="bonded",
        operator=world.warehouse,
        ems_no="T1",
        address="x",
        capacity=100,
        status="approved",
    )
    entry = {
        "guid": "A" * 36,
        "app_type": "1",
        "app_time": "20261101000000",
        "app_status": "2",
        "customs_code": "2928",
        "cop_no": "RK1",
        "operator_code": world.warehouse.customs_code,
        "operator_name": "仓",
        "ie_flag": "I",
        "traf_mode": "2",
        "traf_no": "x",
        "voyage_no": "x",
        "bill_no": "x",
        "logistics_code": world.logistics.customs_code,
        "logistics_name": "x",
        "warehouse_code": "W1",
        "lines": [
            {
                "gnum": 1,
                "logistics_no": "L1",
                "item_record_no": "R1",
                "gcode": "6109100021",
                "gname": "T恤",
                "unit": "007",
                "qty": "5",
            }
        ],
    }
    assert (
        world.client("warehouse").post("/api/v1/warehouse-entries/", entry, format="json").status_code == 201
    )
    inventory = InventoryList.objects.get()
    item = inventory.items.first()
    refund = {
        **amendment_for_list(inventory, reason="x"),
        "items": [{"gnum": 1, "gcode": item.gcode, "gname": item.gname, "qty": str(item.qty), "unit": "007"}],
    }
    assert world.client("seller").post("/api/v1/inventory-returns/", refund, format="json").status_code == 201
    loan = {"kind": "loan", "amount": "1000", "term_months": 3, "purpose": "备货"}
    assert world.client("seller").post("/api/v1/financing-requests/", loan, format="json").status_code == 201
    year, month = last_month()
    moved = timezone.make_aware(timezone.datetime(year, month, 10)) + timedelta(hours=1)
    ExportInventoryList.objects.update(final_at=moved)
    TaxBill.objects.update(created_at=moved)
    summary = {
        "year": year,
        "month": month,
        "trade_mode": "9710",
        "decl_agent_code": "X",
        "decl_agent_name": "X",
    }
    assert (
        world.client("seller").post("/api/v1/summary-declarations/", summary, format="json").status_code
        == 201
    )
    tax_consolidate(
        assure_code=world.seller.customs_code,
        year=year,
        month=month,
        by=principal_for_user(official("tax", "isolation-tax")),
    )
    stranger = key_client(
        EnterpriseFactory(roles=["platform", "ecommerce", "logistics", "payment", "agent", "warehouse"])
    )
    return world, stranger


def test_every_detail_route_is_isolated(two_worlds):
    world, stranger = two_worlds
    routes = api_routes()
    assert {
        "orders",
        "payments",
        "waybills",
        "inventories",
        "enterprises",
        "park-applications",
        "credit-profiles",
        "alerts",
    } <= set(routes)
    checked = []
    for resource in sorted(routes):
        if resource in PUBLIC:
            continue
        if resource in OFFICIALS_ONLY:
            assert stranger.get(f"/api/v1/{resource}/").status_code == 403, resource
            checked.append(resource)
            continue
        ids = []
        for who in ("seller", "platform", "payment", "logistics", "warehouse"):
            answer = world.client(who).get(f"/api/v1/{resource}/")
            if answer.status_code == 200:
                body = answer.json()
                rows = body["results"] if isinstance(body, dict) and "results" in body else body
                ids += [
                    row["id"] if "id" in row else row.get("enterprise")
                    for row in rows
                    if isinstance(row, dict)
                ]
        ids = [i for i in ids if i is not None]
        if not ids:
            continue
        for ident in ids:
            detail = stranger.get(f"/api/v1/{resource}/{ident}/")
            assert detail.status_code == 404, (resource, ident, detail.status_code)
            for reading in ("ceb", "ceb818", "events"):
                answer = stranger.get(f"/api/v1/{resource}/{ident}/{reading}/")
                assert answer.status_code in (404, 405), (resource, reading, answer.status_code)
            for action in (
                "events",
                "approve",
                "reject",
                "suspend",
                "decline",
                "release",
                "inspect",
                "inspection-result",
                "adjust",
                "decide-level",
                "lift",
                "decide",
                "top-ups",
                "goods-received",
            ):
                answer = stranger.post(f"/api/v1/{resource}/{ident}/{action}/", {}, format="json")
                assert answer.status_code in (403, 404, 405), (resource, action, answer.status_code)
        checked.append(resource)
    assert {
        "orders",
        "payments",
        "waybills",
        "inventories",
        "enterprises",
        "park-applications",
        "credit-profiles",
        "alerts",
        "risk-rules",
        "export-orders",
        "receipts-of-payment",
        "export-waybills",
        "export-inventories",
        "warehouse-entries",
        "stock",
        "stock-movements",
        "inventory-returns",
        "financing-requests",
        "tax-guarantees",
        "tax-consolidations",
        "summary-declarations",
    } <= set(checked)
    print(f"isolation: {len(checked)} resources checked: {', '.join(checked)}")  # shown with -s
    # and the receipts pull queue holds none of the world's receipts
    assert stranger.get("/api/v1/receipts/?since=0").json()["results"] == []
    assert InventoryList.objects.count() == 1


def test_every_page_with_an_object_id_is_isolated(two_worlds, client):
    from sharing.models import Membership

    from .factories import UserFactory

    world, _stranger = two_worlds
    from declarations.models import Upload

    inventory = InventoryList.objects.get()
    upload = Upload.objects.create(
        enterprise=world.seller,
        kind="order",
        file_name="orders.csv",
        file_format="csv",
        content="[]",
        total=0,
    )
    owner = UserFactory()
    Membership.objects.create(user=owner, enterprise=world.seller, role="admin")
    client.force_login(owner)
    pages = [f"/declarations/inventories/{inventory.pk}/", f"/declarations/uploads/{upload.pk}/"]
    assert [client.get(url).status_code for url in pages] == [200, 200]  # the owner sees them
    outsider = UserFactory()
    Membership.objects.create(user=outsider, enterprise=EnterpriseFactory(roles=["ecommerce"]), role="admin")
    client.force_login(outsider)
    for url in pages:
        assert client.get(url).status_code == 404, url
    for url in (
        f"/officials/credit/{world.seller.pk}/",
        f"/officials/enterprises/{world.seller.pk}/",
        "/officials/alerts/1/",
    ):
        assert client.get(url).status_code in (403, 404), url
