"""Project-level periodic tasks that belong to no single step of the pipeline."""

from celery import shared_task


@shared_task(name="declarations.summarise_exports")
def summarise_exports() -> int:
    """Daily: summarise last month's exports (idempotent; what is summarised stays so)."""
    from declarations.services import summaries_for_month

    from .core.months import last_month

    year, month = last_month()
    return len(summaries_for_month(year=year, month=month))


# Until every caller sends the pipeline's tasks by name, the old import path stays valid.
from clearance.tasks import *  # noqa: E402, F403
from clearance.tasks import AmendmentRefused  # noqa: E402, F401
