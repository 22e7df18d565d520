"""Writes of the risk system: scoring a batch, the "double random" draw, alerts and their decisions,
and rule changes (a new version each time)."""

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from declarations.choices import InventoryStatus
from declarations.models import InventoryList
from sharing.choices import AgencyCode, MemberRole
from sharing.principal import Principal
from sharing.services import audit_record
from singlewindow.core.broker import send_named
from singlewindow.core.db import insert_rows, new_row
from singlewindow.core.inputs import parse_id

from .models import Alert, Assignment, RiskAssessment, RiskRule
from .rules import REGISTRY, ListFacts


@dataclass(frozen=True)
class Scored:
    facts: ListFacts
    score: int
    hits: list[dict[str, Any]]


def may_review_risk(principal: Principal) -> bool:
    """Customs officials (and site administrators) read the alert queue and the rules and decide alerts."""
    return principal.is_agency(AgencyCode.CUSTOMS) or principal.is_superuser


def may_change_rules(principal: Principal) -> bool:
    """Customs administrators (and site administrators) change risk rules."""
    return (
        principal.is_agency(AgencyCode.CUSTOMS) and principal.role == MemberRole.ADMIN
    ) or principal.is_superuser


def hold_threshold() -> int:
    return int(getattr(settings, "RISK_HOLD_THRESHOLD", 60))


def current_rules() -> list[RiskRule]:
    return list(RiskRule.objects.filter(current=True, enabled=True).order_by("code"))


def score(
    lists: Sequence[ListFacts], *, now: datetime, rules: Sequence[RiskRule] | None = None
) -> list[Scored]:
    """Every enabled rule over the whole batch: a bounded number of queries, no query per list."""
    rules = current_rules() if rules is None else rules
    hits: dict[int, list[dict[str, Any]]] = {f.id: [] for f in lists}
    for row in rules:
        spec = REGISTRY.get(row.code)
        if spec is None:
            continue
        params = {**spec.parameters, **row.parameters}
        for inventory_id, evidence in spec.evaluate(lists, params, now).items():
            hits[inventory_id].append(
                {"rule": row.code, "version": row.version, "weight": row.weight, "evidence": evidence}
            )
    return [Scored(f, sum(h["weight"] for h in hits[f.id]), hits[f.id]) for f in lists]


def draw_value(seed: str, inventory_id: int) -> Decimal:
    """The reproducible draw of one list: the same seed and list always give the same value."""
    return Decimal(random.Random(f"{seed}:{inventory_id}").random()).quantize(Decimal("0.0000000001"))  # noqa: S311


def draw_inspector(
    seed: str, inventory_id: int, candidates: Sequence[int], conflicts: Sequence[int]
) -> int | None:
    """The inspecting official, drawn from the agency's staff without those who declared a conflict."""
    pool = sorted(set(candidates) - set(conflicts))
    if not pool:
        return None
    return random.Random(f"{seed}:{inventory_id}:inspector:{len(conflicts)}").choice(pool)  # noqa: S311


def assess_batch(
    scored: Sequence[Scored],
    *,
    rates: dict[int, tuple[Decimal, str, bool]],
    inspectors: Sequence[int],
    threshold: int | None = None,
) -> list[RiskAssessment]:
    """Decide each list: hold (score over the threshold, or a level whose declarations are held) or
    dispatch; and draw the dispatched ones for inspection at their enterprise's credit-level rate.

    `rates` maps a list id to (inspection rate, credit level code, level holds declarations).
    """
    threshold = hold_threshold() if threshold is None else threshold
    seed = uuid.uuid4().hex
    assessments, alerts = [], []
    for item in scored:
        rate, level, level_holds = rates[item.facts.id]
        hold = item.score >= threshold or level_holds
        value = draw_value(seed, item.facts.id)
        selected = not hold and value < rate
        inspector = draw_inspector(seed, item.facts.id, inspectors, []) if selected else None
        top = max(item.hits, key=lambda h: h["weight"], default=None)
        assessments.append(
            new_row(
                RiskAssessment,
                inventory_id=item.facts.id,
                score=item.score,
                threshold=threshold,
                hits=item.hits,
                decision=RiskAssessment.Decision.HOLD if hold else RiskAssessment.Decision.DISPATCH,
                reason_code=f"RISK-{top['rule']}" if hold and top else ("CREDIT-HOLD" if hold else ""),
                credit_level=level,
                draw_seed=seed,
                draw_rate=rate,
                draw_value=value,
                selected_for_inspection=selected,
                inspector_id=inspector,
            )
        )
    insert_rows(assessments)
    for assessment in assessments:
        if assessment.decision == RiskAssessment.Decision.HOLD:
            alerts.append(
                Alert(
                    inventory_id=assessment.inventory_id,
                    assessment=assessment,
                    score=assessment.score,
                    rules=", ".join(h["rule"] for h in assessment.hits)[:300] or assessment.reason_code,
                )
            )
    insert_rows(alerts)
    return assessments


