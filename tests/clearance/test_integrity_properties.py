"""A property of the whole window (issue 16): whatever several tenants file, change, re-send, cancel and
return, in whatever order,

- each order, payment and waybill is behind at most one released list,
- every buyer's used quota equals the dutiable value of their released, unreturned lists,
- every tax bill in force belongs to exactly one released, unreturned list, and each such list has one.

Examples accumulate in one database (the worlds are made once), so the invariants are checked after
every example over everything filed so far, not only over the last sequence.
"""

from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from declarations.models import InventoryList, InventoryRefund
from declarations.services import amendment_for_list
from finance.models import BuyerQuota, TaxBill

from ..factories import ClearanceWorld

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

OPERATIONS = ("declare", "duplicate", "second_list", "change_order", "stranger_list", "cancel", "return")
step = st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 1), st.integers(0, 4))


@pytest.fixture
def worlds(no_random_inspection):
    return [ClearanceWorld(), ClearanceWorld()]


def _number(world_index: int, n: int) -> int:
    return 900 + world_index * 10 + n


def _run(op: str, worlds: list[ClearanceWorld], w: int, n: int, capture) -> None:
    world = worlds[w]
    docs = world.declaration(_number(w, n), lines=1)
    with capture(execute=True):
        if op == "declare":
            world.declare(docs)
        elif op == "duplicate":
            world.declare(docs)
            world.post("order", dict(docs["order"], guid="R" * 36))
        elif op == "second_list":
            cop_no = f"SECOND{w}{n}{timezone.now():%f}"
            world.post("inventory", dict(docs["inventory"], cop_no=cop_no))
        elif op == "change_order":
            world.post("order", dict(docs["order"], app_type="2", consignee_telephone="13900000009"))
        elif op == "stranger_list":
            # the other tenant's seller declares a list for this tenant's order and waybill
            other = worlds[1 - w]
            stolen = dict(
                docs["inventory"],
                ebc_code=other.seller.customs_code,
                ebc_name=other.seller.name_zh,
                agent_code=other.seller.customs_code,
                assure_code=other.seller.customs_code,
                cop_no=f"STOLEN{w}{n}",
            )
            other.post("inventory", stolen)
        elif op == "cancel":
            inventory = InventoryList.objects.filter(cop_no=docs["inventory"]["cop_no"]).first()
            if inventory is not None:
                body = amendment_for_list(inventory, reason="买家取消")
                world.client("seller").post("/api/v1/inventory-cancels/", body, format="json")
        elif op == "return":
            inventory = InventoryList.objects.filter(
                cop_no=docs["inventory"]["cop_no"], status="released"
            ).first()
            if inventory is not None:
                item = inventory.items.get()
                body = {
                    **amendment_for_list(inventory, reason="退货"),
                    "items": [
                        {
                            "gnum": 1,
                            "gcode": item.gcode,
                            "gname": item.gname,
                            "qty": str(item.qty),
                            "unit": item.unit,
                        }
                    ],
                }
                answer = world.client("seller").post("/api/v1/inventory-returns/", body, format="json")
                if answer.status_code == 201:
                    world.client("logistics").post(
                        f"/api/v1/inventory-returns/{answer.json()['id']}/goods-received/"
                    )


def _returned_ids() -> set[int]:
    """Lists whose goods came back in full (every line, all of its quantity)."""
    back: dict[int, Decimal] = defaultdict(Decimal)
    for refund in InventoryRefund.objects.filter(goods_received_at__isnull=False).prefetch_related("lines"):
        for line in refund.lines.all():
            back[refund.inventory_id] += line.qty
    full = set()
    for inventory in InventoryList.objects.filter(pk__in=list(back)).prefetch_related("items"):
        if back[inventory.pk] >= sum(item.qty for item in inventory.items.all()):
            full.add(inventory.pk)
    return full


def _check_invariants() -> None:
    released = list(InventoryList.objects.filter(status="released"))
    for key in (("ebp_code", "order_no"), ("logistics_code", "logistics_no")):
        counts = Counter(tuple(getattr(i, f) for f in key) for i in released)
        assert max(counts.values(), default=0) <= 1, counts
    payments = Counter(i.payment_id for i in released)
    assert max(payments.values(), default=0) <= 1, payments
    returned = _returned_ids()
    standing = [i for i in released if i.pk not in returned]
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for inventory in standing:
        expected[inventory.buyer_id_number] += inventory.dutiable_value
    used = {q.buyer_id_number: q.used for q in BuyerQuota.objects.all() if q.used}
    assert used == {k: v for k, v in expected.items() if v}, (used, dict(expected))
    bills = Counter(TaxBill.objects.exclude(status="3").values_list("inventory_id", flat=True))
    assert set(bills) == {i.pk for i in standing}, (bills, [i.pk for i in standing])
    assert max(bills.values(), default=0) <= 1


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=2, max_size=7))
def test_one_order_one_release_one_quota_one_bill(worlds, django_capture_on_commit_callbacks, steps):
    for op, w, n in steps:
        _run(op, worlds, w, n, django_capture_on_commit_callbacks)
        _check_invariants()
