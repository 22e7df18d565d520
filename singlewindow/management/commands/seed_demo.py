"""`manage.py seed_demo`: load the demo parties and declarations (idempotent) and print their logins."""

from django.core.management.base import BaseCommand

from sharing.demo import DEMO_PASSWORD, seed_demo
from singlewindow.demo import seed_declarations, seed_exports


class Command(BaseCommand):
    help = "Load the demo parties (idempotent) and print their logins."

    def handle(self, *args, **options):
        logins = seed_demo()
        # Declarations go through the real pipeline, outside seed_demo's transaction so it runs now.
        declared = seed_declarations()
        if declared:
            self.stdout.write(f"Filed {declared} demo declarations through the pipeline.")
        exported = seed_exports()
        if exported:
            self.stdout.write(f"Filed {exported} demo exports through the pipeline.")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded. Logins (password for all: {DEMO_PASSWORD}):")
        )
        for username, what in logins:
            self.stdout.write(f"  {username:<15} {what}")
