"""The CEB messages the window writes itself (not receipts): the CEB701 summary application and CEB792
summary result of a summary declaration, and CEB818 tax bill statuses. They validate against the
official XSDs (the tests check it)."""

from decimal import Decimal
from typing import Any

from lxml import etree

from .ceb import CEB_NS, MAX_DOCUMENTS, _message, _put, _serialize


def _amount(value: Any) -> str:
    return format(Decimal(value).quantize(Decimal("0.00001")), "f")


def build_summary_apply(summary: Any) -> bytes:
    """CEB701 SummaryApply of a summary declaration, with its lists (unsigned: the window files it for
    the exporter, whose signature the e-port adds)."""
    root = _message("CEB701")
    apply = etree.SubElement(root, f"{{{CEB_NS}}}SummaryApply")
    head = etree.SubElement(apply, f"{{{CEB_NS}}}SummaryApplyHead")
    _put(head, "guid", summary.guid)
    _put(head, "appType", summary.app_type)
    _put(head, "appTime", summary.app_time)
    _put(head, "appStatus", summary.app_status)
    _put(head, "customsCode", summary.customs_code)
    _put(head, "copNo", summary.cop_no)
    _put(head, "preNo", summary.pre_no, optional=True)
    _put(head, "sumNo", summary.sum_no, optional=True)
    for name in ("agent_code", "agent_name", "ebc_code", "ebc_name", "decl_agent_code", "decl_agent_name"):
        _put(head, _camel(name), getattr(summary, name))
    _put(head, "startTime", summary.start_time, optional=True)
    _put(head, "endTime", summary.end_time, optional=True)
    _put(head, "loctNo", summary.loct_no, optional=True)
    _put(head, "summaryFlag", summary.summary_flag)
    _put(head, "itemNameFlag", summary.item_name_flag or "1")
    _put(head, "msgCount", summary.msg_count)
    _put(head, "msgSeqNo", summary.msg_seq_no)
    _put(head, "note", summary.note, optional=True)
    for invt_no in summary.lists.order_by("id").values_list("invt_no", flat=True):
        _put(etree.SubElement(apply, f"{{{CEB_NS}}}SummaryApplyList"), "invtNo", invt_no)
    transfer = etree.SubElement(root, f"{{{CEB_NS}}}BaseTransfer")
    _put(transfer, "copCode", summary.ebc_code)
    _put(transfer, "copName", summary.ebc_name)
    _put(transfer, "dxpMode", "DXP")
    _put(transfer, "dxpId", f"DXPENT{summary.ebc_code}"[:30])
    return _serialize(root)


def build_summary_result(summary: Any) -> bytes:
    """CEB792 SummaryResult: customs' answer, one line per line of every summarised list."""
    root = _message("CEB792")
    result = etree.SubElement(root, f"{{{CEB_NS}}}SummaryResult")
    head = etree.SubElement(result, f"{{{CEB_NS}}}SummaryResultHead")
    _put(head, "guid", summary.guid)
    _put(head, "customsCode", summary.customs_code)
    _put(head, "sumNo", summary.sum_no)
    _put(head, "opDate", summary.op_date)
    _put(head, "declSeqNo", summary.decl_seq_no)
    _put(head, "entryId", summary.entry_id, optional=True)
    _put(head, "decState", summary.dec_state)
    for name in ("agent_code", "agent_name", "ebc_code", "ebc_name", "decl_agent_code", "decl_agent_name"):
        _put(head, _camel(name), getattr(summary, name))
    _put(head, "grossWeight", _amount(summary.gross_weight))
    _put(head, "netWeight", _amount(summary.net_weight))
    _put(head, "msgCount", summary.msg_count)
    _put(head, "msgSeqNo", summary.msg_seq_no)
    number = 0
    for inventory in summary.lists.order_by("invt_no").prefetch_related("items"):
        for item in sorted(inventory.items.all(), key=lambda i: i.gnum):
            number += 1
            line = etree.SubElement(result, f"{{{CEB_NS}}}SummaryResultList")
            _put(line, "invtNo", inventory.invt_no)
            _put(line, "logisticsNo", inventory.logistics_no)
            _put(line, "gseqno", number)
            _put(line, "gnum", item.gnum)
            _put(line, "gcode", item.gcode)
    return _serialize(root)


def build_tax_status(bills: list[Any]) -> bytes:
    """CEB818 tax bill statuses (status 1 generated, 2 consolidated, 3 cancelled), up to 100 bills."""
    if not bills or len(bills) > MAX_DOCUMENTS:
        raise ValueError("a CEB818 message has 1 to 100 tax bills; split them")
    root = _message("CEB818")
    for bill in bills:
        tax = etree.SubElement(root, f"{{{CEB_NS}}}Tax")
        head = etree.SubElement(tax, f"{{{CEB_NS}}}TaxHeadStatus")
        _put(head, "guid", bill.guid)
        _put(head, "returnTime", bill.return_time)
        _put(head, "invtNo", bill.invt_no)
        _put(head, "taxNo", bill.tax_no)
        _put(head, "status", bill.status)
        _put(head, "entDutyNo", bill.ent_duty_no, optional=True)
        _put(head, "assureCode", bill.assure_code, optional=True)
    return _serialize(root)


def _camel(snake: str) -> str:
    first, *rest = snake.split("_")
    return first + "".join(word.title() for word in rest)
