"""Reads of credit: the level and standing of each enterprise on a date, in batches (a few queries per
batch), and the public disclosure."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from .models import CreditEvent, CreditLevel, CreditProfile, CreditRegime, NegativeListEntry

START_SCORE = Decimal(100)


def regime_in_force(on: datetime.date) -> CreditRegime:
    return CreditRegime.objects.filter(valid_from__lte=on).order_by("-valid_from").first()


def level_for_score(levels: list[CreditLevel], score: Decimal, decided: str = "") -> CreditLevel:
    """The official's decision if the regime has that level, otherwise the level the score reaches."""
    by_code = {level.code: level for level in levels}
    if decided and decided in by_code:
        return by_code[decided]
    reachable = sorted(
        (lv for lv in levels if lv.min_score is not None), key=lambda lv: lv.min_score, reverse=True
    )
    for level in reachable:
        if score >= level.min_score:
            return level
    return reachable[-1]


def _score_and_decision(profile: CreditProfile | None) -> tuple[Decimal, str]:
    """An enterprise's score and decided level; without a profile yet, the starting score and none."""
    return (profile.score, profile.decided_level) if profile else (START_SCORE, "")


def _levels_and_profiles(
    ids: set[int], on: datetime.date
) -> tuple[list[CreditLevel], dict[int, CreditProfile]]:
    levels = list(CreditLevel.objects.filter(regime=regime_in_force(on)))
    profiles = {p.enterprise_id: p for p in CreditProfile.objects.filter(enterprise_id__in=ids)}
    return levels, profiles


def levels_for(enterprise_ids: Iterable[int], *, on: datetime.date) -> dict[int, CreditLevel]:
    ids = set(enterprise_ids)
    levels, profiles = _levels_and_profiles(ids, on)
    return {i: level_for_score(levels, *_score_and_decision(profiles.get(i))) for i in ids}


@dataclass(frozen=True)
class CreditStanding:
    """An enterprise's credit as officials and the enterprise itself see it. An enterprise without a
    profile yet stands at the starting score, at its score's level, with no decision."""

    profile: CreditProfile | None
    score: Decimal
    level: CreditLevel
    decided_level: str
    on_negative_list: bool


def standings_for(enterprise_ids: Iterable[int], *, on: datetime.date) -> dict[int, CreditStanding]:
    """The standing of each enterprise on date `on`, its profiles read once (as `levels_for` does)."""
    ids = set(enterprise_ids)
    levels, profiles = _levels_and_profiles(ids, on)
    negative = on_negative_list(ids, on=on)
    out = {}
    for enterprise_id in ids:
        profile = profiles.get(enterprise_id)
        score, decided = _score_and_decision(profile)
        out[enterprise_id] = CreditStanding(
            profile=profile,
            score=score,
            level=level_for_score(levels, score, decided),
            decided_level=decided,
            on_negative_list=enterprise_id in negative,
        )
    return out


def on_negative_list(enterprise_ids: Iterable[int], *, on: datetime.date) -> dict[int, NegativeListEntry]:
    entries = NegativeListEntry.objects.filter(
        enterprise_id__in=set(enterprise_ids), starts_on__lte=on, ends_on__gte=on, lifted_at__isnull=True
    )
    return {entry.enterprise_id: entry for entry in entries}


def credit_history(enterprise_id: int) -> QuerySet[CreditEvent]:
    return CreditEvent.objects.filter(enterprise_id=enterprise_id).select_related("official")


def public_disclosure(on: datetime.date) -> list[dict]:
    """What the public credit page shows: names, level, active negative-list entries; nothing private."""
    from sharing.choices import EnterpriseStatus
    from sharing.models import Enterprise

    enterprises = list(
        Enterprise.objects.filter(status=EnterpriseStatus.APPROVED)
        .order_by("name_zh")
        .only("id", "name_zh", "name_en", "customs_code")
    )
    levels = levels_for([e.pk for e in enterprises], on=on)
    negative = {}
    for entry in NegativeListEntry.objects.filter(starts_on__lte=on, ends_on__gte=on, lifted_at__isnull=True):
        negative.setdefault(entry.enterprise_id, []).append(entry)
    return [{"enterprise": e, "level": levels[e.pk], "negative": negative.get(e.pk, [])} for e in enterprises]
