"""Tax: the guarantor exists and its tax guarantee covers the tax. Lists are taken in order and each
one reserves its tax from what is left, so one batch cannot overdraw a guarantee; the reservation
is drawn down at release or given back at rejection by the clearance pipeline.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from singlewindow.core.texts import Text, gettext_noop

from ..choices import AgencyCode, ReturnStatus
from .base import REJECT, RELEASE, Decision, DeclaredExport, DeclaredList, simulate_network


@dataclass
class TaxContext:
    available: dict[str, Decimal]  # guarantor code -> guarantee amount not yet used or reserved


def decide(lists: Sequence[DeclaredList], context: TaxContext) -> list[Decision]:
    simulate_network(AgencyCode.TAX, lists)
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
                    Text(gettext_noop("guarantor %(code)s has no tax guarantee"), code=declared.assure_code),
                )
            )
        elif balance < declared.tax_amount:
            decisions.append(
                Decision(
                    declared.id,
                    REJECT,
                    ReturnStatus.REJECTED,
                    Text(
                        gettext_noop(
                            "tax guarantee of %(code)s has %(balance)s left, the list needs %(tax)s"
                        ),
                        code=declared.assure_code,
                        balance=balance,
                        tax=declared.tax_amount,
                    ),
                )
            )
        else:
            left[declared.assure_code] = balance - declared.tax_amount
            decisions.append(
                Decision(
                    declared.id,
                    RELEASE,
                    ReturnStatus.REVIEW_CONCLUDED,
                    Text(gettext_noop("Tax guaranteed")),
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


def export_exemption(declared: DeclaredExport, context: ExportTaxContext) -> Text | None:
    """Why the list is exempt from export VAT without an invoice, or None when it is not."""
    if declared.trade_mode not in ("9610", "9710", "9810"):
        return None
    if declared.ebc_code not in context.eligible_exporters:
        return None
    if any(line.gcode[:2] in context.excluded_chapters for line in declared.lines):
        return None
    return Text(
        gettext_noop("%(mode)s export by a zone-registered exporter: no invoice, VAT exempt"),
        mode=declared.trade_mode,
    )


def decide_export(lists: Sequence[DeclaredExport], context: ExportTaxContext) -> list[Decision]:
    simulate_network(AgencyCode.TAX, lists)
    decisions = []
    for declared in lists:
        basis = export_exemption(declared, context)
        info = basis or Text(gettext_noop("Export VAT: ordinary rules (invoice and rebate), no exemption"))
        decisions.append(Decision(declared.id, RELEASE, ReturnStatus.REVIEW_CONCLUDED, info))
    return decisions
