"""On PostgreSQL the audit trail refuses updates, deletes and TRUNCATE, and its head row only moves forward.

Row-level triggers do not fire on TRUNCATE, so a statement-level trigger refuses it on both tables. The
events' trigger no longer lets the actor change either: the actor is hashed now, and a user who acted
is protected from deletion instead of being unlinked. The keyed chain, not these triggers, is the
control against an owner who drops them; the triggers stop a mistake or a narrower privilege.
"""

from django.db import migrations, models

PROTECT = """
CREATE OR REPLACE FUNCTION sharing_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER sharing_audit_append_only BEFORE UPDATE OR DELETE ON sharing_auditevent
    FOR EACH ROW EXECUTE FUNCTION sharing_audit_append_only();
CREATE TRIGGER sharing_audit_no_truncate BEFORE TRUNCATE ON sharing_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION sharing_audit_append_only();
CREATE TRIGGER sharing_audithead_no_truncate BEFORE TRUNCATE ON sharing_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION sharing_audit_append_only();

CREATE OR REPLACE FUNCTION sharing_audithead_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.id <> OLD.id OR NEW.count < OLD.count THEN
        RAISE EXCEPTION 'the audit head only moves forward: % refused', TG_OP;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER sharing_audithead_forward_only BEFORE UPDATE OR DELETE ON sharing_audithead
    FOR EACH ROW EXECUTE FUNCTION sharing_audithead_forward_only();
"""

UNPROTECT = """
DROP TRIGGER IF EXISTS sharing_audithead_forward_only ON sharing_audithead;
DROP FUNCTION IF EXISTS sharing_audithead_forward_only();
DROP TRIGGER IF EXISTS sharing_audithead_no_truncate ON sharing_audithead;
DROP TRIGGER IF EXISTS sharing_audit_no_truncate ON sharing_auditevent;
DROP TRIGGER IF EXISTS sharing_audit_append_only ON sharing_auditevent;
"""


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PROTECT, params=None)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNPROTECT, params=None)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0017_audit_keyed_chain")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="sequence"),
        ),
        migrations.RunPython(protect, unprotect),
    ]
