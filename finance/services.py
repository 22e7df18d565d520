"""Writes of financial services: consolidating a month of withheld tax, guarantee top-ups and the
low-guarantee warning, and financing requests."""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sharing.choices import AgencyCode, NotificationKind
from sharing.models import Enterprise
from sharing.principal import Principal
from sharing.services import audit_record, notification_create
from singlewindow.core import months
from singlewindow.core.errors import ServiceError
from singlewindow.core.texts import Text, gettext_noop

from . import selectors
from .models import (
    FinancingRequest,
    GuaranteeTopUp,
    TaxBill,
    TaxBillCredit,
    TaxConsolidation,
    TaxGuarantee,
)


class FinanceRefused(ServiceError):
    """A request that breaks a rule: `.fields` names the fields; `.status` is the HTTP answer (400
    unless said)."""

    code = "refused"


def _is_official_of(by: Principal, *codes: str) -> bool:
    """An official of one of these agencies, or a site administrator."""
    return by.is_superuser or any(by.is_agency(code) for code in codes)


def may_act_for_tax(by: Principal) -> bool:
    """Tax officials consolidate months and top up guarantees."""
    return _is_official_of(by, AgencyCode.TAX)


def may_decide_financing(by: Principal) -> bool:
    """Financial services officers decide financing requests."""
    return _is_official_of(by, AgencyCode.FINANCE)


def _require_agency(by: Principal, *codes: str) -> None:
    if not _is_official_of(by, *codes):
        raise PermissionError(
            _("Only officials of %(agencies)s may do this.") % {"agencies": ", ".join(codes)}
        )


def tax_consolidate(
    *, assure_code: str, year: int, month: int, by: Principal
) -> tuple[TaxConsolidation, bool]:
    """A tax official consolidates a guarantor's finished month into one payment form: its bills go from
    generated (1) to consolidated (2), CEB818. Idempotent: the month is consolidated once."""
    _require_agency(by, AgencyCode.TAX)
    if not months.is_over(year, month):
        raise FinanceRefused({"month": [_("Only a month that is over can be consolidated.")]}, status=409)
    with transaction.atomic():
        existing = TaxConsolidation.objects.filter(assure_code=assure_code, year=year, month=month).first()
        if existing is not None:
            return existing, False
        summary = selectors.tax_summary(assure_code=assure_code, year=year, month=month)
        if not summary.bills and not summary.credits:
            raise FinanceRefused({"month": [_("This guarantor has no tax bills in that month.")]}, status=404)
        consolidation = TaxConsolidation.objects.create(
            assure_code=assure_code,
            year=year,
            month=month,
            ent_duty_no=f"JK{assure_code[-10:]}{year:04d}{month:02d}",
            bill_count=len(summary.bills),
            tax_total=summary.tax_total,
            credit_total=summary.credit_total,
            amount_due=summary.amount_due,
            consolidated_by=by.user if by.user and by.user.is_authenticated else None,
        )
        TaxBill.objects.filter(pk__in=[b.pk for b in summary.bills], status=TaxBill.Status.GENERATED).update(
            status=TaxBill.Status.CONSOLIDATED,
            ent_duty_no=consolidation.ent_duty_no,
            consolidation=consolidation,
        )
        TaxBill.objects.filter(pk__in=[b.pk for b in summary.bills]).exclude(
            status=TaxBill.Status.GENERATED
        ).update(consolidation=consolidation)
        TaxBillCredit.objects.filter(pk__in=[c.pk for c in summary.credits]).update(
            consolidation=consolidation
        )
        audit_record(
            actor=by,
            action="tax.consolidated",
            obj=consolidation,
            due=str(consolidation.amount_due),
            bills=consolidation.bill_count,
        )
    return consolidation, True


def guarantee_top_up(
    *, guarantee: TaxGuarantee, amount: Decimal, reference: str, by: Principal
) -> GuaranteeTopUp:
    """A tax official raises a guarantee; idempotent per bank guarantee reference."""
    _require_agency(by, AgencyCode.TAX)
    if amount <= 0:
        raise FinanceRefused({"amount": [_("A top-up is a positive amount.")]})
    with transaction.atomic():
        existing = GuaranteeTopUp.objects.filter(guarantee=guarantee, reference=reference).first()
        if existing is not None:
            return existing
        TaxGuarantee.objects.filter(pk=guarantee.pk).update(amount=F("amount") + amount, low_warned_at=None)
        top_up = GuaranteeTopUp.objects.create(
            guarantee=guarantee, amount=amount, reference=reference, by=by.user if by.user else None
        )
        audit_record(actor=by, action="guarantee.topped_up", obj=guarantee, amount=str(amount), ref=reference)
    guarantee.refresh_from_db()
    return top_up


