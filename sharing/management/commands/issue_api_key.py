"""`manage.py issue_api_key`: issue a partner API key for an approved enterprise and print it once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sharing.choices import ApiKeyKind
from sharing.models import Enterprise
from sharing.services import api_key_issue


class Command(BaseCommand):
    help = "Issue a partner API key for an approved enterprise and print it (shown once, stored hashed)."

    def add_arguments(self, parser):
        parser.add_argument("customs_code", help="the enterprise's 10-character customs code")
        parser.add_argument("--name", default="cli", help="a name for the key (default: cli)")
        parser.add_argument(
            "--sandbox", action="store_true", help="a sandbox key: test documents on a clock you can move"
        )

    def handle(self, *args, customs_code: str, name: str, sandbox: bool = False, **options):
        try:
            enterprise = Enterprise.objects.get(customs_code=customs_code.strip().upper())
        except Enterprise.DoesNotExist as exc:
            raise CommandError(f"No enterprise with customs code {customs_code!r}.") from exc
        try:
            kind = ApiKeyKind.SANDBOX if sandbox else ApiKeyKind.LIVE
            _key, plain = api_key_issue(enterprise=enterprise, name=name, kind=kind)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(plain)
