"""Step 6, contexts: what each simulated authority knows when it decides on a batch, read in a few
queries per batch (never per list), for imports and for exports."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from credit import selectors as credit_selectors
from finance import selectors as finance_selectors
from finance import tax
from finance.ledgers import exchange_rates_today
from finance.models import BuyerQuota, QuotaUse, TaxGuarantee
from logistics import services as logistics_services
from logistics.models import Warehouse
from risk.models import RiskAssessment
from sharing.adapters import DeclaredExport, DeclaredList
from sharing.adapters import customs as customs_adapter
from sharing.adapters import forex as forex_adapter
from sharing.adapters import inspection as inspection_adapter
from sharing.adapters import tax as tax_adapter
from sharing.choices import AgencyCode, EnterpriseRole, EnterpriseStatus
from sharing.models import (
    Enterprise,
    ExchangeRate,
    ForexPurchase,
    OverseasProducer,
    PaymentLicence,
    PositiveListEntry,
)
from singlewindow.core.texts import Text, gettext_noop

USD = "502"
# Destination countries refusing some goods of Chinese origin (HS chapters), as published by the
# inspection authority; a register in a real zone, a fixed table in the simulation.
EXPORT_BANS = {"601": {"01", "02"}, "609": {"01", "02", "04"}}
# Goods never exempt from export VAT without an invoice: mineral fuels (27), arms (93).
VAT_EXCLUDED_CHAPTERS = {"27", "93"}


def stock_claim(declared: DeclaredList) -> logistics_services.StockClaim | None:
    """The bonded goods a 1210 list takes out of its warehouse's stock, by item record number (None for
    other modes)."""
    if declared.trade_mode != "1210":
        return None
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in declared.lines:
        totals[line.item_record_no] += line.qty
    return logistics_services.StockClaim(declared.id, declared.ems_no, dict(totals))


def _approved(codes: set[str]) -> Any:
    return Enterprise.objects.filter(
        Q(customs_code__in=codes) | Q(uscc__in=codes), status=EnterpriseStatus.APPROVED
    )


# --- imports ----------------------------------------------------------------------------------------


def customs_context(declared: Sequence[DeclaredList]) -> customs_adapter.CustomsContext:
    codes = {
        c
        for d in declared
        for c in (d.ebp_code, d.ebc_code, d.agent_code, d.logistics_code, d.area_code)
        if c
    }
    registered: set[str] = set()
    warehouses: set[str] = set()
    for enterprise in _approved(codes).only("customs_code", "uscc", "roles"):
        registered |= {enterprise.customs_code, enterprise.uscc}
        if EnterpriseRole.WAREHOUSE in enterprise.roles:
            warehouses |= {enterprise.customs_code, enterprise.uscc}
    today = timezone.localdate()
    rates = finance_selectors.rates_in_force(today)
    limits = finance_selectors.limits_in_force(today)
    tolerance = finance_selectors.tax_total_tolerance_in_force(today)
    own = dict(
        QuotaUse.objects.filter(
            inventory_id__in=[d.id for d in declared], state=QuotaUse.State.RESERVED
        ).values_list("inventory_id", "amount")
    )
    quota = {
        q.buyer_id_number: q.used + q.reserved
        for q in BuyerQuota.objects.filter(
            buyer_id_number__in={d.buyer_id_number for d in declared}, year=today.year
        )
    }

    def recompute(d: DeclaredList) -> customs_adapter.TaxCheck:
        result = tax.assess(
            lines=[
                tax.TaxLineInput(gnum=line.gnum, gcode=line.gcode, qty=line.qty, total_price=line.total_price)
                for line in d.lines
            ],
            freight=d.freight,
            insured_fee=d.insured_fee,
            rates=rates,
            limits=limits,
            annual_used=quota.get(d.buyer_id_number, Decimal(0)) - own.get(d.id, Decimal(0)),
        )
        # A code without a rate is customs' own refusal of a code not in the tariff.
        code = (
            customs_adapter.Code.NOT_IN_TARIFF
            if result.error_code == tax.UNKNOWN_HS_CODE
            else result.error_code
        )
        return customs_adapter.TaxCheck(result.total, code, result.reason)

    claims = {d.id: claim for d in declared if (claim := stock_claim(d)) is not None}
    books, stock = logistics_services.stock_snapshot(list(claims.values()))

    def bonded_stock_ok(d: DeclaredList) -> Text | None:
        return logistics_services.stock_shortage(claims[d.id], warehouses=books, items=stock)

    # The "double random" draw of the risk step selected these lists for physical inspection.
    selected = set(
        RiskAssessment.objects.filter(
            inventory_id__in=[d.id for d in declared], selected_for_inspection=True
        ).values_list("inventory_id", flat=True)
    )
    return customs_adapter.CustomsContext(
        registered=registered,
        warehouses=warehouses,
        tariff_has=lambda gcode: tax.rate_for(gcode, rates) is not None,
        recompute_tax=recompute,
        # No row in force: no tolerance, customs asks for its own tax to the cent.
        tax_total_tolerance=customs_adapter.TaxTotalTolerance(tolerance.share, tolerance.source)
        if tolerance
        else customs_adapter.TaxTotalTolerance(
            Decimal(0), Text(gettext_noop("no tolerance in force on %(date)s"), date=today)
        ),
        selected_for_inspection=selected,
        bonded_stock_ok=bonded_stock_ok,
    )


def inspection_context(declared: Sequence[DeclaredList]) -> inspection_adapter.InspectionContext:
    producers: dict[str, set[str]] = defaultdict(set)
    for prefix, categories in OverseasProducer.objects.values_list("gs1_prefix", "categories"):
        for category in categories.split(","):
            producers[category.strip()].add(prefix)
    return inspection_adapter.InspectionContext(
        positive_list=dict(PositiveListEntry.objects.values_list("hs_prefix", "category")),
        producers=dict(producers),
    )


def tax_context(declared: Sequence[DeclaredList]) -> tax_adapter.TaxContext:
    guarantees = TaxGuarantee.objects.filter(assure_code__in={d.assure_code for d in declared})
    return tax_adapter.TaxContext(available={g.assure_code: g.available for g in guarantees})


def forex_context(declared: Sequence[DeclaredList]) -> forex_adapter.ForexContext:
    today = timezone.localdate()
    licensed = set(
        PaymentLicence.objects.filter(
            pay_code__in={d.pay_code for d in declared}, valid_until__gte=today
        ).values_list("pay_code", flat=True)
    )
    rate = ExchangeRate.objects.filter(currency=USD, valid_from__lte=today).order_by("-valid_from").first()
    used = dict(
        ForexPurchase.objects.filter(
            payer_id_number__in={d.payer_id_number for d in declared}, year=today.year
        ).values_list("payer_id_number", "usd_total")
    )
    return forex_adapter.ForexContext(
        licensed=licensed, cny_per_usd=rate.cny_per_unit if rate else Decimal("7.1"), used_usd=used
    )


# --- exports ----------------------------------------------------------------------------------------


def export_customs_context(declared: Sequence[DeclaredExport]) -> customs_adapter.ExportCustomsContext:
    codes = {c for d in declared for c in (d.ebc_code, d.agent_code, d.logistics_code) if c}
    registered: set[str] = set()
    ids: dict[int, tuple[str, str]] = {}
    for enterprise in _approved(codes).only("customs_code", "uscc"):
        registered |= {enterprise.customs_code, enterprise.uscc}
        ids[enterprise.pk] = (enterprise.customs_code, enterprise.uscc)
    held: dict[str, str | Text] = {}
    for pk, entry in credit_selectors.on_negative_list(list(ids), on=timezone.localdate()).items():
        for code in ids[pk]:
            held[code] = entry.reason or Text(gettext_noop("negative list"))
    rates = finance_selectors.rates_in_force(timezone.localdate())
    overseas: dict[str, tuple[set[str], str]] = {}
    for warehouse in Warehouse.objects.filter(
        code__in={d.warehouse_code for d in declared if d.warehouse_code},
        kind=Warehouse.Kind.OVERSEAS,
        status=Warehouse.Status.APPROVED,
    ).select_related("operator"):
        overseas[warehouse.code] = (
            {warehouse.operator.customs_code, warehouse.operator.uscc},
            warehouse.country,
        )
    return customs_adapter.ExportCustomsContext(
        registered=registered,
        tariff_has=lambda gcode: tax.rate_for(gcode, rates) is not None,
        overseas_warehouses=overseas,
        held=held,
    )


def export_inspection_context(
    declared: Sequence[DeclaredExport],
) -> inspection_adapter.ExportInspectionContext:
    return inspection_adapter.ExportInspectionContext(banned=EXPORT_BANS)


def export_tax_context(declared: Sequence[DeclaredExport]) -> tax_adapter.ExportTaxContext:
    eligible: set[str] = set()
    for customs_code, uscc in _approved({d.ebc_code for d in declared}).values_list("customs_code", "uscc"):
        eligible |= {customs_code, uscc}
    return tax_adapter.ExportTaxContext(eligible_exporters=eligible, excluded_chapters=VAT_EXCLUDED_CHAPTERS)


def export_forex_context(declared: Sequence[DeclaredExport]) -> forex_adapter.ExportForexContext:
    licensed = set(
        PaymentLicence.objects.filter(
            pay_code__in={d.pay_code for d in declared if d.pay_code}, valid_until__gte=timezone.localdate()
        ).values_list("pay_code", flat=True)
    )
    return forex_adapter.ExportForexContext(licensed=licensed, cny_per_unit=exchange_rates_today())


IMPORT_CONTEXTS: dict[str, Callable[[Any], Any]] = {
    AgencyCode.CUSTOMS: customs_context,
    AgencyCode.INSPECTION: inspection_context,
    AgencyCode.TAX: tax_context,
    AgencyCode.FOREX: forex_context,
}
EXPORT_CONTEXTS: dict[str, Callable[[Any], Any]] = {
    AgencyCode.CUSTOMS: export_customs_context,
    AgencyCode.INSPECTION: export_inspection_context,
    AgencyCode.TAX: export_tax_context,
    AgencyCode.FOREX: export_forex_context,
}
