"""`manage.py load_history N`: write N released import orders of the last 90 days, with all their rows,
straight into PostgreSQL with COPY (see singlewindow.history)."""

import time

from django.core.management.base import BaseCommand, CommandError

from singlewindow import history


class Command(BaseCommand):
    help = (
        "Load N released import orders of the last days, with their documents, receipts and ledgers, "
        "with COPY (PostgreSQL only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("n", type=int, help="orders to load")
        parser.add_argument("--days", type=int, default=90, help="spread over this many days (default 90)")
        parser.add_argument(
            "--bonded-share", type=float, default=0.1, help="share of bonded (1210) orders (default 0.1)"
        )
        parser.add_argument("--seed", type=int, default=None, help="random seed (default: from the ids)")

    def handle(self, *args, n, days, bonded_share, seed, **options):
        if n < 1 or days < 1 or not 0 <= bonded_share <= 1:
            raise CommandError("N and --days must be positive and --bonded-share between 0 and 1.")
        started = time.monotonic()
        try:
            loaded = history.load(
                n,
                days=days,
                bonded_share=bonded_share,
                seed=seed,
                progress=lambda line: self.stdout.write(line) if options["verbosity"] > 1 else None,
            )
        except history.HistoryError as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started
        rows = sum(loaded.rows.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {loaded.orders} orders of {loaded.buyers} buyers: {rows} rows in {elapsed:.1f} s "
                f"({rows / elapsed:,.0f} rows/s); lists {loaded.first_list_id}-{loaded.last_list_id}."
            )
        )
        for label, count in sorted(loaded.rows.items()):
            self.stdout.write(f"  {label:<32} {count:>10}")
