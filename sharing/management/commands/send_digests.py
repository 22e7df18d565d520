"""`manage.py send_digests`: email the daily digest of notifications to those who chose it (beat runs
the same service every morning; this runs it by hand, or from cron where there is no beat)."""

from django.core.management.base import BaseCommand

from sharing.notifications import digests_send


class Command(BaseCommand):
    help = "Email each person who chose the daily digest what reached their organisation since the last one."

    def handle(self, *args, **options):
        sent = digests_send()
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} digest(s)."))
