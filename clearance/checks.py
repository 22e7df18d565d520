"""The dry run (`POST /api/v1/check/`): what the window would answer about an order, a payment, a
waybill or an inventory list, and nothing stored.

It calls the same pure functions as intake and the pipeline, reading and never writing: field
validation and the filer's authority (intake), the document under the same natural key (new, the same,
a change, or a refusal with its code), the three-document match against what is filed (R1-R11),
the retail import tax and the buyer's annual quota (finance.tax), and the risk rules with the
enterprise's credit, of which the enterprise learns only the reason code of a hold, as it would on a
real list. No transaction is opened, no task is sent, no audit record is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from declarations import matching
from declarations.choices import (
    DEAD_STATUSES,
    FROZEN_STATUSES,
    AppStatus,
    AppType,
    DocumentKind,
    ReturnStatus,
)
from declarations.models import InventoryList, Order, Payment, Waybill
from declarations.services import SPECS, IntakeForbidden, content_hash, errors_text, validate_documents
from declarations.services.identity import natural_key, natural_key_fields
from declarations.services.parties import normalise
from declarations.services.validation import agent_mandates, authorisation_errors
from finance import selectors as finance_selectors
from finance import tax
from finance.models import BuyerQuota
from risk import selectors as risk_selectors
from risk import services as risk_services
from sharing.principal import Principal
from singlewindow.core.texts import rendered

from .match import named_payment

CHECKED_KINDS = (DocumentKind.ORDER, DocumentKind.PAYMENT, DocumentKind.WAYBILL, DocumentKind.INVENTORY)
MAX_CHECKED = 100


@dataclass
class CheckResult:
    """The answer about one document, as intake and the pipeline would give it."""

    index: int
    natural_key: dict[str, str]
    outcome: str = "accepted"  # accepted | duplicate | changed | rejected
    return_status: str = ""
    return_info: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    match: dict[str, Any] | None = None
    tax: dict[str, Any] | None = None
    quota: dict[str, Any] | None = None
    risk: dict[str, Any] | None = None


def documents_check(*, kind: str, documents: Sequence[Any], by: Principal) -> list[CheckResult]:
    """Check up to 100 documents of one kind as `by` would file them; raises IntakeForbidden when
    `by` may not file this kind at all (as intake does)."""
    spec = SPECS[DocumentKind(kind)]
    enterprise = by.enterprise
    if enterprise is None or not enterprise.is_approved:
        raise IntakeForbidden(gettext_lazy("Only an approved enterprise may submit documents."))
    if not any(enterprise.has_role(role) for role in spec.roles):
        raise IntakeForbidden(
            gettext_lazy("Your enterprise's roles do not include submitting this document.")
        )
    if len(documents) > MAX_CHECKED:
        raise ValueError(_("A check has at most %(n)d documents.") % {"n": MAX_CHECKED})

    mandates = agent_mandates(enterprise) if kind == DocumentKind.INVENTORY else set()
    checked = validate_documents(kind, documents)
    normalise(kind, [data for data, errors in checked if data is not None and not errors])
    results: list[CheckResult] = []
    valid: list[tuple[CheckResult, dict[str, Any]]] = []
    seen: dict[tuple[str, ...], int] = {}
    for index, (data, errors) in enumerate(checked):
        if data is not None and not errors:
            errors = authorisation_errors(spec, enterprise, data, mandates)
        if data is not None and not errors:
            key = natural_key(spec, data)
            if key in seen:
                errors = {
                    spec.key_fields[-1]: [
                        _("The same document appears twice in this batch (first at index %(i)d).")
                        % {"i": seen[key]}
                    ]
                }
            seen[key] = index
        result = CheckResult(index=index, natural_key=natural_key_fields(spec, data), errors=errors)
        results.append(result)
        if errors or data is None:
            _refuse(result, ReturnStatus.REJECTED, errors_text(errors))
        else:
            valid.append((result, data))
    _against_stored(spec, enterprise, valid)
    for result, data in valid:
        if result.outcome == "rejected":
            continue
        # What intake answers (DOMAIN 4.1): saved only 1; a list 2 (the pipeline takes it on); an
        # order, payment or waybill 120 (the window is its e-port and customs' store).
        if data.get("app_status") == AppStatus.SAVED:
            result.return_status = ReturnStatus.SAVED
        else:
            result.return_status = (
                ReturnStatus.DECLARING if kind == DocumentKind.INVENTORY else ReturnStatus.ACCEPTED
            )
        result.match = _match(kind, data, by)
        if kind == DocumentKind.INVENTORY:
            _assess(result, data)
    return results


def _refuse(result: CheckResult, status: str, info: str, errors: dict[str, list[str]] | None = None) -> None:
    result.outcome, result.return_status, result.return_info = "rejected", status, info
    if errors:
        result.errors = errors


def _against_stored(spec: Any, enterprise: Any, valid: list[tuple[CheckResult, dict[str, Any]]]) -> None:
    """New, the same again, a change, or refused with intake's code: one query for the batch."""
    if not valid:
        return
    keys = {natural_key(spec, data) for _r, data in valid}
    rows = spec.model.objects.filter(
        **{f"{name}__in": {k[n] for k in keys} for n, name in enumerate(spec.key_fields)}
    )
    stored = {tuple(getattr(r, name) for name in spec.key_fields): r for r in rows}
    number = spec.key_fields[-1]
    for result, data in valid:
        current = stored.get(natural_key(spec, data))
        if current is None:
            if data.get("app_type") == AppType.CHANGE:
                _refuse(
                    result, spec.unknown_error, _("No such document was filed."), {number: [_("Unknown.")]}
                )
            continue
        if current.submitted_by_id != enterprise.pk:
            message = _("Another enterprise submitted this document.")
            _refuse(result, ReturnStatus.REJECTED, message, {number: [message]})
        elif current.content_hash == content_hash(data):
            result.outcome = "duplicate"
        elif current.app_status == AppStatus.SAVED:
            result.outcome = "changed"
        elif data.get("app_type") != AppType.CHANGE:
            message = _("Other content under a stored number: send it as a change (app_type 2).")
            _refuse(result, spec.exists_error, message, {number: [message]})
        elif _frozen(spec.kind, current):
            message = _(
                "This document belongs to a list already sent to the agencies; it can no longer change."
            )
            _refuse(result, spec.change_error, message, {number: [message]})
        else:
            result.outcome = "changed"


