"""`manage.py archive_closed_months --before YYYY-MM [--dry-run]`: move the closed lists of the months
before YYYY-MM, with their documents, receipts and ledgers, into compressed files (singlewindow.archive)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from singlewindow import archive


class Command(BaseCommand):
    help = (
        "Move the closed import lists of the months before YYYY-MM, with their documents, receipts and "
        "ledgers, out of the working tables into gzip-compressed JSON lines; open items stay."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="first month kept, YYYY-MM")
        parser.add_argument("--dry-run", action="store_true", help="count what would move; change nothing")
        parser.add_argument(
            "--to",
            default=None,
            help="directory of the archive files (default: the ARCHIVE_DIR setting)",
        )

    def handle(self, *args, before, dry_run, to, **options):
        try:
            start = archive.month_start(before)
        except ValueError as error:
            raise CommandError("--before must be a month, YYYY-MM (e.g. 2026-09).") from error
        target = Path(to or settings.ARCHIVE_DIR)
        try:
            result = archive.archive_closed_months(
                before=start,
                to=target,
                dry_run=dry_run,
                progress=self.stdout.write if options["verbosity"] > 1 else None,
            )
        except archive.ArchiveError as error:
            raise CommandError(f"Nothing of the failing chunk was moved: {error}") from error
        verb = "Would move" if dry_run else "Moved"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {result.lists} closed lists of the months before {before}.")
        )
        for label, count in sorted(result.rows.items()):
            self.stdout.write(f"  {label:<32} {count:>10}")
        if result.files:
            self.stdout.write(f"{len(result.files)} files under {target}")
