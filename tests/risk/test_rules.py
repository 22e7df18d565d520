"""Each rule fires on a constructed case and stays silent on a clean one."""

import random
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from declarations.models import InventoryList, Payment
from risk.rules import REGISTRY, Line, ListFacts
from singlewindow.generator import buyer

pytestmark = pytest.mark.django_db

CLEAN = ListFacts(
    id=1,
    ebc_code="3301960002",
    buyer_id_number="330106199001011234",
    buyer_name="王伟",
    consignee_address="浙江省杭州市西湖区1号",
    dutiable_value=Decimal("300.00"),
    payer_id_number="330106199001011234",
    payer_name="王伟",
    buyer_verified=False,
    enterprise_approved_at=None,
    credit_level="regular",
    credit_level_name="Regular",
    credit_dishonest=False,
    credit_inspection_rate=Decimal("0.03"),
    credit_held=False,
    negative_list_reason="",
    lines=(Line(gnum=1, gcode="3304990099", price=Decimal("268.00"), qty=Decimal(1)),),
)


def evaluate(code: str, facts: list[ListFacts], **params):
    spec = REGISTRY[code]
    return spec.evaluate(facts, {**spec.parameters, **params}, timezone.now())


@pytest.mark.parametrize(
    ("code", "change", "evidence"),
    [
        ("UNDERVALUED", {"lines": (Line(1, "3304990099", Decimal("9.90"), Decimal(1)),)}, "reference 180.00"),
        (
            "PAYER_MISMATCH",
            {"payer_id_number": "110105198001010015", "buyer_verified": True},
            "paid for buyer",
        ),
        ("NEW_ENTERPRISE", {"enterprise_approved_at": timezone.now() - timedelta(days=3)}, "approved on"),
        ("NEGATIVE_LIST", {"negative_list_reason": "走私前科"}, "走私前科"),
        ("LOW_CREDIT", {"credit_dishonest": True, "credit_level_name": "Dishonest"}, "rated Dishonest"),
        ("RESTRICTED_GOODS", {"lines": (Line(1, "3004900000", Decimal("50"), Decimal(1)),)}, "watch list"),
    ],
)
def test_rule_fires_on_its_case_and_not_on_a_clean_one(code, change, evidence):
    assert evaluate(code, [CLEAN]) == {}
    hits = evaluate(code, [replace(CLEAN, **change)])
    assert evidence in hits[1]


def stored_lists(world, count: int, *, who=None, lines: int = 1, first: int = 100) -> list[InventoryList]:
    """Lists stored as if they had been received over the last hour (rules read them from the database)."""
    docs = [world.declaration(first + n, who=who, lines=lines) for n in range(count)]
    for kind in ("payment", "inventory"):
        assert world.post(kind, [d[kind] for d in docs]).status_code == 201
    lists = list(
        InventoryList.objects.filter(cop_no__in=[d["inventory"]["cop_no"] for d in docs]).order_by("id")
    )
    payments = {p.order_no: p for p in Payment.objects.all()}
    for inventory in lists:
        inventory.payment = payments[inventory.order_no]
        inventory.save(update_fields=["payment"])
    return lists


def as_facts(inventory: InventoryList, **change) -> ListFacts:
    values = {
        "id": inventory.pk,
        "buyer_id_number": inventory.buyer_id_number,
        "consignee_address": inventory.consignee_address,
        "dutiable_value": inventory.dutiable_value or Decimal("300"),
        "payer_id_number": inventory.payment.payer_id_number,
    }
    return replace(CLEAN, **{**values, **change})


def test_split_orders(world):
    who = buyer(random.Random(7))
    lists = stored_lists(world, 4, who=who)
    InventoryList.objects.update(dutiable_value=Decimal("4900.00"))
    for inventory in lists:
        inventory.refresh_from_db()
    hits = evaluate("SPLIT_ORDERS", [as_facts(lists[-1])])
    assert "4 lists for buyer" in hits[lists[-1].pk] and "4,900.00" in hits[lists[-1].pk]
    # the same buyer with ordinary amounts is not splitting
    InventoryList.objects.update(dutiable_value=Decimal("300.00"))
    assert evaluate("SPLIT_ORDERS", [as_facts(lists[-1], dutiable_value=Decimal("300"))]) == {}


def test_split_orders_counts_lists_under_the_old_band_with_the_sum_and_cop_nos(world):
    who = buyer(random.Random(11))
    lists = stored_lists(world, 4, who=who)
    InventoryList.objects.update(dutiable_value=Decimal("4450.00"))
    last = as_facts(lists[-1], dutiable_value=Decimal("4450.00"), cop_no=lists[-1].cop_no)

    evidence = evaluate("SPLIT_ORDERS", [last])[last.id]

    assert "4 lists for buyer" in evidence and "together 17,800.00" in evidence
    assert all(f"{i.cop_no} 4,450.00" in evidence for i in lists)
    # the band and the window are the rule's data
    assert evaluate("SPLIT_ORDERS", [last], lower="4500") == {}
    InventoryList.objects.exclude(pk=last.id).update(created_at=timezone.now() - timedelta(hours=25))
    assert evaluate("SPLIT_ORDERS", [last]) == {}
    assert last.id in evaluate("SPLIT_ORDERS", [last], window_hours=48)


def test_split_orders_leaves_out_refused_lists(world):
    who = buyer(random.Random(12))
    lists = stored_lists(world, 2, who=who)
    InventoryList.objects.update(dutiable_value=Decimal("4450.00"))
    later = as_facts(lists[-1], dutiable_value=Decimal("4450.00"))
    assert later.id in evaluate("SPLIT_ORDERS", [later])

    InventoryList.objects.filter(pk=lists[0].pk).update(status="rejected")

    assert evaluate("SPLIT_ORDERS", [later]) == {}


