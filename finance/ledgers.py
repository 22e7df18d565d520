"""Ledger arithmetic of the clearance outcomes: buyers' quotas, tax guarantees, forex allowances, tax
bills and their credits, forex settlements and VAT exemptions.

The pipeline decides who holds, draws or gets back what; these functions apply it to the ledger rows,
under row locks taken in id order (two batches sharing a buyer or a guarantee never wait in a cycle).
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, Sum
from django.utils import timezone

from declarations.ceb import return_time
from declarations.choices import DocumentKind, ReceiptSource
from declarations.guids import new_guid
from declarations.models import InventoryList, InventoryRefund, InventoryRefundLine, Receipt
from finance.models import (
    BuyerQuota,
    ForexSettlement,
    QuotaUse,
    TaxBill,
    TaxBillCredit,
    TaxBillLine,
    TaxGuarantee,
    VatExemption,
)
from sharing.models import ExchangeRate, ForexPurchase
from singlewindow.core import sandbox
from singlewindow.core.db import insert_rows, load, new_row, update_rows
from singlewindow.core.texts import Text, gettext_noop

TAX_BILL_GENERATED = Text(gettext_noop("Electronic tax bill generated."))

CENT = Decimal("0.01")


def exchange_rates_today() -> dict[str, Decimal]:
    """CNY per unit of each currency, at the latest rate in force today."""
    today = timezone.localdate()
    rates: dict[str, Decimal] = {}
    for currency, rate in (
        ExchangeRate.objects.filter(valid_from__lte=today)
        .order_by("valid_from")
        .values_list("currency", "cny_per_unit")
    ):
        rates[currency] = rate  # later rows overwrite earlier ones
    return rates


# --- the buyer's annual quota -----------------------------------------------------------------


def quotas_locked(buyers: set[str], year: int) -> dict[str, BuyerQuota]:
    """The buyers' quota rows of `year`, created if new and locked (in id order)."""
    insert_rows([new_row(BuyerQuota, buyer_id_number=b, year=year) for b in buyers], ignore_conflicts=True)
    rows = load(
        BuyerQuota.objects.select_for_update().filter(buyer_id_number__in=buyers, year=year).order_by("id")
    )
    return {row.buyer_id_number: row for row in rows}


def quota_settle(released: Sequence[Any], rejected: Sequence[Any]) -> None:
    """What the lists reserved becomes used (released) or is given back (rejected, cancelled)."""
    uses = load(
        QuotaUse.objects.filter(
            inventory_id__in=[i.pk for i in [*released, *rejected]], state=QuotaUse.State.RESERVED
        )
    )
    if not uses:
        return
    released_ids = {i.pk for i in released}
    quotas = {
        q.pk: q
        for q in load(
            BuyerQuota.objects.select_for_update().filter(pk__in={u.quota_id for u in uses}).order_by("id")
        )
    }
    for use in uses:
        quota = quotas[use.quota_id]
        quota.reserved -= use.amount
        if use.inventory_id in released_ids:
            quota.used += use.amount
            use.state = QuotaUse.State.USED
        else:
            use.state = QuotaUse.State.RETURNED
    update_rows(list(quotas.values()), ["used", "reserved"])
    update_rows(uses, ["state"])


# --- holds of tax guarantees and forex allowances ------------------------------------------------


def guarantees_hold(claims: Sequence[tuple[int, str, Decimal]]) -> set[int]:
    """Reserve each claim (key, assure_code, amount) on its guarantee in turn, under lock, without
    overdrawing; returns the keys held. A concurrent batch that used the guarantee first wins."""
    if not claims:
        return set()
    rows = {
        g.assure_code: g
        for g in TaxGuarantee.objects.select_for_update()
        .filter(assure_code__in={code for _, code, _ in claims})
        .order_by("id")
    }
    held = set()
    for key, code, amount in claims:
        guarantee = rows.get(code)
        if guarantee is not None and guarantee.available >= amount:
            guarantee.reserved += amount
            held.add(key)
    update_rows(list(rows.values()), ["reserved"])
    return held


