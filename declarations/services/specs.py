"""What intake takes and answers: the spec of each kind of document (schema, natural key, roles, model),
the result of one document, and the refusal of a whole call."""

from dataclasses import dataclass, field

from django.db import models
from rest_framework import serializers

from sharing.choices import BusinessCode, EnterpriseRole
from sharing.models import Enterprise
from singlewindow.core.errors import Forbidden

from .. import schemas
from ..choices import DocumentKind
from ..models import (
    ExportInventoryItem,
    ExportInventoryList,
    ExportOrder,
    ExportOrderItem,
    ExportWaybill,
    InventoryItem,
    InventoryList,
    Order,
    OrderItem,
    Payment,
    Receipt,
    ReceiptOfPayment,
    Waybill,
)

MAX_BATCH = 1000


class IntakeForbidden(Forbidden):
    """The caller's enterprise may not submit this kind of document at all (or act on this list)."""

    code = "permission_denied"


@dataclass
class IntakeResult:
    """The answer about one submitted document, in the order it was sent."""

    index: int
    outcome: str  # accepted | duplicate | changed | rejected
    natural_key: dict[str, str]
    id: int | None = None
    receipt: Receipt | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    return_status: str = ""
    return_info: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome != "rejected"


def errors_text(errors: dict[str, list[str]]) -> str:
    """A rejected document's errors as its receipt's return_info: "field: message; ...", at most 1,000
    characters."""
    return "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())[:1000]


@dataclass(frozen=True)
class DocumentSpec:
    """How one kind of document is validated, keyed, authorised and stored."""

    kind: str
    model: type[models.Model]
    schema: type[serializers.Serializer]
    key_fields: tuple[str, ...]  # the last names the document's number (errors are put on it)
    roles: tuple[str, ...]
    # which field must carry the submitter's own code, per role
    own_code_field: dict[str, str]
    item_model: type[models.Model] | None = None
    item_fk: str = ""
    change_error: str = ""  # a change of a document its list froze
    exists_error: str = ""  # a new document (app_type 1) under a stored key with other content
    unknown_error: str = ""  # a change (app_type 2) of a document never filed