def _frozen(kind: str, current: Any) -> bool:
    if kind == DocumentKind.INVENTORY:
        return current.status in FROZEN_STATUSES
    lists = InventoryList.objects.exclude(status__in=DEAD_STATUSES).filter(status__in=FROZEN_STATUSES)
    if kind == DocumentKind.WAYBILL:
        return lists.filter(logistics_code=current.logistics_code, logistics_no=current.logistics_no).exists()
    return lists.filter(ebp_code=current.ebp_code, order_no=current.order_no).exists()


# --- the match -----------------------------------------------------------------------------------------


def _match(kind: str, data: dict[str, Any], by: Principal) -> dict[str, Any]:
    """Which of the four documents are filed (the checked one counting as filed) and, when all are,
    the rules they fail. The rules' words quote the documents: only the list's filer (or the checked
    list's) reads them; the other parties get the rule and the field."""
    doc = matching.as_document(dict(data))
    inventory: Any = None
    order: Any = None
    payment: Any = None
    waybill: Any = None
    if kind == DocumentKind.INVENTORY:
        inventory = doc
    else:
        condition = (
            Q(logistics_code=data["logistics_code"], logistics_no=data["logistics_no"])
            if kind == DocumentKind.WAYBILL
            else Q(ebp_code=data["ebp_code"], order_no=data["order_no"])
        )
        inventory = (
            InventoryList.objects.exclude(status__in=DEAD_STATUSES)
            .filter(condition)
            .prefetch_related("items")
            .order_by("-id")
            .first()
        )
    ebp_code, order_no = _order_key(kind, data, inventory)
    if kind == DocumentKind.ORDER:
        order = doc
    elif ebp_code:
        order = (
            Order.objects.filter(ebp_code=ebp_code, order_no=order_no, app_status=AppStatus.DECLARED)
            .prefetch_related("items")
            .first()
        )
    if kind == DocumentKind.PAYMENT:
        payment = doc
    elif ebp_code:
        filed = list(
            Payment.objects.filter(
                ebp_code=ebp_code, order_no=order_no, app_status=AppStatus.DECLARED
            ).order_by("id")
        )
        payment = _counted_payment(order, filed)
    if kind == DocumentKind.WAYBILL:
        waybill = doc
    elif inventory is not None:
        waybill = Waybill.objects.filter(
            logistics_code=inventory.logistics_code,
            logistics_no=inventory.logistics_no,
            app_status=AppStatus.DECLARED,
        ).first()
    present = {
        "order": order is not None,
        "payment": payment is not None and not isinstance(payment, list),
        "waybill": waybill is not None,
        "inventory": inventory is not None,
    }
    answer: dict[str, Any] = {"present": present, "complete": all(present.values()), "failures": []}
    if not answer["complete"]:
        answer["matches"] = None
        return answer
    failures = matching.match(
        buyer_verified=False,
        inventory=inventory,
        inventory_lines=_lines(inventory),
        order=order,
        order_lines=_lines(order),
        payment=payment,
        waybill=waybill,
    )
    reads_words = kind == DocumentKind.INVENTORY or (
        by.enterprise is not None and getattr(inventory, "submitted_by_id", 0) == by.enterprise.pk
    )
    answer["matches"] = not failures
    answer["failures"] = [
        {"rule": f.rule, "field": f.field, **({"message": rendered(f.message)} if reads_words else {})}
        for f in failures
    ]
    return answer


