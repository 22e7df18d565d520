"""PostgreSQL refuses to change, delete or truncate the audit trail, keeps its head moving forward, and
serialises concurrent appends on the head row's lock."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from sharing import audit
from sharing.models import AuditEvent, AuditHead
from sharing.services import audit_record, enterprise_approve

from ..factories import EnterpriseFactory, official

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")


@pytest.fixture
def chain(db, commerce):
    with connection.cursor() as cursor:
        # The test database lets TRUNCATE through for the suite's flushes (tests/conftest.py): not here.
        cursor.execute("ALTER TABLE sharing_auditevent ENABLE TRIGGER sharing_audit_no_truncate")
        cursor.execute("ALTER TABLE sharing_audithead ENABLE TRIGGER sharing_audithead_no_truncate")
    for _ in range(2):
        enterprise_approve(enterprise=EnterpriseFactory(status="pending"), by=commerce)
    with connection.cursor() as cursor:
        # Run the pending foreign-key checks now, so only the triggers can refuse what follows.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return list(AuditEvent.objects.order_by("sequence"))


def refused(statement: str, params: list | None = None) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
    return str(error.value)


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE sharing_auditevent",
        "TRUNCATE sharing_audithead",
        "TRUNCATE sharing_auditevent, sharing_audithead",
        "TRUNCATE auth_user CASCADE",  # reaches the events through their actor
    ],
)
def test_truncate_is_refused(chain, statement):
    assert "append-only: TRUNCATE refused" in refused(statement)
    assert AuditEvent.objects.count() == 2 and audit.chain_breaks() == []


def test_events_are_neither_changed_nor_deleted(chain):
    customs = official("customs")
    assert "append-only" in refused(
        "UPDATE sharing_auditevent SET actor_id = %s WHERE sequence = 1", [customs.pk]
    )
    for statement in (
        "UPDATE sharing_auditevent SET detail = '{}' WHERE sequence = 1",
        "DELETE FROM sharing_auditevent WHERE sequence = 2",
    ):
        assert "audit events are append-only" in refused(statement)
    assert audit.chain_breaks() == []


def test_the_head_only_moves_forward(chain):
    assert "only moves forward" in refused("DELETE FROM sharing_audithead")
    assert "only moves forward" in refused("UPDATE sharing_audithead SET count = 1")
    audit_record(actor=None, action="next.event")
    assert AuditHead.objects.get().count == 3


def test_a_user_who_acted_is_not_deleted(chain):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError), transaction.atomic():
        chain[0].actor.delete()


def append_together(writers: int, events: int) -> list[Exception]:
    """`writers` threads start at once, each appending `events` in transactions of its own; their errors."""
    start, errors = threading.Barrier(writers), []

    def writer(number: int) -> None:
        try:
            start.wait()
            for index in range(events):
                with transaction.atomic():
                    audit_record(actor=None, action="concurrent.append", writer=number, index=index)
        except Exception as exc:  # noqa: BLE001 - reported by the caller's assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_appends_form_one_chain():
    # given four writers starting together, each appending in transactions of its own
    errors = append_together(4, 10)
    # then nothing failed, and the forty events are one chain without gaps or forks
    assert errors == []
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == list(
        range(1, 41)
    )
    assert audit.chain_breaks() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writers_starting_on_a_chain_without_its_head_row_form_one_chain():
    # given an empty chain without its head row (a fresh database), and four writers starting together
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE sharing_audithead, sharing_auditevent")
    errors = append_together(4, 5)
    # then the second writer found the head the first created, rather than a chain without its head
    assert errors == []
    assert AuditEvent.objects.count() == 20 and audit.chain_breaks() == []