def test_split_orders_reads_the_history_once_for_a_batch(world, django_assert_num_queries):
    first, second = buyer(random.Random(13)), buyer(random.Random(14))
    lists = stored_lists(world, 3, who=first) + stored_lists(world, 3, who=second, first=200)
    InventoryList.objects.update(dutiable_value=Decimal("2000.00"))
    batch = [as_facts(i, dutiable_value=Decimal("2000.00"), cop_no=i.cop_no) for i in lists]

    with django_assert_num_queries(1):
        hits = evaluate("SPLIT_ORDERS", batch)

    # each buyer's three lists of 2,000 pass 5,000 together; the batch's own lists count once each
    assert set(hits) == {i.pk for i in lists}
    assert all("3 lists" in e and "together 6,000.00" in e for e in hits.values())


def test_id_spread(world):
    who = buyer(random.Random(8))
    lists = stored_lists(world, 3, who=who)
    assert evaluate("ID_SPREAD", [as_facts(lists[0])]) == {}  # one address so far
    for n, inventory in enumerate(lists):
        InventoryList.objects.filter(pk=inventory.pk).update(consignee_address=f"上海市徐汇区{n}号")
    hits = evaluate("ID_SPREAD", [as_facts(lists[0], consignee_address="北京市朝阳区9号")])
    assert "shipped to 4 addresses" in hits[lists[0].pk]


def test_velocity(world):
    who = buyer(random.Random(9))
    lists = stored_lists(world, 6, who=who)
    hits = evaluate("VELOCITY", [as_facts(lists[0])])
    assert "6 lists for buyer" in hits[lists[0].pk]
    assert evaluate("VELOCITY", [as_facts(lists[0])], max_orders=10) == {}


def test_velocity_counts_an_address_shared_by_different_buyers(world):
    lists = stored_lists(world, 6)  # six different buyers
    InventoryList.objects.update(consignee_address="上海市徐汇区漕溪北路1号")
    facts = as_facts(
        lists[0], consignee_address="上海市徐汇区漕溪北路1号", buyer_id_number="110105198001010015"
    )
    assert "6 lists to one address" in evaluate("VELOCITY", [facts])[lists[0].pk]
    # the window is the last hour
    InventoryList.objects.update(created_at=timezone.now() - timedelta(hours=2))
    assert evaluate("VELOCITY", [facts]) == {}


def test_round_trip(world):
    lists = stored_lists(world, 5)  # five different buyers
    payer = lists[0].payment.payer_id_number
    Payment.objects.update(payer_id_number=payer)
    for inventory in lists:
        inventory.refresh_from_db()
    hits = evaluate("ROUND_TRIP", [as_facts(lists[0])])
    assert "paid for 5 buyers" in hits[lists[0].pk]
    Payment.objects.update(payer_id_number="110105198001010015")
    assert evaluate("ROUND_TRIP", [as_facts(lists[1], payer_id_number=lists[1].buyer_id_number)]) == {}


def test_every_registered_rule_is_seeded():
    from risk.models import RiskRule

    assert set(RiskRule.objects.filter(current=True).values_list("code", flat=True)) == set(REGISTRY)


def test_round_trip_counts_only_lists_paid_by_the_payer(world):
    """A list with the same order number but not matched to the payer's payment is not the payer's."""
    lists = stored_lists(world, 5)
    payer = lists[0].payment.payer_id_number
    Payment.objects.update(payer_id_number=payer)
    facts = as_facts(lists[0])
    assert "paid for 5 buyers" in evaluate("ROUND_TRIP", [facts])[lists[0].pk]
    InventoryList.objects.filter(pk__in=[i.pk for i in lists[1:3]]).update(payment=None)
    assert evaluate("ROUND_TRIP", [facts]) == {}  # three buyers left: not more than three
    for inventory in lists[1:3]:
        InventoryList.objects.filter(pk=inventory.pk).update(payment=inventory.payment_id)
    assert "paid for 5 buyers" in evaluate("ROUND_TRIP", [facts])[lists[0].pk]
    InventoryList.objects.update(created_at=timezone.now() - timedelta(days=8))
    assert evaluate("ROUND_TRIP", [facts]) == {}  # outside the seven days


def test_split_orders_with_the_first_band_gets_the_new_one():
    from django.apps import apps

    from risk import reference
    from risk.models import RiskRule

    def current():
        return RiskRule.objects.get(code="SPLIT_ORDERS", current=True)

    assert current().version == 1 and current().parameters == REGISTRY["SPLIT_ORDERS"].parameters
    # an official re-versioned the rule (a weight) with the first band: a new version gets the new band
    RiskRule.objects.filter(code="SPLIT_ORDERS").update(current=False)
    RiskRule.objects.create(
        code="SPLIT_ORDERS",
        version=2,
        name="Split orders",
        description="old",
        weight=70,
        parameters=reference.SPLIT_ORDERS_FIRST,
    )
    reference.split_orders_widen(apps)
    assert (current().version, current().weight, current().parameters["lower"]) == (3, 70, "0")
    # a band an official chose stays
    RiskRule.objects.filter(pk=current().pk).update(
        parameters={**reference.SPLIT_ORDERS_FIRST, "lower": "3000"}
    )
    reference.split_orders_widen(apps)
    assert current().version == 3 and current().parameters["lower"] == "3000"
