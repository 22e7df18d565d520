"""Keeping the statistics current: each step of the pipeline snapshots the outcome of the lists it
touches, and records the difference as one upsert per batch (counters incremented in the database,
never recounted). `rebuild` recomputes every row from the lists themselves and must agree."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from sharing.models import Enterprise

from .models import BUCKET_FIELDS, CLEARANCE_BUCKETS, DailyStat, Outcome

KEY_FIELDS = (
    "day",
    "direction",
    "trade_mode",
    "zone_id",
    "park_id",
    "country",
    "hs_chapter",
    "ebc_code",
    "outcome",
)
SUM_FIELDS = ("lists", "value_cny", "tax", "clearance_seconds", *BUCKET_FIELDS)
TRACKED = frozenset(Outcome.values)


@dataclass(frozen=True)
class Counted:
    """How one list is counted now: its row key and what it adds to the row."""

    key: tuple
    value_cny: Decimal
    tax: Decimal
    clearance_seconds: int | None  # released lists only


def _bucket(seconds: int) -> str:
    for index, bound in enumerate(CLEARANCE_BUCKETS):
        if seconds <= bound:
            return BUCKET_FIELDS[index]
    return BUCKET_FIELDS[-1]


def _parks(lists: Sequence[Any]) -> dict[str, tuple[int, int]]:
    """Enterprise code -> (zone id, park id) of the e-commerce enterprises of these lists (one query)."""
    codes = {i.ebc_code for i in lists}
    out: dict[str, tuple[int, int]] = {}
    for customs_code, uscc, park_id, zone_id in Enterprise.objects.filter(
        Q(customs_code__in=codes) | Q(uscc__in=codes)
    ).values_list("customs_code", "uscc", "park_id", "park__zone_id"):
        out[customs_code] = out[uscc] = (zone_id or 0, park_id or 0)
    return out


def counted(lists: Sequence[Any]) -> dict[int, Counted | None]:
    """How each list (import or export, with its items loaded) counts in its current status."""
    # Sandbox lists never count: the statistics are the zone's.
    tracked = [i for i in lists if i.status in TRACKED and not getattr(i, "sandbox", False)]
    out: dict[int, Counted | None] = {i.pk: None for i in lists}
    if not tracked:
        return out  # e.g. a batch on its way to the agencies: no query
    parks = _parks(tracked)
    for inventory in tracked:
        outcome = inventory.status
        exported = getattr(inventory, "ie_flag", "I") == "E"
        zone_id, park_id = parks.get(inventory.ebc_code, (0, 0))
        if outcome == Outcome.MISMATCH:
            # Its documents may still change: counted on what cannot (enterprise, day of intake).
            day = timezone.localdate(inventory.created_at)
            key = (day, "E" if exported else "I", "", zone_id, park_id, "", "", inventory.ebc_code, outcome)
            out[inventory.pk] = Counted(key, Decimal(0), Decimal(0), None)
            continue
        items = list(inventory.items.all())
        largest = max(items, key=lambda item: (item.total_price, -item.gnum)) if items else None
        country = inventory.country if exported else (items[0].country if items else "")
        if exported:
            value = inventory.fob_value_cny or Decimal(0)
        else:
            value = sum((item.total_price for item in items), Decimal(0))
        day = timezone.localdate(inventory.final_at)
        key = (
            day,
            "E" if exported else "I",
            inventory.trade_mode,
            zone_id,
            park_id,
            country,
            largest.gcode[:2] if largest else "",
            inventory.ebc_code,
            outcome,
        )
        released = outcome == Outcome.RELEASED
        tax = (getattr(inventory, "tax_amount", None) or Decimal(0)) if released else Decimal(0)
        seconds = int((inventory.final_at - inventory.created_at).total_seconds()) if released else None
        out[inventory.pk] = Counted(key, value, tax, seconds)
    return out


def snapshot(lists: Sequence[Any]) -> dict[int, Counted | None]:
    """Taken before a step changes the lists; `record_changes` compares it with their state after."""
    return counted(lists)


def record_changes(lists: Sequence[Any], before: dict[int, Counted | None]) -> int:
    """Count what changed between `before` and now: -1 where a list was counted, +1 where it is now."""
    after = counted(lists)
    rows: dict[tuple, dict[str, Any]] = {}

    def add(entry: Counted, sign: int) -> None:
        row = rows.setdefault(entry.key, dict.fromkeys(SUM_FIELDS, 0))
        row["lists"] += sign
        row["value_cny"] += sign * entry.value_cny
        row["tax"] += sign * entry.tax
        if entry.clearance_seconds is not None:
            row["clearance_seconds"] += sign * entry.clearance_seconds
            row[_bucket(entry.clearance_seconds)] += sign

    for inventory in lists:
        old, new = before.get(inventory.pk), after.get(inventory.pk)
        if old == new:
            continue
        if old is not None:
            add(old, -1)
        if new is not None:
            add(new, +1)
    return _upsert(rows)


def _upsert(rows: dict[tuple, dict[str, Any]]) -> int:
    """One INSERT ... ON CONFLICT DO UPDATE adding to the counters (PostgreSQL and SQLite alike)."""
    # In key order: two batches adding to the same rows lock them in the same order (no deadlock).
    rows = {k: rows[k] for k in sorted(rows, key=str) if any(rows[k].values())}
    if not rows:
        return 0
    table = DailyStat._meta.db_table
    columns = (*KEY_FIELDS, *SUM_FIELDS)
    quote = connection.ops.quote_name
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{quote(f)} = {table}.{quote(f)} + excluded.{quote(f)}" for f in SUM_FIELDS)
    # Names come from the model, values go as parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) VALUES "  # noqa: S608
        + ", ".join([placeholders] * len(rows))
        + f" ON CONFLICT ({', '.join(quote(f) for f in KEY_FIELDS)}) DO UPDATE SET {updates}"
    )
    params: list[Any] = []
    for key, sums in rows.items():
        params.extend(key)
        params.extend(sums[f] for f in SUM_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return len(rows)


def rebuild(*, chunk: int = 2000) -> int:
    """Recompute every row from the lists (import and export), replacing the table. Returns rows."""
    from declarations.models import ExportInventoryList, InventoryList

    totals: dict[tuple, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(SUM_FIELDS, 0))
    for model in (InventoryList, ExportInventoryList):
        ids = list(model.objects.filter(status__in=TRACKED).order_by("id").values_list("id", flat=True))
        for start in range(0, len(ids), chunk):
            lists = list(model.objects.filter(pk__in=ids[start : start + chunk]).prefetch_related("items"))
            for entry in counted(lists).values():
                if entry is None:
                    continue
                row = totals[entry.key]
                row["lists"] += 1
                row["value_cny"] += entry.value_cny
                row["tax"] += entry.tax
                if entry.clearance_seconds is not None:
                    row["clearance_seconds"] += entry.clearance_seconds
                    row[_bucket(entry.clearance_seconds)] += 1
    with transaction.atomic():
        DailyStat.objects.all().delete()
        DailyStat.objects.bulk_create(
            [DailyStat(**dict(zip(KEY_FIELDS, key, strict=True)), **sums) for key, sums in totals.items()],
            batch_size=2000,
        )
    return len(totals)


def table_snapshot() -> dict[tuple, tuple]:
    """Every non-empty row as {key: sums}: what a rebuild must reproduce."""
    return {
        tuple(row[f] for f in KEY_FIELDS): tuple(row[f] for f in SUM_FIELDS)
        for row in DailyStat.objects.values(*KEY_FIELDS, *SUM_FIELDS)
        if any(row[f] for f in SUM_FIELDS)
    }
