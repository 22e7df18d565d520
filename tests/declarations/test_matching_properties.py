"""Properties of the three-document match, on generated declarations (no database)."""

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from declarations import matching
from finance.tax import Limits, Rate
from singlewindow.generator import Parties, declaration

RATES = {
    "33": Rate(Decimal("0.13"), Decimal("0"), Decimal("0.05")),
    "3304": Rate(Decimal("0.13"), Decimal("0.15"), Decimal("0.05")),
    "04": Rate(Decimal("0.13"), Decimal(0), Decimal("0.1")),
    "19": Rate(Decimal("0.13"), Decimal(0), Decimal(0)),
    "61": Rate(Decimal("0.13"), Decimal(0), Decimal(0)),
    "64": Rate(Decimal("0.13"), Decimal(0), Decimal(0)),
    "85": Rate(Decimal("0.13"), Decimal(0), Decimal(0)),
    "95": Rate(Decimal("0.13"), Decimal(0), Decimal(0)),
    "96": Rate(Decimal("0.13"), Decimal(0), Decimal(0)),
    "42": Rate(Decimal("0.13"), Decimal(0), Decimal(0)),
}
LIMITS = Limits(single=Decimal(5000), annual=Decimal(26000))
PARTIES = Parties(
    ("3301960001", "平台"),
    ("3301960002", "电商"),
    ("3301960003", "物流"),
    ("3301960004", "支付"),
    ("3301960005", "仓库"),
)


def documents(seed: int, mode: str = "9610") -> dict:
    return declaration(seed, PARTIES, rates=RATES, limits=LIMITS, rng=random.Random(seed), trade_mode=mode)


def run_match(docs: dict) -> list[matching.Failure]:
    inventory = matching.as_document(docs["inventory"])
    order = matching.as_document(docs["order"])
    return matching.match(
        inventory=inventory,
        inventory_lines=inventory.lines,
        order=order,
        order_lines=order.lines,
        payment=matching.as_document(docs["payment"]),
        waybill=matching.as_document(docs["waybill"]),
    )


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(min_value=1, max_value=10**9), mode=st.sampled_from(["9610", "1210"]))
def test_generated_declarations_match(seed, mode):
    assert run_match(documents(seed, mode)) == []


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(min_value=1, max_value=10**9),
    cents=st.integers(min_value=1, max_value=100_000).map(lambda c: Decimal(c) / 100),
    sign=st.sampled_from([1, -1]),
)
def test_a_payment_off_by_any_amount_fails_r2_naming_both_values(seed, cents, sign):
    docs = documents(seed)
    paid = Decimal(docs["order"]["actual_paid"])
    changed = paid + sign * cents
    if changed < 0:
        return
    docs["payment"]["amount_paid"] = str(changed)
    failures = run_match(docs)
    r2 = [f for f in failures if f.rule == "R2"]
    assert len(r2) == 1
    assert f"payment.amount_paid {changed:.2f} != order.actual_paid {paid:.2f}" == r2[0].message.render("en")


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(min_value=1, max_value=10**9),
    field=st.sampled_from(["consignee", "consignee_telephone", "consignee_address"]),
)
def test_a_waybill_for_someone_else_fails_r3_on_that_field(seed, field):
    docs = documents(seed)
    docs["waybill"][field] = docs["waybill"][field] + "X"
    rules = {(f.rule, f.field) for f in run_match(docs)}
    assert ("R3", f"waybill.{field}") in rules
