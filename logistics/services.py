"""Writes of the tracking timeline: steps posted by logistics firms, and the pipeline's own steps."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from declarations.models import Waybill
from sharing.principal import Principal

from .models import TrackingEvent

MAX_BATCH = 1000


def tracking_events_post(*, events: Sequence[dict[str, Any]], by: Principal) -> list[dict[str, Any]]:
    """A logistics firm reports steps of its own parcels; each answered in order. Idempotent."""
    enterprise = by.enterprise
    if enterprise is None or not enterprise.is_approved or not enterprise.has_role("logistics"):
        raise PermissionError(_("Only an approved logistics enterprise reports tracking events."))
    own = (enterprise.customs_code, enterprise.uscc)
    numbers = {e.get("logistics_no") for e in events if isinstance(e, dict)}
    waybills = {
        w.logistics_no: w for w in Waybill.objects.filter(logistics_no__in=numbers, logistics_code__in=own)
    }
    results, rows = [], []
    for index, event in enumerate(events):
        errors = _errors(event, waybills)
        if errors:
            results.append({"index": index, "outcome": "rejected", "errors": errors})
            continue
        rows.append(
            TrackingEvent(
                waybill=waybills[event["logistics_no"]],
                code=event["code"],
                place=(event.get("place") or "")[:100],
                note=(event.get("note") or "")[:200],
                occurred_at=event["_at"],
                source=TrackingEvent.Source.LOGISTICS,
            )
        )
        results.append({"index": index, "outcome": "accepted", "errors": {}})
    with transaction.atomic():
        TrackingEvent.objects.bulk_create(rows, ignore_conflicts=True)
    return results


def _errors(event: Any, waybills: dict[str, Waybill]) -> dict[str, list[str]]:
    if not isinstance(event, dict):
        return {"non_field_errors": [_("Each event is a JSON object.")]}
    errors: dict[str, list[str]] = {}
    if event.get("logistics_no") not in waybills:
        errors["logistics_no"] = [_("No waybill of yours has this number.")]
    if event.get("code") not in TrackingEvent.Code.values:
        errors["code"] = [_("One of: %(codes)s.") % {"codes": ", ".join(TrackingEvent.Code.values)}]
    for name, limit in (("place", 100), ("note", 200)):
        value = event.get(name, "")
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            errors[name] = [_("Text of at most %(n)d characters.") % {"n": limit}]
    occurred = event.get("occurred_at")
    try:
        at = datetime.fromisoformat(occurred) if isinstance(occurred, str) else None
    except ValueError:
        at = None
    if at is None:
        errors["occurred_at"] = [_("An ISO 8601 time, e.g. 2026-11-25T10:30:00+08:00.")]
    else:
        at = at if timezone.is_aware(at) else timezone.make_aware(at)
        if at > timezone.now() + timezone.timedelta(minutes=5):
            errors["occurred_at"] = [_("This time is in the future.")]
        event["_at"] = at
    return errors


def pipeline_step(*, waybill_ids: Sequence[int], code: str, note: str = "") -> int:
    """The pipeline's steps (declared, released, inspection, rejected) for a batch of parcels."""
    from singlewindow.db import insert_rows

    now = timezone.now()
    rows = [
        TrackingEvent(
            waybill_id=pk, code=code, occurred_at=now, source=TrackingEvent.Source.PIPELINE, note=note[:200]
        )
        for pk in set(waybill_ids)
        if pk
    ]
    insert_rows(rows)
    return len(rows)


def on_waybill_signed(sender: Any, *, waybill: Waybill, signed_at: str, **kwargs: Any) -> None:
    at = timezone.make_aware(datetime.strptime(signed_at, "%Y%m%d%H%M%S"))
    TrackingEvent.objects.get_or_create(
        waybill=waybill,
        code=TrackingEvent.Code.SIGNED,
        occurred_at=at,
        defaults={"source": TrackingEvent.Source.LOGISTICS},
    )