def replay(assessment: RiskAssessment) -> tuple[Decimal, bool, int | None]:
    """Recompute a recorded draw from its seed: (value, selected, inspector)."""
    from sharing.models import Membership

    value = draw_value(assessment.draw_seed, assessment.inventory_id)
    selected = assessment.decision == RiskAssessment.Decision.DISPATCH and value < assessment.draw_rate
    inspector = None
    if selected:
        candidates = list(
            Membership.objects.filter(agency__code=AgencyCode.CUSTOMS).values_list("user_id", flat=True)
        )
        inspector = draw_inspector(
            assessment.draw_seed, assessment.inventory_id, candidates, assessment.inspector_conflicts
        )
    return value, selected, inspector


@transaction.atomic
def declare_conflict(*, assessment: RiskAssessment, by: Principal) -> RiskAssessment:
    """The drawn inspector declares a conflict of interest: record it and draw another official."""
    from sharing.models import Membership

    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    if by.user is None or assessment.inspector_id != by.user.pk:
        raise PermissionError(_("Only the drawn inspector may declare a conflict of interest."))
    assessment.inspector_conflicts = [*assessment.inspector_conflicts, by.user.pk]
    candidates = list(
        Membership.objects.filter(agency__code=AgencyCode.CUSTOMS).values_list("user_id", flat=True)
    )
    assessment.inspector_id = draw_inspector(
        assessment.draw_seed, assessment.inventory_id, candidates, assessment.inspector_conflicts
    )
    assessment.save(update_fields=["inspector_conflicts", "inspector"])
    audit_record(
        actor=by, action="risk.conflict_declared", obj=assessment, new_inspector=assessment.inspector_id
    )
    return assessment


@transaction.atomic
def alert_decide(*, alert: Alert, outcome: str, reason: str, by: Principal) -> Alert:
    """A customs official releases, sends to inspection, or rejects a held list; the pipeline goes on."""
    if not may_review_risk(by):
        raise PermissionError(_("Only a customs official may decide on alerts."))
    if outcome not in Alert.Outcome.values:
        raise ValidationError({"outcome": [_("Choose release, inspect or reject.")]})
    if outcome != Alert.Outcome.RELEASE and not reason.strip():
        raise ValidationError({"reason": [_("Give a reason; it is recorded and sent with the receipt.")]})
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == Alert.Status.CLOSED:
        if alert.outcome == outcome:
            return alert  # deciding twice is a no-op
        raise ValidationError({"status": [_("This alert has already been decided.")]})
    alert.status, alert.outcome, alert.reason = Alert.Status.CLOSED, outcome, reason.strip()[:500]
    alert.decided_by = by.user if by.user is not None and by.user.is_authenticated else None
    alert.decided_at = timezone.now()
    alert.save(update_fields=["status", "outcome", "reason", "decided_by", "decided_at"])
    audit_record(actor=by, action=f"alert.{outcome}", obj=alert.inventory, reason=reason, alert=alert.pk)
    # By name: nothing imports the pipeline.
    transaction.on_commit(lambda: send_named("clearance.resume_held", [alert.inventory_id]))
    return alert


@transaction.atomic
def rule_change(
    *,
    code: str,
    by: Principal,
    weight: int | None = None,
    enabled: bool | None = None,
    parameters: dict | None = None,
) -> RiskRule:
    """Save a new version of a rule; the old version stays for the assessments that used it."""
    if not may_change_rules(by):
        raise PermissionError(_("Only a customs administrator may change risk rules."))
    current = RiskRule.objects.select_for_update().get(code=code, current=True)
    if weight is not None and not 0 <= weight <= 1000:
        raise ValidationError({"weight": [_("A weight is between 0 and 1000.")]})
    if parameters is not None:
        parameters = rule_parameters_clean(code, parameters)
    RiskRule.objects.filter(pk=current.pk).update(current=False)
    new = RiskRule.objects.create(
        code=code,
        version=current.version + 1,
        name=current.name,
        description=current.description,
        weight=current.weight if weight is None else weight,
        enabled=current.enabled if enabled is None else enabled,
        parameters={**current.parameters, **(parameters or {})},
        current=True,
        changed_by=by.user if by.user is not None and by.user.is_authenticated else None,
    )
    audit_record(
        actor=by,
        action="risk.rule_changed",
        obj=new,
        weight=new.weight,
        enabled=new.enabled,
        parameters=new.parameters,
    )
    return new