def forex_allowances_hold(
    claims: Sequence[tuple[int, str, Decimal]], *, year: int, limit: Decimal
) -> set[int]:
    """Add each claim (key, payer_id_number, usd) to the payer's purchases of `year` in turn, under lock,
    while the year's total stays within `limit`; returns the keys held."""
    if not claims:
        return set()
    payers = {payer for _, payer, _ in claims}
    insert_rows([new_row(ForexPurchase, payer_id_number=p, year=year) for p in payers], ignore_conflicts=True)
    rows = {
        f.payer_id_number: f
        for f in load(
            ForexPurchase.objects.select_for_update()
            .filter(payer_id_number__in=payers, year=year)
            .order_by("id")
        )
    }
    held = set()
    for key, payer, usd in claims:
        purchase = rows[payer]
        if purchase.usd_total + usd <= limit:
            purchase.usd_total += usd
            held.add(key)
    update_rows(list(rows.values()), ["usd_total"])
    return held


def holdings_settle(
    *,
    draw: Mapping[str, Decimal],
    give_back: Mapping[str, Decimal],
    usd_back: Mapping[tuple[str, int], Decimal],
) -> None:
    """Guarantees: what released lists held is drawn (used), what rejected ones held is given back;
    forex: what rejected lists held comes off the payer's year."""
    codes = set(draw) | set(give_back)
    if codes:
        guarantees = list(
            TaxGuarantee.objects.select_for_update().filter(assure_code__in=codes).order_by("id")
        )
        for guarantee in guarantees:
            taken = draw.get(guarantee.assure_code, Decimal(0))
            guarantee.used += taken
            guarantee.reserved -= taken + give_back.get(guarantee.assure_code, Decimal(0))
        update_rows(guarantees, ["used", "reserved"])
    for (payer, year), usd in usd_back.items():
        ForexPurchase.objects.filter(payer_id_number=payer, year=year).update(usd_total=F("usd_total") - usd)


# --- the withholding ledger -----------------------------------------------------------------------


def tax_bills_record(released: Sequence[InventoryList]) -> None:
    """One CEB816 tax bill per released list, with its lines (the items assessed before the fan-out,
    so the bill is what the agencies approved)."""
    if not released:
        return
    stamp = return_time(sandbox.now())
    bills, lines = [], []
    for inventory in released:
        bill = new_row(
            TaxBill,
            inventory_id=inventory.pk,
            guid=new_guid(),
            return_time=stamp,
            invt_no=inventory.invt_no,
            tax_no=f"T{inventory.invt_no}",
            customs_tax=inventory.customs_tax or 0,
            value_added_tax=inventory.value_added_tax or 0,
            consumption_tax=inventory.consumption_tax or 0,
            assure_code=inventory.assure_code,
            ebc_code=inventory.ebc_code,
            logistics_code=inventory.logistics_code,
            agent_code=inventory.agent_code,
            customs_code=inventory.customs_code,
        )
        bills.append(bill)
        lines.append(
            [
                new_row(
                    TaxBillLine,
                    gnum=item.gnum,
                    gcode=item.gcode,
                    tax_price=item.tax_price or 0,
                    customs_tax=item.customs_tax or 0,
                    value_added_tax=item.value_added_tax or 0,
                    consumption_tax=item.consumption_tax or 0,
                )
                for item in inventory.items.all()
            ]
        )
    insert_rows(bills)
    for bill, bill_lines in zip(bills, lines, strict=True):
        for line in bill_lines:
            line.bill_id = bill.pk
    insert_rows([line for bill_lines in lines for line in bill_lines])
    insert_rows(tax_bill_receipts(bills, released))


def tax_bill_receipts(bills: Sequence[TaxBill], lists: Sequence[InventoryList]) -> list[Receipt]:
    """Each new bill in its list's enterprise's pull queue (a CEB816 in the CEB feed), with the bill's
    guid, so the message a partner pulls names the bill as the finance pages do."""
    rows = []
    for bill, inventory in zip(bills, lists, strict=True):
        row = Receipt.new(
            enterprise_id=inventory.submitted_by_id,
            kind=DocumentKind.TAX_BILL,
            document_id=bill.pk,
            natural_key=bill.tax_no,
            status=bill.status,
            info=TAX_BILL_GENERATED,
            source=ReceiptSource.CUSTOMS,
        )
        row.guid = bill.guid
        rows.append(row)
    return rows


