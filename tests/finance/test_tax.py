"""The retail import tax (finance.tax) on worked cases of DOMAIN 6."""

import datetime
import itertools
from dataclasses import replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finance import reference
from finance.models import RetailLimit, TaxBill, TaxRate
from finance.selectors import limits_in_force, rates_in_force
from finance.tax import (
    ANNUAL_LIMIT_EXCEEDED,
    CENT,
    SINGLE_LIMIT_EXCEEDED,
    UNKNOWN_HS_CODE,
    Limits,
    Rate,
    Regime,
    TaxLineInput,
    assess,
    line_tax,
    rate_for,
)

D = Decimal
LIMITS_2019 = Limits(single=D("5000"), annual=D("26000"))
LIMITS_2016 = Limits(single=D("2000"), annual=D("20000"))
RATES = {
    "0401": Rate(vat=D("0.09"), consumption=D("0"), duty=D("0.15")),
    "1901": Rate(vat=D("0.13"), consumption=D("0"), duty=D("0.15")),
    "33": Rate(vat=D("0.13"), consumption=D("0"), duty=D("0.05")),
    "3304": Rate(vat=D("0.13"), consumption=D("0.15"), duty=D("0.05")),
    "8517": Rate(vat=D("0.13"), consumption=D("0"), duty=D("0")),
    "9102": Rate(vat=D("0.13"), consumption=D("0.20"), duty=D("0.08")),
}
PHONE, MILK, FORMULA, CREAM, SHAMPOO, WATCH = (
    "8517130000",
    "0401200000",
    "1901101010",
    "3304990099",
    "3305100000",
    "9102110000",
)


def item(gcode, price, qty="1", gnum=1):
    return TaxLineInput(gnum=gnum, gcode=gcode, qty=D(qty), total_price=D(price))


def run(lines, freight="0", insured_fee="0", limits=LIMITS_2019, annual_used="0", rates=RATES):
    return assess(
        lines=lines,
        freight=D(freight),
        insured_fee=D(insured_fee),
        rates=rates,
        limits=limits,
        annual_used=D(annual_used),
    )


def case(case_id, lines, expected, *, freight="0", annual_used="0", limits=LIMITS_2019):
    """expected: (regime, error_code, duty, VAT, consumption tax, total)."""
    return pytest.param(lines, freight, annual_used, limits, expected, id=case_id)


def rejected(error_code):
    return ("rejected", error_code, "0", "0", "0", "0")


CASES = [
    case("domain-13pct", [item(PHONE, "1000")], ("retail", None, "0", "91.00", "0", "91.00")),
    case("domain-9pct", [item(MILK, "1000")], ("retail", None, "0", "63.00", "0", "63.00")),
    case("domain-cosmetics-ct", [item(CREAM, "1000")], ("retail", None, "0", "107.06", "123.53", "230.59")),
    case(
        "food-9pct-freight", [item(MILK, "180")], ("retail", None, "0", "12.60", "0", "12.60"), freight="20"
    ),
    case(
        "cosmetics-ct-and-plain-33",  # VAT 53.53 + 45.50; CT only on 3304
        [item(CREAM, "500", gnum=1), item(SHAMPOO, "500", gnum=2)],
        ("retail", None, "0", "99.03", "61.76", "160.79"),
    ),
    case(
        "watch-full-single-item",  # duty 480; CT 6480/0.8*0.2 = 1620; VAT (6480+1620)*0.13 = 1053
        [item(WATCH, "5980")],
        ("full", None, "480.00", "1053.00", "1620.00", "3153.00"),
        freight="20",
    ),
    case(
        "multi-item-over-single",
        [item(PHONE, "3000", gnum=1), item(CREAM, "2500", gnum=2)],
        rejected(SINGLE_LIMIT_EXCEEDED),
    ),
    case("one-line-qty-2-over-single", [item(PHONE, "5200", qty="2")], rejected(SINGLE_LIMIT_EXCEEDED)),
    case("annual-limit", [item(PHONE, "1500")], rejected(ANNUAL_LIMIT_EXCEEDED), annual_used="25000"),
    case(
        "full-single-item-over-annual",
        [item(WATCH, "6000")],
        rejected(ANNUAL_LIMIT_EXCEEDED),
        annual_used="21000",
    ),
    case(
        "exactly-at-both-limits",  # 5,000.00 dutiable, 26,000.00 for the year
        [item(PHONE, "4000", gnum=1), item(FORMULA, "980", gnum=2)],
        ("retail", None, "0", "455.00", "0", "455.00"),
        freight="20",
        annual_used="21000",
    ),
    case("half-up-on-005", [item(PHONE, "15")], ("retail", None, "0", "1.37", "0", "1.37")),  # 1.365
    case(
        "head-is-the-sum-of-rounded-lines",  # 0.455 -> 0.46 on each line; 15.00 at once would be 1.37
        [item(PHONE, "5", gnum=1), item(PHONE, "5", gnum=2), item(PHONE, "5", gnum=3)],
        ("retail", None, "0", "1.38", "0", "1.38"),
    ),
    case(
        "zero-price-gift",
        [item(CREAM, "100", gnum=1), item(SHAMPOO, "0", gnum=2)],
        ("retail", None, "0", "10.71", "12.35", "23.06"),
    ),
    case(
        "unknown-hs-code",
        [item(PHONE, "100", gnum=1), item("9999000000", "100", gnum=2)],
        rejected(UNKNOWN_HS_CODE),
    ),
    case(
        "2016-single-limit-2000",
        [item(PHONE, "1500", gnum=1), item(FORMULA, "600", gnum=2)],
        rejected(SINGLE_LIMIT_EXCEEDED),
        limits=LIMITS_2016,
    ),
]


