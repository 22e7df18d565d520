"""The receipts of the pull queue as the e-port would send them: each receipt row as one CEB message.

A partner polling by time wants every answer once, in order, each one a message it can hand to the
code it already has for the e-port's receipts. So each entry of the feed is one complete CEB message
holding one return element (CEB312, 412, 512, 514, 622, 624, 626; export CEB304, 404, 506, 604; and
CEB816 for a tax bill), valid against the official XSD, whose return guid is the receipt's guid and
whose message guid is derived from it: pulling the same receipt twice gives the same message.

The fields a receipt needs beyond its own row (preNo, invtNo, the parties' codes) are read with one
query per document kind of the page, never one per receipt. Tax bills belong to finance, above this
app: finance registers their writer (`register_writer`) when it loads.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from . import ceb
from .choices import DocumentKind
from .models import (
    ExportInventoryList,
    ExportOrder,
    ExportWaybill,
    InventoryCancel,
    InventoryList,
    InventoryRefund,
    Order,
    Payment,
    Receipt,
    ReceiptOfPayment,
    Waybill,
)

FEED_NS = "urn:singlewindow:receipt-feed"
PRE_NO_PLACEHOLDER = "B" + "0" * 17  # a refused list never got one; CEB622 requires 18 characters

# Receipt kind -> the CEB receipt message that carries it.
MESSAGE_TYPES: dict[str, str] = {
    DocumentKind.ORDER: "CEB312",
    DocumentKind.PAYMENT: "CEB412",
    DocumentKind.WAYBILL: "CEB512",
    DocumentKind.WAYBILL_STATUS: "CEB514",
    DocumentKind.INVENTORY: "CEB622",
    DocumentKind.CANCEL: "CEB624",
    DocumentKind.REFUND: "CEB626",
    DocumentKind.EXPORT_ORDER: "CEB304",
    DocumentKind.RECEIPT_OF_PAYMENT: "CEB404",
    DocumentKind.EXPORT_WAYBILL: "CEB506",
    DocumentKind.EXPORT_INVENTORY: "CEB604",
    DocumentKind.TAX_BILL: "CEB816",
}

# Kind -> (model, fields read for its receipts).
_SOURCES: dict[str, tuple[Any, tuple[str, ...]]] = {
    DocumentKind.ORDER: (Order, ("ebp_code", "ebc_code", "order_no")),
    DocumentKind.PAYMENT: (Payment, ("pay_code", "pay_transaction_id")),
    DocumentKind.WAYBILL: (Waybill, ("logistics_code", "logistics_no")),
    DocumentKind.WAYBILL_STATUS: (Waybill, ("logistics_code", "logistics_no", "logistics_status")),
    DocumentKind.INVENTORY: (
        InventoryList,
        ("customs_code", "ebp_code", "ebc_code", "agent_code", "cop_no", "pre_no", "invt_no"),
    ),
    DocumentKind.CANCEL: (
        InventoryCancel,
        (
            "customs_code",
            "ebp_code",
            "ebc_code",
            "agent_code",
            "cop_no",
            "pre_no",
            "invt_no",
            "inventory__cop_no",
        ),
    ),
    DocumentKind.REFUND: (
        InventoryRefund,
        (
            "customs_code",
            "ebp_code",
            "ebc_code",
            "agent_code",
            "cop_no",
            "pre_no",
            "invt_no",
            "inventory__cop_no",
        ),
    ),
    DocumentKind.EXPORT_ORDER: (ExportOrder, ("ebp_code", "ebc_code", "order_no")),
    DocumentKind.RECEIPT_OF_PAYMENT: (ReceiptOfPayment, ("ebc_code", "order_no", "pay_no")),
    DocumentKind.EXPORT_WAYBILL: (ExportWaybill, ("logistics_code", "logistics_no")),
    DocumentKind.EXPORT_INVENTORY: (
        ExportInventoryList,
        ("agent_code", "cop_no", "pre_no", "invt_no", "ebc_code", "ebp_code", "order_no", "statistics_flag"),
    ),
}

# A writer for a kind another app owns: (receipts of that kind) -> {receipt id: (pre_no, invt_no, xml)}.
Writer = Callable[[list[Receipt]], dict[int, tuple[str | None, str | None, bytes]]]
_WRITERS: dict[str, Writer] = {}


def register_writer(kind: str, writer: Writer) -> None:
    """Let the app that owns a kind of receipt (finance: tax bills) write its CEB form."""
    _WRITERS[kind] = writer


@dataclass
class Entry:
    """One receipt of the queue with what a partner correlates it by, and its CEB message."""

    receipt: Receipt
    pre_no: str | None = None
    invt_no: str | None = None
    message_type: str | None = None
    xml: bytes | None = None  # None: this kind has no CEB receipt (a summary's answer is CEB792)
    copy: str | None = None  # "ALL", "DATA" or "RET": a copy for a BaseSubscribe subscriber
    extra: dict = field(default_factory=dict)

    @property
    def return_time(self) -> str:
        return ceb.return_time(self.receipt.created_at)


def message_guid(receipt_guid: str) -> str:
    """The message's guid, the same at every pull of one receipt (36 characters, upper case)."""
    return str(uuid.uuid5(uuid.NAMESPACE_OID, f"singlewindow-receipt:{receipt_guid}")).upper()


