from django.core.management.base import BaseCommand

from sharing.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the demo parties (idempotent) and print their logins."

    def handle(self, *args, **options):
        logins = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded. Logins (password for all: {DEMO_PASSWORD}):")
        )
        for username, what in logins:
            self.stdout.write(f"  {username:<15} {what}")
