"""Reads of financial services: the tax reference data (as the plain values `finance.tax` works with),
monthly tax summaries, forex statements, guarantees, financing records, and who may read which."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from declarations.selectors import own_codes
from sharing.choices import AgencyCode
from singlewindow.core.months import month_bounds

from .models import (
    FinancingRequest,
    ForexSettlement,
    RetailLimit,
    TaxBill,
    TaxBillCredit,
    TaxConsolidation,
    TaxGuarantee,
    TaxRate,
    TaxTotalTolerance,
)
from .tax import Limits, Rate


def rates_in_force(on: datetime.date) -> dict[str, Rate]:
    """The rate of every HS prefix on date `on` (one query); where periods overlap the latest start wins."""
    rows = (
        TaxRate.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)
        .order_by("hs_prefix", "valid_from")
        .values_list("hs_prefix", "vat_rate", "consumption_rate", "duty_rate")
    )
    # Ascending valid_from: a later row of the same prefix overwrites an earlier one.
    return {prefix: Rate(vat=vat, consumption=ct, duty=duty) for prefix, vat, ct, duty in rows}


def limits_in_force(on: datetime.date) -> Limits:
    """The retail import limits on date `on`; raises RetailLimit.DoesNotExist before the first regime."""
    row = RetailLimit.objects.filter(valid_from__lte=on).order_by("-valid_from").first()
    if row is None:
        raise RetailLimit.DoesNotExist(f"no retail import limits in force on {on}")
    return Limits(single=row.single_limit, annual=row.annual_limit)


def tax_total_tolerance_in_force(on: datetime.date) -> TaxTotalTolerance | None:
    """The tolerance on the platforms' pre-collected tax on date `on`, or None before the first row."""
    return TaxTotalTolerance.objects.filter(valid_from__lte=on).order_by("-valid_from").first()


# --- centralized taxation, forex statements, an enterprise's record --------------------------------


@dataclass
class TaxSummary:
    """A guarantor's month of withheld tax: the bills of lists released in it, the credits of returns
    completed in it, and what is due."""

    assure_code: str
    year: int
    month: int
    bills: list[TaxBill]
    credits: list[TaxBillCredit]
    consolidation: TaxConsolidation | None

    @property
    def tax_total(self) -> Decimal:
        return sum((b.total for b in self.bills), Decimal(0))

    @property
    def credit_total(self) -> Decimal:
        return sum((c.total for c in self.credits), Decimal(0))

    @property
    def amount_due(self) -> Decimal:
        return self.tax_total - self.credit_total


def tax_summary(*, assure_code: str, year: int, month: int) -> TaxSummary:
    start, end = month_bounds(year, month)
    bills = list(
        TaxBill.objects.filter(assure_code=assure_code, created_at__gte=start, created_at__lt=end)
        .select_related("inventory")
        .order_by("created_at", "id")
    )
    credits = list(
        TaxBillCredit.objects.filter(assure_code=assure_code, created_at__gte=start, created_at__lt=end)
        .select_related("bill")
        .order_by("created_at", "id")
    )
    consolidation = TaxConsolidation.objects.filter(assure_code=assure_code, year=year, month=month).first()
    return TaxSummary(assure_code, year, month, bills, credits, consolidation)


def tax_summary_latest_month(*, assure_code: str) -> tuple[int, int] | None:
    """The latest month (in the zone's time zone) with a tax bill or a credit of the guarantor, or
    None when it has none: the summary opens there rather than on an empty month."""
    latest = [
        model.objects.filter(assure_code=assure_code).aggregate(at=Max("created_at"))["at"]
        for model in (TaxBill, TaxBillCredit)
    ]
    found = [at for at in latest if at is not None]
    if not found:
        return None
    local = timezone.localtime(max(found))
    return local.year, local.month


def forex_statement(*, ebc_codes: Iterable[str], year: int, month: int) -> dict:
    """An exporter's settled proceeds in a month: the settlements and the totals per currency."""
    start, end = month_bounds(year, month)
    rows = list(
        ForexSettlement.objects.filter(ebc_code__in=set(ebc_codes), settled_at__gte=start, settled_at__lt=end)
        .select_related("export_list")
        .order_by("settled_at", "id")
    )
    totals = (
        ForexSettlement.objects.filter(ebc_code__in=set(ebc_codes), settled_at__gte=start, settled_at__lt=end)
        .values("currency")
        .annotate(amount=Sum("amount"), amount_cny=Sum("amount_cny"), lists=Count("id"))
        .order_by("currency")
    )
    return {"settlements": rows, "by_currency": list(totals)}


