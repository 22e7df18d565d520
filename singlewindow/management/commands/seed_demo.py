"""`manage.py seed_demo`: load the demo parties and declarations (idempotent) and print their logins."""

from django.core.management.base import BaseCommand

from sharing.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo, seed_demo_totp
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
        try:
            with_totp = seed_demo_totp()
        except PermissionError:
            self.stdout.write(
                self.style.WARNING(
                    "DEBUG is off: no demo authenticator secret was seeded. Officials and the administrator "
                    "set up their own authenticator app at their first login."
                )
            )
            return
        self.stdout.write(
            f"Officials and the administrator ({', '.join(with_totp)}) also give a TOTP code at login:\n"
            f"  print the current one:  python manage.py demo_totp <username>\n"
            f"  or add this setup key to an authenticator app (time-based, 6 digits): {DEMO_TOTP_SECRET}"
        )
