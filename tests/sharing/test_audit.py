"""The audit trail is a hash chain: tampering with it is detected, and PostgreSQL refuses it outright."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from sharing.models import AuditEvent
from sharing.services import audit_chain_breaks, enterprise_approve, enterprise_suspend

from ..factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(commerce):
    for _ in range(3):
        enterprise = EnterpriseFactory(status="pending")
        enterprise_approve(enterprise=enterprise, by=commerce)
        enterprise_suspend(enterprise=enterprise, by=commerce, reason="检查")
    return list(AuditEvent.objects.order_by("id"))


def test_chain_holds_and_the_command_says_so(chain, capsys):
    assert len(chain) == 6 and chain[1].previous_hash == chain[0].hash
    call_command("verify_audit_chain")
    assert "holds: 6 events" in capsys.readouterr().out


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the tampering itself")
@pytest.mark.parametrize("tamper", ["change", "remove", "remove_last"])
def test_tampering_is_detected(chain, tamper):
    if tamper == "change":
        AuditEvent.objects.filter(pk=chain[2].pk).update(detail={"reason": "改过"})
    elif tamper == "remove":
        AuditEvent.objects.filter(pk=chain[2].pk).delete()
    else:
        AuditEvent.objects.filter(pk=chain[-1].pk).delete()
    assert audit_chain_breaks()
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_postgresql_refuses_changes_and_deletes(chain):
    from django.db import DatabaseError

    for statement in (
        lambda: AuditEvent.objects.filter(pk=chain[0].pk).update(action="x"),
        lambda: AuditEvent.objects.filter(pk=chain[0].pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            statement()
    assert audit_chain_breaks() == []
