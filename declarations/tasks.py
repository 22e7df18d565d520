"""Declarations' own background work: processing an uploaded file (sent by name by `uploads`) and the
monthly summary of exports (beat); storing documents received one per request."""

from celery import shared_task

from singlewindow.core.months import last_month

from . import uploads
from .services import intake_process, summaries_for_month


@shared_task(name="declarations.process_upload", acks_late=True)
def process_upload(upload_id: int) -> None:
    uploads.upload_process(upload_id=upload_id)


@shared_task(name="declarations.process_intake", acks_late=True)
def process_intake() -> int:
    """Store the documents received one per request (woken at most once per WAKE_WINDOW_MS)."""
    return intake_process()


@shared_task(name="declarations.summarise_exports")
def summarise_exports() -> int:
    """Every 6 hours (beat): summarise last month's exports (idempotent; what is summarised stays so)."""
    year, month = last_month()
    return len(summaries_for_month(year=year, month=month))
