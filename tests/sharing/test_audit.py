"""The audit trail is a keyed hash chain with a head and a head log: each way an attacker who can write
the database, but lacks the chain's key, would hide or rewrite what happened is detected.

On PostgreSQL the tampering runs with the audit tables' triggers disabled, as their owner could; that
the triggers refuse it is tested in test_audit_postgresql.py.
"""

import hashlib
import hmac
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from sharing import audit
from sharing.models import AuditEvent, AuditHead
from sharing.services import audit_head_record, audit_record, enterprise_approve, enterprise_suspend

from ..factories import EnterpriseFactory, official

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(commerce):
    for _ in range(3):
        enterprise = EnterpriseFactory(status="pending")
        enterprise_approve(enterprise=enterprise, by=commerce)
        enterprise_suspend(enterprise=enterprise, by=commerce, reason="检查")
    return list(AuditEvent.objects.order_by("sequence"))


@pytest.fixture
def head_log(settings, tmp_path):
    settings.AUDIT_HEAD_LOG = str(tmp_path / "audit-head.log")
    return settings.AUDIT_HEAD_LOG


@pytest.fixture
def attacker(chain):
    """Write access to the database, as its owner: PostgreSQL's triggers are switched off (for this
    test's transaction only); the chain's key stays out of reach."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Pending foreign-key checks would keep ALTER TABLE from running in this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE sharing_auditevent DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE sharing_audithead DISABLE TRIGGER USER")
    return chain


def broken() -> list[str]:
    """What the verifier finds; the command must fail on exactly the same."""
    problems = audit.chain_breaks()
    if problems:
        with pytest.raises(CommandError):
            call_command("verify_audit_chain")
    return problems


def content(event: AuditEvent) -> bytes:
    return json.dumps(
        [
            event.sequence,
            event.previous_hash,
            event.actor_id,
            event.actor_label,
            event.actor_api_key_prefix,
            event.action,
            event.object_type,
            event.object_id,
            event.detail,
            event.at.isoformat(),
        ],
        ensure_ascii=False,
        sort_keys=True,
    ).encode()


ATTACKERS_HASHES = {
    "plain sha256": lambda event: hashlib.sha256(content(event)).hexdigest(),
    "HMAC under a wrong key": lambda event: audit.event_hash(event, key=b"a guess at the key"),
}


def test_chain_holds_and_the_command_says_so(chain, capsys):
    assert [e.sequence for e in chain] == [1, 2, 3, 4, 5, 6]
    assert chain[1].previous_hash == chain[0].hash and chain[0].previous_hash == audit.GENESIS
    head = AuditHead.objects.get()
    assert (head.count, head.last_hash) == (6, chain[-1].hash)
    call_command("verify_audit_chain")
    assert "holds: 6 events" in capsys.readouterr().out


def test_the_hash_is_keyed(chain, settings):
    settings.AUDIT_CHAIN_KEY = "another key"
    assert "event 1: its content does not match its hash" in broken()[0]


@pytest.mark.parametrize(
    "field, value",
    [
        ("actor_label", "someone-else"),
        ("actor_api_key_prefix", "AbCd1234"),
        ("action", "enterprise.rejected"),
        ("object_type", "sharing.agency"),
        ("object_id", "999"),
        ("detail", {"reason": "改过"}),
        ("at", timezone.now()),
    ],
)
def test_changing_any_field_is_detected(attacker, field, value):
    AuditEvent.objects.filter(pk=attacker[2].pk).update(**{field: value})
    assert broken() == [
        "event 3: its content does not match its hash (it was changed, or hashed without the chain's key)"
    ]


def test_changing_the_actor_id_is_detected(attacker):
    # The label still names the commerce official; the link says a customs official acted.
    AuditEvent.objects.filter(pk=attacker[2].pk).update(actor=official("customs"))
    assert broken()[0].startswith("event 3: its content does not match its hash")


@pytest.mark.parametrize("forge", ATTACKERS_HASHES.values(), ids=ATTACKERS_HASHES.keys())
def test_a_rewritten_event_with_every_later_hash_recomputed_is_detected(attacker, forge):
    # given an attacker who rewrites event 2 and re-chains everything after it, head included
    previous = attacker[0].hash
    for event in AuditEvent.objects.filter(sequence__gte=2).order_by("sequence"):
        if event.sequence == 2:
            event.detail = {"reason": "改过"}
        event.previous_hash = previous
        event.hash = forge(event)
        AuditEvent.objects.filter(pk=event.pk).update(
            detail=event.detail, previous_hash=event.previous_hash, hash=event.hash
        )
        previous = event.hash
    AuditHead.objects.update(last_hash=previous)
    # then the first rewritten event gives it away: without the key no hash after it can be right
    problems = broken()
    assert problems[0].startswith("event 2: its content does not match its hash")
    assert len(problems) == 5


@pytest.mark.parametrize("with_head_row", [False, True], ids=["head kept", "head removed too"])
def test_removing_the_last_events_is_detected(attacker, with_head_row):
    AuditEvent.objects.filter(sequence__gt=4).delete()
    if with_head_row:
        AuditHead.objects.all().delete()
        assert broken() == ["the chain's head row is missing (removed, perhaps with the last events)"]
    else:
        assert broken() == ["the head says 6 events, the chain has 4 (the last events were removed)"]


def test_removing_the_last_events_and_fixing_the_head_row_is_caught_by_the_head_log(head_log, attacker):
    audit_head_record()  # the beat task wrote the head: 6 events
    AuditEvent.objects.filter(sequence__gt=4).delete()
    AuditHead.objects.update(count=4, last_hash=attacker[3].hash)
    at = _recorded(head_log)[0]["at"]
    assert broken() == [f"the head log recorded 6 events at {at}, the chain has 4 (events were removed)"]


@pytest.mark.parametrize("with_head_row", [False, True], ids=["head kept", "head removed too"])
def test_removing_every_event_is_detected(head_log, attacker, with_head_row):
    audit_head_record()
    AuditEvent.objects.all().delete()
    if with_head_row:
        AuditHead.objects.all().delete()
    problems = broken()
    assert problems[-1].startswith("the head log recorded 6 events at ")
    if not with_head_row:
        assert problems[0] == "the head says 6 events, the chain has 0 (the last events were removed)"


def test_removing_an_event_in_the_middle_is_detected(attacker):
    AuditEvent.objects.filter(sequence=3).delete()
    assert broken()[0] == "event 4: expected event 3 before it (events were removed)"


def test_an_event_rewritten_where_the_head_log_saw_it_is_reported_there(head_log, attacker, settings):
    # Even with the key (a leaked key, say), what the head log recorded cannot be rewritten.
    audit_head_record()
    AuditEvent.objects.filter(sequence__gte=5).delete()
    AuditHead.objects.update(count=4, last_hash=attacker[3].hash)
    for _ in range(2):
        audit_record(actor=None, action="forged.event")
    problems = broken()
    assert problems == [
        f"event 6: not the event the head log recorded at {_recorded(head_log)[0]['at']} "
        "(the chain was rewritten from there)"
    ]


def test_forged_or_garbled_head_log_lines_are_reported(head_log, chain):
    audit_head_record()
    # An attacker who can append to the file but lacks the key cannot sign a head that suits them.
    line = {"at": timezone.now().isoformat(), "count": 4, "last_hash": chain[3].hash}
    unsigned = {**line, "mac": hmac.new(b"guess", json.dumps(line).encode(), hashlib.sha256).hexdigest()}
    with open(head_log, "a") as log:
        log.write(json.dumps(unsigned) + "\n")
        log.write("not json\n")
    with open(head_log, "ab") as log:
        log.write(b"\xff\xfe not text\n")
    assert broken() == [
        "head log line 2: not signed with the chain's key (forged or altered)",
        "head log line 3: not a head record",
        "head log line 4: not a head record",
    ]


def test_head_is_recorded_in_the_log_and_appended_to_the_file(head_log, chain, caplog, settings):
    from sharing.tasks import record_audit_head

    assert settings.CELERY_BEAT_SCHEDULE["record-audit-head"] == {
        "task": "sharing.record_audit_head",
        "schedule": 300,
    }
    with caplog.at_level("INFO", logger="singlewindow.audit"):
        assert record_audit_head.delay().get() == 6
        audit_record(actor=None, action="later.event")
        assert record_audit_head.delay().get() == 7
    recorded = _recorded(head_log)
    assert [(r["count"], r["last_hash"]) for r in recorded] == [
        (6, chain[-1].hash),
        (7, AuditEvent.objects.get(sequence=7).hash),
    ]
    logged = [r.getMessage() for r in caplog.records if r.name == "singlewindow.audit"]
    assert len(logged) == 2 and '"count": 6' in logged[0]
    call_command("verify_audit_chain")


def test_without_a_head_log_file_the_head_is_still_logged(chain, caplog, settings):
    settings.AUDIT_HEAD_LOG = None
    with caplog.at_level("INFO", logger="singlewindow.audit"):
        assert audit_head_record().count == 6
    assert any('"count": 6' in r.getMessage() for r in caplog.records)


def test_no_event_is_appended_while_the_head_row_is_missing_until_an_operator_restores_it(attacker, capsys):
    AuditHead.objects.all().delete()
    # Starting the chain over would hide what the missing head might mean.
    with pytest.raises(audit.AuditChainBroken):
        audit_record(actor=None, action="next.event")
    call_command("verify_audit_chain", "--restore-head")
    assert "holds: 7 events" in capsys.readouterr().out
    restored = AuditEvent.objects.get(sequence=7)
    assert restored.action == "audit.head_restored" and restored.detail["count"] == "6"


def test_an_empty_database_holds(capsys):
    call_command("verify_audit_chain")
    assert "holds: 0 events" in capsys.readouterr().out


def test_an_unset_key_is_refused(settings, commerce):
    from django.core.exceptions import ImproperlyConfigured

    settings.AUDIT_CHAIN_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        audit_record(actor=commerce, action="any.thing")


def _recorded(path: str) -> list[dict]:
    with open(path) as log:
        return [json.loads(line) for line in log]


@pytest.mark.parametrize(
    "key, refusal",
    [
        (None, "Set the AUDIT_CHAIN_KEY environment variable"),
        ("short", "at least 32 characters"),
        ("k" * 40, ""),
    ],
)
def test_production_does_not_start_without_a_chain_key(key, refusal):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {name: value for name, value in os.environ.items() if name != "AUDIT_CHAIN_KEY"}
    env.update(
        DJANGO_SECRET_KEY="s" * 50,
        DJANGO_ALLOWED_HOSTS="singlewindow.example.org",
        CEB_RECEIPT_SIGNING_KEY="/run/secrets/receipt-key.pem",  # read when first used, not at start
    )
    if key is not None:
        env["AUDIT_CHAIN_KEY"] = key
    started = subprocess.run(
        [sys.executable, "-c", "import singlewindow.settings.production"],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert (started.returncode == 0) == (not refusal), started.stderr
    assert refusal in started.stderr
