"""A zone's past, written straight into PostgreSQL: N released import orders with what the pipeline
leaves behind for each (the four documents and their lines, fourteen receipts, four agency decisions, a
risk assessment, a tax bill and its lines, a quota use, stock movements of bonded lists, tracking
events, a credit event, the statistics counters) and per batch of lists its dispatch, four agency
dispatches and eight exchanges.

It is what `manage.py load_history N` and the benchmark's `--history N` use to measure the portal with
a database that is not empty. Rows go in with COPY (3.4 million rows for 100,000 orders in minutes
where the API would take hours), chunk by chunk in their own transactions, with ids taken above every id and
sequence value already used and the sequences set past them afterwards.

The history is spread over the last `days` days (ids grow with time, as they would), and over buyers
drawn the way a zone sees them: most buyers order once to three times, a few dozens of times (a
truncated power law), each buyer with one address, paying for their own orders.
"""

import bisect
import hashlib
import io
import json
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, models, transaction
from django.utils import timezone

from credit.models import CreditEvent
from declarations.models import (
    AgencyDecision,
    AgencyDispatch,
    DispatchBatch,
    InventoryItem,
    InventoryList,
    Order,
    OrderItem,
    Payment,
    Receipt,
    Waybill,
)
from finance import selectors as finance_selectors
from finance import tax
from finance.models import BuyerQuota, QuotaUse, TaxBill, TaxBillLine
from logistics.models import StockItem, StockMovement, TrackingEvent, Warehouse
from risk.models import RiskAssessment
from sharing.models import Enterprise, Exchange, ForexPurchase
from stats import services as stats_services
from stats.models import DailyStat

from .generator import GOODS, buyer

# What the pipeline writes for one released import list, in the order the foreign keys need.
PER_ORDER = (
    Order,
    OrderItem,
    Payment,
    Waybill,
    DispatchBatch,
    AgencyDispatch,
    InventoryList,
    InventoryItem,
    Receipt,
    AgencyDecision,
    RiskAssessment,
    TaxBill,
    TaxBillLine,
    QuotaUse,
    StockMovement,
    TrackingEvent,
    CreditEvent,
    Exchange,
)
AGENCIES = ("customs", "inspection", "tax", "forex")
# (document kind, source, returnStatus, Chinese, English, seconds after intake): as DOMAIN 4.1 has them.
DOCUMENT_RECEIPTS = (
    ("portal", "2", "已申报。", "Declared.", 0.0),
    ("portal", "3", "已发送海关。", "Sent to customs.", 0.5),
    ("portal", "120", "海关入库。", "Accepted into the customs system.", 0.7),
)
LIST_RECEIPTS = (
    ("portal", "2", "已申报。", "Declared.", 0.0),
    ("customs", "3", "已发送海关。", "Sent to customs.", 0.5),
    ("customs", "120", "海关入库。", "Accepted into the customs system.", 0.7),
    ("customs", "399", "海关审结。", "Customs review concluded.", 0.9),
    ("customs", "800", "放行。", "Released.", 1.0),
)
DECISIONS = {
    "customs": ("审结", "Review concluded"),
    "inspection": ("检验检疫：准予进境", "Inspection: goods admitted"),
    "tax": ("税款已担保", "Tax guaranteed"),
    "forex": ("外汇：未超出支付人年度额度", "Forex: within the payer's yearly limit"),
}
USD_PER_CNY = Decimal("0.14")  # what forex holds of a payment, near the rate of the reference table
MOST_ORDERS_PER_BUYER = 30
FREIGHT = Decimal("12.00")
ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class HistoryError(Exception):
    """The database cannot take a history (not PostgreSQL, or the parties are missing)."""


