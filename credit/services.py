"""Writes of credit: events that move the score, officials' level decisions, the negative list."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sharing.choices import AgencyCode
from sharing.models import Enterprise
from sharing.principal import Principal
from sharing.services import audit_record

from .models import CreditEvent, CreditLevel, CreditProfile, NegativeListEntry
from .selectors import START_SCORE, regime_in_force

MIN_SCORE, MAX_SCORE = Decimal(0), Decimal(200)
# Points of the pipeline's events [I]: releases earn slowly, faults cost more.
POINTS = {
    CreditEvent.Kind.RELEASED: Decimal("0.05"),
    CreditEvent.Kind.REJECTED: Decimal("-1"),
    CreditEvent.Kind.MISMATCH: Decimal("-0.5"),
    CreditEvent.Kind.INSPECTION_FAILED: Decimal("-5"),
    CreditEvent.Kind.GUARANTEE_SHORT: Decimal("-2"),
}


@dataclass(frozen=True)
class PipelineEvent:
    enterprise_id: int
    kind: str
    reason: str
    source_kind: str
    source_id: int


def events_record(events: list[PipelineEvent]) -> int:
    """Record the pipeline's events in one go; an event already recorded for its source is skipped."""
    if not events:
        return 0
    existing = set(
        # All four columns of the unique index, so the lookup is an index scan however many events
        # there are.
        CreditEvent.objects.filter(
            enterprise_id__in={e.enterprise_id for e in events},
            kind__in={e.kind for e in events},
            source_kind__in={e.source_kind for e in events},
            source_id__in={e.source_id for e in events},
        ).values_list("enterprise_id", "kind", "source_kind", "source_id")
    )
    fresh = [e for e in events if (e.enterprise_id, e.kind, e.source_kind, e.source_id) not in existing]
    fresh = list({(e.enterprise_id, e.kind, e.source_kind, e.source_id): e for e in fresh}.values())
    from singlewindow.core.db import insert_rows

    insert_rows(
        [
            CreditEvent(
                enterprise_id=e.enterprise_id,
                kind=e.kind,
                points=POINTS[e.kind],
                reason=e.reason[:500],
                source_kind=e.source_kind,
                source_id=e.source_id,
            )
            for e in fresh
        ]
    )
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for event in fresh:
        totals[event.enterprise_id] += POINTS[event.kind]
    _add_to_scores(totals)
    return len(fresh)


def _add_to_scores(totals: dict[int, Decimal]) -> None:
    if not totals:
        return
    CreditProfile.objects.bulk_create([CreditProfile(enterprise_id=e) for e in totals], ignore_conflicts=True)
    profiles = list(CreditProfile.objects.select_for_update().filter(enterprise_id__in=totals).order_by("id"))
    for profile in profiles:
        profile.score = min(MAX_SCORE, max(MIN_SCORE, profile.score + totals[profile.enterprise_id]))
    from singlewindow.core.db import update_rows

    update_rows(profiles, ["score"])


def may_decide_credit(principal: Principal) -> bool:
    """Credit decisions (penalties, levels, the negative list) are customs' (the enterprise credit
    system) and commerce's (the registry), and site administrators'."""
    return (
        principal.is_agency(AgencyCode.CUSTOMS)
        or principal.is_agency(AgencyCode.COMMERCE)
        or principal.is_superuser
    )


def _official(by: Principal) -> Any:
    if not by.is_official and not by.is_superuser:
        raise PermissionError(_("Only an official may do this."))
    return by.user if by.user is not None and by.user.is_authenticated else None


@transaction.atomic
def credit_adjust(
    *, enterprise: Enterprise, kind: str, points: Decimal, reason: str, by: Principal
) -> CreditEvent:
    """A penalty (negative points) or a commendation (positive) by an official, with a reason."""
    official = _official(by)
    if kind not in (CreditEvent.Kind.PENALTY, CreditEvent.Kind.COMMENDATION):
        raise ValidationError({"kind": [_("Choose penalty or commendation.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Give a reason.")]})
    points = Decimal(points)
    if (kind == CreditEvent.Kind.PENALTY) != (points < 0) or abs(points) > 100:
        raise ValidationError(
            {"points": [_("A penalty takes negative points, a commendation positive ones (at most 100).")]}
        )
    event = CreditEvent.objects.create(
        enterprise=enterprise, kind=kind, points=points, reason=reason.strip()[:500], official=official
    )
    _add_to_scores({enterprise.pk: points})
    audit_record(actor=by, action=f"credit.{kind}", obj=enterprise, points=points, reason=reason)
    return event


@transaction.atomic
def credit_level_decide(
    *, enterprise: Enterprise, level_code: str, reason: str, by: Principal
) -> CreditProfile:
    """Certify or downgrade an enterprise (an empty code returns it to its score's level)."""
    official = _official(by)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give a reason.")]})
    regime = regime_in_force(timezone.localdate())
    if level_code and not CreditLevel.objects.filter(regime=regime, code=level_code).exists():
        raise ValidationError(
            {"level": [_("No level %(code)s in the regime in force.") % {"code": level_code}]}
        )
    profile, _created = CreditProfile.objects.select_for_update().get_or_create(
        enterprise=enterprise, defaults={"score": START_SCORE}
    )
    profile.decided_level, profile.decided_reason = level_code, reason.strip()[:500]
    profile.decided_by, profile.decided_at = official, timezone.now()
    profile.save()
    CreditEvent.objects.create(
        enterprise=enterprise,
        kind=CreditEvent.Kind.LEVEL_DECIDED,
        points=0,
        reason=f"{level_code or 'by score'}: {reason.strip()}"[:500],
        official=official,
    )
    audit_record(actor=by, action="credit.level_decided", obj=enterprise, level=level_code, reason=reason)
    return profile


@transaction.atomic
def negative_list_add(
    *, enterprise: Enterprise, reason: str, ends_on: datetime.date, by: Principal
) -> NegativeListEntry:
    official = _official(by)
    today = timezone.localdate()
    if not reason.strip():
        raise ValidationError({"reason": [_("Give a reason; it is published.")]})
    if ends_on < today:
        raise ValidationError({"ends_on": [_("The end date is in the past.")]})
    entry = NegativeListEntry.objects.create(
        enterprise=enterprise,
        reason=reason.strip()[:500],
        starts_on=today,
        ends_on=ends_on,
        created_by=official,
    )
    audit_record(
        actor=by, action="credit.negative_list_added", obj=enterprise, reason=reason, ends_on=ends_on
    )
    return entry


@transaction.atomic
def negative_list_lift(*, entry: NegativeListEntry, by: Principal) -> NegativeListEntry:
    _official(by)
    if entry.lifted_at is None:
        entry.lifted_at = timezone.now()
        entry.save(update_fields=["lifted_at"])
        audit_record(actor=by, action="credit.negative_list_lifted", obj=entry.enterprise)
    return entry