@pytest.mark.parametrize("lines,freight,annual_used,limits,expected", CASES)
def test_tax_cases(lines, freight, annual_used, limits, expected):
    regime, error_code, *amounts = expected

    result = run(lines, freight=freight, annual_used=annual_used, limits=limits)

    assert (result.regime, result.error_code) == (regime, error_code)
    assert result.accepted == (regime != "rejected")
    assert [result.customs_tax, result.value_added_tax, result.consumption_tax, result.total] == [
        D(amount) for amount in amounts
    ]
    assert result.reason
    taxes = [line.customs_tax + line.value_added_tax + line.consumption_tax for line in result.lines]
    assert result.total == sum(taxes)
    if regime == "rejected":
        assert result.lines == ()


def test_rejection_reasons_name_the_figures():
    multi = run([item(PHONE, "3000", gnum=1), item(CREAM, "2180", gnum=2)], freight="20")
    assert multi.reason.render("en") == (
        "dutiable value 5,200.00 exceeds the single-transaction limit 5,000.00 "
        "for an order of more than one item"
    )
    assert multi.reason.render("zh-hans") == "完税价格 5,200.00 超过单次交易限值 5,000.00，且订单不止一件商品"
    annual = run([item(PHONE, "1500")], annual_used="25000").reason.render("en")
    assert "26,500.00" in annual and "26,000.00" in annual
    unknown = run([item(PHONE, "100", gnum=1), item("9999000000", "100", gnum=2)]).reason.render("en")
    assert "9999000000" in unknown and "item 2" in unknown


def test_freight_and_insurance_are_allocated_by_price_and_sum_exactly():
    lines = [item(PHONE, "100", gnum=1), item(PHONE, "200", gnum=2), item(PHONE, "300", gnum=3)]

    result = run(lines, freight="10", insured_fee="0.01")

    # 10.01 shared 1/6, 2/6, 3/6, each rounded down: 1.66 + 3.33 + 5.00; the 0.02 left goes to the largest
    assert [line.tax_price for line in result.lines] == [D("101.66"), D("203.33"), D("305.02")]
    assert sum(line.tax_price for line in result.lines) == result.dutiable_value == D("610.01")


def test_gift_line_bears_no_tax_and_all_gift_list_puts_freight_on_the_first_line():
    with_gift = run([item(CREAM, "100", gnum=1), item(SHAMPOO, "0", gnum=2)], freight="5")
    gift = with_gift.lines[1]
    assert (gift.tax_price, gift.value_added_tax, gift.consumption_tax) == (D("0"), D("0"), D("0"))

    only_gifts = run([item(PHONE, "0", gnum=1), item(PHONE, "0", gnum=2)], freight="5")
    assert [line.tax_price for line in only_gifts.lines] == [D("5"), D("0")]