# --- COPY of model rows -----------------------------------------------------------------------------


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    kind = value.__class__
    if kind is str:
        # Escaping costs more than the test: most values need none.
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(ESCAPES)
        return value
    if kind is bool:
        return "t" if value else "f"
    if kind in (dict, list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(ESCAPES)
    if kind is datetime:
        return value.isoformat()
    return str(value)


class Table:
    """Rows of one model gathered as COPY text, with ids handed out above every id in use."""

    def __init__(self, model: type[models.Model], next_id: int) -> None:
        self.model = model
        fields = [f for f in model._meta.concrete_fields]
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        # Each column's default as COPY text, written where a row does not give the column.
        self.defaults = [(f.attname, _text(_default(f))) for f in fields]
        self.next_id = self.first_id = next_id
        self.buffer = io.StringIO()
        self.rows = 0

    def add(self, **values) -> int:
        pk = values["id"] = self.next_id
        self.next_id += 1
        self.buffer.write(
            "\t".join([_text(values[name]) if name in values else text for name, text in self.defaults])
        )
        self.buffer.write("\n")
        self.rows += 1
        return pk

    def flush(self, cursor) -> None:
        if not self.buffer.tell():
            return
        self.buffer.seek(0)
        table = connection.ops.quote_name(self.model._meta.db_table)
        cursor.copy_expert(f"COPY {table} ({self.columns}) FROM STDIN", self.buffer)  # noqa: S608 - model names
        self.buffer = io.StringIO()


def _default(f: models.Field):
    if f.name == "sandbox":
        return False  # the history is the live zone's (its default is the sandbox context's)
    if f.has_default() and not callable(f.default):
        return f.get_default()
    if f.null:
        return None
    if isinstance(f, (models.CharField, models.TextField)):
        return ""
    return None  # the caller gives it (a NOT NULL column left out fails the COPY, loudly)


def _next_id(cursor, model: type[models.Model]) -> int:
    """Above the largest id and the sequence's last value: no id a running portal already took."""
    table = model._meta.db_table
    cursor.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"')  # noqa: S608 - a model's table
    largest = cursor.fetchone()[0]
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 - the table's own
    last, called = cursor.fetchone()
    return max(largest, last if called else last - 1) + 1


def _set_sequences(cursor, tables: list[Table]) -> None:
    for table in tables:
        name = table.model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), greatest(max(id), 1)) FROM \"{name}\"",  # noqa: S608
            [name],
        )


# --- what the history is made of ---------------------------------------------------------------------


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


# --- the loader --------------------------------------------------------------------------------------


@dataclass
class Loaded:
    orders: int
    rows: dict[str, int]
    buyers: int
    first_list_id: int
    last_list_id: int


