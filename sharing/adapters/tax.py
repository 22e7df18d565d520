"""Tax: the guarantor exists and its tax guarantee covers the tax. Lists are taken in order and each
one reserves its tax from what is left, so one batch cannot overdraw a guarantee; the reservation
is drawn down at release or given back at rejection by the clearance pipeline.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..choices import AgencyCode, ReturnStatus
from .base import REJECT, RELEASE, Decision, DeclaredExport, DeclaredList, simulate_network


@dataclass
class TaxContext:
    available: dict[str, Decimal]  # guarantor code -> guarantee amount not yet used or reserved


def decide(lists: Sequence[DeclaredList], context: TaxContext) -> list[Decision]:
    simulate_network(AgencyCode.TAX)
    left = dict(context.available)
    decisions = []
    for declared in lists:
        balance = left.get(declared.assure_code)
        if balance is None:
            decisions.append(
                Decision(
                    declared.id,
                    REJECT,
                    ReturnStatus.REJECTED,
                    f"guarantor {declared.assure_code} has no tax guarantee",
                )
            )
        elif balance < declared.tax_amount:
            decisions.append(
                Decision(
                    declared.id,
                    REJECT,
                    ReturnStatus.REJECTED,
                    f"tax guarantee of {declared.assure_code} has {balance} left, "
                    f"the list needs {declared.tax_amount}",
                )
            )
        else:
            left[declared.assure_code] = balance - declared.tax_amount
            decisions.append(
                Decision(
                    declared.id,
                    RELEASE,
                    ReturnStatus.REVIEW_CONCLUDED,
                    "Tax guaranteed",
                    amounts={"tax": declared.tax_amount},
                )
            )
    return decisions


# --- export: VAT exemption ("no invoice, tax exempt") -----------------------------------------------


@dataclass
class ExportTaxContext:
    # Exporters registered in the zone (approved) may use the exemption; some goods never can.
    eligible_exporters: set[str]
    excluded_chapters: set[str]


def export_exemption(declared: DeclaredExport, context: ExportTaxContext) -> str | None:
    """Why the list is exempt from export VAT without an invoice, or None when it is not."""
    if declared.trade_mode not in ("9610", "9710", "9810"):
        return None
    if declared.ebc_code not in context.eligible_exporters:
        return None
    if any(line.gcode[:2] in context.excluded_chapters for line in declared.lines):
        return None
    return f"{declared.trade_mode} export by a zone-registered exporter: no invoice, VAT exempt"


def decide_export(lists: Sequence[DeclaredExport], context: ExportTaxContext) -> list[Decision]:
    simulate_network(AgencyCode.TAX)
    decisions = []
    for declared in lists:
        basis = export_exemption(declared, context)
        info = basis or "Export VAT: ordinary rules (invoice and rebate), no exemption"
        decisions.append(Decision(declared.id, RELEASE, ReturnStatus.REVIEW_CONCLUDED, info[:1000]))
    return decisions