def rule_preview(
    *, code: str, parameters: dict | None = None, days: int = 7, limit: int = 5000
) -> dict[str, Any]:
    """What the rule, with these parameters, would have hit in the last `days` days: count and a sample."""
    from .selectors import facts_for

    parameters = rule_parameters_clean(code, parameters or {})
    spec = REGISTRY[code]
    params = {
        **spec.parameters,
        **RiskRule.objects.get(code=code, current=True).parameters,
        **(parameters or {}),
    }
    now = timezone.now()
    lists = list(
        InventoryList.objects.filter(created_at__gte=now - timedelta(days=days))
        .exclude(status=InventoryStatus.RECEIVED)
        .select_related("payment")
        .prefetch_related("items")
        .order_by("-id")[:limit]
    )
    facts = facts_for(lists)
    hits = spec.evaluate(facts, params, now)
    by_id = {i.pk: i for i in lists}
    sample = [
        {"inventory_id": pk, "cop_no": by_id[pk].cop_no, "evidence": evidence}
        for pk, evidence in list(hits.items())[:10]
    ]
    return {
        "rule": code,
        "parameters": params,
        "days": days,
        "examined": len(lists),
        "hits": len(hits),
        "sample": sample,
    }


def rule_parameters_clean(code: str, parameters: dict) -> dict:
    """Each parameter must be one the rule knows, of the kind of its default: whole numbers, decimal
    amounts or lists of HS prefixes. A bad value never reaches the pipeline, where it would stop
    every batch."""
    from decimal import Decimal, InvalidOperation

    spec = REGISTRY.get(code)
    if spec is None:
        raise ValidationError({"rule": [_("Unknown rule %(code)s.") % {"code": code}]})
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, value in parameters.items():
        if name not in spec.parameters:
            errors.setdefault("parameters", []).append(_("Unknown parameter: %(name)s.") % {"name": name})
            continue
        default = spec.parameters[name]
        if isinstance(default, int):
            # ASCII digits only: "²" passes str.isdigit() and then fails int().
            whole = value if isinstance(value, int) and not isinstance(value, bool) else parse_id(value)
            if whole is None:
                errors[f"parameters.{name}"] = [_("A whole number.")]
                continue
            clean[name] = whole
            if clean[name] < 0 or clean[name] > 100_000:
                errors[f"parameters.{name}"] = [_("Between 0 and 100000.")]
        elif isinstance(default, list):
            if not isinstance(value, list) or not all(
                isinstance(v, str) and v.isascii() and v.isdigit() and 2 <= len(v) <= 10 for v in value
            ):
                errors[f"parameters.{name}"] = [_("A list of HS code prefixes (2 to 10 digits).")]
                continue
            clean[name] = value
        else:
            try:
                number = Decimal(str(value))
            except (InvalidOperation, ValueError):
                errors[f"parameters.{name}"] = [_("A decimal number.")]
                continue
            if not number.is_finite() or number < 0 or number > 1_000_000:
                errors[f"parameters.{name}"] = [_("A decimal number between 0 and 1000000.")]
                continue
            clean[name] = str(number)
    if errors:
        raise ValidationError(errors)
    return clean


# The officials' worklists (risk/worklists.py): who has a list, and releasing low-risk alerts together.


def bulk_release_max_score() -> int:
    """Alerts scoring at most this may be released together; above it, one at a time after a look."""
    return int(getattr(settings, "RISK_BULK_RELEASE_MAX_SCORE", 70))


def _list_in_queue(agency: str, queue_code: str, list_id: int) -> tuple[Any, Any]:
    """(queue, the list row locked) when the list is in the caller's agency's queue now; else a
    ValidationError. Locks the list row: a take and a decision on it do not cross."""
    from . import worklists

    queue = worklists.queue_of(agency, queue_code)
    if queue is None or queue.code != queue_code:
        raise ValidationError({"queue": [_("This worklist is not your agency's.")]})
    if not queue.takeable:
        raise ValidationError({"queue": [_("The inspecting official is drawn; nobody takes an inspection.")]})
    row = worklists.items(agency, queue).filter(pk=list_id).first()
    if row is None:
        raise ValidationError({"list": [_("This list no longer waits in your worklist.")]})
    model = type(row)
    model.objects.select_for_update().filter(pk=list_id).first()
    return queue, row


