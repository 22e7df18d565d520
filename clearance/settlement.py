"""Step 9, settlement: the ledgers of an outcome, for imports and for exports.

Holds while an agency answers (tax guarantees, forex allowances, bonded stock) and, at the fan-in or an
inspection's conclusion, what a release draws and a refusal gives back (quota, guarantees, forex, stock),
tax bills, forex settlements, VAT exemptions and credit events. The arithmetic is the owning apps'
(`finance.ledgers`, `logistics.services`, `credit.services`); this module decides who holds what.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from credit.models import CreditEvent
from declarations.choices import InventoryStatus, ReturnStatus
from declarations.models import ExportInventoryList, InventoryList, Payment, ReceiptOfPayment
from finance import ledgers
from finance import services as finance_services
from logistics import services as logistics_services
from sharing.adapters import Decision, DeclaredList, refused
from sharing.adapters import customs as customs_adapter
from sharing.adapters import forex as forex_adapter
from sharing.adapters import tax as tax_adapter
from sharing.choices import AgencyCode
from singlewindow.core.db import update_rows
from singlewindow.core.texts import Text, both, gettext_noop

from .contexts import export_tax_context, stock_claim
from .declared import declare_export
from .match import counted_receipts
from .records import credit_events


class Answered(Protocol):
    """An agency's decision on one list as settlement reads it (a fan-in tuple or a decision row)."""

    agency: str
    outcome: str
    held_amount: Decimal | None
    created_at: datetime


Answers = Mapping[int, Sequence[Answered]]


# --- holds, while an agency answers ---------------------------------------------------------------


def hold_import(agency: str, decisions: list[Decision], by_id: Mapping[int, DeclaredList]) -> list[Decision]:
    """Apply what customs (bonded stock), tax (guarantees) and forex (allowances) hold, atomically and
    without overdrawing. The adapters decided on a snapshot; here the ledger rows are locked and each
    hold applied in turn, so a concurrent batch that took the same stock, guarantee or allowance first
    turns a release into a rejection."""
    if agency == AgencyCode.CUSTOMS:
        return _hold_stock(decisions, by_id)
    if agency not in (AgencyCode.TAX, AgencyCode.FOREX):
        return decisions
    releasing = [d for d in decisions if d.outcome == "release"]
    if not releasing:
        return decisions
    if agency == AgencyCode.TAX:
        held = ledgers.guarantees_hold(
            [
                (d.inventory_id, by_id[d.inventory_id].assure_code, d.amounts.get("tax", Decimal(0)))
                for d in releasing
            ]
        )
        reason = Text(gettext_noop("tax guarantee exhausted by other declarations"))
    else:
        held = ledgers.forex_allowances_hold(
            [
                (d.inventory_id, by_id[d.inventory_id].payer_id_number, d.amounts.get("usd", Decimal(0)))
                for d in releasing
            ],
            year=timezone.localdate().year,
            limit=forex_adapter.YEARLY_LIMIT_USD,
        )
        reason = Text(gettext_noop("payer's yearly forex limit reached by other declarations"))
    return [
        d
        if d.outcome != "release" or d.inventory_id in held
        else Decision(d.inventory_id, "reject", ReturnStatus.REJECTED, reason)
        for d in decisions
    ]


def _hold_stock(decisions: list[Decision], by_id: Mapping[int, DeclaredList]) -> list[Decision]:
    """Customs accepted these 1210 lists on a snapshot of the stock: reserve their goods under lock,
    and refuse those whose goods a concurrent batch took first."""
    claims = [
        claim
        for d in decisions
        if d.outcome in ("release", "inspect") and (claim := stock_claim(by_id[d.inventory_id])) is not None
    ]
    short = logistics_services.stock_hold(claims)
    return [
        refused(d.inventory_id, customs_adapter.Code.STOCK_SHORT, short[d.inventory_id])
        if d.inventory_id in short
        else d
        for d in decisions
    ]


# --- what an outcome draws and gives back (imports) ------------------------------------------------


def _stock_holders(lists: Sequence[InventoryList], answers: Answers) -> list[logistics_services.StockClaim]:
    """Claims of the 1210 lists whose goods customs reserved (it accepted or drew them)."""
    return [
        claim
        for i in lists
        if any(
            a.agency == AgencyCode.CUSTOMS and a.outcome in ("release", "inspect")
            for a in answers.get(i.pk, [])
        )
        and (claim := logistics_services.stock_claim(i)) is not None
    ]


def _holdings(released: Sequence[InventoryList], rejected: Sequence[InventoryList], answers: Answers) -> None:
    """Draw the guarantees of released lists; give back exactly what tax and forex held for rejected ones."""
    draw: dict[str, Decimal] = defaultdict(Decimal)
    give_back: dict[str, Decimal] = defaultdict(Decimal)
    usd_back: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for inventory in released:
        held = {a.agency: a for a in answers.get(inventory.pk, []) if a.outcome == "release"}
        if AgencyCode.TAX in held:
            draw[inventory.assure_code] += held[AgencyCode.TAX].held_amount or Decimal(0)
    payers = dict(
        Payment.objects.filter(pk__in=[pk for i in rejected if (pk := i.payment_id)]).values_list(
            "pk", "payer_id_number"
        )
    )
    for inventory in rejected:
        held = {a.agency: a for a in answers.get(inventory.pk, []) if a.outcome == "release"}
        if AgencyCode.TAX in held:
            give_back[inventory.assure_code] += held[AgencyCode.TAX].held_amount or Decimal(0)
        if AgencyCode.FOREX in held and inventory.payment_id in payers:
            forex = held[AgencyCode.FOREX]
            usd_back[(payers[inventory.payment_id], forex.created_at.year)] += forex.held_amount or Decimal(0)
    ledgers.holdings_settle(draw=draw, give_back=give_back, usd_back=usd_back)


