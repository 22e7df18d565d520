"""Thin Celery tasks of the clearance pipeline; the work and its idempotency live in clearance.py."""

from celery import shared_task

from sharing.adapters import AgencyUnavailable

from . import clearance


@shared_task(name="clearance.process_pending_lists", acks_late=True)
def process_pending_lists() -> int:
    return clearance.process_pending_lists()


@shared_task(
    name="clearance.dispatch_to_agency",
    bind=True,
    acks_late=True,
    autoretry_for=(AgencyUnavailable,),
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def dispatch_to_agency(self, dispatch_id: int) -> None:
    try:
        clearance.dispatch_to_agency(dispatch_id=dispatch_id)
    except AgencyUnavailable:
        if self.request.retries >= self.max_retries:
            clearance.dispatch_failed(dispatch_id=dispatch_id)
            return
        if self.request.is_eager:
            # Embedded mode has no broker to retry through: the dispatch stays "sent" and the
            # sweeper (`manage.py clearance_sweep`) sends it again.
            return
        raise


@shared_task(name="clearance.sweep")
def sweep() -> dict[str, int]:
    return clearance.sweep()


@shared_task(name="clearance.deliver_webhooks", acks_late=True)
def deliver_webhooks(inventory_ids: list[int]) -> int:
    return clearance.notify_partners(inventory_ids=inventory_ids)


@shared_task(name="sharing.send_webhook", acks_late=True)
def send_webhook(delivery_id: int) -> None:
    from sharing import webhooks

    # A failure is re-sent by the sweeper once its backoff has passed (see webhooks.retry_due).
    webhooks.send(delivery_id=delivery_id)


@shared_task(name="clearance.resume_held", acks_late=True)
def resume_held(inventory_ids: list[int]) -> int:
    return clearance.resume_held(inventory_ids=inventory_ids)


@shared_task(name="clearance.redrive", acks_late=True)
def redrive(dispatch_id: int) -> bool:
    return clearance.redrive(dispatch_id=dispatch_id)


@shared_task(name="clearance.conclude_inspection", acks_late=True)
def conclude_inspection(inventory_id: int, passed: bool, reason: str, official_id: int | None) -> bool:
    return clearance.inspection_conclude(
        inventory_id=inventory_id, passed=passed, reason=reason, official_id=official_id
    )


@shared_task(name="clearance.process_pending_exports", acks_late=True)
def process_pending_exports() -> int:
    return clearance.process_pending_exports()


@shared_task(name="clearance.settle_export_receipts", acks_late=True)
def settle_export_receipts(export_list_ids: list[int]) -> int:
    return clearance.settle_export_receipts(export_list_ids=export_list_ids)


@shared_task(name="clearance.conclude_export_inspection", acks_late=True)
def conclude_export_inspection(
    export_list_id: int, passed: bool, reason: str, official_id: int | None
) -> bool:
    return clearance.export_inspection_conclude(
        export_list_id=export_list_id, passed=passed, reason=reason, official_id=official_id
    )


# Cancel and return answer the caller at once: pages and the API call these directly (in-process);
# they are tasks too so a batch tool can queue them.
AmendmentRefused = clearance.AmendmentRefused


@shared_task(name="clearance.cancel_list")
def cancel_list(inventory_id: int, data: dict, enterprise_id: int, user_id: int | None):
    return clearance.list_cancel(
        inventory_id=inventory_id, data=data, enterprise_id=enterprise_id, user_id=user_id
    )


@shared_task(name="clearance.apply_return")
def apply_return(inventory_id: int, data: dict, enterprise_id: int, user_id: int | None):
    return clearance.refund_apply(
        inventory_id=inventory_id, data=data, enterprise_id=enterprise_id, user_id=user_id
    )


@shared_task(name="clearance.return_goods_back")
def return_goods_back(refund_id: int, user_id: int | None):
    return clearance.refund_goods_back(refund_id=refund_id, user_id=user_id)


@shared_task(name="declarations.summarise_exports")
def summarise_exports() -> int:
    """Daily: summarise last month's exports (idempotent; what is summarised stays so)."""
    from declarations.services import summaries_for_month

    from .core.months import last_month

    year, month = last_month()
    return len(summaries_for_month(year=year, month=month))
