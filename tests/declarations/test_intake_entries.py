"""The received documents' entries, committed together by the requests in flight (a group commit):
each request returns only once its own entry is committed, and a refused row fails only its own."""

import threading

import pytest
from django.db import DataError, connection

from declarations.models import IntakeEntry
from declarations.services import entries

from ..factories import EnterpriseFactory


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_entries_of_concurrent_requests_are_each_committed_before_their_answer(monkeypatch):
    if connection.vendor != "postgresql":
        # The in-memory test database of SQLite refuses a second writer at once (a table lock, no wait).
        pytest.skip("concurrent writers need PostgreSQL")
    enterprise = EnterpriseFactory()
    statements: list[int] = []
    real_insert = entries._insert

    def counted(rows):
        statements.append(len(rows))
        real_insert(rows)

    monkeypatch.setattr(entries, "_insert", counted)
    seen_after_return: list[bool] = []
    lock = threading.Lock()

    def request(n: int) -> None:
        try:
            entries.commit_entry("order", enterprise.pk, {"order_no": f"N{n}"})
            # Committed: a query on this thread's own connection finds it.
            found = IntakeEntry.objects.filter(document__order_no=f"N{n}").exists()
            with lock:
                seen_after_return.append(found)
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen_after_return == [True] * 40
    assert IntakeEntry.objects.count() == 40
    assert max(statements) > 1  # some were written together


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # autocommit, as in a request
def test_a_row_the_database_refuses_fails_only_its_own_request():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite stores a NUL in text; PostgreSQL's jsonb refuses it")
    enterprise = EnterpriseFactory()
    writer = entries._GroupWriter()
    good, bad = (
        entries._Waiting(["order", enterprise.pk, document, "2026-12-06T00:00:00Z"])
        for document in ('{"order_no": "A"}', '{"order_no": "\\u0000"}')
    )
    # Two requests queued behind a write in progress: one write for both, refused, then each alone.
    writer._queue, writer._writing = [good, bad], True
    writer._write_group()
    assert good.error is None and isinstance(bad.error, DataError)
    assert good.written.is_set() and bad.written.is_set() and not writer._writing
    assert list(IntakeEntry.objects.values_list("document__order_no", flat=True)) == ["A"]
