"""The audit trail's keyed hash chain: what an event's hash covers, who an event names, how the chain
is checked, and the head written where the database cannot reach it.

An event's hash is HMAC-SHA256, under `AUDIT_CHAIN_KEY` (a setting, never stored in the database), of
every field of the event (sequence, actor id, label and key prefix, action, object, detail, time) and
of the hash before it. Someone who can write the database but lacks the key can neither change an
event nor re-chain the events after it. The head row (count, last hash) shows the last events were
removed; the head log shows it even when the head row went with them, or every event did: every few
minutes `sharing.record_audit_head` writes the head, signed under the same key, to the log
`singlewindow.audit` and, when `AUDIT_HEAD_LOG` is set, to that file, opened for appending only.
"""

import hashlib
import hmac
import json
import logging
import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .models import AuditEvent, AuditHead, EnterpriseAPIKey
from .principal import PartnerUser, Principal

GENESIS = "0" * 64
# Bumped whenever the hashed content changes, so two formats can never yield the same hash.
FORMAT = "audit/2"
logger = logging.getLogger("singlewindow.audit")


class AuditChainBroken(RuntimeError):
    """The chain cannot be appended to as it stands (its head row is gone while events remain)."""


def chain_key() -> bytes:
    key = getattr(settings, "AUDIT_CHAIN_KEY", "")
    if not key:
        raise ImproperlyConfigured(
            "AUDIT_CHAIN_KEY is not set: the audit chain can be neither written nor checked."
        )
    return str(key).encode()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _mac(content: Any, key: bytes | None) -> str:
    return hmac.new(key if key is not None else chain_key(), _canonical(content), hashlib.sha256).hexdigest()


def event_hash(event: AuditEvent, *, key: bytes | None = None) -> str:
    """HMAC-SHA256 over every field of the event and the hash before it, in one canonical form."""
    return _mac(
        [
            FORMAT,
            event.sequence,
            event.previous_hash,
            event.actor_id,
            event.actor_label,
            event.actor_api_key_prefix,
            event.action,
            event.object_type,
            event.object_id,
            event.detail,
            event.at.astimezone(UTC).isoformat(),
        ],
        key,
    )


@dataclass(frozen=True)
class Actor:
    """Who an event names: a user (None for a partner's key or the system), a label, a key's prefix."""

    user: Any
    label: str
    api_key_prefix: str = ""


SYSTEM = Actor(None, "system")


def actor_of(actor: Any) -> Actor:
    """A user, a Principal, a partner's request user or key, or None (the system).

    A partner's key is named by its name and its enterprise's customs code, and kept by its prefix:
    never the key's id, which embeds the key's hash.
    """
    key: EnterpriseAPIKey | None = None
    enterprise = None
    if isinstance(actor, Principal):
        key, enterprise, actor = actor.api_key, actor.enterprise, actor.user
    elif isinstance(actor, PartnerUser):
        key, enterprise, actor = actor.api_key, actor.enterprise, None
    elif isinstance(actor, EnterpriseAPIKey):
        key, actor = actor, None
    if key is not None:
        enterprise = enterprise or key.enterprise
        return Actor(None, f"api-key:{key.name} ({enterprise.customs_code})"[:150], key.prefix)
    if actor is None:
        return SYSTEM
    if not actor.is_authenticated:
        return Actor(None, "anonymous")
    return Actor(actor, actor.get_username()[:150])


def object_ref(obj: Any) -> tuple[str, str]:
    """(object type, object id) of an audited object; ("", "") for none."""
    if obj is None:
        return "", ""
    # A key's primary key is "<prefix>.<hash of the key>": its prefix names it without the hash.
    object_id = obj.prefix if isinstance(obj, EnterpriseAPIKey) else str(obj.pk)
    return obj._meta.label_lower, object_id


# The head log ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedHead:
    """The chain's head as written at a time: so many events, the last with this hash."""

    count: int
    last_hash: str
    at: str

    def mac(self, *, key: bytes | None = None) -> str:
        """Signed under the chain's key, so a line cannot be forged without it."""
        return _mac(["audit-head", self.count, self.last_hash, self.at], key)

    def line(self, *, key: bytes | None = None) -> str:
        return json.dumps(
            {"at": self.at, "count": self.count, "last_hash": self.last_hash, "mac": self.mac(key=key)},
            sort_keys=True,
        )