@dataclass(frozen=True)
class EnterpriseRecord:
    volume_12m: Decimal
    lists_12m: int
    credit_level: str
    credit_rank: int
    dishonest: bool
    on_negative_list: bool


def enterprise_record(enterprise: Any, *, on: datetime.date) -> EnterpriseRecord:
    """What a financing request is judged on: released value over 12 months and the credit level.

    Finance reads credit here, as risk does, because the grade is part of the record."""
    from credit import selectors as credit_selectors
    from declarations.choices import InventoryStatus
    from declarations.models import ExportInventoryList, InventoryList

    since = on - datetime.timedelta(days=365)
    codes = [enterprise.customs_code, enterprise.uscc]
    imports = InventoryList.objects.filter(
        ebc_code__in=codes, status=InventoryStatus.RELEASED, final_at__date__gte=since
    )
    exports = ExportInventoryList.objects.filter(
        ebc_code__in=codes, status=InventoryStatus.RELEASED, final_at__date__gte=since
    )
    imported = imports.aggregate(value=Sum("dutiable_value"), n=Count("id"))
    exported = exports.aggregate(value=Sum("fob_value_cny"), n=Count("id"))
    level = credit_selectors.levels_for([enterprise.pk], on=on)[enterprise.pk]
    return EnterpriseRecord(
        volume_12m=(imported["value"] or Decimal(0)) + (exported["value"] or Decimal(0)),
        lists_12m=imported["n"] + exported["n"],
        credit_level=level.code,
        credit_rank=level.rank,
        dishonest=level.dishonest,
        on_negative_list=enterprise.pk in credit_selectors.on_negative_list([enterprise.pk], on=on),
    )


# A micro-loan up to 10% of a year's volume (capped), scaled down by a weaker credit rank.
FINANCING_SHARE = Decimal("0.10")
FINANCING_CAP = Decimal("5000000")


def financing_limit(record: EnterpriseRecord) -> Decimal:
    if record.dishonest or record.on_negative_list:
        return Decimal(0)
    share = (
        FINANCING_SHARE / max(1, record.credit_rank - 1) if record.credit_rank > 1 else FINANCING_SHARE * 2
    )
    return min(FINANCING_CAP, (record.volume_12m * share).quantize(Decimal("0.01")))


def reads_every_tax_summary(principal: Any) -> bool:
    """Tax and customs officials (and site administrators) read any guarantor's month."""
    return (
        principal.is_agency(AgencyCode.TAX)
        or principal.is_agency(AgencyCode.CUSTOMS)
        or principal.is_superuser
    )


def reads_tax_summaries(principal: Any) -> bool:
    """Who may ask for a tax summary at all: those officials, and an enterprise for its own months."""
    return principal.enterprise is not None or reads_every_tax_summary(principal)


def tax_summary_guarantor(principal: Any, requested: str) -> str | None:
    """The guarantor whose month the caller reads: an official's choice ("" when none is named); an
    enterprise's own code (its customs code unless it names its USCC); None when the code named is
    not the enterprise's. The caller must pass `reads_tax_summaries`."""
    if reads_every_tax_summary(principal):
        return requested
    code = requested or principal.enterprise.customs_code
    return code if code in own_codes(principal.enterprise) else None


def reads_forex_statements(principal: Any) -> bool:
    """An enterprise reads its own forex statements; officials (and site administrators) anyone's."""
    return principal.enterprise is not None or principal.sees_everything


def forex_statement_codes(principal: Any, requested: str) -> set[str]:
    """The exporter codes whose statement the caller reads: an official's choice (none when none is
    named); an enterprise its own, whatever it names."""
    if principal.sees_everything:
        return {requested} if requested else set()
    return set(own_codes(principal.enterprise))


def guarantees_for(*, principal: Any) -> QuerySet[TaxGuarantee]:
    """Officials see every guarantee; a guarantor its own."""
    if principal.sees_everything:
        return TaxGuarantee.objects.order_by("assure_code")
    enterprise = principal.enterprise
    if enterprise is None:
        return TaxGuarantee.objects.none()
    return TaxGuarantee.objects.filter(assure_code__in=[enterprise.customs_code, enterprise.uscc]).order_by(
        "assure_code"
    )


def financing_requests_for(*, principal: Any) -> QuerySet[FinancingRequest]:
    """An enterprise's own requests; officials see all."""
    qs = FinancingRequest.objects.select_related("enterprise").order_by("-id")
    if principal.sees_everything:
        return qs
    if principal.enterprise is None:
        return qs.none()
    return qs.filter(enterprise=principal.enterprise)
