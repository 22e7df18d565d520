"""The history's running totals: buyers' yearly quotas and forex, and the bonded stock drawn."""

import io
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from finance.models import BuyerQuota
from sharing.models import ForexPurchase

from .orders import USD_PER_CNY, Basket, Parties, amount_paid


def yearly_totals(owners, people, chosen, start, moments) -> tuple[dict, dict]:
    """Each (buyer, year)'s quota used (the dutiable value, CNY) and forex bought (USD) over the
    history, keyed (id number, year) as the ledgers are."""
    zone = timezone.get_current_timezone()
    quota: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    forex: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for i, owner in enumerate(owners):
        key = (people[owner].id_number, (start + timedelta(seconds=moments[i])).astimezone(zone).year)
        quota[key] += chosen[i].assessment.dutiable_value
        forex[key] += amount_paid(chosen[i]) * USD_PER_CNY
    return quota, {k: v.quantize(Decimal("0.01")) for k, v in forex.items()}


def stock_drawn(parties: Parties, chosen: list[Basket], every: int) -> dict[int, Decimal]:
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


def upsert_totals(cursor, model, key: str, column: str, totals: dict[tuple[str, int], Decimal]) -> dict:
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
