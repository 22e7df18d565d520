"""`manage.py demo_totp <username>`: the current TOTP code of a demo account (development only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sharing.demo import DEMO_TOTP_SECRET, demo_totp_device
from sharing.otp import current_code


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo official or the demo administrator (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="a demo login seeded by seed_demo, e.g. customs or admin")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp works only with DEBUG on: demo secrets have no place elsewhere.")
        device = demo_totp_device(username)
        if device is None:
            raise CommandError(
                f"{username!r} has no demo authenticator (run seed_demo; only the demo officials and admin "
                "have one, and not after enrolling an app of their own)."
            )
        self.stdout.write(current_code(device))
        self.stderr.write(
            f"Valid for up to {device.step} seconds, once. "
            f"Setup key for an authenticator app: {DEMO_TOTP_SECRET}"
        )
