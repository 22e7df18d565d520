from celery import shared_task

from . import services


@shared_task(name="sharing.notify_enterprise", acks_late=True)
def notify_enterprise(enterprise_id: int, kind: str, subject: str, reason: str, dedupe_key: str) -> None:
    services.notification_create(
        enterprise_id=enterprise_id, kind=kind, subject=subject, reason=reason, dedupe_key=dedupe_key
    )


@shared_task(name="sharing.prune_notifications")
def prune_notifications() -> int:
    return services.notifications_prune()
