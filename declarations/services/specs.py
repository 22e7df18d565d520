"""What intake takes and answers: the spec of each kind of document (schema, natural key, roles, model),
the result of one document, and the refusal of a whole call."""

from dataclasses import dataclass, field

from django.db import models
from rest_framework import serializers

from sharing.choices import EnterpriseRole
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
    key_fields: tuple[str, str]
    roles: tuple[str, ...]
    # which field must carry the submitter's own code, per role
    own_code_field: dict[str, str]
    item_model: type[models.Model] | None = None
    item_fk: str = ""
    change_error: str = ""


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
        "-301011",
    ),
    DocumentKind.PAYMENT: DocumentSpec(
        DocumentKind.PAYMENT,
        Payment,
        schemas.PaymentSchema,
        ("pay_code", "pay_transaction_id"),
        (EnterpriseRole.PAYMENT,),
        {EnterpriseRole.PAYMENT: "pay_code"},
        change_error="-401011",
    ),
    DocumentKind.WAYBILL: DocumentSpec(
        DocumentKind.WAYBILL,
        Waybill,
        schemas.WaybillSchema,
        ("logistics_code", "logistics_no"),
        (EnterpriseRole.LOGISTICS,),
        {EnterpriseRole.LOGISTICS: "logistics_code"},
        change_error="-504011",
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
        "-621011",
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
        "-303011",
    ),
    DocumentKind.RECEIPT_OF_PAYMENT: DocumentSpec(
        DocumentKind.RECEIPT_OF_PAYMENT,
        ReceiptOfPayment,
        schemas.ReceiptOfPaymentSchema,
        ("ebp_code", "order_no"),
        (EnterpriseRole.PAYMENT, EnterpriseRole.ECOMMERCE),
        {EnterpriseRole.PAYMENT: "pay_code", EnterpriseRole.ECOMMERCE: "ebc_code"},
        change_error="-403011",
    ),
    DocumentKind.EXPORT_WAYBILL: DocumentSpec(
        DocumentKind.EXPORT_WAYBILL,
        ExportWaybill,
        schemas.ExportWaybillSchema,
        ("logistics_code", "logistics_no"),
        (EnterpriseRole.LOGISTICS,),
        {EnterpriseRole.LOGISTICS: "logistics_code"},
        change_error="-505011",
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
        "-603011",
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
