"""Moving closed months out of the working tables: `manage.py archive_closed_months --before YYYY-MM`.

The tables a declaration writes grow by about thirty rows an order (docs/benchmark.md); what the portal
reads every day is the last weeks. A month is closed for an import list when nothing can happen to it
any more, and only such lists leave, with everything that hangs on them:

- its status is final and not open to change: released, rejected or cancelled (lists held, under
  inspection, waiting for a match or with documents that do not match stay);
- its final status came before the first day of the month given, and, if it was released, more than
  RETURN_WINDOW ago (a return can be applied for within 30 days of release), with no return waiting
  for its goods and no alert still open;
- its tax bill, if it has one, is settled: consolidated into a paid month or cancelled (an unpaid bill
  stays, and its list with it).

With a list go its lines, the receipts of it and of its order, payment and waybill, the agencies'
decisions, the risk assessment and assignments, the tax bill with its lines and credits, the quota use,
the stock movements, cancels and returns; the order, payment and waybill go when no list left behind
points at them, with their lines and tracking events; a dispatch batch goes when none of its lists
stays, with its agency dispatches and their exchanges. The per person and year totals (quota, forex),
the statistics counters, credit events and the audit trail stay: they are what the dashboards, the
limits and the scores read.

Rows are written as gzip-compressed JSON lines, one file per table and chunk of lists, read back and
counted before the rows are deleted in the same transaction as an audit event that records the files,
their SHA-256 and the counts. A second run finds nothing left to move; `dry_run` only counts.
"""

import datetime
import gzip
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from declarations.models import (
    AgencyDecision,
    AgencyDispatch,
    DispatchBatch,
    ExportInventoryList,
    InventoryCancel,
    InventoryItem,
    InventoryList,
    InventoryRefund,
    InventoryRefundLine,
    Order,
    OrderItem,
    Payment,
    Receipt,
    Waybill,
)
from finance.models import QuotaUse, TaxBill, TaxBillCredit, TaxBillLine
from logistics.models import StockMovement, TrackingEvent
from risk.models import Alert, Assignment, RiskAssessment
from sharing.models import Exchange
from sharing.services import audit_record

RETURN_WINDOW = datetime.timedelta(days=30)
CLOSED_STATUSES = ("released", "rejected", "cancelled")
SETTLED_BILLS = (TaxBill.Status.CONSOLIDATED, TaxBill.Status.CANCELLED)
ACTION = "archive.closed_months"


class ArchiveError(Exception):
    """What was written or deleted does not add up: the chunk's transaction is rolled back."""


@dataclass
class Archived:
    lists: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def add(self, label: str, count: int) -> None:
        self.rows[label] = self.rows.get(label, 0) + count


def month_start(text: str) -> datetime.datetime:
    """'2026-09' -> the first instant of that month in the portal's time zone (ValueError if not a month)."""
    day = datetime.datetime.strptime(text, "%Y-%m")
    return timezone.make_aware(day)


def closed_lists(before: datetime.datetime, *, now: datetime.datetime | None = None) -> models.QuerySet:
    """The import lists whose month is closed (see the module), oldest first."""
    now = now or timezone.now()
    open_bill = TaxBill.objects.filter(inventory=OuterRef("pk")).exclude(status__in=SETTLED_BILLS)
    open_refund = InventoryRefund.objects.filter(
        inventory=OuterRef("pk"), state=InventoryRefund.State.AWAITING_GOODS
    )
    open_alert = Alert.objects.filter(inventory=OuterRef("pk"), status=Alert.Status.OPEN)
    return (
        InventoryList.objects.filter(status__in=CLOSED_STATUSES, final_at__lt=before)
        .exclude(status="released", final_at__gte=now - RETURN_WINDOW)
        .exclude(Exists(open_bill))
        .exclude(Exists(open_refund))
        .exclude(Exists(open_alert))
        .order_by("final_at", "pk")
    )


