"""Step 3, assess: the retail import tax of each matched import list and its buyer's annual quota.

Runs inside the claim's transaction. The batch's buyers' quota rows are locked (in id order) so two
batches cannot both pass the same buyer's limit; the list's taxable value is reserved on the quota
until the fan-in uses or gives it back.
"""

from django.utils import timezone

from declarations.choices import InventoryStatus, ReceiptSource
from declarations.models import InventoryItem, InventoryList, Receipt
from finance import ledgers, tax
from finance import selectors as finance_selectors
from finance.models import QuotaUse
from sharing.choices import BusinessCode, NotificationKind
from singlewindow.core.db import insert_rows, update_rows

from . import notices
from .records import SENT_TO_CUSTOMS, advance_all, reject


def assess(lists: list[InventoryList]) -> list[InventoryList]:
    """Tax and quota; returns the lists assessed, rejects the others with their code (DOMAIN 6)."""
    if not lists:
        return []
    today = timezone.localdate()
    rates = finance_selectors.rates_in_force(today)
    limits = finance_selectors.limits_in_force(today)
    quotas = ledgers.quotas_locked({i.buyer_id_number for i in lists}, today.year)
    taxed_items: list[InventoryItem] = []
    assessed: list[InventoryList] = []
    receipts: list[Receipt | None] = []
    uses: list[QuotaUse] = []
    for inventory in lists:
        quota = quotas[inventory.buyer_id_number]
        result = tax.assess(
            lines=[
                tax.TaxLineInput(gnum=line.gnum, gcode=line.gcode, qty=line.qty, total_price=line.total_price)
                for line in inventory.items.all()
            ],
            freight=inventory.freight,
            insured_fee=inventory.insured_fee,
            rates=rates,
            limits=limits,
            annual_used=quota.used + quota.reserved,
        )
        if not result.accepted:
            code = (
                BusinessCode.UNKNOWN_GOODS if result.error_code == tax.UNKNOWN_HS_CODE else result.error_code
            )
            # Customs' own refusal (DOMAIN 6.3): sent to customs (3), refused with its business code.
            receipts += advance_all([inventory], ReceiptSource.CUSTOMS, [SENT_TO_CUSTOMS])
            receipts.append(
                reject(inventory, result.reason, timezone.now(), ReceiptSource.CUSTOMS, code or "")
            )
            continue
        quota.reserved += result.dutiable_value
        uses.append(QuotaUse(inventory=inventory, quota=quota, amount=result.dutiable_value))
        inventory.dutiable_value = result.dutiable_value
        inventory.customs_tax, inventory.value_added_tax = result.customs_tax, result.value_added_tax
        inventory.consumption_tax, inventory.tax_amount = result.consumption_tax, result.total
        inventory.tax_regime = result.regime
        inventory.status = InventoryStatus.ASSESSED
        assessed.append(inventory)
        by_gnum = {line.gnum: line for line in result.lines}
        for item in inventory.items.all():
            taxed = by_gnum[item.gnum]
            item.tax_price, item.customs_tax = taxed.tax_price, taxed.customs_tax
            item.value_added_tax, item.consumption_tax = taxed.value_added_tax, taxed.consumption_tax
            taxed_items.append(item)
    update_rows(list(quotas.values()), ["reserved"])
    update_rows(taxed_items, ["tax_price", "customs_tax", "value_added_tax", "consumption_tax"])
    insert_rows(uses)
    insert_rows([r for r in receipts if r is not None])
    rejected = [i for i in lists if i.status == InventoryStatus.REJECTED]
    notices.lists_reached(NotificationKind.LIST_REJECTED, rejected, receipts)
    return assessed
