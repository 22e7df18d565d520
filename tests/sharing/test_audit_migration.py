"""Migration 0017 re-chains the events of the unkeyed chain under the key, and writes what it found (an
already broken legacy chain, key ids cut to their prefix) into the new chain rather than laundering it."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from sharing import audit
from sharing.models import AuditEvent, AuditHead

pytestmark = pytest.mark.django_db

rekey = importlib.import_module("sharing.migrations.0017_audit_keyed_chain")


@pytest.fixture
def legacy(db):
    """Four events as the plain sha256 chain wrote them (one by a key, one about a key's id)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the migration drops the old trigger before re-chaining
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE sharing_auditevent DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE sharing_audithead DISABLE TRIGGER USER")
    rows = [
        ("commerce-official", "enterprise.approved", "sharing.enterprise", "7"),
        ("admin", "api_key.created", "sharing.enterpriseapikey", "AbCd1234.pbkdf2_sha256$hashofthekey"),
        ("api-key:AbCd1234", "warehouse.registered", "logistics.warehouse", "3"),
        ("system", "credit.released", "sharing.enterprise", "7"),
    ]
    previous, events = audit.GENESIS, []
    for number, (label, action, object_type, object_id) in enumerate(rows):
        event = AuditEvent(
            actor_label=label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail={"n": str(number)},
            at=timezone.now(),
            sequence=900 + number,  # legacy events had none; the migration numbers them
            previous_hash=previous,
        )
        event.hash = rekey.legacy_hash(event)
        event.save()
        events.append(event)
        previous = event.hash
    AuditHead.objects.update_or_create(pk=1, defaults={"last_hash": previous})
    return events


def test_legacy_events_are_rechained_under_the_key(legacy):
    rekey.rechain(apps, None)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert [e.pk for e in events[:4]] == [e.pk for e in legacy]
    assert audit.chain_breaks() == []
    note = events[-1]
    assert note.action == "audit.rekeyed"
    assert note.detail == {
        "events": "4",
        "legacy_last_hash": legacy[-1].hash,
        "legacy_breaks": "",
        "key_ids_cut_to_prefix": "1",
    }
    assert events[1].object_id == "AbCd1234"  # the key's hash is gone from the trail
    assert events[2].actor_api_key_prefix == "AbCd1234"
    assert AuditHead.objects.get().count == 5


def test_an_already_broken_legacy_chain_is_written_into_the_new_one(legacy):
    AuditEvent.objects.filter(pk=legacy[1].pk).update(detail={"n": "changed"})
    rekey.rechain(apps, None)
    assert audit.chain_breaks() == []  # the new chain holds, and says where the old one did not
    assert AuditEvent.objects.get(action="audit.rekeyed").detail["legacy_breaks"] == str(legacy[1].pk)
