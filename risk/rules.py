"""The rule implementations, registered by code. `RiskRule` rows hold their weights and parameters.

Each rule is evaluated for a whole batch of lists with a bounded number of queries (none per list)
and answers, for each list it hits, the evidence: the values that triggered it, in words an official
can check, e.g. "4 lists for buyer 3301...X in 24 h, each within the single limit 5,000.00, together
17,800.00: C000000000001 4,450.00, ...".
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_noop

from declarations.choices import InventoryStatus
from declarations.models import LIVE_LIST, InventoryList, Payment
from singlewindow.core.texts import Text

from .models import ReferencePrice


@dataclass(frozen=True)
class Line:
    gnum: int
    gcode: str
    price: Decimal
    qty: Decimal


@dataclass(frozen=True)
class ListFacts:
    """What the rules know of one list (built by the clearance pipeline)."""

    id: int
    ebc_code: str
    buyer_id_number: str
    buyer_name: str
    consignee_address: str
    dutiable_value: Decimal
    payer_id_number: str
    payer_name: str
    buyer_verified: bool
    enterprise_approved_at: datetime | None
    credit_level: str
    credit_level_name: str
    credit_dishonest: bool
    credit_inspection_rate: Decimal
    credit_held: bool
    negative_list_reason: str
    lines: tuple[Line, ...] = field(default_factory=tuple)
    cop_no: str = ""  # the enterprise's number of the list, as evidence names it


Evaluate = Callable[[Sequence[ListFacts], dict, datetime], dict[int, str]]


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    description: str
    weight: int
    parameters: dict
    evaluate: Evaluate


REGISTRY: dict[str, RuleSpec] = {}


def rule(code: str, name: str, description: str, weight: int, **parameters):
    def register(function: Evaluate) -> Evaluate:
        REGISTRY[code] = RuleSpec(code, name, description, weight, parameters, function)
        return function

    return register


def mask(id_number: str) -> str:
    """Evidence names a buyer without spelling out the ID number."""
    return f"{id_number[:4]}...{id_number[-1:]}" if len(id_number) > 5 else "****"


def _said(msgid: str, **params: object) -> str:
    """Evidence is kept in English, as a sentence of the catalogue: pages read it back in the reader's
    language (texts.reworded), the API keeps it as written."""
    return Text(msgid, **params).render("en")


def _money(value: Decimal) -> str:
    return f"{Decimal(value):,.2f}"


def _recent(now: datetime, **delta) -> "InventoryList.objects":
    return InventoryList.objects.filter(created_at__gte=now - timedelta(**delta))


@rule(
    "UNDERVALUED",
    gettext_noop("Undervalued goods"),
    gettext_noop("A unit price far below the reference price for the HS code."),
    40,
    ratio="0.3",
)
def undervalued(lists: Sequence[ListFacts], params: dict, now: datetime) -> dict[int, str]:
    references = dict(ReferencePrice.objects.values_list("hs_prefix", "unit_price"))
    ratio = Decimal(str(params.get("ratio", "0.3")))
    hits = {}
    for facts in lists:
        for line in facts.lines:
            reference = next(
                (
                    references[line.gcode[:n]]
                    for n in range(len(line.gcode), 1, -1)
                    if line.gcode[:n] in references
                ),
                None,
            )
            if reference and Decimal(line.price) < reference * ratio:
                hits[facts.id] = _said(
                    gettext_noop(
                        "line %(gnum)s: unit price %(price)s is under %(ratio)s of the reference "
                        "%(reference)s for %(gcode)s"
                    ),
                    gnum=line.gnum,
                    price=_money(line.price),
                    ratio=f"{ratio:.0%}",
                    reference=_money(reference),
                    gcode=line.gcode,
                )
                break
    return hits


@rule(
    "SPLIT_ORDERS",
    gettext_noop("Split orders"),
    gettext_noop(
        "Several lists of one buyer, each under the single limit, that together pass it within a window."
    ),
    60,
    window_hours=24,
    # The band of lists counted: from `lower` up to `limit` (the single-transaction limit of finance's
    # 2019 regime: risk does not read finance, so a new limit is set here too); "0" counts any list.
    lower="0",
    limit="5000",
    min_lists=2,
)
def split_orders(lists: Sequence[ListFacts], params: dict, now: datetime) -> dict[int, str]:
    lower, limit = Decimal(str(params["lower"])), Decimal(str(params["limit"]))
    hours, needed = int(params["window_hours"]), int(params["min_lists"])

    def in_band(value: Decimal) -> bool:
        return lower <= value <= limit

    batch = {f.id for f in lists}
    buyers = {f.buyer_id_number for f in lists if in_band(f.dutiable_value)}
    if not buyers:
        return {}
    # Each buyer's lists in the band within the window: the others from one query for the batch, this
    # batch's from its facts (they are assessed in this transaction, not yet in the database). Refused
    # and cancelled lists passed no limit, and a refused list filed again would count twice.
    in_window: dict[str, dict[int, tuple[Decimal, str]]] = defaultdict(dict)
    for pk, buyer, value, cop_no in (
        _recent(now, hours=hours)
        .filter(buyer_id_number__in=buyers, dutiable_value__gte=lower, dutiable_value__lte=limit)
        .exclude(status__in=(InventoryStatus.REJECTED, InventoryStatus.CANCELLED))
        .values_list("pk", "buyer_id_number", "dutiable_value", "cop_no")
    ):
        if pk not in batch:
            in_window[buyer][pk] = (value, cop_no)
    for facts in lists:
        if in_band(facts.dutiable_value):
            in_window[facts.buyer_id_number][facts.id] = (facts.dutiable_value, facts.cop_no)
    hits = {}
    for facts in lists:
        group = in_window.get(facts.buyer_id_number, {})
        total = sum((value for value, _ in group.values()), Decimal(0))
        if facts.id in group and len(group) >= needed and total > limit:
            hits[facts.id] = _split_evidence(facts.buyer_id_number, group, total, limit, hours)
    return hits


def _split_evidence(
    buyer: str, group: dict[int, tuple[Decimal, str]], total: Decimal, limit: Decimal, hours: int
) -> str:
    """The sum and the lists, in the order they were filed (the first ten, on a page an official reads)."""
    shown = [f"{cop_no} {_money(value)}" for _, (value, cop_no) in sorted(group.items())[:10]]
    more = f" and {len(group) - 10} more" if len(group) > 10 else ""
    return _said(
        gettext_noop(
            "%(n)s lists for buyer %(buyer)s in %(hours)s h, each within the single limit %(limit)s, "
            "together %(total)s: %(lists)s"
        ),
        n=len(group),
        buyer=mask(buyer),
        hours=hours,
        limit=_money(limit),
        total=_money(total),
        lists=", ".join(shown) + more,
    )


@rule(
    "ID_SPREAD",
    gettext_noop("One ID, many addresses"),
    gettext_noop("One buyer ID shipped to many different consignee addresses."),
    30,
    window_days=30,
    max_addresses=3,
)
def id_spread(lists: Sequence[ListFacts], params: dict, now: datetime) -> dict[int, str]:
    days, most = int(params["window_days"]), int(params["max_addresses"])
    addresses = defaultdict(set)
    for buyer, address in (
        _recent(now, days=days)
        .filter(buyer_id_number__in={f.buyer_id_number for f in lists})
        .values_list("buyer_id_number", "consignee_address")
    ):
        addresses[buyer].add(address)
    for facts in lists:
        addresses[facts.buyer_id_number].add(facts.consignee_address)
    return {
        f.id: _said(
            gettext_noop("buyer %(buyer)s shipped to %(n)s addresses in %(days)s days (more than %(most)s)"),
            buyer=mask(f.buyer_id_number),
            n=len(addresses[f.buyer_id_number]),
            days=days,
            most=most,
        )
        for f in lists
        if len(addresses[f.buyer_id_number]) > most
    }


@rule(
    "PAYER_MISMATCH",
    gettext_noop("Payer is not the buyer"),
    gettext_noop("The payer is not the buyer (allowed only for a verified buyer)."),
    20,
)
def payer_mismatch(lists: Sequence[ListFacts], params: dict, now: datetime) -> dict[int, str]:
    return {
        f.id: _said(
            gettext_noop("payer %(payer)s paid for buyer %(buyer)s")
            if f.buyer_verified
            else gettext_noop("payer %(payer)s paid for buyer %(buyer)s (buyer not verified)"),
            payer=mask(f.payer_id_number),
            buyer=mask(f.buyer_id_number),
        )
        for f in lists
        if f.payer_id_number and f.payer_id_number != f.buyer_id_number
    }


@rule(
    "VELOCITY",
    gettext_noop("Abnormal velocity"),
    gettext_noop("A buyer or an address with an abnormal number of orders in an hour."),
    30,
    window_minutes=60,
    max_orders=5,
)
def velocity(lists: Sequence[ListFacts], params: dict, now: datetime) -> dict[int, str]:
    minutes, most = int(params["window_minutes"]), int(params["max_orders"])
    buyers, places = defaultdict(int), defaultdict(int)
    recent = _recent(now, minutes=minutes).filter(
        Q(buyer_id_number__in={f.buyer_id_number for f in lists})
        | Q(consignee_address__in={f.consignee_address for f in lists})
    )
    for buyer, address in recent.values_list("buyer_id_number", "consignee_address"):
        buyers[buyer] += 1
        places[address] += 1
    hits = {}
    for facts in lists:
        if buyers[facts.buyer_id_number] > most:
            count = buyers[facts.buyer_id_number]
            hits[facts.id] = _said(
                gettext_noop("%(n)s lists for buyer %(buyer)s in %(minutes)s min"),
                n=count,
                buyer=mask(facts.buyer_id_number),
                minutes=minutes,
            )
        elif places[facts.consignee_address] > most:
            hits[facts.id] = _said(
                gettext_noop("%(n)s lists to one address in %(minutes)s min"),
                n=places[facts.consignee_address],
                minutes=minutes,
            )
    return hits


@rule(
    "NEW_ENTERPRISE",
    gettext_noop("New enterprise"),
    gettext_noop("The e-commerce enterprise was approved in the last N days."),
    10,
    days=30,
)
def new_enterprise(lists: Sequence[ListFacts], params: dict, now: datetime) -> dict[int, str]:
    since = now - timedelta(days=int(params["days"]))
    return {
        f.id: _said(
            gettext_noop("enterprise %(code)s approved on %(day)s"),
            code=f.ebc_code,
            day=f"{f.enterprise_approved_at:%Y-%m-%d}",
        )
        for f in lists
        if f.enterprise_approved_at and f.enterprise_approved_at >= since
    }


@rule(
    "NEGATIVE_LIST",
    gettext_noop("Negative list"),
    gettext_noop("The enterprise is on the negative list."),
    100,
)
def negative_list(lists: Sequence[ListFacts], params: dict, now: datetime) -> dict[int, str]:
    return {
        f.id: _said(
            gettext_noop("enterprise %(code)s is on the negative list: %(reason)s"),
            code=f.ebc_code,
            reason=f.negative_list_reason,
        )
        for f in lists
        if f.negative_list_reason
    }


@rule(
    "LOW_CREDIT", gettext_noop("Low credit"), gettext_noop("The enterprise's credit level is dishonest."), 80
)
def low_credit(lists: Sequence[ListFacts], params: dict, now: datetime) -> dict[int, str]:
    return {
        f.id: _said(
            gettext_noop("enterprise %(code)s is rated %(level)s"), code=f.ebc_code, level=f.credit_level_name
        )
        for f in lists
        if f.credit_dishonest
    }


@rule(
    "RESTRICTED_GOODS",
    gettext_noop("Restricted goods"),
    gettext_noop("HS codes on a watch list."),
    60,
    prefixes=["2402", "2403", "3004", "8525", "9302", "9303"],
)
def restricted_goods(lists: Sequence[ListFacts], params: dict, now: datetime) -> dict[int, str]:
    prefixes = tuple(params.get("prefixes", ()))
    hits = {}
    for facts in lists:
        for line in facts.lines:
            if prefixes and line.gcode.startswith(prefixes):
                hits[facts.id] = _said(
                    gettext_noop("line %(gnum)s: %(gcode)s is on the watch list"),
                    gnum=line.gnum,
                    gcode=line.gcode,
                )
                break
    return hits


@rule(
    "ROUND_TRIP",
    gettext_noop("One payer, many buyers (AML)"),
    gettext_noop("The same payment account paying for many unrelated buyers."),
    60,
    window_days=7,
    max_buyers=3,
)
def round_trip(lists: Sequence[ListFacts], params: dict, now: datetime) -> dict[int, str]:
    days, most = int(params["window_days"]), int(params["max_buyers"])
    payers = {f.payer_id_number for f in lists if f.payer_id_number}
    payments = Payment.objects.filter(payer_id_number__in=payers)
    payer_of, platforms, orders = {}, set(), set()
    for pk, payer, ebp_code, order_no in payments.values_list(
        "pk", "payer_id_number", "ebp_code", "order_no"
    ):
        payer_of[pk] = payer
        platforms.add(ebp_code)
        orders.add(order_no)
    # A list carries its payment's platform and order number (that is how the two match), so the
    # lists are found by that index; a join on the payment link read every recent list.
    buyers = defaultdict(set)
    recent = (
        _recent(now, days=days).filter(
            LIVE_LIST, ebp_code__in=platforms, order_no__in=orders
        )  # their partial unique index
    )
    for payment_id, buyer in recent.values_list("payment_id", "buyer_id_number"):
        if payment_id in payer_of:
            buyers[payer_of[payment_id]].add(buyer)
    for facts in lists:
        buyers[facts.payer_id_number].add(facts.buyer_id_number)
    return {
        f.id: _paid_for(f, len(buyers[f.payer_id_number]), days)
        for f in lists
        if f.payer_id_number and len(buyers[f.payer_id_number]) > most
    }


def _paid_for(facts: ListFacts, count: int, days: int) -> str:
    return _said(
        gettext_noop("payer %(payer)s paid for %(n)s buyers in %(days)s days"),
        payer=mask(facts.payer_id_number),
        n=count,
        days=days,
    )