SPECS = {
    DocumentKind.ORDER: DocumentSpec(
        DocumentKind.ORDER,
        Order,
        schemas.OrderSchema,
        ("ebp_code", "order_no"),
        (EnterpriseRole.PLATFORM,),
        {EnterpriseRole.PLATFORM: "ebp_code"},
        OrderItem,
        "order",
        BusinessCode.ORDER_FROZEN,
        BusinessCode.ORDER_EXISTS,
        BusinessCode.ORDER_UNKNOWN,
    ),
    DocumentKind.PAYMENT: DocumentSpec(
        DocumentKind.PAYMENT,
        Payment,
        schemas.PaymentSchema,
        ("pay_code", "pay_transaction_id"),
        (EnterpriseRole.PAYMENT,),
        {EnterpriseRole.PAYMENT: "pay_code"},
        change_error=BusinessCode.PAYMENT_FROZEN,
        exists_error=BusinessCode.PAYMENT_EXISTS,
        unknown_error=BusinessCode.PAYMENT_UNKNOWN,
    ),
    DocumentKind.WAYBILL: DocumentSpec(
        DocumentKind.WAYBILL,
        Waybill,
        schemas.WaybillSchema,
        ("logistics_code", "logistics_no"),
        (EnterpriseRole.LOGISTICS,),
        {EnterpriseRole.LOGISTICS: "logistics_code"},
        change_error=BusinessCode.WAYBILL_FROZEN,
        exists_error=BusinessCode.WAYBILL_EXISTS,
        unknown_error=BusinessCode.WAYBILL_UNKNOWN,
    ),
    DocumentKind.INVENTORY: DocumentSpec(
        DocumentKind.INVENTORY,
        InventoryList,
        schemas.InventorySchema,
        ("ebc_code", "cop_no"),
        (EnterpriseRole.ECOMMERCE, EnterpriseRole.AGENT),
        {EnterpriseRole.ECOMMERCE: "ebc_code", EnterpriseRole.AGENT: "agent_code"},
        InventoryItem,
        "inventory",
        BusinessCode.LIST_FROZEN,
        BusinessCode.LIST_EXISTS,
        BusinessCode.LIST_UNKNOWN,
    ),
    DocumentKind.EXPORT_ORDER: DocumentSpec(
        DocumentKind.EXPORT_ORDER,
        ExportOrder,
        schemas.ExportOrderSchema,
        ("ebp_code", "order_no"),
        (EnterpriseRole.PLATFORM, EnterpriseRole.ECOMMERCE),
        # B2B exporters and overseas-warehouse bookings are filed by the exporter itself.
        {EnterpriseRole.PLATFORM: "ebp_code", EnterpriseRole.ECOMMERCE: "ebc_code"},
        ExportOrderItem,
        "order",
        BusinessCode.EXPORT_ORDER_FROZEN,
        BusinessCode.EXPORT_ORDER_EXISTS,
        BusinessCode.EXPORT_ORDER_UNKNOWN,
    ),
    DocumentKind.RECEIPT_OF_PAYMENT: DocumentSpec(
        DocumentKind.RECEIPT_OF_PAYMENT,
        ReceiptOfPayment,
        schemas.ReceiptOfPaymentSchema,
        # One per paying firm (or the exporter itself): a stranger's receipt filed first must not block
        # the real one; the match counts only a party's (clearance.match.counted_receipt).
        ("ebp_code", "pay_code", "order_no"),
        (EnterpriseRole.PAYMENT, EnterpriseRole.ECOMMERCE),
        {EnterpriseRole.PAYMENT: "pay_code", EnterpriseRole.ECOMMERCE: "ebc_code"},
        change_error=BusinessCode.RECEIPT_FROZEN,
        exists_error=BusinessCode.RECEIPT_EXISTS,
        unknown_error=BusinessCode.RECEIPT_UNKNOWN,
    ),
    DocumentKind.EXPORT_WAYBILL: DocumentSpec(
        DocumentKind.EXPORT_WAYBILL,
        ExportWaybill,
        schemas.ExportWaybillSchema,
        ("logistics_code", "logistics_no"),
        (EnterpriseRole.LOGISTICS,),
        {EnterpriseRole.LOGISTICS: "logistics_code"},
        change_error=BusinessCode.EXPORT_WAYBILL_FROZEN,
        exists_error=BusinessCode.EXPORT_WAYBILL_EXISTS,
        unknown_error=BusinessCode.EXPORT_WAYBILL_UNKNOWN,
    ),
    DocumentKind.EXPORT_INVENTORY: DocumentSpec(
        DocumentKind.EXPORT_INVENTORY,
        ExportInventoryList,
        schemas.ExportInventorySchema,
        ("ebc_code", "cop_no"),
        (EnterpriseRole.ECOMMERCE, EnterpriseRole.AGENT),
        {EnterpriseRole.ECOMMERCE: "ebc_code", EnterpriseRole.AGENT: "agent_code"},
        ExportInventoryItem,
        "inventory",
        BusinessCode.EXPORT_LIST_FROZEN,
        BusinessCode.EXPORT_LIST_EXISTS,
        BusinessCode.EXPORT_LIST_UNKNOWN,
    ),
}
EXPORT_KINDS = frozenset(
    {
        DocumentKind.EXPORT_ORDER,
        DocumentKind.RECEIPT_OF_PAYMENT,
        DocumentKind.EXPORT_WAYBILL,
        DocumentKind.EXPORT_INVENTORY,
    }
)
LIST_KINDS = frozenset({DocumentKind.INVENTORY, DocumentKind.EXPORT_INVENTORY})


def may_file(enterprise: Enterprise | None, kind: str) -> bool:
    """Whether `enterprise` may file documents of `kind` at all: approved, and one of its roles is one
    the kind's spec names (the check `submit` makes, asked before a form is shown)."""
    return (
        enterprise is not None
        and enterprise.is_approved
        and any(enterprise.has_role(role) for role in SPECS[kind].roles)
    )