@pytest.mark.parametrize(
    "changes",
    [
        {"lines": []},
        {"freight": D("-1")},
        {"insured_fee": D("-0.01")},
        {"annual_used": D("-1")},
        {"lines": [item(PHONE, "10", qty="0")]},
        {"lines": [item(PHONE, "-10")]},
    ],
    ids=[
        "no-lines",
        "negative-freight",
        "negative-insurance",
        "negative-annual",
        "zero-qty",
        "negative-price",
    ],
)
def test_impossible_input_raises(changes):
    kwargs = {
        "lines": [item(PHONE, "10")],
        "freight": D("0"),
        "insured_fee": D("0"),
        "rates": RATES,
        "limits": LIMITS_2019,
        "annual_used": D("0"),
    } | changes
    with pytest.raises(ValueError):
        assess(**kwargs)


def test_longest_prefix_wins():
    assert rate_for("3304990099", RATES) == RATES["3304"]
    assert rate_for("3307900000", RATES) == RATES["33"]
    assert rate_for("9999000000", RATES) is None


# Property tests: random valid lists within the 2019 limits.
cents = st.integers(min_value=0, max_value=90_000).map(lambda n: D(n) / 100)
gcodes = st.sampled_from([PHONE, MILK, FORMULA, CREAM, SHAMPOO, WATCH, "3303000000"])
line_inputs = st.lists(
    st.tuples(gcodes, st.integers(min_value=1, max_value=5), cents), min_size=1, max_size=5
).map(lambda rows: [TaxLineInput(n, gcode, D(qty), price) for n, (gcode, qty, price) in enumerate(rows, 1)])
freights = st.integers(min_value=0, max_value=5_000).map(lambda n: D(n) / 100)
fees = st.integers(min_value=0, max_value=1_000).map(lambda n: D(n) / 100)


def is_money(amount: Decimal) -> bool:
    return amount >= 0 and amount.as_tuple().exponent == -2


@given(lines=line_inputs, freight=freights, insured_fee=fees)
def test_retail_amounts_add_up(lines, freight, insured_fee):
    result = assess(
        lines=lines,
        freight=freight,
        insured_fee=insured_fee,
        rates=RATES,
        limits=LIMITS_2019,
        annual_used=D(0),
    )

    assert result.regime == Regime.RETAIL and result.customs_tax == 0
    assert result.total == result.customs_tax + result.value_added_tax + result.consumption_tax
    assert sum(line.tax_price for line in result.lines) == result.dutiable_value
    assert result.dutiable_value == sum(line.total_price for line in lines) + freight + insured_fee
    assert result.value_added_tax == sum(line.value_added_tax for line in result.lines)
    assert result.consumption_tax == sum(line.consumption_tax for line in result.lines)
    head = [result.customs_tax, result.value_added_tax, result.consumption_tax, result.total]
    per_line = [
        a for line in result.lines for a in (line.customs_tax, line.value_added_tax, line.consumption_tax)
    ]
    assert all(is_money(amount) for amount in head + per_line + [line.tax_price for line in result.lines])


@given(lines=line_inputs, freight=freights, insured_fee=fees)
def test_retail_tax_never_exceeds_full_tax(lines, freight, insured_fee):
    retail = assess(
        lines=lines,
        freight=freight,
        insured_fee=insured_fee,
        rates=RATES,
        limits=LIMITS_2019,
        annual_used=D(0),
    )

    full = sum(
        sum(line_tax(tax_price=line.tax_price, rate=rate_for(line.gcode, RATES), regime=Regime.FULL))
        for line in retail.lines
    )
    assert retail.total <= full


@given(gcode=gcodes, price=st.integers(min_value=1, max_value=500_000).map(lambda n: D(n) / 100))
def test_single_item_taxed_in_full_pays_at_least_retail(gcode, price):
    line = [TaxLineInput(1, gcode, D(1), price)]
    retail = run(line, limits=Limits(single=price, annual=D("26000")))
    full = run(line, limits=Limits(single=price - D("0.01"), annual=D("26000")))

    assert (retail.regime, full.regime) == (Regime.RETAIL, Regime.FULL)
    assert retail.total <= full.total
    assert full.total == full.customs_tax + full.value_added_tax + full.consumption_tax


# The rounding convention (docs/tax-rounding.md) for random lines, freight and insurance, gifts included,
# in both regimes.
NO_LIMITS = Limits(single=D("1000000000"), annual=D("1000000000"))
many_lines = st.lists(
    st.tuples(gcodes, st.integers(min_value=1, max_value=5), st.integers(min_value=0, max_value=200_000)),
    min_size=1,
    max_size=8,
).map(
    lambda rows: [
        TaxLineInput(n, gcode, D(qty), D(cents) / 100) for n, (gcode, qty, cents) in enumerate(rows, 1)
    ]
)


