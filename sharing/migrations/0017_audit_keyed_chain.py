"""The audit chain keyed: every event numbered and re-hashed with HMAC-SHA256 under AUDIT_CHAIN_KEY over
all its fields (the actor's id included), and the head given its count.

Existing events are re-chained under the key rather than kept as an unkeyed legacy part, so the whole
trail has one guarantee. Re-keying must not launder earlier tampering: the old plain chain is checked
first, and what that check found (with the old head's hash, and how many key ids were cut to their
prefix) is written into the new chain as an `audit.rekeyed` event at its end.
"""

import hashlib
import hmac
import json
from datetime import UTC

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

GENESIS = "0" * 64


def _canonical(value):
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def legacy_hash(event):
    """The chain's hash before this migration (0009): plain sha256, without the actor's id."""
    return hashlib.sha256(
        _canonical(
            [
                event.previous_hash,
                event.actor_label,
                event.action,
                event.object_type,
                event.object_id,
                event.detail,
                event.at.isoformat(),
            ]
        )
    ).hexdigest()


def keyed_hash(event, key):
    """A frozen copy of sharing.audit.event_hash (format "audit/2") as of this migration."""
    content = [
        "audit/2",
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
    ]
    return hmac.new(key, _canonical(content), hashlib.sha256).hexdigest()


def rechain(apps, schema_editor):
    AuditEvent = apps.get_model("sharing", "AuditEvent")
    AuditHead = apps.get_model("sharing", "AuditHead")
    events = AuditEvent.objects.order_by("id")
    old_head = AuditHead.objects.filter(pk=1).values_list("last_hash", flat=True).first()
    if not events.exists():
        AuditHead.objects.update_or_create(pk=1, defaults={"count": 0, "last_hash": GENESIS})
        return
    key = str(settings.AUDIT_CHAIN_KEY).encode()

    breaks, previous = [], GENESIS
    for event in events.iterator(chunk_size=2000):
        if event.previous_hash != previous or legacy_hash(event) != event.hash:
            breaks.append(str(event.pk))
        previous = event.hash
    legacy_last = previous
    if old_head is not None and old_head != legacy_last:
        breaks.append("head")

    # In pages by id, each written before the next is read: no cursor stays open over rows rewritten.
    sequence, previous, redacted, last_id = 0, GENESIS, 0, 0
    while batch := list(events.filter(pk__gt=last_id)[:1000]):
        for event in batch:
            # The key library's ids embed the key's hash; the trail keeps the prefix only.
            if event.object_type == "sharing.enterpriseapikey" and "." in event.object_id:
                event.object_id = event.object_id.split(".", 1)[0]
                redacted += 1
            # Keys acted as "api-key:<prefix>" before their names and enterprises were recorded.
            if event.actor_label.startswith("api-key:") and " " not in event.actor_label:
                event.actor_api_key_prefix = event.actor_label.removeprefix("api-key:")[:8]
            sequence += 1
            event.sequence, event.previous_hash = sequence, previous
            event.hash = keyed_hash(event, key)
            previous = event.hash
        AuditEvent.objects.bulk_update(
            batch, ["object_id", "actor_api_key_prefix", "sequence", "previous_hash", "hash"]
        )
        last_id = batch[-1].pk

    note = AuditEvent(
        sequence=sequence + 1,
        actor=None,
        actor_label="system",
        actor_api_key_prefix="",
        action="audit.rekeyed",
        object_type="",
        object_id="",
        detail={
            "events": str(sequence),
            "legacy_last_hash": legacy_last,
            "legacy_breaks": ",".join(breaks[:50]) + (" ..." if len(breaks) > 50 else ""),
            "key_ids_cut_to_prefix": str(redacted),
        },
        at=timezone.now(),
        previous_hash=previous,
    )
    note.hash = keyed_hash(note, key)
    note.save()
    AuditHead.objects.update_or_create(pk=1, defaults={"count": note.sequence, "last_hash": note.hash})
    if breaks:
        print(f"\n  the legacy audit chain was already broken at {', '.join(breaks[:10])}: see audit.rekeyed")


def drop_old_trigger(apps, schema_editor):
    # Re-chaining rewrites every row, which 0009's trigger refuses; 0018 puts stricter ones in place.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS sharing_audit_append_only ON sharing_auditevent;")


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0016_code_tables"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_old_trigger, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="actor_api_key_prefix",
            field=models.CharField(blank=True, default="", max_length=8, verbose_name="API key prefix"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(null=True, verbose_name="sequence"),
        ),
        migrations.AddField(
            model_name="audithead",
            name="count",
            field=models.PositiveBigIntegerField(default=0),
        ),
        # Irreversible: going back would need the trail re-chained in the old, unkeyed format.
        migrations.RunPython(rechain),
    ]