def entries(receipts: Iterable[Receipt], *, with_xml: bool = True) -> list[Entry]:
    """The entries of these receipts, in their order; one query per document kind among them."""
    rows = list(receipts)
    by_kind: dict[str, list[Receipt]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    out: dict[int, Entry] = {}
    for kind, group in by_kind.items():
        if kind in _WRITERS:
            written = _WRITERS[kind](group)
            for row in group:
                pre_no, invt_no, xml = written.get(row.pk, (None, None, None))
                out[row.pk] = Entry(row, pre_no, invt_no, MESSAGE_TYPES.get(kind), xml if with_xml else None)
            continue
        if kind not in _SOURCES:
            for row in group:
                out[row.pk] = Entry(row)
            continue
        model, names = _SOURCES[kind]
        documents = {
            values["pk"]: values
            for values in model.objects.filter(pk__in={row.document_id for row in group}).values("pk", *names)
        }
        for row in group:
            document = documents.get(row.document_id, {})
            entry = Entry(row, pre_no=document.get("pre_no") or None, invt_no=document.get("invt_no") or None)
            entry.message_type = MESSAGE_TYPES[kind]
            if with_xml and document:
                entry.xml = _write(entry, document)
            out[row.pk] = entry
    return [out[row.pk] for row in rows]


def _write(entry: Entry, document: dict) -> bytes:
    receipt = entry.receipt
    fields = _fields(receipt.kind, document)
    if receipt.kind == DocumentKind.INVENTORY and receipt.return_status in ("1", "2", "3"):
        # Before customs accepted the list (120) its receipts carry no customs number, as the e-port's.
        fields["invt_no"] = None
    fields |= {
        "guid": receipt.guid,
        "return_status": receipt.return_status,
        "return_info": receipt.return_info,
        "return_time": entry.return_time,
    }
    return ceb.build_receipt_message(
        entry.message_type or "", [fields], message_guid=message_guid(receipt.guid)
    )


def _cut(value: Any, limit: int) -> str:
    return (value or "")[:limit]


def _fields(kind: str, d: dict) -> dict:
    """The receipt elements of one document, within the XSD's lengths ("-" where a required one is empty)."""
    if kind in (DocumentKind.ORDER, DocumentKind.EXPORT_ORDER):
        return {
            "ebp_code": _cut(d["ebp_code"], 18) or "-",
            "ebc_code": _cut(d["ebc_code"], 18) or "-",
            "order_no": _cut(d["order_no"], 60) or "-",
        }
    if kind == DocumentKind.PAYMENT:
        return {
            "pay_code": _cut(d["pay_code"], 18) or "-",
            "pay_transaction_id": _cut(d["pay_transaction_id"], 60),
        }
    if kind in (DocumentKind.WAYBILL, DocumentKind.WAYBILL_STATUS, DocumentKind.EXPORT_WAYBILL):
        limit = 32 if kind == DocumentKind.EXPORT_WAYBILL else 60
        out = {
            "logistics_code": _cut(d["logistics_code"], 18) or "-",
            "logistics_no": _cut(d["logistics_no"], limit),
        }
        if kind == DocumentKind.WAYBILL_STATUS:
            out["logistics_status"] = d["logistics_status"] or "S"
        return out
    if kind == DocumentKind.RECEIPT_OF_PAYMENT:
        return {
            "ebc_code": _cut(d["ebc_code"], 18) or "-",
            "order_no": _cut(d["order_no"], 60) or "-",
            "pay_no": _cut(d["pay_no"], 60) or None,
        }
    if kind == DocumentKind.EXPORT_INVENTORY:
        return {
            "agent_code": _cut(d["agent_code"], 18) or "-",
            "cop_no": _cut(d["cop_no"], 30) or "-",
            "pre_no": d["pre_no"] if len(d["pre_no"] or "") == 18 else PRE_NO_PLACEHOLDER,
            "invt_no": _cut(d["invt_no"], 20),
            "ebc_code": _cut(d["ebc_code"], 18) or "-",
            "ebp_code": _cut(d["ebp_code"], 18) or "-",
            "order_no": _cut(d["order_no"], 60) or "-",
            "statistics_flag": "A" if d["statistics_flag"] == "A" else "B",
        }
    # an import list, its cancel (CEB624) or its return (CEB626): keyed by copNo, preNo, invtNo
    return {
        "customs_code": d["customs_code"] if len(d["customs_code"] or "") == 4 else None,
        "ebp_code": _cut(d["ebp_code"], 18) or None,
        "ebc_code": _cut(d["ebc_code"], 18) or None,
        "agent_code": _cut(d["agent_code"], 18) or None,
        "cop_no": _cut(d["cop_no"] or d.get("inventory__cop_no"), 20) or "-",
        "pre_no": d["pre_no"] if len(d["pre_no"] or "") == 18 else PRE_NO_PLACEHOLDER,
        "invt_no": d["invt_no"] if len(d["invt_no"] or "") == 18 else None,
    }


def feed_xml(items: list[Entry], *, next_cursor: int, more: bool) -> bytes:
    """The page as one XML document: a `Feed` (namespace FEED_NS) of `Entry` elements, each holding one
    CEB message as it is (take the child element and it validates against the XSD on its own)."""
    root = etree.Element(
        f"{{{FEED_NS}}}Feed",
        nsmap={None: FEED_NS},
        attrib={
            "nextCursor": str(next_cursor),
            "more": "true" if more else "false",
            "count": str(len(items)),
        },
    )
    parser = ceb.hardened_parser()
    for item in items:
        receipt = item.receipt
        attrib = {
            "id": str(receipt.pk),
            "kind": receipt.kind,
            "returnStatus": receipt.return_status,
            "returnTime": item.return_time,
        }
        for name, value in (
            ("messageType", item.message_type),
            ("preNo", item.pre_no),
            ("invtNo", item.invt_no),
        ):
            if value:
                attrib[name] = value
        if item.copy:
            attrib["copy"] = item.copy
        element = etree.SubElement(root, f"{{{FEED_NS}}}Entry", attrib=attrib)
        if item.xml is not None:
            element.append(etree.fromstring(item.xml, parser))
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body
