"""The columns of the document lists, shared by the pages and their CSV and Excel exports: one place
says what a list shows and how a buyer's data is masked for the reader (declarations/privacy.py)."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sharing.principal import Principal

from . import privacy
from .choices import DocumentKind
from .models import (
    ExportInventoryList,
    InventoryList,
    InventoryRefund,
    Order,
    Payment,
    Receipt,
    Waybill,
)


@dataclass(frozen=True)
class Column:
    field: str
    label: str | Promise
    sort: bool = False  # offered as a sorting link
    # What the cell shows when not the stored value: a method or property of the row (a choice's label,
    # a reason in the reader's language).
    display: str = ""

    def value(self, document: Model) -> Any:
        value: Any = document
        for name in (self.display or self.field).split("."):  # "inventory.cop_no": a related row's
            value = getattr(value, name) if value is not None else None
        return value() if callable(value) else value


@dataclass(frozen=True)
class DocumentTable:
    """One list of documents: its model, columns and the file name of its exports."""

    kind: str
    model: type[Model]
    title: str | Promise
    columns: tuple[Column, ...]
    filename: str

    @property
    def header(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    @property
    def sortable(self) -> set[str]:
        return {"id"} | {column.field for column in self.columns if column.sort}


RECEIVED = Column("created_at", _("Received"), sort=True)

TABLES: dict[str, DocumentTable] = {
    DocumentKind.ORDER: DocumentTable(
        DocumentKind.ORDER,
        Order,
        _("Orders"),
        (
            Column("order_no", _("Order number"), sort=True),
            Column("ebp_name", _("E-commerce platform")),
            Column("ebc_name", _("E-commerce enterprise")),
            Column("buyer_name", _("Buyer")),
            Column("goods_value", _("Goods value"), sort=True),
            Column("actual_paid", _("Amount paid"), sort=True),
            Column("currency", _("Currency")),
            RECEIVED,
        ),
        "orders",
    ),
    DocumentKind.PAYMENT: DocumentTable(
        DocumentKind.PAYMENT,
        Payment,
        _("Payments"),
        (
            Column("pay_transaction_id", _("Payment transaction number"), sort=True),
            Column("order_no", _("Order number"), sort=True),
            Column("pay_name", _("Payment enterprise")),
            Column("payer_name", _("Payer")),
            Column("amount_paid", _("Amount paid"), sort=True),
            Column("currency", _("Currency")),
            RECEIVED,
        ),
        "payments",
    ),
    DocumentKind.WAYBILL: DocumentTable(
        DocumentKind.WAYBILL,
        Waybill,
        _("Waybills"),
        (
            Column("logistics_no", _("Waybill number"), sort=True),
            Column("bill_no", _("Bill of lading number")),
            Column("order_no", _("Order number"), sort=True),
            Column("logistics_name", _("Logistics enterprise")),
            Column("consignee", _("Consignee")),
            Column("pack_no", _("Packages")),
            RECEIVED,
        ),
        "waybills",
    ),
    DocumentKind.INVENTORY: DocumentTable(
        DocumentKind.INVENTORY,
        InventoryList,
        _("Inventory lists"),
        (
            Column("cop_no", _("List number"), sort=True),
            Column("pre_no", _("Pre-entry number")),
            Column("invt_no", _("Customs list number")),
            Column("order_no", _("Order number")),
            Column("logistics_no", _("Waybill number")),
            Column("trade_mode", _("Mode")),
            Column("buyer_name", _("Buyer")),
            Column("status", _("Status"), sort=True, display="get_status_display"),
            Column("status_reason", _("Reason"), display="reason"),
            Column("tax_amount", _("Tax"), sort=True),
            RECEIVED,
        ),
        "inventory-lists",
    ),
    DocumentKind.REFUND: DocumentTable(
        DocumentKind.REFUND,
        InventoryRefund,
        _("Returns"),
        (
            Column("invt_no", _("Customs list number"), sort=True),
            Column("order_no", _("Order number")),
            Column("logistics_no", _("Waybill number")),
            Column("buyer_name", _("Buyer")),
            Column("reason", _("Reason")),
            Column("state", _("Status"), sort=True, display="get_state_display"),
            Column("goods_due_by", _("Goods due back by"), sort=True),
            Column("tax_returned", _("Tax returned")),
            Column("created_at", _("Applied"), sort=True),
        ),
        "returns",
    ),
    "receipt": DocumentTable(
        "receipt",
        Receipt,
        _("Receipts"),
        (
            Column("kind", _("Document"), display="get_kind_display"),
            Column("natural_key", _("Key"), sort=True),
            Column("source", _("From"), display="get_source_display"),
            Column("return_status", _("Code"), sort=True),
            Column("return_info", _("Message"), display="info"),
            Column("created_at", _("Time"), sort=True),
        ),
        "receipts",
    ),
    # What an agency answered (its officials' view): a customs receipt, or another agency's decision
    # read like one (AgencyDecision has the same names).
    "agency-receipt": DocumentTable(
        "agency-receipt",
        Receipt,
        _("Agency receipts"),
        (
            Column("natural_key", _("List")),
            Column("source", _("From"), display="get_source_display"),
            Column("return_status", _("Code"), sort=True),
            Column("return_info", _("Message"), display="info"),
            Column("created_at", _("Time"), sort=True),
        ),
        "agency-receipts",
    ),
    "export-inventory": DocumentTable(
        "export-inventory",
        ExportInventoryList,
        _("Export lists"),
        (
            Column("cop_no", _("List number"), sort=True),
            Column("invt_no", _("Customs list number")),
            Column("order_no", _("Order number")),
            Column("logistics_no", _("Waybill number")),
            Column("trade_mode", _("Mode"), sort=True),
            Column("status", _("Status"), sort=True, display="get_status_display"),
            Column("status_reason", _("Reason"), display="reason"),
            Column("fob_value_cny", _("Value (CNY)"), sort=True),
            RECEIVED,
        ),
        "export-lists",
    ),
}


def cells(table: DocumentTable, document: Model, principal: Principal) -> list[Any]:
    """One row's cells: buyers as the reader may see them (privacy.py keys them by field name)."""
    shown = privacy.for_principal(
        {column.field: column.value(document) for column in table.columns}, principal
    )
    return [shown[column.field] for column in table.columns]


def page_rows(table: DocumentTable, documents: Iterable[Model], principal: Principal) -> list[list[Any]]:
    """The cells of a page of documents, as the exports write them."""
    return [cells(table, document, principal) for document in documents]


def export_rows(table: DocumentTable, queryset: QuerySet, principal: Principal) -> Iterator[list[Any]]:
    """The rows of an export, read in chunks as they are written; times in local time."""
    for document in queryset.iterator(chunk_size=2000):
        yield [
            timezone.localtime(cell).strftime("%Y-%m-%d %H:%M:%S") if isinstance(cell, datetime) else cell
            for cell in cells(table, document, principal)
        ]
