"""Cross-border e-commerce retail import tax (跨境电商综合税), DOMAIN section 6.

Pure functions: no database. Money is `Decimal`. An assessment's reason is a `Text` (a message id and its
figures), which the receipts keep in Chinese and English.

Rounding is the portal's own convention [I] (DOMAIN has none; docs/tax-rounding.md): freight and
insurance are shared among the lines in proportion to price, each share rounded down to the cent and
the rest put on the largest line, so the lines' tax prices add up to the dutiable value exactly; each
line's duty, VAT and consumption tax are computed from unrounded amounts and rounded to the cent half
up; each tax of the head is the sum of its lines' rounded amounts and the head's total is the sum of
its three taxes, so a list and its CEB816 tax bill always add up.

Within the limits ("retail"): duty 0, consumption tax and VAT at 70 % of the statutory amount.
A single item (one line, quantity 1) over the single-transaction limit but within the annual limit is
taxed in full at goods rates ("full"). Anything else over a limit is rejected with the customs codes
-621005 (single transaction) or -621018 (annual); a line whose HS code has no rate is rejected with
`unknown_hs_code`, which the customs adapter maps to its own receipt.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum

from singlewindow.core.texts import Text, gettext_noop

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Share of the statutory VAT and consumption tax payable within the limits (财关税〔2016〕18号).
RETAIL_SHARE = Decimal("0.7")

SINGLE_LIMIT_EXCEEDED = "-621005"
ANNUAL_LIMIT_EXCEEDED = "-621018"
UNKNOWN_HS_CODE = "unknown_hs_code"


class Regime(StrEnum):
    RETAIL = "retail"
    FULL = "full"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Rate:
    vat: Decimal
    consumption: Decimal
    duty: Decimal


@dataclass(frozen=True)
class Limits:
    single: Decimal
    annual: Decimal


@dataclass(frozen=True)
class TaxLineInput:
    gnum: int
    gcode: str
    qty: Decimal
    total_price: Decimal


@dataclass(frozen=True)
class TaxLine:
    gnum: int
    gcode: str
    tax_price: Decimal
    customs_tax: Decimal
    value_added_tax: Decimal
    consumption_tax: Decimal


@dataclass(frozen=True)
class TaxAssessment:
    dutiable_value: Decimal
    customs_tax: Decimal
    value_added_tax: Decimal
    consumption_tax: Decimal
    total: Decimal
    lines: tuple[TaxLine, ...]
    regime: Regime
    error_code: str | None
    reason: Text

    @property
    def accepted(self) -> bool:
        return self.regime != Regime.REJECTED


def rate_for(gcode: str, rates: Mapping[str, Rate]) -> Rate | None:
    """The rate of the longest prefix of `gcode` present in `rates`, or None if no prefix is."""
    for length in range(len(gcode), 0, -1):
        rate = rates.get(gcode[:length])
        if rate is not None:
            return rate
    return None


def line_tax(*, tax_price: Decimal, rate: Rate, regime: Regime) -> tuple[Decimal, Decimal, Decimal]:
    """(customs duty, VAT, consumption tax) payable on one line's dutiable value, each rounded to 0.01.

    RETAIL: duty 0, CT = 0.7 × P/(1−c)×c, VAT = 0.7 × (P + CT_statutory)×v.
    FULL: duty = P×d, CT = (P + duty)/(1−c)×c, VAT = (P + duty + CT)×v, chained on unrounded amounts [I].
    """
    if regime == Regime.RETAIL:
        duty = Decimal(0)
        share = RETAIL_SHARE
    elif regime == Regime.FULL:
        duty = tax_price * rate.duty
        share = Decimal(1)
    else:
        raise ValueError(f"no tax is computed for regime {regime!r}")
    base = tax_price + duty
    consumption = base / (1 - rate.consumption) * rate.consumption
    vat = (base + consumption) * rate.vat
    return _round(duty), _round(share * vat), _round(share * consumption)


def assess(
    *,
    lines: Sequence[TaxLineInput],
    freight: Decimal,
    insured_fee: Decimal,
    rates: Mapping[str, Rate],
    limits: Limits,
    annual_used: Decimal,
) -> TaxAssessment:
    """Assess the tax of one import list (CEB621) against the rates and limits in force.

    `annual_used` is the buyer's dutiable value already counted this calendar year. The dutiable value
    P = Σ total_price + freight + insured_fee is compared with the limits; freight and insurance are
    allocated to lines in proportion to their price, so Σ line tax_price == P exactly. Rejected
    assessments carry zero amounts and no lines. Raises ValueError on impossible input (no lines,
    negative amounts, quantity not positive): callers validate earlier, this is a guard.
    """
    _check_input(lines=lines, freight=freight, insured_fee=insured_fee, annual_used=annual_used)
    goods_value = sum((line.total_price for line in lines), Decimal(0))
    dutiable_value = goods_value + freight + insured_fee

    line_rates = []
    for line in lines:
        rate = rate_for(line.gcode, rates)
        if rate is None:
            return _rejected(
                dutiable_value,
                UNKNOWN_HS_CODE,
                Text(
                    gettext_noop(
                        "no tax rate for HS code %(gcode)s of item %(gnum)s: the code is not in the tariff"
                    ),
                    gcode=line.gcode,
                    gnum=line.gnum,
                ),
            )
        line_rates.append(rate)

    single_item = len(lines) == 1 and lines[0].qty == 1
    regime = Regime.RETAIL
    if dutiable_value > limits.single:
        if not single_item:
            return _rejected(
                dutiable_value,
                SINGLE_LIMIT_EXCEEDED,
                Text(
                    gettext_noop(
                        "dutiable value %(value)s exceeds the single-transaction limit %(limit)s "
                        "for an order of more than one item"
                    ),
                    value=_money(dutiable_value),
                    limit=_money(limits.single),
                ),
            )
        regime = Regime.FULL
    if annual_used + dutiable_value > limits.annual:
        return _rejected(
            dutiable_value,
            ANNUAL_LIMIT_EXCEEDED,
            Text(
                gettext_noop(
                    "annual total %(used)s already used plus dutiable value %(value)s is %(total)s, "
                    "over the annual limit %(limit)s"
                ),
                used=_money(annual_used),
                value=_money(dutiable_value),
                total=_money(annual_used + dutiable_value),
                limit=_money(limits.annual),
            ),
        )

    prices = _allocate(lines, freight + insured_fee)
    taxed = []
    for line, tax_price, rate in zip(lines, prices, line_rates, strict=True):
        duty, vat, consumption = line_tax(tax_price=tax_price, rate=rate, regime=regime)
        taxed.append(TaxLine(line.gnum, line.gcode, tax_price, duty, vat, consumption))

    if regime == Regime.RETAIL:
        reason = Text(
            gettext_noop(
                "dutiable value %(value)s within the single-transaction limit %(single)s and the annual "
                "limit %(annual)s: no duty, VAT and consumption tax at 70%%"
            ),
            value=_money(dutiable_value),
            single=_money(limits.single),
            annual=_money(limits.annual),
        )
    else:
        reason = Text(
            gettext_noop(
                "single item with dutiable value %(value)s over the single-transaction limit %(limit)s: "
                "duty, consumption tax and VAT in full"
            ),
            value=_money(dutiable_value),
            limit=_money(limits.single),
        )
    # The head is the sum of its rounded lines, never rounded on its own (docs/tax-rounding.md).
    customs_tax = sum((t.customs_tax for t in taxed), ZERO)
    value_added_tax = sum((t.value_added_tax for t in taxed), ZERO)
    consumption_tax = sum((t.consumption_tax for t in taxed), ZERO)
    return TaxAssessment(
        dutiable_value=dutiable_value,
        customs_tax=customs_tax,
        value_added_tax=value_added_tax,
        consumption_tax=consumption_tax,
        total=customs_tax + value_added_tax + consumption_tax,
        lines=tuple(taxed),
        regime=regime,
        error_code=None,
        reason=reason,
    )


def _check_input(
    *, lines: Sequence[TaxLineInput], freight: Decimal, insured_fee: Decimal, annual_used: Decimal
) -> None:
    if not lines:
        raise ValueError("an import list has at least one line")
    for name, amount in (("freight", freight), ("insured_fee", insured_fee), ("annual_used", annual_used)):
        if amount < 0:
            raise ValueError(f"{name} is negative: {amount}")
    for line in lines:
        if line.qty <= 0:
            raise ValueError(f"quantity of item {line.gnum} is not positive: {line.qty}")
        if line.total_price < 0:
            raise ValueError(f"total price of item {line.gnum} is negative: {line.total_price}")


def _allocate(lines: Sequence[TaxLineInput], extra: Decimal) -> list[Decimal]:
    """Each line's total_price plus its share of `extra`, in proportion to price.

    Shares are rounded down to the cent and the remainder goes to the largest line (the first of equal
    ones), so no share is negative and the sum is exact. All-gift lists put `extra` on the first line.
    """
    goods_value = sum((line.total_price for line in lines), Decimal(0))
    if goods_value:
        shares = [(extra * line.total_price / goods_value).quantize(CENT, ROUND_DOWN) for line in lines]
    else:
        shares = [ZERO for _ in lines]
    largest = max(range(len(lines)), key=lambda i: (lines[i].total_price, -i))
    shares[largest] += extra - sum(shares, ZERO)
    return [line.total_price + share for line, share in zip(lines, shares, strict=True)]


def _rejected(dutiable_value: Decimal, error_code: str, reason: Text) -> TaxAssessment:
    return TaxAssessment(
        dutiable_value=dutiable_value,
        customs_tax=ZERO,
        value_added_tax=ZERO,
        consumption_tax=ZERO,
        total=ZERO,
        lines=(),
        regime=Regime.REJECTED,
        error_code=error_code,
        reason=reason,
    )


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, ROUND_HALF_UP)


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"