@given(lines=many_lines, freight=freights, insured_fee=fees)
def test_freight_and_insurance_are_shared_down_with_the_rest_on_the_largest_line(lines, freight, insured_fee):
    result = assess(
        lines=lines, freight=freight, insured_fee=insured_fee, rates=RATES, limits=NO_LIMITS, annual_used=D(0)
    )

    extra = freight + insured_fee
    shares = [taxed.tax_price - line.total_price for taxed, line in zip(result.lines, lines, strict=True)]
    assert sum(shares) == extra and all(share >= 0 for share in shares)
    goods = sum(line.total_price for line in lines)
    if not goods:  # gifts only: all of it on the first line
        assert shares == [extra] + [D(0)] * (len(lines) - 1)
        return
    largest = max(range(len(lines)), key=lambda i: (lines[i].total_price, -i))
    for i, (line, share) in enumerate(zip(lines, shares, strict=True)):
        down = (extra * line.total_price / goods).quantize(CENT, ROUND_DOWN)
        if i == largest:
            assert 0 <= share - down < CENT * len(lines)  # the rest: under a cent per line
        else:
            assert share == down


def expected_line(tax_price: Decimal, rate: Rate, regime: Regime) -> tuple[Decimal, Decimal, Decimal]:
    """DOMAIN 6.2/6.3 on unrounded amounts, each payable amount rounded half up to the cent."""
    full = regime == Regime.FULL
    duty = tax_price * rate.duty if full else D(0)
    consumption = (tax_price + duty) / (1 - rate.consumption) * rate.consumption
    vat = (tax_price + duty + consumption) * rate.vat
    share = D(1) if full else D("0.7")
    return tuple(amount.quantize(CENT, ROUND_HALF_UP) for amount in (duty, share * vat, share * consumption))


@given(lines=many_lines, freight=freights, insured_fee=fees, full=st.booleans())
def test_lines_are_rounded_half_up_and_the_head_is_their_sum(lines, freight, insured_fee, full):
    if full:  # a single item over the single limit is taxed in full
        lines, limits = (
            [replace(lines[0], qty=D(1), total_price=lines[0].total_price + 1)],
            Limits(D(0), D(10**9)),
        )
    else:
        limits = NO_LIMITS

    result = assess(
        lines=lines, freight=freight, insured_fee=insured_fee, rates=RATES, limits=limits, annual_used=D(0)
    )

    assert result.regime == (Regime.FULL if full else Regime.RETAIL)
    for line in result.lines:
        assert (line.customs_tax, line.value_added_tax, line.consumption_tax) == expected_line(
            line.tax_price, rate_for(line.gcode, RATES), result.regime
        )
    assert result.customs_tax == sum(line.customs_tax for line in result.lines)
    assert result.value_added_tax == sum(line.value_added_tax for line in result.lines)
    assert result.consumption_tax == sum(line.consumption_tax for line in result.lines)
    assert result.total == result.customs_tax + result.value_added_tax + result.consumption_tax
    assert sum(line.tax_price for line in result.lines) == result.dutiable_value


# A released list's CEB816 tax bill, through the pipeline: a few examples, each a whole clearance.
numbers = itertools.count(1)
priced_lines = st.lists(
    st.tuples(st.integers(min_value=1, max_value=3), st.integers(min_value=1, max_value=50_000)),
    min_size=1,
    max_size=3,
)


def priced(docs: dict[str, dict], rows, freight: Decimal, insured_fee: Decimal) -> dict[str, dict]:
    """The declaration with these (qty, price in cents) lines, freight and insurance; no tax pre-collected."""
    goods = D(0)
    for kind in ("order", "inventory"):
        goods = D(0)
        for item_row, (qty, cents) in zip(docs[kind]["items"], rows, strict=True):
            price = D(cents) / 100
            item_row.update(qty=str(qty), price=f"{price:.2f}", total_price=f"{price * qty:.2f}")
            if kind == "inventory":
                item_row["qty1"] = str(qty)
            goods += price * qty
    for kind in ("order", "waybill", "inventory"):
        docs[kind]["freight"] = f"{freight:.2f}"
    for kind in ("waybill", "inventory"):
        docs[kind]["insured_fee"] = f"{insured_fee:.2f}"
    paid = f"{goods + freight:.2f}"
    docs["order"].update(goods_value=f"{goods:.2f}", tax_total="0.00", actual_paid=paid)
    docs["payment"]["amount_paid"] = paid
    return docs


