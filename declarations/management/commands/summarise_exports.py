"""`manage.py summarise_exports`: the monthly summary declarations (CEB701) of released exports."""

from django.core.management.base import BaseCommand, CommandError

from declarations.services import summaries_for_month
from singlewindow.core.months import last_month


class Command(BaseCommand):
    help = "File the summary declarations (CEB701 -> CEB792) of a finished month's released export lists."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int)
        parser.add_argument("--month", type=int)

    def handle(self, *args, year=None, month=None, **options):
        if (year is None) != (month is None):
            raise CommandError("Give both --year and --month, or neither (last month).")
        if year is None:
            year, month = last_month()
        if not 1 <= month <= 12:
            raise CommandError("--month is 1 to 12.")
        summaries = summaries_for_month(year=year, month=month)
        for summary in summaries:
            self.stdout.write(
                f"{summary.ebc_code} {summary.trade_mode} {year}-{month:02d}: {summary.list_count} lists, "
                f"summary {summary.sum_no}, declaration {summary.entry_id}"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(summaries)} summary declarations for {year}-{month:02d}"))
