"""`manage.py issue_api_key`: issue a partner API key for an approved enterprise and print it once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sharing.models import Enterprise
from sharing.services import api_key_issue


class Command(BaseCommand):
    help = "Issue a partner API key for an approved enterprise and print it (shown once, stored hashed)."

    def add_arguments(self, parser):
        parser.add_argument("customs_code", help="the enterprise's 10-character customs code")
        parser.add_argument("--name", default="cli", help="a name for the key (default: cli)")

    def handle(self, *args, customs_code: str, name: str, **options):
        try:
            enterprise = Enterprise.objects.get(customs_code=customs_code.strip().upper())
        except Enterprise.DoesNotExist as exc:
            raise CommandError(f"No enterprise with customs code {customs_code!r}.") from exc
        try:
            _key, plain = api_key_issue(enterprise=enterprise, name=name)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(plain)