@pytest.mark.django_db
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=priced_lines, freight=freights, insured_fee=fees)
def test_a_released_lists_tax_bill_adds_up_to_its_head(
    world, django_capture_on_commit_callbacks, rows, freight, insured_fee
):
    docs = priced(world.declaration(next(numbers), lines=len(rows)), rows, freight, insured_fee)

    inventory = world.clear(docs, django_capture_on_commit_callbacks)

    assert inventory.status == "released", inventory.status_reason
    bill = TaxBill.objects.get(inventory=inventory)
    lines = list(bill.lines.all())
    assert len(lines) == len(rows)
    assert bill.customs_tax == sum(line.customs_tax for line in lines)
    assert bill.value_added_tax == sum(line.value_added_tax for line in lines)
    assert bill.consumption_tax == sum(line.consumption_tax for line in lines)
    assert bill.total == inventory.tax_amount
    assert sum(line.tax_price for line in lines) == inventory.dutiable_value
    goods = sum(D(cents) / 100 * qty for qty, cents in rows)
    assert inventory.dutiable_value == goods + freight + insured_fee


# Reference data and selectors


@pytest.mark.django_db
def test_effective_date_selects_the_vat_rate_of_the_period():
    assert rates_in_force(datetime.date(2018, 10, 1))["3304"].vat == D("0.16")
    assert rates_in_force(datetime.date(2019, 3, 31))["3304"].vat == D("0.16")
    assert rates_in_force(datetime.date(2019, 4, 1))["3304"].vat == D("0.13")
    assert rates_in_force(datetime.date(2020, 1, 1))["3304"].vat == D("0.13")
    assert rates_in_force(datetime.date(2020, 1, 1))["0401"].vat == D("0.09")
    assert "3304" not in rates_in_force(datetime.date(2017, 1, 1))


@pytest.mark.django_db
def test_rates_in_force_is_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        rates = rates_in_force(datetime.date(2020, 1, 1))
    assert rate_for("3304990099", rates).consumption == D("0.15")
    assert rate_for("3307900000", rates) == Rate(vat=D("0.13"), consumption=D("0"), duty=D("0.05"))
    assert rate_for("9102110000", rates).consumption == D("0.20")
    assert rate_for("0101210010", rates) is None


@pytest.mark.django_db
def test_limits_follow_the_regime_of_the_date():
    assert limits_in_force(datetime.date(2017, 6, 1)) == Limits(single=D("2000"), annual=D("20000"))
    assert limits_in_force(datetime.date(2016, 4, 8)) == Limits(single=D("2000"), annual=D("20000"))
    assert limits_in_force(datetime.date(2019, 1, 1)) == Limits(single=D("5000"), annual=D("26000"))
    with pytest.raises(RetailLimit.DoesNotExist):
        limits_in_force(datetime.date(2016, 4, 7))


@pytest.mark.django_db
def test_seeded_data_reproduces_the_domain_example():
    on = datetime.date(2024, 5, 20)

    result = assess(
        lines=[item(CREAM, "1000")],
        freight=D(0),
        insured_fee=D(0),
        rates=rates_in_force(on),
        limits=limits_in_force(on),
        annual_used=D(0),
    )

    assert (result.consumption_tax, result.value_added_tax, result.total) == (
        D("123.53"),
        D("107.06"),
        D("230.59"),
    )


@pytest.mark.django_db
def test_reference_load_is_idempotent():
    counts = (TaxRate.objects.count(), RetailLimit.objects.count())

    reference.load(django_apps)

    assert (TaxRate.objects.count(), RetailLimit.objects.count()) == counts
    assert counts == (len(reference.RATES) + len(reference.PREVIOUS_RATES), len(reference.LIMITS))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"consumption_rate": D("1")},
        {"vat_rate": D("1.5")},
        {"duty_rate": D("-0.01")},
        {"hs_prefix": "33A"},
        {"valid_to": datetime.date(2000, 1, 1)},
    ],
    ids=["consumption-1", "vat-over-1", "negative-duty", "prefix-not-digits", "period-reversed"],
)
def test_database_refuses_impossible_rates(fields):
    row = {
        "hs_prefix": "4202",
        "description": "Handbags",
        "vat_rate": D("0.13"),
        "valid_from": datetime.date(2030, 1, 1),
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxRate.objects.create(**(row | fields))
