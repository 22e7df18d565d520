"""What the history is made of: the parties, baskets of goods with their tax, and buyers."""

import bisect
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from finance import selectors as finance_selectors
from finance import tax
from logistics.models import StockItem, Warehouse
from sharing.models import Enterprise
from singlewindow.generator import GOODS

USD_PER_CNY = Decimal("0.14")  # what forex holds of a payment, near the rate of the reference table
MOST_ORDERS_PER_BUYER = 30
FREIGHT = Decimal("12.00")


class HistoryError(Exception):
    """The database cannot take a history (not PostgreSQL, or the parties are missing)."""


@dataclass(frozen=True)
class Parties:
    platform: Enterprise
    seller: Enterprise
    logistics: Enterprise
    payment: Enterprise
    # item_record_no -> stock item of the bonded warehouse holding the seller's goods (1210), if any
    stock: dict[str, StockItem] = field(default_factory=dict)
    ems_no: str = ""
    warehouse: Enterprise | None = None


def find_parties() -> Parties:
    """The approved platform, e-commerce enterprise, logistics and payment firms the history is theirs."""

    def first(role: str) -> Enterprise:
        for enterprise in Enterprise.objects.filter(status="approved").order_by("pk"):
            if role in (enterprise.roles or []):
                return enterprise
        raise HistoryError(f"no approved enterprise with the role {role!r}: seed the parties first")

    seller = first("ecommerce")
    bonded = (
        Warehouse.objects.filter(kind="bonded", status="approved")
        .exclude(ems_no="")
        .select_related("operator")
        .order_by("pk")
        .first()
    )
    stock = {}
    if bonded:
        stock = {
            s.item_record_no: s
            for s in StockItem.objects.filter(warehouse=bonded, owner_code=seller.customs_code)
        }
    return Parties(
        platform=first("platform"),
        seller=seller,
        logistics=first("logistics"),
        payment=first("payment"),
        stock=stock,
        ems_no=bonded.ems_no if bonded and stock else "",
        warehouse=bonded.operator if bonded and stock else None,
    )


@dataclass(frozen=True)
class Basket:
    """One order's goods and its tax as customs assesses it (computed once, shared by many orders)."""

    lines: tuple[tuple[tuple, Decimal, Decimal, tax.TaxLine], ...]  # (goods, qty, total, its tax)
    goods_value: Decimal
    assessment: tax.TaxAssessment


def baskets(rng: random.Random, count: int = 500) -> list[Basket]:
    today = timezone.localdate()
    rates, limits = finance_selectors.rates_in_force(today), finance_selectors.limits_in_force(today)
    out = []
    while len(out) < count:
        chosen = rng.sample(GOODS, k=rng.randint(1, 3))
        picked = [(g, Decimal(rng.randint(1, 2))) for g in chosen]
        picked = [(g, q, (g[3] * q).quantize(Decimal("0.01"))) for g, q in picked]
        goods_value = sum((total for _g, _q, total in picked), Decimal(0))
        if goods_value + FREIGHT > 5000:
            continue
        assessment = tax.assess(
            lines=[
                tax.TaxLineInput(gnum=n, gcode=g[0], qty=q, total_price=total)
                for n, (g, q, total) in enumerate(picked, start=1)
            ],
            freight=FREIGHT,
            insured_fee=Decimal(0),
            rates=rates,
            limits=limits,
            annual_used=Decimal(0),
        )
        if not assessment.accepted:
            continue
        lines = tuple(
            (g, q, total, line) for (g, q, total), line in zip(picked, assessment.lines, strict=True)
        )
        out.append(Basket(lines, goods_value, assessment))
    return out


def orders_per_buyer(rng: random.Random, n: int) -> list[int]:
    """Buyer index of each of n orders: P(k orders) ~ k^-2.2 for k up to MOST_ORDERS_PER_BUYER, so most
    buyers order once to three times and a few dozens of times."""
    sizes = range(1, MOST_ORDERS_PER_BUYER + 1)
    weights = [k**-2.2 for k in sizes]
    cumulative, total = [], 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    owners: list[int] = []
    index = 0
    while len(owners) < n:
        k = sizes[bisect.bisect_left(cumulative, rng.random() * total)]
        owners.extend([index] * k)
        index += 1
    del owners[n:]
    rng.shuffle(owners)
    return owners


def amount_paid(basket: Basket) -> Decimal:
    return basket.goods_value + FREIGHT + basket.assessment.total
