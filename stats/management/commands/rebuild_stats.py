"""`manage.py rebuild_stats`: recompute the counters from the inventory lists, or check them."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from stats import services


class Command(BaseCommand):
    help = "Recompute the statistics from the inventory lists (import and export), replacing the counters."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="compare a rebuild with the kept counters; change nothing; fail on any difference",
        )

    def handle(self, *args, check=False, **options):
        if not check:
            rows = services.rebuild()
            self.stdout.write(self.style.SUCCESS(f"{rows} rows rebuilt from the lists."))
            return
        kept = services.table_snapshot()
        with transaction.atomic():
            services.rebuild()
            fresh = services.table_snapshot()
            transaction.set_rollback(True)
        differences = sorted(set(kept) ^ set(fresh), key=str) + sorted(
            (k for k in set(kept) & set(fresh) if kept[k] != fresh[k]), key=str
        )
        for key in differences[:20]:
            self.stdout.write(f"{key}: kept {kept.get(key)} rebuilt {fresh.get(key)}")
        if differences:
            raise CommandError(f"{len(differences)} rows differ between the counters and a rebuild.")
        self.stdout.write(
            self.style.SUCCESS(f"{len(kept)} rows: the counters equal a rebuild from the lists.")
        )
