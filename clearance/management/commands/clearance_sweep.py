"""`manage.py clearance_sweep`: one round of the sweeper, for cron or by hand."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from clearance import sweeper


class Command(BaseCommand):
    help = (
        "Re-send unanswered agency dispatches, waiting matches and due webhooks, and finish fan-ins a crash "
        "cut off (beat runs this every 30 s)."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--stale-after", type=int, default=60, help="seconds before a dispatch counts as stuck"
        )

    def handle(self, *args: object, stale_after: int, **options: object) -> None:
        result = sweeper.sweep(stale_after=timedelta(seconds=stale_after))
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in result.items()))
