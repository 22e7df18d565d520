import hashlib
import json

from django.db import migrations, models


def chain_existing(apps, schema_editor):
    """Give the events recorded before the chain existed their links, in order."""
    AuditEvent = apps.get_model("sharing", "AuditEvent")
    AuditHead = apps.get_model("sharing", "AuditHead")
    previous = "0" * 64
    for event in AuditEvent.objects.order_by("id"):
        content = json.dumps([previous, event.actor_label, event.action, event.object_type, event.object_id,
                              event.detail, event.at.isoformat()], ensure_ascii=False, sort_keys=True,
                             separators=(",", ":"))
        event.previous_hash, event.hash = previous, hashlib.sha256(content.encode()).hexdigest()
        event.save(update_fields=["previous_hash", "hash"])
        previous = event.hash
    AuditHead.objects.update_or_create(pk=1, defaults={"last_hash": previous})


APPEND_ONLY = """
CREATE OR REPLACE FUNCTION sharing_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit events are append-only';
    END IF;
    -- Only the actor link may change (set to NULL when a user is deleted).
    IF NEW.hash IS DISTINCT FROM OLD.hash OR NEW.previous_hash IS DISTINCT FROM OLD.previous_hash
       OR NEW.action IS DISTINCT FROM OLD.action OR NEW.detail::text IS DISTINCT FROM OLD.detail::text
       OR NEW.at IS DISTINCT FROM OLD.at OR NEW.object_id IS DISTINCT FROM OLD.object_id
       OR NEW.object_type IS DISTINCT FROM OLD.object_type OR NEW.actor_label IS DISTINCT FROM OLD.actor_label THEN
        RAISE EXCEPTION 'audit events are append-only';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS sharing_audit_append_only ON sharing_auditevent;
CREATE TRIGGER sharing_audit_append_only BEFORE UPDATE OR DELETE ON sharing_auditevent
    FOR EACH ROW EXECUTE FUNCTION sharing_audit_append_only();
"""


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS sharing_audit_append_only ON sharing_auditevent;")


class Migration(migrations.Migration):
    dependencies = [("sharing", "0008_buyer_verification")]

    operations = [
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_hash", models.CharField(default="0" * 64, max_length=64)),
            ],
        ),
        migrations.AlterField(
            model_name="auditevent", name="at", field=models.DateTimeField(db_index=True, verbose_name="time"),
        ),
        migrations.AddField(
            model_name="auditevent", name="previous_hash", field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent", name="hash", field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent", name="hash", field=models.CharField(max_length=64, unique=True),
        ),
        migrations.RunPython(protect, unprotect),
    ]