def return_credit(
    *, inventory: InventoryList, refund: InventoryRefund, lines: list[InventoryRefundLine]
) -> None:
    """The returned lines' share of the list comes back: the refund's value and tax are computed, the
    buyer's quota no longer counts it, the bill gets a credit (cancelled when everything came back)
    and the guarantee no longer owes it."""
    items = {item.gnum: item for item in inventory.items.all()}
    # Returned so far, this return included: when it brings everything back (in one return or over
    # several partial ones), it returns exactly what is left, so the credits add up to the bill to
    # the cent and the bill is cancelled; a partial one returns its lines' share, rounded to the cent.
    back: dict[int, Decimal] = {line.gnum: line.qty for line in lines}
    for gnum, qty in (
        InventoryRefundLine.objects.filter(
            refund__inventory=inventory, refund__state=InventoryRefund.State.COMPLETED
        )
        .exclude(refund=refund)
        .values_list("gnum", "qty")
    ):
        back[gnum] = back.get(gnum, Decimal(0)) + qty
    everything = all(back.get(gnum, Decimal(0)) >= item.qty for gnum, item in items.items())
    use = QuotaUse.objects.select_related("quota").filter(inventory=inventory).first()
    bill = TaxBill.objects.select_for_update().filter(inventory=inventory).first()
    if everything:
        credited = (
            bill.credits.aggregate(
                c=Sum("customs_tax", default=0),
                v=Sum("value_added_tax", default=0),
                t=Sum("consumption_tax", default=0),
            )
            if bill is not None
            else {"c": 0, "v": 0, "t": 0}
        )
        customs_tax = (bill.customs_tax - credited["c"]) if bill is not None else Decimal(0)
        vat = (bill.value_added_tax - credited["v"]) if bill is not None else Decimal(0)
        consumption = (bill.consumption_tax - credited["t"]) if bill is not None else Decimal(0)
        value = (use.amount - use.returned_amount) if use is not None else Decimal(0)
    else:
        value = customs_tax = vat = consumption = Decimal(0)
        for line in lines:
            item = items[line.gnum]
            share = line.qty / item.qty
            value += (item.tax_price or 0) * share
            customs_tax += (item.customs_tax or 0) * share
            vat += (item.value_added_tax or 0) * share
            consumption += (item.consumption_tax or 0) * share
        value, customs_tax, vat, consumption = (
            x.quantize(CENT, rounding=ROUND_HALF_UP) for x in (value, customs_tax, vat, consumption)
        )
    refund.dutiable_value, refund.tax_returned = value, customs_tax + vat + consumption
    if use is not None:
        quota = BuyerQuota.objects.select_for_update().get(pk=use.quota_id)
        returned = min(value, use.amount - use.returned_amount)
        quota.used -= returned
        quota.save(update_fields=["used"])
        use.returned_amount += returned
        use.save(update_fields=["returned_amount", "updated_at"])
    if bill is None:
        return
    TaxBillCredit.objects.create(
        bill=bill,
        refund=refund,
        customs_tax=customs_tax,
        value_added_tax=vat,
        consumption_tax=consumption,
        assure_code=bill.assure_code,
    )
    if everything and bill.status == TaxBill.Status.GENERATED:
        bill.status = TaxBill.Status.CANCELLED
        bill.save(update_fields=["status"])
    guarantee = TaxGuarantee.objects.select_for_update().filter(assure_code=bill.assure_code).first()
    if guarantee is not None:
        guarantee.used = max(Decimal(0), guarantee.used - refund.tax_returned.quantize(CENT))
        guarantee.save(update_fields=["used", "updated_at"])


# --- exports: proceeds and VAT --------------------------------------------------------------------


def forex_settle(lists: Iterable[Any], now: datetime) -> int:
    """Settle the proceeds of export lists that have their receipt of payment, at today's rate."""
    rates = exchange_rates_today()
    rows = []
    for inventory in lists:
        receipt = inventory.receipt
        rate = rates.get(receipt.currency)
        if rate is None:
            continue
        rows.append(
            ForexSettlement(
                export_list=inventory,
                ebc_code=inventory.ebc_code,
                currency=receipt.currency,
                amount=receipt.charge,
                cny_per_unit=rate,
                amount_cny=(receipt.charge * rate).quantize(CENT),
                settled_at=now,
            )
        )
    ForexSettlement.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def vat_exemptions_record(exemptions: Iterable[tuple[Any, Decimal, str]]) -> None:
    """Record the export VAT exemption of each (export list, value in CNY, basis)."""
    VatExemption.objects.bulk_create(
        [
            VatExemption(
                export_list=inventory, ebc_code=inventory.ebc_code, value_cny=value, basis=basis[:200]
            )
            for inventory, value, basis in exemptions
        ],
        ignore_conflicts=True,
    )
