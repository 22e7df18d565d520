from datetime import timedelta

from django.core.management.base import BaseCommand

from singlewindow import clearance


class Command(BaseCommand):
    help = (
        "Re-send unanswered agency dispatches, waiting matches and due webhooks, and finish fan-ins a crash "
        "cut off (beat runs this every 30 s)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-after", type=int, default=60, help="seconds before a dispatch counts as stuck"
        )

    def handle(self, *args, stale_after: int, **options):
        result = clearance.sweep(stale_after=timedelta(seconds=stale_after))
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in result.items()))