def guarantees_warn_low(assure_codes: Iterable[str]) -> int:
    """Warn each guarantor whose guarantee has less than 20% left, once until it is topped up."""
    warned = 0
    now = timezone.now()
    for guarantee in TaxGuarantee.objects.filter(
        assure_code__in=set(assure_codes), low_warned_at__isnull=True
    ):
        if not guarantee.is_low:
            continue
        owner = Enterprise.objects.filter(customs_code=guarantee.assure_code).first()
        if owner is None:
            owner = Enterprise.objects.filter(uscc=guarantee.assure_code).first()
        if TaxGuarantee.objects.filter(pk=guarantee.pk, low_warned_at__isnull=True).update(low_warned_at=now):
            if owner is not None:
                notification_create(
                    enterprise_id=owner.pk,
                    kind=NotificationKind.GUARANTEE_LOW,
                    # Texts: kept in Chinese and English, read in the reader's language.
                    subject=Text(gettext_noop("Tax guarantee running low")),
                    reason=Text(
                        gettext_noop("%(left)s of %(amount)s left (under 20%%); ask customs to top it up."),
                        left=guarantee.available,
                        amount=guarantee.amount,
                    ),
                    dedupe_key=f"guarantee-low:{guarantee.pk}:{now:%Y%m%d%H%M%S%f}",
                )
            warned += 1
    return warned


def financing_apply(
    *, enterprise: Enterprise, kind: str, amount: Decimal, term_months: int, purpose: str, by: Principal
) -> FinancingRequest:
    """An enterprise applies for a micro-loan or credit insurance; its record is kept with the request."""
    if by.enterprise is None or by.enterprise.pk != enterprise.pk or not enterprise.is_approved:
        raise PermissionError(_("An approved enterprise applies for itself."))
    if FinancingRequest.objects.filter(
        enterprise=enterprise, kind=kind, status=FinancingRequest.Status.SUBMITTED
    ).exists():
        raise FinanceRefused(
            {"kind": [_("A request of this kind is already waiting for a decision.")]}, status=409
        )
    record = selectors.enterprise_record(enterprise, on=timezone.localdate())
    request = FinancingRequest.objects.create(
        enterprise=enterprise,
        kind=kind,
        amount=amount,
        term_months=term_months,
        purpose=purpose,
        volume_12m=record.volume_12m,
        lists_12m=record.lists_12m,
        credit_level=record.credit_level,
        suggested_limit=selectors.financing_limit(record),
    )
    audit_record(actor=by, action="financing.applied", obj=request, amount=str(amount), kind=kind)
    return request


# A financing decision as its enterprise reads it, in their language.
FINANCING_DECIDED = {
    "approved": gettext_noop("Financing request approved"),
    "declined": gettext_noop("Financing request declined"),
}


def financing_decide(
    *, request: FinancingRequest, approve: bool, note: str, by: Principal
) -> FinancingRequest:
    """A financial services officer decides. An approval above the suggested limit needs a note saying
    why; an enterprise on the negative list or of a dishonest level is not financed."""
    _require_agency(by, AgencyCode.FINANCE)
    if approve and request.suggested_limit <= 0:
        raise FinanceRefused(
            {"approve": [_("The enterprise's record (credit level or negative list) rules out financing.")]}
        )
    if approve and request.amount > request.suggested_limit and not note.strip():
        raise FinanceRefused(
            {"note": [_("The amount is above the suggested limit: say why it is approved.")]}
        )
    with transaction.atomic():
        updated = FinancingRequest.objects.filter(
            pk=request.pk, status=FinancingRequest.Status.SUBMITTED
        ).update(
            status=FinancingRequest.Status.APPROVED if approve else FinancingRequest.Status.DECLINED,
            decision_note=note[:500],
            decided_by=by.user if by.user else None,
            decided_at=timezone.now(),
        )
        if not updated:
            raise FinanceRefused({"status": [_("This request was already decided.")]}, status=409)
        request.refresh_from_db()
        notification_create(
            enterprise_id=request.enterprise_id,
            kind=NotificationKind.FINANCING_DECIDED,
            subject=Text(FINANCING_DECIDED[request.status]),
            reason=note or Text(FINANCING_DECIDED[request.status]),
            dedupe_key=f"financing:{request.pk}",
        )
        audit_record(actor=by, action=f"financing.{request.status}", obj=request, note=note[:200])
    return request


__all__ = [
    "FinanceRefused",
    "may_act_for_tax",
    "may_decide_financing",
    "financing_apply",
    "financing_decide",
    "guarantee_top_up",
    "guarantees_warn_low",
    "tax_consolidate",
]
