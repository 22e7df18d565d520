"""`manage.py reset_totp <username>`: remove a person's second-factor devices (a lost phone)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sharing.otp import otp_reset


class Command(BaseCommand):
    help = (
        "Remove a person's authenticator app and recovery codes; they set up a new app at their next login. "
        "Recorded in the audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user {username!r}.") from exc
        removed = otp_reset(user=user, by=None)
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {removed} second-factor device(s) of {username}: "
                "they enrol again at their next login."
            )
        )
