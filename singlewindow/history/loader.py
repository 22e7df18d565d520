"""The loader: N released orders written chunk by chunk, each chunk in its own transaction."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
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
from finance.models import BuyerQuota, QuotaUse, TaxBill, TaxBillLine
from logistics.models import StockMovement, TrackingEvent
from risk.models import RiskAssessment
from sharing.models import Exchange, ForexPurchase
from singlewindow.generator import buyer
from stats import services as stats_services
from stats.models import DailyStat

from .orders import HistoryError, baskets, find_parties, orders_per_buyer
from .rows import Writer
from .tables import Table, next_id, set_sequences
from .totals import stock_drawn, upsert_totals, yearly_totals

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
        tables = {model: Table(model, next_id(cursor, model)) for model in PER_ORDER}
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

    quotas, forex = yearly_totals(owners, people, chosen, start, moments)
    stock_left = stock_drawn(parties, chosen, every)
    writer = Writer(tables, parties, rng, stock_left)
    done = 0
    for first in range(0, n, chunk):
        with transaction.atomic(), connection.cursor() as cursor:
            if skip_keys:
                # Replica mode fires no foreign-key triggers, for this transaction only.
                cursor.execute("SET LOCAL session_replication_role = replica")
            # A chunk lost to a crash is loaded again; waiting for the disk at each commit buys nothing.
            cursor.execute("SET LOCAL synchronous_commit = off")
            if first == 0:
                quota_ids = upsert_totals(cursor, BuyerQuota, "buyer_id_number", "used", quotas)
                upsert_totals(cursor, ForexPurchase, "payer_id_number", "usd_total", forex)
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
        set_sequences(cursor, list(tables.values()))
        for model in (*PER_ORDER, BuyerQuota, ForexPurchase, DailyStat):
            cursor.execute(f'{maintain} "{model._meta.db_table}"')  # noqa: S608 - a model's table
    return Loaded(
        orders=n,
        rows={t.model._meta.label: t.rows for t in tables.values()},
        buyers=len(people),
        first_list_id=tables[InventoryList].first_id,
        last_list_id=tables[InventoryList].next_id - 1,
    )