def _order_key(kind: str, data: dict[str, Any], inventory: Any) -> tuple[str, str]:
    if kind in (DocumentKind.ORDER, DocumentKind.PAYMENT, DocumentKind.INVENTORY):
        return data["ebp_code"], data["order_no"]
    if inventory is not None:
        return inventory.ebp_code, inventory.order_no
    return "", ""


def _counted_payment(order: Any, filed: list[Payment]) -> Any:
    """The payment that counts for the order, as the match step picks it; without an order, the last
    one filed for its number (only its presence is told)."""
    if order is None:
        return filed[-1] if filed else None
    return named_payment(order, filed)


def _lines(document: Any) -> list[Any]:
    if isinstance(document, SimpleNamespace):
        return list(document.lines)
    return list(document.items.all())


# --- tax, quota and risk ---------------------------------------------------------------------------------


def _assess(result: CheckResult, data: dict[str, Any]) -> None:
    """The list's tax against today's rates and limits, the buyer's quota left, and what the risk step
    would decide (a hold's reason code only)."""
    today = timezone.localdate()
    limits = finance_selectors.limits_in_force(today)
    quota = BuyerQuota.objects.filter(buyer_id_number=data["buyer_id_number"], year=today.year).first()
    counted = (quota.used + quota.reserved) if quota else Decimal(0)
    assessed = tax.assess(
        lines=[
            tax.TaxLineInput(gnum=i["gnum"], gcode=i["gcode"], qty=i["qty"], total_price=i["total_price"])
            for i in data["items"]
        ],
        freight=data["freight"],
        insured_fee=data["insured_fee"],
        rates=finance_selectors.rates_in_force(today),
        limits=limits,
        annual_used=counted,
    )
    result.tax = {
        "accepted": assessed.accepted,
        "regime": str(assessed.regime),
        "dutiable_value": _money(assessed.dutiable_value),
        "customs_tax": _money(assessed.customs_tax),
        "value_added_tax": _money(assessed.value_added_tax),
        "consumption_tax": _money(assessed.consumption_tax),
        "total": _money(assessed.total),
        "error_code": assessed.error_code or None,
        "reason": rendered(assessed.reason) if not assessed.accepted else "",
        "lines": [
            {
                "gnum": line.gnum,
                "tax_price": _money(line.tax_price),
                "customs_tax": _money(line.customs_tax),
                "value_added_tax": _money(line.value_added_tax),
                "consumption_tax": _money(line.consumption_tax),
            }
            for line in assessed.lines
        ],
    }
    left = max(limits.annual - counted, Decimal(0))
    result.quota = {
        "year": today.year,
        "annual_limit": _money(limits.annual),
        "single_limit": _money(limits.single),
        "counted": _money(counted),
        "left": _money(left),
        "left_after": _money(max(left - assessed.dutiable_value, Decimal(0)) if assessed.accepted else left),
    }
    if not assessed.accepted:
        result.return_info = rendered(assessed.reason)
        return
    result.risk = _risk(data, assessed.dutiable_value)


def _money(value: Decimal) -> str:
    """Amounts as decimal strings to the fen, as the other answers give them."""
    return format(Decimal(value).quantize(Decimal("0.01")), "f")


def _risk(data: dict[str, Any], dutiable_value: Decimal) -> dict[str, Any]:
    payment = _payment_facts(data)
    lines = [SimpleNamespace(**item) for item in data["items"]]
    candidate: Any = SimpleNamespace(
        pk=0,
        ebc_code=data["ebc_code"],
        buyer_id_number=data["buyer_id_number"],
        buyer_name=data["buyer_name"],
        consignee_address=data["consignee_address"],
        dutiable_value=dutiable_value,
        payment=payment,
        items=SimpleNamespace(all=lambda: lines),
        cop_no=data["cop_no"],
    )
    (facts,) = risk_selectors.facts_for([candidate])
    (scored,) = risk_services.score([facts], now=timezone.now())
    threshold = risk_services.hold_threshold()
    hold = scored.score >= threshold or facts.credit_held or bool(facts.negative_list_reason)
    top = max(scored.hits, key=lambda h: h["weight"], default=None)
    # As the risk step words it (risk.services.assess_batch): the top rule of a hold, else its credit.
    code = f"RISK-{top['rule']}" if hold and top else ("CREDIT-HOLD" if hold else None)
    return {"would_hold": hold, "reason_code": code, "credit_level": facts.credit_level or None}


def _payment_facts(data: dict[str, Any]) -> Any:
    return (
        Payment.objects.filter(
            ebp_code=data["ebp_code"], order_no=data["order_no"], app_status=AppStatus.DECLARED
        )
        .order_by("-id")
        .only("payer_id_number", "payer_name")
        .first()
    )
