"""Split orders in the pipeline: several lists of one buyer, each within the single limit, that together
pass it within a day are held for an official with the sum and the lists as evidence."""

import random
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from declarations.models import InventoryList
from risk.models import Alert
from singlewindow.generator import buyer

from ..factories import official

pytestmark = pytest.mark.django_db

FREIGHT = Decimal("12.00")


@pytest.fixture
def customs():
    client = APIClient()
    client.force_authenticate(official("customs", username="split-reviewer"))
    return client


def worth(docs: dict[str, dict], dutiable_value: Decimal) -> dict[str, dict]:
    """One item at the price that makes the list's dutiable value (goods + freight) this amount; the
    platform pre-collected no tax (DOMAIN 6.5)."""
    goods = dutiable_value - FREIGHT
    for kind in ("order", "inventory"):
        (item,) = docs[kind]["items"]
        item.update(qty="1", price=f"{goods:.2f}", total_price=f"{goods:.2f}")
        if kind == "inventory":
            item["qty1"] = "1"
    paid = f"{goods + FREIGHT:.2f}"
    docs["order"].update(goods_value=f"{goods:.2f}", tax_total="0.00", actual_paid=paid)
    docs["payment"]["amount_paid"] = paid
    return docs


def evidence(customs, inventory: InventoryList) -> str:
    alert = Alert.objects.get(inventory=inventory)
    hits = customs.get(f"/api/v1/alerts/{alert.pk}/").json()["assessment"]["hits"]
    return next(h["evidence"] for h in hits if h["rule"] == "SPLIT_ORDERS")


def test_four_lists_of_one_buyer_filed_minutes_apart_are_held(
    world, customs, django_capture_on_commit_callbacks
):
    who = buyer(random.Random(16))
    docs = [worth(world.declaration(n, who=who, lines=1), Decimal("4450.00")) for n in range(1, 5)]

    lists = [world.clear(d, django_capture_on_commit_callbacks) for d in docs]

    # the first is an ordinary purchase; each later one takes the buyer's day over the single limit
    assert lists[0].status == "released", lists[0].status_reason
    assert [i.status for i in lists[1:]] == ["held"] * 3
    assert {i.status_reason for i in lists[1:]} == {"RISK-SPLIT_ORDERS"}
    second, last = evidence(customs, lists[1]), evidence(customs, lists[3])
    assert "2 lists" in second and "together 8,900.00" in second
    assert "4 lists" in last and "together 17,800.00" in last
    assert all(f"{i.cop_no} 4,450.00" in last for i in lists)


def test_lists_of_one_buyer_in_one_batch_are_held_together(
    world, customs, django_capture_on_commit_callbacks
):
    who = buyer(random.Random(17))
    docs = [worth(world.declaration(n, who=who, lines=1), Decimal("4450.00")) for n in range(10, 14)]

    with django_capture_on_commit_callbacks(execute=True):
        for kind in ("order", "payment", "waybill", "inventory"):
            assert world.post(kind, [d[kind] for d in docs]).status_code == 201

    lists = list(InventoryList.objects.order_by("id"))
    assert [i.status for i in lists] == ["held"] * 4
    assert all("together 17,800.00" in evidence(customs, i) for i in lists)


def test_lists_of_different_buyers_are_not_flagged(world, django_capture_on_commit_callbacks):
    docs = [worth(world.declaration(n, lines=1), Decimal("4450.00")) for n in range(20, 24)]
    assert len({d["order"]["buyer_id_number"] for d in docs}) == 4

    with django_capture_on_commit_callbacks(execute=True):
        for kind in ("order", "payment", "waybill", "inventory"):
            assert world.post(kind, [d[kind] for d in docs]).status_code == 201

    assert set(InventoryList.objects.values_list("status", flat=True)) == {"released"}
    assert not Alert.objects.exists()
