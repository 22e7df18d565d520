"""Thin Celery tasks of information sharing: notifications of enterprises, partners' webhooks and the
audit chain's head."""

from celery import shared_task

from . import notifications, services, webhooks


@shared_task(name="sharing.notify_enterprise", acks_late=True)
def notify_enterprise(enterprise_id: int, kind: str, subject: str, reason: str, dedupe_key: str) -> None:
    services.notification_create(
        enterprise_id=enterprise_id, kind=kind, subject=subject, reason=reason, dedupe_key=dedupe_key
    )


@shared_task(name="sharing.email_notifications", acks_late=True)
def email_notifications(dedupe_keys: list[str]) -> int:
    return notifications.email_each(dedupe_keys=dedupe_keys)


@shared_task(name="sharing.send_digests")
def send_digests() -> int:
    return notifications.digests_send()


@shared_task(name="sharing.prune_notifications")
def prune_notifications() -> int:
    return services.notifications_prune()


@shared_task(name="sharing.send_webhook", acks_late=True)
def send_webhook(delivery_id: int) -> None:
    # A failure is re-sent by the sweeper once its backoff has passed (see webhooks.retry_due).
    webhooks.send(delivery_id=delivery_id)


@shared_task(name="sharing.record_audit_head")
def record_audit_head() -> int:
    # Beat runs it every few minutes (CELERY_BEAT_SCHEDULE): the head log's granularity.
    return services.audit_head_record().count
