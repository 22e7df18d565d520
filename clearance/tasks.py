"""Thin Celery tasks of the pipeline, registered under the names every caller sends them by; the work
and its idempotency live in the step modules."""

from collections.abc import Callable
from typing import Any, TypeVar, cast

from celery import shared_task

from sharing.adapters import AgencyUnavailable

from . import amendments, answer, claim, exchange, fan_in, review, settlement, sweeper

F = TypeVar("F", bound=Callable[..., Any])


def task(**options: Any) -> Callable[[F], F]:
    """`shared_task` for typed functions (Celery ships no type hints): what it returns is the task."""
    return cast(Callable[[F], F], shared_task(**options))


@task(name="clearance.process_pending_lists", acks_late=True)
def process_pending_lists() -> int:
    return claim.process_pending_lists()


@task(name="clearance.process_pending_exports", acks_late=True)
def process_pending_exports() -> int:
    return claim.process_pending_exports()


@task(
    name="clearance.dispatch_to_agency",
    bind=True,
    acks_late=True,
    autoretry_for=(AgencyUnavailable,),
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def dispatch_to_agency(self: Any, dispatch_id: int) -> None:
    try:
        answer.dispatch_to_agency(dispatch_id=dispatch_id)
    except AgencyUnavailable:
        if self.request.retries >= self.max_retries:
            answer.dispatch_failed(dispatch_id=dispatch_id)
            return
        if self.request.is_eager:
            # Embedded mode has no broker to retry through: the dispatch stays "sent" and the
            # sweeper (`manage.py clearance_sweep`) sends it again.
            return
        raise


@task(name="clearance.sweep")
def sweep() -> dict[str, int]:
    return sweeper.sweep()


@task(name="clearance.deliver_webhooks", acks_late=True)
def deliver_webhooks(inventory_ids: list[int]) -> int:
    return fan_in.notify_partners(inventory_ids=inventory_ids)


@task(name="clearance.resume_held", acks_late=True)
def resume_held(inventory_ids: list[int]) -> int:
    return review.resume_held(inventory_ids=inventory_ids)


@task(name="clearance.redrive", acks_late=True)
def redrive(dispatch_id: int, official_id: int | None = None) -> bool:
    return answer.redrive(dispatch_id=dispatch_id, official_id=official_id)


@task(name="clearance.conclude_inspection", acks_late=True)
def conclude_inspection(inventory_id: int, passed: bool, reason: str, official_id: int | None) -> bool:
    return review.inspection_conclude(
        inventory_id=inventory_id, passed=passed, reason=reason, official_id=official_id
    )


@task(name="clearance.conclude_export_inspection", acks_late=True)
def conclude_export_inspection(
    export_list_id: int, passed: bool, reason: str, official_id: int | None
) -> bool:
    return review.export_inspection_conclude(
        export_list_id=export_list_id, passed=passed, reason=reason, official_id=official_id
    )


@task(name="clearance.settle_export_receipts", acks_late=True)
def settle_export_receipts(export_list_ids: list[int]) -> int:
    return settlement.settle_export_receipts(export_list_ids=export_list_ids)


# Cancel and return answer the caller at once: pages and the API run these in-process by name
# (`run_named`) and catch the ServiceError they raise; they are tasks too so a batch tool can queue them.


# `api_key_prefix` names the partner's key that asked, for the audit trail.
@task(name="clearance.cancel_list")
def cancel_list(
    inventory_id: int,
    data: dict[str, Any],
    enterprise_id: int,
    user_id: int | None,
    api_key_prefix: str | None = None,
) -> Any:
    return amendments.list_cancel(
        inventory_id=inventory_id,
        data=data,
        enterprise_id=enterprise_id,
        user_id=user_id,
        api_key_prefix=api_key_prefix,
    )


@task(name="clearance.apply_return")
def apply_return(
    inventory_id: int,
    data: dict[str, Any],
    enterprise_id: int,
    user_id: int | None,
    api_key_prefix: str | None = None,
) -> Any:
    return amendments.refund_apply(
        inventory_id=inventory_id,
        data=data,
        enterprise_id=enterprise_id,
        user_id=user_id,
        api_key_prefix=api_key_prefix,
    )


@task(name="clearance.return_goods_back")
def return_goods_back(refund_id: int, user_id: int | None, api_key_prefix: str | None = None) -> Any:
    return amendments.refund_goods_back(refund_id=refund_id, user_id=user_id, api_key_prefix=api_key_prefix)


@task(name="clearance.cancel_export_list")
def cancel_export_list(list_id: int, reason: str) -> Any:
    return exchange.export_list_cancel(list_id=list_id, reason=reason)


@task(name="clearance.exports_departed")
def exports_departed(list_ids: list[int]) -> int:
    return exchange.exports_departed(list_ids=list_ids)


@task(name="clearance.release_arrived")
def release_arrived(waybills: list[tuple[str, str]]) -> list[int]:
    # A queued task gets its pairs back as lists (JSON).
    return exchange.release_arrived(waybills=[(code, number) for code, number in waybills])
