"""The counters kept by the pipeline equal a rebuild from the lists, and the dashboards' figures equal
those recomputed from the documents themselves, on data that went through every transition: released,
rejected (limit, stock), mismatched then corrected, held then rejected by an official, inspected then
passed or failed, cancelled, and exports."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from clearance import amendments, review
from credit.models import CreditLevel
from declarations.models import ExportInventoryList, InventoryList
from logistics.models import StockItem, Warehouse
from risk.models import Alert
from sharing.principal import principal_for_user
from stats import selectors, services
from stats.models import BUCKET_FIELDS, CLEARANCE_BUCKETS

from ..factories import ClearanceWorld, official

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_random_inspection")]  # exact outcomes


@pytest.fixture
def history(world, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    Warehouse.objects.create(
        code="W1",
        name="仓",
        kind="bonded",
        operator=world.warehouse,
        ems_no="T2992W000001",
        address="x",
        capacity=10**6,
        status="approved",
    )
    for n in range(1, 9):
        world.clear(world.declaration(n), capture)  # released
    bonded = world.declaration(20, trade_mode="1210", lines=1)
    item = bonded["inventory"]["items"][0]
    StockItem.objects.create(
        warehouse=Warehouse.objects.get(),
        item_record_no=item["item_record_no"],
        owner_code="x",
        gcode=item["gcode"],
        gname="x",
        unit="007",
        quantity=item["qty"],
    )
    world.clear(bonded, capture)  # released from stock
    short = world.declaration(21, trade_mode="1210", lines=1)
    short["inventory"]["items"][0]["item_record_no"] = item["item_record_no"]
    world.clear(short, capture)  # rejected: the stock is gone (or the record differs from the order)
    wrong = world.declaration(30)
    wrong["payment"]["amount_paid"] = str(Decimal(wrong["payment"]["amount_paid"]) - 3)
    mismatched = world.clear(wrong, capture)
    assert mismatched.status == "mismatch"
    fixed = world.declaration(30)["payment"]
    fixed["pay_transaction_id"] = wrong["payment"]["pay_transaction_id"]
    fixed["app_type"] = "2"  # a change of the stored payment (DOMAIN 1.5)
    with capture(execute=True):
        assert world.post("payment", fixed).status_code in (200, 201)
    still = world.declaration(31)
    still["payment"]["amount_paid"] = "1.00"
    world.clear(still, capture)  # stays mismatched
    held = world.declaration(40, lines=1)
    held["inventory"]["items"][0]["gcode"] = "3004900000"
    assert world.clear(held, capture).status == "held"
    customs = APIClient()
    customs.force_authenticate(official("customs", "stats-customs"))
    alert = Alert.objects.get()
    with capture(execute=True):
        assert (
            customs.post(
                f"/api/v1/alerts/{alert.pk}/reject/", {"reason": "fake goods"}, format="json"
            ).status_code
            == 200
        )
    CreditLevel.objects.update(inspection_rate=1)
    inspected = [world.clear(world.declaration(n), capture) for n in (50, 51)]
    CreditLevel.objects.update(inspection_rate=0)
    assert {i.status for i in inspected} == {"inspection"}
    review.inspection_conclude(inventory_id=inspected[0].pk, passed=True, reason="ok", official_id=None)
    waiting = world.declaration(60)
    waiting_list = world.clear(waiting, capture, order=("inventory",))
    from declarations.services import amendment_for_list

    with capture(execute=True):
        amendments.list_cancel(
            inventory_id=waiting_list.pk,
            data=amendment_for_list(waiting_list, reason="x"),
            enterprise_id=world.seller.pk,
            user_id=None,
        )
    for n, mode in ((70, "9610"), (71, "9710")):
        with capture(execute=True):
            world.declare_export(world.export(n, trade_mode=mode))
    odd = world.export(72, trade_mode="9710")
    odd["receipt_of_payment"]["charge"] = "1.00"
    with capture(execute=True):
        world.declare_export(odd)
    return world


def test_the_kept_counters_equal_a_rebuild(history):
    statuses = set(InventoryList.objects.values_list("status", flat=True))
    assert {"released", "rejected", "mismatch", "inspection", "cancelled"} <= statuses
    assert set(ExportInventoryList.objects.values_list("status", flat=True)) == {"released", "mismatch"}
    kept = services.table_snapshot()
    assert kept
    call_command("rebuild_stats", "--check")
    services.rebuild()
    assert services.table_snapshot() == kept


def test_the_dashboard_figures_equal_the_documents(history):
    user = official("commerce", "stats-commerce")
    today = timezone.localdate()
    f = selectors.filter_from(
        {"date_from": (today - timedelta(days=1)).isoformat()}, principal=principal_for_user(user)
    )
    figures = selectors.overview(f)
    lists = list(InventoryList.objects.prefetch_related("items")) + list(ExportInventoryList.objects.all())
    by_status: dict[str, int] = {}
    for inventory in lists:
        by_status[inventory.status] = by_status.get(inventory.status, 0) + 1
    for outcome in ("released", "rejected", "inspection", "mismatch", "cancelled"):
        assert figures[outcome] == by_status.get(outcome, 0), outcome
    released_imports = [i for i in lists if isinstance(i, InventoryList) and i.status == "released"]
    released_exports = [i for i in lists if isinstance(i, ExportInventoryList) and i.status == "released"]
    assert figures["tax"] == sum(i.tax_amount for i in released_imports)
    value = sum(sum(item.total_price for item in i.items.all()) for i in released_imports)
    value += sum(i.fob_value_cny for i in released_exports)
    assert figures["value_cny"] == value
    decided = by_status["released"] + by_status["rejected"] + by_status["inspection"]
    assert figures["release_rate"] == round(by_status["released"] / decided, 4)
    # clearance time from the documents, in the same buckets
    seconds = sorted(
        int((i.final_at - i.created_at).total_seconds()) for i in released_imports + released_exports
    )
    histogram = [0] * len(BUCKET_FIELDS)
    for s in seconds:
        index = next((n for n, bound in enumerate(CLEARANCE_BUCKETS) if s <= bound), len(CLEARANCE_BUCKETS))
        histogram[index] += 1
    assert figures["clearance_p50_s"] == selectors.percentile(histogram, 0.5)
    # the import/export split adds up to the outcomes
    flows = {row["key"]: row for row in selectors.breakdown(f, "flow")}
    assert flows["bonded_import"]["released"] == 1
    assert flows["export"]["released"] == len(released_exports) == 2
    assert sum(row["lists"] for row in flows.values()) == figures["lists"]
    # an enterprise sees its own lists only
    stranger = ClearanceWorld()
    from ..factories import MembershipFactory

    own = selectors.filter_from(
        {}, principal=principal_for_user(MembershipFactory(enterprise=stranger.seller).user)
    )
    assert selectors.overview(own)["lists"] == 0