def head_now(*, at: datetime) -> RecordedHead:
    head = AuditHead.objects.filter(pk=1).first()
    return RecordedHead(
        count=head.count if head else 0,
        last_hash=head.last_hash if head else GENESIS,
        at=at.astimezone(UTC).isoformat(),
    )


def head_log_append(path: str, line: str) -> None:
    """Append one line. O_APPEND puts it at the end whatever else writes there, and the portal never
    needs more than appending: the file may be append-only (chattr +a) or on another host's mount."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, (line + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def head_log_read(path: str, *, key: bytes | None = None) -> tuple[list[RecordedHead], list[str]]:
    """The heads recorded in the file, and what is wrong with any line of it (a missing file has
    recorded nothing yet)."""
    heads: list[RecordedHead] = []
    problems: list[str] = []
    try:
        # Undecodable bytes become a line that is no head record, reported as such.
        with open(path, encoding="utf-8", errors="replace") as lines:
            for number, text in enumerate(lines, start=1):
                if not text.strip():
                    continue
                parsed = _head_from_line(text)
                if parsed is None:
                    problems.append(f"head log line {number}: not a head record")
                elif not hmac.compare_digest(parsed[0].mac(key=key), parsed[1]):
                    problems.append(
                        f"head log line {number}: not signed with the chain's key (forged or altered)"
                    )
                else:
                    heads.append(parsed[0])
    except FileNotFoundError:
        pass
    return heads, problems


def _head_from_line(text: str) -> tuple[RecordedHead, str] | None:
    """The head a line records and the mac it carries; None when it is no head record at all."""
    try:
        record = json.loads(text)
        head = RecordedHead(
            count=int(record["count"]), last_hash=str(record["last_hash"]), at=str(record["at"])
        )
        return head, str(record["mac"])
    except (ValueError, TypeError, KeyError):
        return None


# Verification ----------------------------------------------------------------------------------


def chain_breaks(*, limit: int = 10, head_log: str | None = None) -> list[str]:
    """Every place where the chain does not hold, up to `limit`: an event changed or hashed without
    the key, a gap, the head row disagreeing with the chain's end, or a head recorded in the head log
    that the chain no longer contains. `head_log` defaults to the AUDIT_HEAD_LOG setting."""
    key = chain_key()
    head_log = head_log or getattr(settings, "AUDIT_HEAD_LOG", None)
    recorded, problems = head_log_read(head_log, key=key) if head_log else ([], [])
    recorded_at: dict[int, list[RecordedHead]] = defaultdict(list)
    for head in recorded:
        recorded_at[head.count].append(head)
    previous, expected = GENESIS, 1
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        if event.sequence != expected:
            problems.append(
                f"event {event.sequence}: expected event {expected} before it (events were removed)"
            )
        elif event.previous_hash != previous:
            problems.append(
                f"event {event.sequence}: links to {event.previous_hash[:12]}, expected {previous[:12]} "
                "(an event before it was removed or changed)"
            )
        elif not hmac.compare_digest(event_hash(event, key=key), event.hash):
            problems.append(
                f"event {event.sequence}: its content does not match its hash "
                "(it was changed, or hashed without the chain's key)"
            )
        for head in recorded_at.get(event.sequence, ()):
            if head.last_hash != event.hash:
                problems.append(
                    f"event {event.sequence}: not the event the head log recorded at {head.at} "
                    "(the chain was rewritten from there)"
                )
        previous, expected = event.hash, event.sequence + 1
        if len(problems) >= limit:
            return problems[:limit]
    count = expected - 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        if count:
            problems.append("the chain's head row is missing (removed, perhaps with the last events)")
    elif head.count > count:
        problems.append(
            f"the head says {head.count} events, the chain has {count} (the last events were removed)"
        )
    elif head.count != count or head.last_hash != previous:
        problems.append(
            f"the head ({head.count} events, {head.last_hash[:12]}) does not match the chain's end "
            f"({count} events, {previous[:12]})"
        )
    longest = max(recorded, key=lambda head: head.count, default=None)
    if longest is not None and longest.count > count:
        problems.append(
            f"the head log recorded {longest.count} events at {longest.at}, the chain has {count} "
            "(events were removed)"
        )
    return problems[:limit]