def _what_goes(list_ids: list[int]) -> list[tuple[type[models.Model], models.QuerySet]]:
    """Every row that leaves with these lists, children before parents (the order of deletion)."""
    lists = InventoryList.objects.filter(pk__in=list_ids)
    staying = InventoryList.objects.exclude(pk__in=list_ids)
    columns = ("order_id", "payment_id", "waybill_id", "dispatch_batch_id")
    links = list(lists.values_list(*columns))

    def unshared(position: int) -> set[int]:
        """The rows these lists point at by one column that no list left behind points at."""
        ids = {row[position] for row in links if row[position]}
        column = columns[position]
        return ids - set(staying.filter(**{f"{column}__in": ids}).values_list(column, flat=True))

    orders, payments, waybills, batches = (unshared(position) for position in range(len(columns)))
    batches -= set(
        ExportInventoryList.objects.filter(dispatch_batch_id__in=batches).values_list(
            "dispatch_batch_id", flat=True
        )
    )
    dispatches = list(AgencyDispatch.objects.filter(batch_id__in=batches).values_list("pk", flat=True))
    bills = TaxBill.objects.filter(inventory_id__in=list_ids)
    refunds = InventoryRefund.objects.filter(inventory_id__in=list_ids)
    receipts = Receipt.objects.filter(
        Q(kind="inventory", document_id__in=list_ids)
        | Q(kind="order", document_id__in=orders)
        | Q(kind="payment", document_id__in=payments)
        | Q(kind="waybill", document_id__in=waybills)
    )
    return [
        (Receipt, receipts),
        (
            AgencyDecision,
            AgencyDecision.objects.filter(Q(inventory_id__in=list_ids) | Q(dispatch_id__in=dispatches)),
        ),
        (Alert, Alert.objects.filter(inventory_id__in=list_ids)),
        (Assignment, Assignment.objects.filter(inventory_id__in=list_ids)),
        (RiskAssessment, RiskAssessment.objects.filter(inventory_id__in=list_ids)),
        (TaxBillCredit, TaxBillCredit.objects.filter(Q(bill__in=bills) | Q(refund__in=refunds))),
        (TaxBillLine, TaxBillLine.objects.filter(bill__in=bills)),
        (TaxBill, bills),
        (QuotaUse, QuotaUse.objects.filter(inventory_id__in=list_ids)),
        (StockMovement, StockMovement.objects.filter(Q(inventory_id__in=list_ids) | Q(refund__in=refunds))),
        (InventoryRefundLine, InventoryRefundLine.objects.filter(refund__in=refunds)),
        (InventoryRefund, refunds),
        (InventoryCancel, InventoryCancel.objects.filter(inventory_id__in=list_ids)),
        (InventoryItem, InventoryItem.objects.filter(inventory_id__in=list_ids)),
        (InventoryList, lists),
        (OrderItem, OrderItem.objects.filter(order_id__in=orders)),
        (Order, Order.objects.filter(pk__in=orders)),
        (Payment, Payment.objects.filter(pk__in=payments)),
        (TrackingEvent, TrackingEvent.objects.filter(waybill_id__in=waybills)),
        (Waybill, Waybill.objects.filter(pk__in=waybills)),
        (Exchange, Exchange.objects.filter(dispatch_id__in=dispatches)),
        (AgencyDispatch, AgencyDispatch.objects.filter(pk__in=dispatches)),
        (DispatchBatch, DispatchBatch.objects.filter(pk__in=batches)),
    ]


def _write(path: Path, rows) -> tuple[int, str]:
    """Rows as gzip-compressed JSON lines; returns how many lines were read back and the file's SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False))
            out.write("\n")
    with gzip.open(path, "rt", encoding="utf-8") as back:
        lines = sum(1 for _line in back)
    return lines, hashlib.sha256(path.read_bytes()).hexdigest()


def _delete(model: type[models.Model], rows: models.QuerySet) -> int:
    """DELETE the rows of this query in one statement; returns how many went."""
    select, params = rows.values("pk").query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({select})", params)  # noqa: S608 - ORM SQL
        return cursor.rowcount


def archive_closed_months(
    *,
    before: datetime.datetime,
    to: Path,
    dry_run: bool = False,
    chunk: int = 5000,
    now: datetime.datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> Archived:
    """Move the closed lists of the months before `before` and what hangs on them into files under
    `to` (see the module). Returns the counts (what would move, with `dry_run`)."""
    result = Archived()
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    done: set[int] = set()
    parts = 0
    while True:
        ids = list(closed_lists(before, now=now).exclude(pk__in=done).values_list("pk", flat=True)[:chunk])
        if not ids:
            return result
        if dry_run:
            # Counted chunk by chunk as a real run would move them (a dry run deletes nothing).
            for model, rows in _what_goes(ids):
                result.add(model._meta.label, rows.count())
            result.lists += len(ids)
            done.update(ids)
            continue
        parts += 1
        part = to / f"before-{before:%Y-%m}-{stamp}" / f"part-{parts:05d}"
        _move(ids, part, before, result)
        if progress:
            progress(f"{result.lists} lists archived")


def _move(ids: list[int], part: Path, before: datetime.datetime, result: Archived) -> None:
    written: dict[str, int] = {}
    files: dict[str, str] = {}
    try:
        with transaction.atomic():
            # Locked first, so a list cannot change between what is written and what is deleted.
            locked = list(
                InventoryList.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True)
            )
            what = _what_goes(locked)
            for model, rows in what:
                rows = list(rows.values())
                if not rows:
                    continue
                path = part / f"{model._meta.label_lower}.jsonl.gz"
                lines, digest = _write(path, rows)
                if lines != len(rows):
                    raise ArchiveError(f"{model._meta.label}: {lines} lines written for {len(rows)} rows")
                written[model._meta.label], files[str(path)] = len(rows), digest
            for model, rows in what:
                if model._meta.label not in written:
                    continue
                # Children go first and the database's foreign keys stand guard: one DELETE a table,
                # none of the ORM's cascade collection (which reads the lists again for every
                # order and waybill it deletes).
                deleted = _delete(model, rows)
                if deleted != written[model._meta.label]:
                    raise ArchiveError(
                        f"{model._meta.label}: {deleted} rows deleted, {written[model._meta.label]} written"
                    )
            audit_record(
                actor=None,
                action=ACTION,
                before=f"{before:%Y-%m}",
                lists=len(locked),
                rows=json.dumps(written, sort_keys=True),
                files=json.dumps(files, sort_keys=True),
            )
    except BaseException:
        for path in files:
            Path(path).unlink(missing_ok=True)
        raise
    result.lists += len(locked)
    for label, count in written.items():
        result.add(label, count)
    result.files += list(files)
