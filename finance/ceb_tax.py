"""The electronic tax bill as the e-port sends it: CEB816 (TaxHeadRd and its TaxListRd lines, DOMAIN 2.8),
valid against the import XSD, and its place in the receipts' pull queue (the CEB feed)."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lxml import etree

from declarations.ceb import CEB_NS, MAX_LINES, _message, _put, _serialize
from declarations.models import Receipt
from declarations.receipt_feed import message_guid

from .models import TaxBill


def _amount(value: Any) -> str:
    return format(Decimal(value or 0).quantize(Decimal("0.00001")), "f")


def build_tax_bill(
    bill: TaxBill, lines: Sequence[Any], *, status: str | None = None, guid: str | None = None
) -> bytes:
    """CEB816 of one bill. `status` is the bill's status as a receipt recorded it (default: the bill's
    own); `guid` the message's guid (default: a fresh one)."""
    root = _message("CEB816")
    if guid:
        root.set("guid", guid)
    tax = etree.SubElement(root, f"{{{CEB_NS}}}Tax")
    head = etree.SubElement(tax, f"{{{CEB_NS}}}TaxHeadRd")
    _put(head, "guid", bill.guid)
    _put(head, "returnTime", bill.return_time)
    _put(head, "invtNo", bill.invt_no)
    _put(head, "taxNo", bill.tax_no)
    _put(head, "customsTax", _amount(bill.customs_tax))
    _put(head, "valueAddedTax", _amount(bill.value_added_tax))
    _put(head, "consumptionTax", _amount(bill.consumption_tax))
    _put(head, "status", status or bill.status)
    _put(head, "entDutyNo", bill.ent_duty_no, optional=True)
    _put(head, "note", bill.note, optional=True)
    _put(head, "assureCode", bill.assure_code, optional=True)
    _put(head, "ebcCode", bill.ebc_code, optional=True)
    _put(head, "logisticsCode", bill.logistics_code, optional=True)
    _put(head, "agentCode", bill.agent_code, optional=True)
    _put(head, "customsCode", bill.customs_code if len(bill.customs_code or "") == 4 else "", optional=True)
    for line in sorted(lines, key=lambda line: line.gnum)[:MAX_LINES]:
        row = etree.SubElement(tax, f"{{{CEB_NS}}}TaxListRd")
        _put(row, "gnum", line.gnum)
        _put(row, "gcode", line.gcode)
        _put(row, "taxPrice", _amount(line.tax_price))
        _put(row, "customsTax", _amount(line.customs_tax))
        _put(row, "valueAddedTax", _amount(line.value_added_tax))
        _put(row, "consumptionTax", _amount(line.consumption_tax))
    return _serialize(root)


def tax_bill_feed_writer(receipts: list[Receipt]) -> dict[int, tuple[str | None, str | None, bytes]]:
    """The feed's writer for tax-bill receipts: (preNo, invtNo, CEB816) per receipt, two queries."""
    bills = {
        bill.pk: bill
        for bill in TaxBill.objects.filter(pk__in={r.document_id for r in receipts})
        .select_related("inventory")
        .prefetch_related("lines")
    }
    out = {}
    for receipt in receipts:
        bill = bills.get(receipt.document_id)
        if bill is None:
            continue
        xml = build_tax_bill(
            bill, list(bill.lines.all()), status=receipt.return_status, guid=message_guid(receipt.guid)
        )
        out[receipt.pk] = (bill.inventory.pre_no or None, bill.invt_no or None, xml)
    return out
