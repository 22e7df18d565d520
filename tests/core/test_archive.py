"""`manage.py archive_closed_months`: closed months leave the working tables for compressed files, with
counts verified and an audit event; open items stay; a second run moves nothing; a dry run changes
nothing."""

import gzip
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from declarations.models import InventoryList, Order, Payment, Receipt, Waybill
from finance.models import BuyerQuota, QuotaUse, TaxBill, TaxBillLine
from sharing.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_random_inspection")]


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in ("declarations", "finance", "logistics", "risk", "credit", "sharing", "stats")
    }


@pytest.fixture
def history(world, django_capture_on_commit_callbacks):
    """Four released lists: three of a closed month long ago (two with their tax paid, one unpaid), one
    released last week; returns them and the month to archive before."""
    lists = [world.clear(world.declaration(n), django_capture_on_commit_callbacks) for n in (1, 2, 3, 4)]
    assert {i.status for i in lists} == {"released"}
    long_ago = timezone.now() - timedelta(days=400)
    old, recent = lists[:3], lists[3]
    InventoryList.objects.filter(pk__in=[i.pk for i in old]).update(created_at=long_ago, final_at=long_ago)
    InventoryList.objects.filter(pk=recent.pk).update(final_at=timezone.now() - timedelta(days=7))
    TaxBill.objects.filter(inventory__in=old[:2]).update(status=TaxBill.Status.CONSOLIDATED)
    before = (long_ago + timedelta(days=40)).strftime("%Y-%m")
    return old, recent, before


def test_closed_lists_leave_with_their_rows_and_open_items_stay(history, tmp_path):
    (paid1, paid2, unpaid), recent, before = history
    counts = table_counts()
    receipts = Receipt.objects.count()
    call_command("archive_closed_months", "--before", before, "--to", str(tmp_path), verbosity=0)

    # The two paid lists left with their documents, receipts and ledgers ...
    assert set(InventoryList.objects.values_list("pk", flat=True)) == {unpaid.pk, recent.pk}
    assert not Order.objects.filter(pk__in=[paid1.order_id, paid2.order_id]).exists()
    assert not Payment.objects.filter(pk__in=[paid1.payment_id, paid2.payment_id]).exists()
    assert not Waybill.objects.filter(pk__in=[paid1.waybill_id, paid2.waybill_id]).exists()
    assert not Receipt.objects.filter(kind="inventory", document_id__in=[paid1.pk, paid2.pk]).exists()
    assert Receipt.objects.count() == receipts - 2 * 14  # 3 per document, 5 per list
    assert QuotaUse.objects.filter(inventory__in=[unpaid, recent]).count() == QuotaUse.objects.count() == 2
    assert TaxBill.objects.count() == 2 and TaxBillLine.objects.filter(bill__inventory=paid1.pk).count() == 0
    # ... the unpaid bill and last week's release stay whole; the yearly quota totals stay as they were.
    assert TaxBill.objects.filter(inventory=unpaid).exists()
    assert Receipt.objects.filter(kind="inventory", document_id=recent.pk).count() == 5
    assert BuyerQuota.objects.count() == counts["finance.BuyerQuota"]

    # Every row that left is in the files, once.
    files = sorted(tmp_path.rglob("*.jsonl.gz"))
    in_files = {}
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            in_files[path.name.removesuffix(".jsonl.gz")] = [json.loads(line) for line in f]
    after = table_counts()
    for label, count in counts.items():
        if label.startswith("sharing.Audit"):
            continue  # the move's own audit event
        assert count - after[label] == len(in_files.get(label.lower(), [])), label
    assert {row["id"] for row in in_files["declarations.inventorylist"]} == {paid1.pk, paid2.pk}
    assert len(in_files["declarations.receipt"]) == 28

    # The audit chain records the move, and still verifies.
    event = AuditEvent.objects.get(action="archive.closed_months")
    assert event.detail["lists"] == "2" and json.loads(event.detail["rows"])["declarations.Receipt"] == 28
    assert set(json.loads(event.detail["files"])) == {str(p) for p in files}
    call_command("verify_audit_chain", verbosity=0)


def test_documents_a_staying_list_points_at_stay(history, tmp_path):
    """A closed list leaves, but its order, payment and waybill stay while a list left behind (here the
    unpaid one, filed again on the same documents) points at them, with their receipts."""
    (paid1, paid2, unpaid), _recent, before = history
    InventoryList.objects.filter(pk=unpaid.pk).update(
        order_id=paid1.order_id, payment_id=paid1.payment_id, waybill_id=paid1.waybill_id
    )
    call_command("archive_closed_months", "--before", before, "--to", str(tmp_path), verbosity=0)

    assert not InventoryList.objects.filter(pk__in=[paid1.pk, paid2.pk]).exists()
    assert Order.objects.filter(pk=paid1.order_id).exists()
    assert Payment.objects.filter(pk=paid1.payment_id).exists()
    assert Waybill.objects.filter(pk=paid1.waybill_id).exists()
    assert Receipt.objects.filter(kind="order", document_id=paid1.order_id).count() == 3
    assert not Order.objects.filter(pk=paid2.order_id).exists()


def test_a_second_run_moves_nothing(history, tmp_path):
    _old, _recent, before = history
    call_command("archive_closed_months", "--before", before, "--to", str(tmp_path / "a"), verbosity=0)
    counts = table_counts()
    call_command("archive_closed_months", "--before", before, "--to", str(tmp_path / "b"), verbosity=0)
    assert table_counts() == counts
    assert not (tmp_path / "b").exists()
    assert AuditEvent.objects.filter(action="archive.closed_months").count() == 1


def test_dry_run_changes_nothing(history, tmp_path, capsys):
    _old, _recent, before = history
    counts = table_counts()
    call_command("archive_closed_months", "--before", before, "--to", str(tmp_path), "--dry-run")
    assert table_counts() == counts
    assert not any(Path(tmp_path).iterdir())
    out = capsys.readouterr().out
    assert "Would move 2 closed lists" in out and "declarations.Receipt" in out


def test_months_not_closed_stay(history, tmp_path):
    """Before the month of the old lists, nothing is closed yet; the unpaid list stays whatever month."""
    (_paid1, _paid2, unpaid), _recent, _before = history
    counts = table_counts()
    too_early = (unpaid.created_at - timedelta(days=420)).strftime("%Y-%m")
    call_command("archive_closed_months", "--before", too_early, "--to", str(tmp_path), verbosity=0)
    assert table_counts() == counts
    call_command("archive_closed_months", "--before", timezone.now().strftime("%Y-%m"), "--to", str(tmp_path))
    assert InventoryList.objects.filter(pk=unpaid.pk).exists() and InventoryList.objects.count() == 2


def test_a_bad_month_is_refused(tmp_path):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("archive_closed_months", "--before", "2026-13", "--to", str(tmp_path))