@transaction.atomic
def assignment_take(*, queue: str, list_id: int, by: Principal) -> Assignment:
    """An official takes a list waiting for their agency; one who has it already keeps it."""
    if by.agency is None or by.user is None:
        raise PermissionError(_("Only an agency's official takes lists from its worklist."))
    agency = by.agency.code
    worklist, row = _list_in_queue(agency, queue, list_id)
    link = {"export_list_id" if worklist.exported else "inventory_id": list_id}
    current = Assignment.objects.select_related("assignee").filter(agency=agency, **link).first()
    if current is not None:
        if current.assignee_id == by.user.pk:
            return current
        raise ValidationError(
            {"list": [_("%(name)s already has this list.") % {"name": current.assignee.get_username()}]}
        )
    assignment = Assignment.objects.create(agency=agency, assignee=by.user, **link)
    audit_record(actor=by, action="worklist.taken", obj=row, queue=queue)
    return assignment


@transaction.atomic
def assignment_drop(*, queue: str, list_id: int, by: Principal) -> bool:
    """Give a list back to the worklist: the official who has it, or an administrator of the agency."""
    if by.agency is None or by.user is None:
        raise PermissionError(_("Only an agency's official takes lists from its worklist."))
    agency = by.agency.code
    worklist, row = _list_in_queue(agency, queue, list_id)
    link = {"export_list_id" if worklist.exported else "inventory_id": list_id}
    current = Assignment.objects.select_for_update().filter(agency=agency, **link).first()
    if current is None:
        return False
    if current.assignee_id != by.user.pk and by.role != MemberRole.ADMIN:
        raise PermissionError(_("Only the official who has the list, or an administrator, gives it back."))
    current.delete()
    audit_record(actor=by, action="worklist.unassigned", obj=row, queue=queue, had=current.assignee_id)
    return True


@dataclass(frozen=True)
class BulkRelease:
    released: list[str]  # the lists' cop_no
    refused: list[tuple[str, str]]  # (cop_no or id, why)


def alerts_release_many(*, alert_ids: Sequence[int], reason: str, by: Principal) -> BulkRelease:
    """Release many low-risk alerts with one reason. Each alert is re-checked under its lock and
    decided in its own transaction (audited as one release each): still open, scoring at most
    `bulk_release_max_score()`, and its enterprise not held by its credit level or the negative list
    today. Any other is refused with why, and the rest go on."""
    from credit import selectors as credit_selectors
    from sharing.selectors import enterprises_by_code

    if not may_review_risk(by):
        raise PermissionError(_("Only a customs official may decide on alerts."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give one reason for the release; it is recorded with each.")]})
    limit = bulk_release_max_score()
    released: list[str] = []
    refused: list[tuple[str, str]] = []
    today = timezone.localdate()
    for alert_id in dict.fromkeys(alert_ids):
        with transaction.atomic():
            alert = (
                Alert.objects.select_for_update(of=("self",))
                .select_related("inventory")
                .filter(pk=alert_id)
                .first()
            )
            if alert is None:
                refused.append((str(alert_id), str(_("No such alert."))))
                continue
            name = alert.inventory.cop_no
            if alert.status != Alert.Status.OPEN:
                refused.append((name, str(_("Already decided."))))
                continue
            if alert.score > limit:
                refused.append(
                    (
                        name,
                        str(
                            _("Score %(score)d is over %(limit)d: decide it on its own page.")
                            % {"score": alert.score, "limit": limit}
                        ),
                    )
                )
                continue
            enterprise_id = enterprises_by_code({alert.inventory.ebc_code}).get(alert.inventory.ebc_code)
            if enterprise_id is not None:
                level = credit_selectors.levels_for({enterprise_id}, on=today).get(enterprise_id)
                negative = credit_selectors.on_negative_list({enterprise_id}, on=today)
                if enterprise_id in negative or (level is not None and (level.held or level.dishonest)):
                    refused.append(
                        (name, str(_("The enterprise is held by its credit: decide it on its own page.")))
                    )
                    continue
            alert_decide(alert=alert, outcome=Alert.Outcome.RELEASE, reason=reason, by=by)
            released.append(name)
    return BulkRelease(released, refused)
