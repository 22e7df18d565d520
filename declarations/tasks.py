"""Declarations' own background work: processing an uploaded file. Sent by name by `uploads`."""

from celery import shared_task

from . import uploads


@shared_task(name="declarations.process_upload", acks_late=True)
def process_upload(upload_id: int) -> None:
    uploads.upload_process(upload_id=upload_id)