def load(
    n: int,
    *,
    days: int = 90,
    bonded_share: float = 0.1,
    batch: int = 500,
    chunk: int = 10_000,
    seed: int | None = None,
    check_keys: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Loaded:
    """Write n released import orders of the last `days` days (PostgreSQL only). See the module.

    The rows are consistent by construction, so by default (for a superuser) the foreign keys are not
    checked row by row at each commit, which would double the time; `check_keys` checks them all.
    """
    if connection.vendor != "postgresql":
        raise HistoryError("loading a history needs PostgreSQL (COPY): set DATABASE_URL=postgres://...")
    parties = find_parties()
    with connection.cursor() as cursor:
        tables = {model: Table(model, _next_id(cursor, model)) for model in PER_ORDER}
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        skip_keys = not check_keys and cursor.fetchone()[0]
    rng = random.Random(seed if seed is not None else tables[InventoryList].first_id)
    pool = baskets(rng)
    owners = orders_per_buyer(rng, n)
    people = [buyer(rng) for _ in range(max(owners, default=-1) + 1)]
    end = timezone.now() - timedelta(minutes=5)
    start = end - timedelta(days=days)
    span = (end - start).total_seconds()
    moments = sorted(rng.random() * span for _ in range(n))
    every = round(1 / bonded_share) if bonded_share > 0 and parties.stock else 0
    chosen = [pool[rng.randrange(len(pool))] for _ in range(n)]

    quotas = _quotas(owners, people, chosen, start, moments)
    forex = _forex(owners, people, chosen, start, moments)
    stock_left = _stock_drawn(parties, chosen, every)
    writer = _Writer(tables, parties, rng, stock_left)
    done = 0
    for first in range(0, n, chunk):
        with transaction.atomic(), connection.cursor() as cursor:
            if skip_keys:
                # Replica mode fires no foreign-key triggers, for this transaction only.
                cursor.execute("SET LOCAL session_replication_role = replica")
            # A chunk lost to a crash is loaded again; waiting for the disk at each commit buys nothing.
            cursor.execute("SET LOCAL synchronous_commit = off")
            if first == 0:
                quota_ids = _upsert_totals(cursor, BuyerQuota, "buyer_id_number", "used", quotas)
                _upsert_totals(cursor, ForexPurchase, "payer_id_number", "usd_total", forex)
            lists = []
            for batch_first in range(first, min(first + chunk, n), batch):
                numbers = range(batch_first, min(batch_first + batch, first + chunk, n))
                lists += writer.batch(
                    [
                        (
                            i,
                            people[owners[i]],
                            chosen[i],
                            start + timedelta(seconds=moments[i]),
                            "1210" if every and i % every == 0 else "9610",
                        )
                        for i in numbers
                    ],
                    quota_ids,
                )
            for table in tables.values():
                table.flush(cursor)
            # The dashboards' counters, counted by the statistics' own rules.
            stats_services.record_changes(lists, {})
        done = min(first + chunk, n)
        if progress:
            progress(f"{done} of {n} orders")
    # A zone's past has been vacuumed by autovacuum long since: hint bits set and the visibility map
    # current, so the first run after a load does not pay for writing them. VACUUM cannot run inside a
    # transaction (a caller's atomic block): ANALYZE only, then.
    maintain = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        _set_sequences(cursor, list(tables.values()))
        for model in (*PER_ORDER, BuyerQuota, ForexPurchase, DailyStat):
            cursor.execute(f'{maintain} "{model._meta.db_table}"')  # noqa: S608 - a model's table
    return Loaded(
        orders=n,
        rows={t.model._meta.label: t.rows for t in tables.values()},
        buyers=len(people),
        first_list_id=tables[InventoryList].first_id,
        last_list_id=tables[InventoryList].next_id - 1,
    )


def _quotas(owners, people, chosen, start, moments) -> dict[tuple[str, int], Decimal]:
    totals: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for i, owner in enumerate(owners):
        year = (start + timedelta(seconds=moments[i])).astimezone(timezone.get_current_timezone()).year
        totals[(people[owner].id_number, year)] += chosen[i].assessment.dutiable_value
    return totals


def _forex(owners, people, chosen, start, moments) -> dict[tuple[str, int], Decimal]:
    totals: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for i, owner in enumerate(owners):
        year = (start + timedelta(seconds=moments[i])).astimezone(timezone.get_current_timezone()).year
        totals[(people[owner].id_number, year)] += _paid(chosen[i]) * USD_PER_CNY
    return {k: v.quantize(Decimal("0.01")) for k, v in totals.items()}


def _paid(basket: Basket) -> Decimal:
    return basket.goods_value + FREIGHT + basket.assessment.total


def _stock_drawn(parties: Parties, chosen: list[Basket], every: int) -> dict[int, Decimal]:
    """Each bonded SKU's balance before the history: what it holds now plus what the history drew (the
    movements count down to today's quantity, which stays as it is)."""
    left = {s.pk: s.quantity for s in parties.stock.values()}
    if not every:
        return left
    for i in range(0, len(chosen), every):
        for goods, qty, _total, _line in chosen[i].lines:
            item = parties.stock.get(f"R{goods[0][:8]}")
            if item:
                left[item.pk] += qty
    return left


def _upsert_totals(cursor, model, key: str, column: str, totals: dict[tuple[str, int], Decimal]) -> dict:
    """Add the history's totals to the (person, year) ledger rows, creating the missing ones, in one
    statement through a temporary table; returns (person, year) -> row id."""
    if not totals:
        return {}
    table = model._meta.db_table
    cursor.execute("CREATE TEMPORARY TABLE history_totals (k text, y smallint, v numeric) ON COMMIT DROP")
    buffer = io.StringIO("".join(f"{k}\t{y}\t{v}\n" for (k, y), v in totals.items()))
    cursor.copy_expert("COPY history_totals (k, y, v) FROM STDIN", buffer)
    others = {BuyerQuota: ", reserved", ForexPurchase: ""}[model]
    zeros = {BuyerQuota: ", 0", ForexPurchase: ""}[model]
    cursor.execute(
        f"""INSERT INTO "{table}" ({key}, year, {column}, sandbox{others})
            SELECT k, y, v, false{zeros} FROM history_totals ORDER BY k, y
            ON CONFLICT ({key}, year, sandbox) DO UPDATE SET {column} = "{table}".{column} + excluded.{column}
            RETURNING id, {key}, year"""  # noqa: S608 - names from the models
    )
    ids = {(k, y): pk for pk, k, y in cursor.fetchall()}
    cursor.execute("DROP TABLE history_totals")
    return ids


class _Writer:
    """Turns orders into rows of every table, a dispatch batch at a time."""

    def __init__(self, tables: dict, parties: Parties, rng: random.Random, stock_left: dict) -> None:
        self.t, self.p, self.rng, self.stock_left = tables, parties, rng, stock_left
        self.tz = timezone.get_current_timezone()

    def guid(self) -> str:
        """A random GUID in the CEB form (upper-case 8-4-4-4-12), cheaper than uuid4 a million times."""
        h = f"{self.rng.getrandbits(128):032X}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def batch(self, orders: list[tuple], quota_ids: dict) -> list:
        t, p = self.t, self.p
        last = orders[-1][3]
        batch_at = last + timedelta(seconds=0.5)
        batch_id = t[DispatchBatch].next_id
        dispatches = {
            agency: t[AgencyDispatch].add(
                batch_id=batch_id,
                agency=agency,
                state="answered",
                attempts=0,
                created_at=batch_at,
                answered_at=batch_at + timedelta(seconds=0.2),
            )
            for agency in AGENCIES
        }
        counted, message, sent, answers = [], [], [], defaultdict(list)
        for number, person, basket, at, trade_mode in orders:
            inventory, facts = self.order(number, person, basket, at, trade_mode, batch_id, dispatches)
            quota_id = quota_ids[(person.id_number, at.astimezone(self.tz).year)]
            t[QuotaUse].add(
                inventory_id=inventory,
                quota_id=quota_id,
                amount=basket.assessment.dutiable_value.quantize(Decimal("0.01")),
                returned_amount=Decimal(0),
                state="used",
                updated_at=at + timedelta(seconds=1),
            )
            counted.append(facts)
            # What the agencies are sent of each list, as the dispatch step writes it.
            message.append(
                {
                    "id": inventory,
                    "cop_no": facts.cop_no,
                    "pre_no": facts.pre_no,
                    "trade_mode": trade_mode,
                    "customs_code": "2928",
                    "ebp_code": p.platform.customs_code,
                    "ebc_code": p.seller.customs_code,
                    "agent_code": p.seller.customs_code,
                    "logistics_code": p.logistics.customs_code,
                    "assure_code": p.seller.customs_code,
                    "buyer_id_number": person.id_number,
                    "freight": str(FREIGHT),
                    "tax_amount": str(basket.assessment.total),
                    "pay_code": p.payment.customs_code,
                    "payer_id_number": person.id_number,
                    "amount_paid": str(_paid(basket)),
                    "enterprise_id": p.seller.pk,
                    "lines": [
                        {
                            "gnum": n,
                            "gcode": g[0],
                            "gname": g[1],
                            "bar_code": g[4],
                            "qty": str(q),
                            "total_price": str(tp),
                        }
                        for n, (g, q, tp, _line) in enumerate(basket.lines, start=1)
                    ],
                }
            )
            sent.append(
                {
                    "pre_no": facts.pre_no,
                    "cop_no": facts.cop_no,
                    "trade_mode": trade_mode,
                    "tax_amount": str(basket.assessment.total),
                    "lines": len(basket.lines),
                }
            )
            for agency in AGENCIES:
                info, info_en = DECISIONS[agency]
                answers[agency].append({"id": inventory, "status": "399", "info": info, "info_en": info_en})
        t[DispatchBatch].add(
            created_at=batch_at,
            finalized_at=batch_at + timedelta(seconds=0.5),
            size=len(orders),
            ie_flag="I",
            message=json.dumps(message, ensure_ascii=False, separators=(",", ":")),
        )
        for agency in AGENCIES:
            for direction, payload in (("out", sent), ("in", answers[agency])):
                t[Exchange].add(
                    direction=direction,
                    agency=agency,
                    document_kind="inventory",
                    dispatch_id=dispatches[agency],
                    document_count=len(orders),
                    payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                    status="answered",
                    attempts=1,
                    created_at=batch_at,
                    answered_at=batch_at + timedelta(seconds=0.2),
                )
        return counted

    def order(self, number, person, basket: Basket, at: datetime, trade_mode, batch_id, dispatches):
        t, p = self.t, self.p
        bonded = trade_mode == "1210"
        tag = f"{t[InventoryList].next_id:012d}"
        order_no, logistics_no, transaction_id = f"HO{tag}", f"HL{tag}", f"HP{tag}"
        cop_no = f"H{tag}"
        local = at.astimezone(self.tz)
        stamp, day = local.strftime("%Y%m%d%H%M%S"), local.strftime("%Y%m%d")
        assessment = basket.assessment
        paid = _paid(basket)
        common = {"app_type": "1", "app_time": stamp, "app_status": "2", "version": 1}

        def head(offset: float, kind: str) -> dict:
            moment = at + timedelta(seconds=offset)
            return {
                **common,
                "guid": self.guid(),
                "content_hash": hashlib.sha256(f"{kind}{tag}".encode()).hexdigest(),
                "created_at": moment,
                "updated_at": moment,
            }

        order = t[Order].add(
            **head(0, "order"),
            submitted_by_id=p.platform.pk,
            order_type="I",
            order_no=order_no,
            ebp_code=p.platform.customs_code,
            ebp_name=p.platform.name_zh,
            ebc_code=p.seller.customs_code,
            ebc_name=p.seller.name_zh,
            goods_value=basket.goods_value,
            freight=FREIGHT,
            discount=Decimal(0),
            tax_total=assessment.total,
            actual_paid=paid,
            currency="142",
            buyer_reg_no=f"U{person.id_number[-10:]}",
            buyer_name=person.name,
            buyer_telephone=person.telephone,
            buyer_id_type="1",
            buyer_id_number=person.id_number,
            pay_code=p.payment.customs_code,
            pay_name=p.payment.name_zh,
            pay_transaction_id=transaction_id,
            consignee=person.name,
            consignee_telephone=person.telephone,
            consignee_address=person.address,
        )
        for gnum, (goods, qty, total, _line) in enumerate(basket.lines, start=1):
            t[OrderItem].add(
                order_id=order,
                gnum=gnum,
                item_no=f"SKU-{goods[0][:6]}",
                item_name=goods[1],
                gmodel=goods[2],
                bar_code=goods[4],
                unit="007",
                qty=qty,
                price=goods[3],
                total_price=total,
                currency="142",
                country="116",
            )
        payment = t[Payment].add(
            **head(0.05, "payment"),
            submitted_by_id=p.payment.pk,
            pay_code=p.payment.customs_code,
            pay_name=p.payment.name_zh,
            pay_transaction_id=transaction_id,
            order_no=order_no,
            ebp_code=p.platform.customs_code,
            ebp_name=p.platform.name_zh,
            payer_id_type="1",
            payer_id_number=person.id_number,
            payer_name=person.name,
            telephone=person.telephone,
            amount_paid=paid,
            currency="142",
            pay_time=stamp,
        )
        waybill = t[Waybill].add(
            **head(0.1, "waybill"),
            submitted_by_id=p.logistics.pk,
            logistics_code=p.logistics.customs_code,
            logistics_name=p.logistics.name_zh,
            logistics_no=logistics_no,
            bill_no="" if bonded else f"784-{number % 100_000_000:08d}",
            order_no=order_no,
            freight=FREIGHT,
            insured_fee=Decimal(0),
            currency="142",
            weight=Decimal("1.20"),
            pack_no=1,
            goods_info="、".join(g[1] for g, *_ in basket.lines)[:200],
            consignee=person.name,
            consignee_address=person.address,
            consignee_telephone=person.telephone,
        )
        inventory_id = t[InventoryList].next_id
        year = local.year
        pre_no = f"B{day}{inventory_id % 1_000_000_000:09d}"
        invt_no = f"2928{year}I{inventory_id % 1_000_000_000:09d}"
        matched, dispatched, final = (at + timedelta(seconds=s) for s in (0.3, 0.5, 1.0))
        t[InventoryList].add(
            **head(0.15, "inventory"),
            submitted_by_id=p.seller.pk,
            order_no=order_no,
            ebp_code=p.platform.customs_code,
            ebp_name=p.platform.name_zh,
            ebc_code=p.seller.customs_code,
            ebc_name=p.seller.name_zh,
            logistics_no=logistics_no,
            logistics_code=p.logistics.customs_code,
            logistics_name=p.logistics.name_zh,
            cop_no=cop_no,
            pre_no=pre_no,
            assure_code=p.seller.customs_code,
            ems_no=p.ems_no if bonded else "",
            invt_no=invt_no,
            ie_flag="I",
            decl_time=day,
            customs_code="2928",
            port_code="2928",
            ie_date=day,
            buyer_id_type="1",
            buyer_id_number=person.id_number,
            buyer_name=person.name,
            buyer_telephone=person.telephone,
            consignee_address=person.address,
            agent_code=p.seller.customs_code,
            agent_name=p.seller.name_zh,
            area_code=p.warehouse.customs_code if bonded else "",
            area_name=p.warehouse.name_zh if bonded else "",
            trade_mode=trade_mode,
            traf_mode="4" if bonded else "5",
            traf_no="" if bonded else "CA1088",
            voyage_no="" if bonded else f"CA{day}",
            bill_no="" if bonded else f"784-{number % 100_000_000:08d}",
            country="142" if bonded else "116",
            freight=FREIGHT,
            insured_fee=Decimal(0),
            currency="142",
            wrap_type="2",
            pack_no=1,
            gross_weight=Decimal("1.20"),
            net_weight=Decimal("1.00"),
            status="released",
            return_status="800",
            order_id=order,
            payment_id=payment,
            waybill_id=waybill,
            dutiable_value=assessment.dutiable_value,
            customs_tax=assessment.customs_tax,
            value_added_tax=assessment.value_added_tax,
            consumption_tax=assessment.consumption_tax,
            tax_amount=assessment.total,
            tax_regime=str(assessment.regime),
            dispatch_batch_id=batch_id,
            matched_at=matched,
            dispatched_at=dispatched,
            final_at=final,
        )
        items = []
        for gnum, (goods, qty, total, line) in enumerate(basket.lines, start=1):
            record_no = f"R{goods[0][:8]}" if bonded else ""
            t[InventoryItem].add(
                inventory_id=inventory_id,
                gnum=gnum,
                item_record_no=record_no,
                item_no=f"SKU-{goods[0][:6]}",
                item_name=goods[1],
                gcode=goods[0],
                gname=goods[1],
                gmodel=goods[2],
                bar_code=goods[4],
                country="116",
                currency="142",
                qty=qty,
                unit="007",
                qty1=qty,
                unit1="007",
                price=goods[3],
                total_price=total,
                tax_price=line.tax_price,
                customs_tax=line.customs_tax,
                value_added_tax=line.value_added_tax,
                consumption_tax=line.consumption_tax,
            )
            items.append(_Item(gnum, goods[0], total, "116"))
            stock = self.p.stock.get(record_no) if bonded else None
            if stock:
                self.stock_left[stock.pk] -= qty
                t[StockMovement].add(
                    kind="release",
                    qty=-qty,
                    balance=self.stock_left[stock.pk],
                    created_at=final,
                    inventory_id=inventory_id,
                    stock_item_id=stock.pk,
                )
        for kind, enterprise, document, key in (
            ("order", p.platform.pk, order, f"{p.platform.customs_code}/{order_no}"),
            ("payment", p.payment.pk, payment, f"{p.payment.customs_code}/{transaction_id}"),
            ("waybill", p.logistics.pk, waybill, f"{p.logistics.customs_code}/{logistics_no}"),
        ):
            for source, status, info, info_en, offset in DOCUMENT_RECEIPTS:
                self._receipt(kind, enterprise, document, key, source, status, info, info_en, at, offset)
        key = f"{p.seller.customs_code}/{cop_no}"
        for source, status, info, info_en, offset in LIST_RECEIPTS:
            self._receipt(
                "inventory", p.seller.pk, inventory_id, key, source, status, info, info_en, at, offset
            )
        for agency in AGENCIES:
            info, info_en = DECISIONS[agency]
            held = {"tax": assessment.total, "forex": (paid * USD_PER_CNY).quantize(Decimal("0.01"))}
            t[AgencyDecision].add(
                dispatch_id=dispatches[agency],
                inventory_id=inventory_id,
                agency=agency,
                outcome="release",
                return_status="399",
                return_info=info,
                return_info_en=info_en,
                held_amount=held.get(agency),
                created_at=dispatched + timedelta(seconds=0.2),
            )
        t[RiskAssessment].add(
            inventory_id=inventory_id,
            score=0,
            threshold=60,
            hits=[],
            decision="dispatch",
            reason_code="",
            credit_level="regular",
            draw_seed=f"{self.rng.getrandbits(128):032x}",
            draw_rate=Decimal("0.0300"),
            draw_value=Decimal(self.rng.random()).quantize(Decimal("0.0000000001")),
            selected_for_inspection=False,
            inspector_conflicts=[],
            created_at=matched,
        )
        bill = t[TaxBill].add(
            inventory_id=inventory_id,
            guid=self.guid(),
            return_time=final.astimezone(self.tz).strftime("%Y%m%d%H%M%S%f")[:17],
            invt_no=invt_no,
            tax_no=f"T{invt_no}",
            customs_tax=assessment.customs_tax,
            value_added_tax=assessment.value_added_tax,
            consumption_tax=assessment.consumption_tax,
            status="1",
            assure_code=p.seller.customs_code,
            ebc_code=p.seller.customs_code,
            logistics_code=p.logistics.customs_code,
            agent_code=p.seller.customs_code,
            customs_code="2928",
            created_at=final,
        )
        for gnum, (goods, _qty, _total, line) in enumerate(basket.lines, start=1):
            t[TaxBillLine].add(
                bill_id=bill,
                gnum=gnum,
                gcode=goods[0],
                tax_price=line.tax_price,
                customs_tax=line.customs_tax,
                value_added_tax=line.value_added_tax,
                consumption_tax=line.consumption_tax,
            )
        for code, moment in (("declared", dispatched), ("released", final)):
            t[TrackingEvent].add(
                waybill_id=waybill, code=code, source="pipeline", occurred_at=moment, created_at=moment
            )
        t[CreditEvent].add(
            enterprise_id=p.seller.pk,
            kind="released",
            points=Decimal("0.05"),
            reason=f"released: {cop_no}",
            source_kind="inventory",
            source_id=inventory_id,
            created_at=final,
        )
        facts = _Counted(
            pk=inventory_id,
            status="released",
            ie_flag="I",
            ebc_code=p.seller.customs_code,
            trade_mode=trade_mode,
            country="142" if bonded else "116",
            tax_amount=assessment.total,
            created_at=at + timedelta(seconds=0.15),
            final_at=final,
            cop_no=cop_no,
            pre_no=pre_no,
            lines=items,
        )
        return inventory_id, facts

    def _receipt(self, kind, enterprise, document, key, source, status, info, info_en, at, offset) -> None:
        self.t[Receipt].add(
            enterprise_id=enterprise,
            kind=kind,
            document_id=document,
            source=source,
            natural_key=key,
            return_status=status,
            return_info=info,
            return_info_en=info_en,
            guid=self.guid(),
            created_at=at + timedelta(seconds=offset),
        )


@dataclass(frozen=True)
class _Item:
    gnum: int
    gcode: str
    total_price: Decimal
    country: str


@dataclass
class _Counted:
    """A loaded list as the statistics count it (stats.services.counted reads these attributes)."""

    pk: int
    status: str
    ie_flag: str
    ebc_code: str
    trade_mode: str
    country: str
    tax_amount: Decimal
    created_at: datetime
    final_at: datetime
    cop_no: str
    pre_no: str
    lines: list

    @property
    def items(self) -> "_Items":
        return _Items(self.lines)


@dataclass(frozen=True)
class _Items:
    lines: list

    def all(self) -> Iterator[_Item]:
        return iter(self.lines)