def settle_import_ledgers(
    released: Sequence[InventoryList], rejected: Sequence[InventoryList], answers: Answers
) -> None:
    """Quota, guarantees, forex allowances and bonded stock of lists that reached an outcome (a cancel
    is a refusal here). Locks in the fan-in's order: quotas, guarantees, forex allowances, stock."""
    ledgers.quota_settle(released, rejected)
    _holdings(released, rejected, answers)
    logistics_services.stock_settle(
        released=_stock_holders(released, answers), given_back=_stock_holders(rejected, answers)
    )


def track(lists: Sequence[InventoryList], code: str, note: str = "") -> None:
    """A tracking event on each import list's waybill (the public tracking page)."""
    waybills = [pk for i in lists if (pk := i.waybill_id) is not None]
    logistics_services.pipeline_step(waybill_ids=waybills, code=code, note=note)


def finish_imports(
    released: list[InventoryList],
    inspected: list[InventoryList],
    rejected: list[InventoryList],
    answers: Answers,
    now: datetime,
) -> None:
    """The fan-in's side effects for import lists."""
    settle_import_ledgers(released, rejected, answers)
    # A list waiting for its waybill's arrival is tracked as released when it arrives.
    shipped = [i for i in released if i.status == InventoryStatus.RELEASED]
    for step, group in (("released", shipped), ("inspection", inspected), ("rejected", rejected)):
        track(group, step)
    ledgers.tax_bills_record(released)
    finance_services.guarantees_warn_low({i.assure_code for i in released})
    credit_events(released, CreditEvent.Kind.RELEASED, gettext_noop("released"))
    credit_events(rejected, CreditEvent.Kind.REJECTED, gettext_noop("rejected"))
    short = [
        i
        for i in rejected
        if any(a.agency == AgencyCode.TAX and a.outcome == "reject" for a in answers.get(i.pk, []))
    ]
    credit_events(
        short, CreditEvent.Kind.GUARANTEE_SHORT, gettext_noop("tax guarantee short"), by_field="assure_code"
    )


def conclude_import(
    inventory: InventoryList, passed: bool, reason: str, answers: Answers, now: datetime
) -> None:
    """An import list's inspection concluded: it is released with its ledgers, or refused and its
    holds given back, and its enterprise's credit charged."""
    released, rejected = ([inventory], []) if passed else ([], [inventory])
    settle_import_ledgers(released, rejected, answers)
    if inventory.status != InventoryStatus.AWAITING_ARRIVAL:  # tracked as released when it arrives
        track([inventory], "released" if passed else "rejected", note=reason)
    ledgers.tax_bills_record(released)
    if passed:
        credit_events(released, CreditEvent.Kind.RELEASED, gettext_noop("released after inspection"))
    else:
        credit_events(
            rejected,
            CreditEvent.Kind.INSPECTION_FAILED,
            both(Text(gettext_noop("failed inspection: %(reason)s"), reason=reason))[1],
        )


# --- exports ----------------------------------------------------------------------------------------


def _export_ledgers(released: Sequence[ExportInventoryList], now: datetime) -> None:
    """Forex settles the proceeds of released lists that have their receipt; tax records the VAT
    exemption of eligible ones."""
    if not released:
        return
    ledgers.forex_settle([i for i in released if i.receipt is not None], now)
    declared = [declare_export(i) for i in released]
    context = export_tax_context(declared)
    # A VAT record keeps one text of its basis: the English, like a list's status_reason.
    ledgers.vat_exemptions_record(
        (inventory, d.value_cny, both(basis)[1])
        for inventory, d in zip(released, declared, strict=True)
        if (basis := tax_adapter.export_exemption(d, context))
    )


def finish_exports(
    released: list[ExportInventoryList],
    inspected: list[ExportInventoryList],
    rejected: list[ExportInventoryList],
    answers: Answers,
    now: datetime,
) -> None:
    """The fan-in's side effects for export lists."""
    _export_ledgers(released, now)
    credit_events(released, CreditEvent.Kind.RELEASED, gettext_noop("export released"), source_kind="export")
    credit_events(rejected, CreditEvent.Kind.REJECTED, gettext_noop("export rejected"), source_kind="export")


def conclude_export(
    inventory: ExportInventoryList, passed: bool, reason: str, answers: Answers, now: datetime
) -> None:
    """An export list's quarantine inspection concluded: released lists settle their ledgers."""
    if passed:
        _export_ledgers([inventory], now)


def settle_export_receipts(*, export_list_ids: list[int]) -> int:
    """A receipt of payment arrived for lists already released (9810): settle their proceeds."""
    with transaction.atomic():
        lists = list(
            ExportInventoryList.objects.select_for_update(of=("self",))
            .filter(pk__in=export_list_ids, status=InventoryStatus.RELEASED, forex_settlement__isnull=True)
            .select_related("order")
            .order_by("id")
        )
        counted = counted_receipts([i.order for i in lists if i.order is not None])
        for inventory in lists:
            receipt = counted.get((inventory.ebp_code, inventory.order_no))
            inventory.receipt = receipt if isinstance(receipt, ReceiptOfPayment) else None
        paid = [i for i in lists if i.receipt is not None]
        update_rows(paid, ["receipt"])
        return ledgers.forex_settle(paid, timezone.now())
