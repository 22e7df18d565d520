"""The documents of a declaration, as the CEB message set: field names are the element names in
snake_case (DOMAIN.md 2.1-2.5), so JSON and CEB XML map one to one.

Lengths and decimal places follow the 2022-05 XSD; amounts are N19,5. Times keep the CEB text
formats (app_time YYYYMMDDhhmmss, decl_time YYYYMMDD) so a document reads back as it was sent.
One module per family: `imports`, `exports`, `amendments`, `pipeline` (what the clearance writes),
`uploads`; every model is importable from here.
"""

from .amendments import InventoryCancel, InventoryRefund, InventoryRefundLine, ListAmendment
from .base import CebDocument
from .exchange import ExchangeFiling, ExchangeFilingWaybill
from .exports import (
    ExportInventoryItem,
    ExportInventoryList,
    ExportOrder,
    ExportOrderItem,
    ExportWaybill,
    ReceiptOfPayment,
    SummaryDeclaration,
)
from .imports import LIVE_LIST, InventoryItem, InventoryList, Order, OrderItem, Payment, Waybill
from .intake import IntakeEntry
from .pipeline import AgencyDecision, AgencyDispatch, DispatchBatch, Receipt
from .subscriptions import DocumentSubscription, SubscribeScope
from .uploads import Upload

__all__ = [
    "LIVE_LIST",
    "AgencyDecision",
    "AgencyDispatch",
    "CebDocument",
    "DispatchBatch",
    "ExchangeFiling",
    "ExchangeFilingWaybill",
    "DocumentSubscription",
    "ExportInventoryItem",
    "ExportInventoryList",
    "ExportOrder",
    "ExportOrderItem",
    "ExportWaybill",
    "IntakeEntry",
    "InventoryCancel",
    "InventoryItem",
    "InventoryList",
    "InventoryRefund",
    "InventoryRefundLine",
    "ListAmendment",
    "Order",
    "OrderItem",
    "Payment",
    "Receipt",
    "SubscribeScope",
    "ReceiptOfPayment",
    "SummaryDeclaration",
    "Upload",
    "Waybill",
]
