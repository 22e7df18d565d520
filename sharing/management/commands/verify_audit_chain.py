"""`manage.py verify_audit_chain`: check the keyed hash chain of the audit trail, against its head row
and the heads recorded in the head log (AUDIT_HEAD_LOG)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sharing import audit
from sharing.services import audit_head_restore


class Command(BaseCommand):
    help = (
        "Check the audit trail's keyed hash chain, its head and the heads recorded in the head log; "
        "exits with an error listing the first places it is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--head-log",
            default=None,
            help="the file of recorded heads to check against (default: the AUDIT_HEAD_LOG setting)",
        )
        parser.add_argument(
            "--restore-head",
            action="store_true",
            help="put back a missing head row from the last event (recorded as audit.head_restored)",
        )

    def handle(self, *args, **options):
        head_log = options["head_log"] or settings.AUDIT_HEAD_LOG
        if options["restore_head"]:
            restored = audit_head_restore()
            self.stdout.write("The head row was restored." if restored else "The head row is there.")
        problems = audit.chain_breaks(head_log=head_log)
        if problems:
            raise CommandError("The audit chain is broken:\n" + "\n".join(problems))
        head = audit.head_now(at=timezone.now())
        against = ""
        if head_log:
            recorded, _problems = audit.head_log_read(head_log)
            against = f" Checked against {len(recorded)} heads recorded in {head_log}."
        self.stdout.write(self.style.SUCCESS(f"The audit chain holds: {head.count} events.{against}"))
