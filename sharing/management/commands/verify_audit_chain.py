"""`manage.py verify_audit_chain`: check the hash chain of the audit trail."""

from django.core.management.base import BaseCommand, CommandError

from sharing.models import AuditEvent
from sharing.services import audit_chain_breaks


class Command(BaseCommand):
    help = "Check the hash chain of the audit trail; exits with an error at the first places it is broken."

    def handle(self, *args, **options):
        problems = audit_chain_breaks()
        if problems:
            raise CommandError("The audit chain is broken:\n" + "\n".join(problems))
        self.stdout.write(self.style.SUCCESS(f"The audit chain holds: {AuditEvent.objects.count()} events."))
