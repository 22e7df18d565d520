"""Customs: parties registered and approved, HS codes in the tariff, supervision-mode rules, tax
recomputed and compared, limits, and selection for inspection at the enterprise's rate.

Lists drawn for inspection by the risk step ("double random") answer 500. Answers with the CEB622
status codes: 120 accepted -> 399 review concluded -> 800 released (sent at fan-in, when every agency
agreed), or the negative business error code of a refusal (DOMAIN 4.1, 4.3), or 500 inspection.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from singlewindow.core.texts import Text, gettext_noop

from ..choices import AgencyCode, ReturnStatus
from .base import (
    INSPECT,
    RELEASE,
    Decision,
    DeclaredExport,
    DeclaredList,
    refused,
    scenario_decision,
    simulate_network,
)

CENT = Decimal("0.01")


class Code(StrEnum):
    """The business error codes customs refuses with, sent as the returnStatus (DOMAIN 4.3)."""

    UNREGISTERED = "-10102"  # invalid enterprise code: not a registered, approved enterprise
    NEGATIVE_LIST = "-10103"
    NOT_IN_TARIFF = "-621010"
    NOT_A_WAREHOUSE = "-621020"
    STOCK_SHORT = "-621021"
    TAX_MISMATCH = "-621030"
    EXPORT_NOT_IN_TARIFF = "-603010"
    B2B_OVER_SIMPLIFIED = "-603020"
    NOT_AN_OVERSEAS_WAREHOUSE = "-603030"
    OVERSEAS_WAREHOUSE_NOT_THE_EXPORTERS = "-603031"
    OVERSEAS_WAREHOUSE_ELSEWHERE = "-603032"


@dataclass(frozen=True)
class TaxTotalTolerance:
    """How far a non-zero pre-collected tax may be from customs' figure, as a share of it, and the
    source of that rule (a dated row an official keeps, DOMAIN 5.3 R12 [S])."""

    share: Decimal
    source: str | Text


def tax_total_problem(pre_collected: Decimal, computed: Decimal, tolerance: TaxTotalTolerance) -> Text | None:
    """Why the order's pre-collected tax (CEB311 taxTotal) is refused, or None (DOMAIN 6.5).

    0 is accepted: the platform withheld nothing and the tax is paid on the bill (by the buyer, or the
    guarantor). Any other amount is what the platform took from the buyer, so it must be customs' tax
    within the tolerance, plus a cent for rounding.
    """
    if pre_collected == 0:
        return None
    if abs(pre_collected - computed) <= computed * tolerance.share + CENT:
        return None
    percent = f"{(tolerance.share * 100).normalize():f}%"
    return Text(
        gettext_noop(
            "order.tax_total %(collected)s differs from the tax %(computed)s by more than %(percent)s "
            "(%(source)s)"
        ),
        collected=f"{pre_collected:.2f}",
        computed=f"{computed:.2f}",
        percent=percent,
        source=tolerance.source,
    )


@dataclass(frozen=True)
class TaxCheck:
    total: Decimal
    error_code: str | None  # a negative business code
    reason: str | Text


@dataclass
class CustomsContext:
    registered: set[str]  # codes (customs code and USCC) of approved enterprises
    warehouses: set[str]  # codes of approved warehouse operators (area_code of 1210 lists)
    tariff_has: Callable[[str], bool]  # is this 10-digit code in the tariff table?
    recompute_tax: Callable[[DeclaredList], TaxCheck]
    tax_total_tolerance: TaxTotalTolerance
    selected_for_inspection: set[int] = field(default_factory=set)  # drawn by the risk step
    bonded_stock_ok: Callable[[DeclaredList], str | Text | None] = lambda declared: None
    extra: dict[str, Any] = field(default_factory=dict)


def decide(lists: Sequence[DeclaredList], context: CustomsContext) -> list[Decision]:
    simulate_network(AgencyCode.CUSTOMS, lists)
    decisions = []
    for declared in lists:
        decisions.append(_decide_one(declared, context))
    return decisions


# The parties customs checks, named in its reasons.
PLATFORM = Text(gettext_noop("e-commerce platform"))
ECOMMERCE = Text(gettext_noop("e-commerce enterprise"))
AGENT = Text(gettext_noop("declaring agent"))
LOGISTICS = Text(gettext_noop("logistics enterprise"))
REVIEW_CONCLUDED = Text(gettext_noop("Review concluded"))


def unregistered(role: Text, code: str) -> Text:
    return Text(
        gettext_noop("%(role)s %(code)s is not a registered, approved enterprise"), role=role, code=code
    )


def not_in_tariff(gnum: int, gcode: str) -> Text:
    return Text(
        gettext_noop("line %(gnum)s: commodity code %(gcode)s is not in the tariff"), gnum=gnum, gcode=gcode
    )


def _reject(declared: DeclaredList, code: str, info: str | Text) -> Decision:
    return refused(declared.id, code, info)


def _decide_one(declared: DeclaredList, context: CustomsContext) -> Decision:
    if declared.scenario and (chosen := scenario_decision(declared)) is not None:
        return chosen
    for role, code in (
        (PLATFORM, declared.ebp_code),
        (ECOMMERCE, declared.ebc_code),
        (AGENT, declared.agent_code),
        (LOGISTICS, declared.logistics_code),
    ):
        if code not in context.registered:
            return _reject(declared, Code.UNREGISTERED, unregistered(role, code))
    for line in declared.lines:
        if not context.tariff_has(line.gcode):
            return _reject(declared, Code.NOT_IN_TARIFF, not_in_tariff(line.gnum, line.gcode))
    if declared.trade_mode == "1210":
        if declared.area_code not in context.warehouses:
            return _reject(
                declared,
                Code.NOT_A_WAREHOUSE,
                Text(
                    gettext_noop("bonded warehouse %(code)s is not a registered warehouse"),
                    code=declared.area_code,
                ),
            )
        if problem := context.bonded_stock_ok(declared):
            return _reject(declared, Code.STOCK_SHORT, problem)
    check = context.recompute_tax(declared)
    if check.error_code:
        return _reject(declared, check.error_code, check.reason)
    if abs(check.total - declared.tax_amount) > CENT:
        return _reject(
            declared,
            Code.TAX_MISMATCH,
            Text(
                gettext_noop("tax on the list %(listed)s != customs' %(computed)s"),
                listed=declared.tax_amount,
                computed=check.total,
            ),
        )
    if problem := tax_total_problem(declared.order_tax_total, check.total, context.tax_total_tolerance):
        return _reject(declared, Code.TAX_MISMATCH, problem)
    if declared.id in context.selected_for_inspection:
        return Decision(
            declared.id,
            INSPECT,
            ReturnStatus.INSPECTION,
            Text(gettext_noop("Selected for physical inspection")),
        )
    return Decision(declared.id, RELEASE, ReturnStatus.REVIEW_CONCLUDED, REVIEW_CONCLUDED)


# --- export (CEB603 -> CEB604; DOMAIN 3.4, 3.6) ---------------------------------------------------

# A B2B (9710/9810) shipment over this value goes through a summary declaration (B), not simplified (A).
B2B_SIMPLIFIED_LIMIT_CNY = Decimal(5000)
# Digits of the commodity code that must be real in a simplified (A) list (DOMAIN 3.6).
SIMPLIFIED_DIGITS = {"9610": 4, "9710": 6, "9810": 6}


@dataclass
class ExportCustomsContext:
    registered: set[str]
    tariff_has: Callable[[str], bool]
    # overseas warehouse code -> (operator codes, country) of approved overseas warehouses
    overseas_warehouses: dict[str, tuple[set[str], str]]
    held: dict[str, str | Text] = field(default_factory=dict)  # enterprise code -> negative-list reason


def decide_export(lists: Sequence[DeclaredExport], context: ExportCustomsContext) -> list[Decision]:
    simulate_network(AgencyCode.CUSTOMS, lists)
    return [_decide_export_one(declared, context) for declared in lists]


def _decide_export_one(declared: DeclaredExport, context: ExportCustomsContext) -> Decision:
    if declared.scenario and (chosen := scenario_decision(declared)) is not None:
        return chosen

    def reject(code: str, info: Text) -> Decision:
        return refused(declared.id, code, info)

    for role, code in (
        (ECOMMERCE, declared.ebc_code),
        (AGENT, declared.agent_code),
        (LOGISTICS, declared.logistics_code),
    ):
        if code not in context.registered:
            return reject(Code.UNREGISTERED, unregistered(role, code))
        if code in context.held:
            return reject(
                Code.NEGATIVE_LIST,
                Text(
                    gettext_noop("%(role)s %(code)s is on the negative list: %(reason)s"),
                    role=role,
                    code=code,
                    reason=context.held[code],
                ),
            )
    for line in declared.lines:
        if declared.statistics_flag == "A":
            digits = SIMPLIFIED_DIGITS[declared.trade_mode]
            known = context.tariff_has(line.gcode[:digits].ljust(10, "0"))
        else:
            known = context.tariff_has(line.gcode)
        if not known:
            return reject(Code.EXPORT_NOT_IN_TARIFF, not_in_tariff(line.gnum, line.gcode))
    if (
        declared.trade_mode in ("9710", "9810")
        and declared.statistics_flag == "A"
        and declared.value_cny > B2B_SIMPLIFIED_LIMIT_CNY
    ):
        return reject(
            Code.B2B_OVER_SIMPLIFIED,
            Text(
                gettext_noop(
                    "a B2B shipment of CNY %(value)s (over %(limit)s) is declared for summary "
                    "(statistics_flag B)"
                ),
                value=declared.value_cny,
                limit=f"{B2B_SIMPLIFIED_LIMIT_CNY:,}",
            ),
        )
    if declared.trade_mode == "9810":
        warehouse = context.overseas_warehouses.get(declared.warehouse_code)
        if warehouse is None:
            return reject(
                Code.NOT_AN_OVERSEAS_WAREHOUSE,
                Text(
                    gettext_noop("overseas warehouse %(code)s is not a registered, approved warehouse"),
                    code=declared.warehouse_code,
                ),
            )
        operators, country = warehouse
        if declared.ebc_code not in operators:
            return reject(
                Code.OVERSEAS_WAREHOUSE_NOT_THE_EXPORTERS,
                Text(
                    gettext_noop("overseas warehouse %(code)s is not registered to the exporter"),
                    code=declared.warehouse_code,
                ),
            )
        if country != declared.country:
            return reject(
                Code.OVERSEAS_WAREHOUSE_ELSEWHERE,
                Text(
                    gettext_noop(
                        "overseas warehouse %(code)s is in %(country)s, the list goes to %(destination)s"
                    ),
                    code=declared.warehouse_code,
                    country=country,
                    destination=declared.country,
                ),
            )
    return Decision(declared.id, RELEASE, ReturnStatus.REVIEW_CONCLUDED, REVIEW_CONCLUDED)


# --- CEB701 summary application -> CEB792 summary result ------------------------------------------


@dataclass(frozen=True)
class SummaryLine:
    invt_no: str
    logistics_no: str
    gnum: int
    gcode: str
    statistics_flag: str
    released: bool


def summarise(lines: Sequence[SummaryLine], *, sum_no: str) -> tuple[Text | None, list[dict[str, Any]]]:
    """Customs consolidates released B-type lists into one declaration: (refusal, CEB792 lines)."""
    if not lines:
        return Text(gettext_noop("no released lists to summarise")), []
    for line in lines:
        if not line.released:
            return Text(gettext_noop("list %(invt_no)s is not released"), invt_no=line.invt_no), []
        if line.statistics_flag != "B":
            return (
                Text(
                    gettext_noop("list %(invt_no)s was a simplified declaration (A) and is not summarised"),
                    invt_no=line.invt_no,
                ),
                [],
            )
    ordered = sorted(lines, key=lambda x: (x.invt_no, x.gnum))
    return None, [
        {"invt_no": x.invt_no, "logistics_no": x.logistics_no, "gseqno": n, "gnum": x.gnum, "gcode": x.gcode}
        for n, x in enumerate(ordered, start=1)
    ]
