"""Field-by-field validation of the documents at intake, shared by JSON, CEB XML, CSV and the browser:
lengths, required fields and decimal places of the 2022-05 XSD (DOMAIN.md 2.1-2.5), then the rules a
document must meet on its own (declarations.matching). Errors name the field.

The database's unique constraints, not a query per document, enforce the natural keys. `fields` holds
the field builders and the base schema, `imports` and `exports` the documents of each direction, and
`fast` the compiled validator of the common, valid case.
"""

from .exports import (
    EXPORT_MODES,
    ExportInventoryItemSchema,
    ExportInventorySchema,
    ExportOrderItemSchema,
    ExportOrderSchema,
    ExportWaybillSchema,
    ReceiptOfPaymentSchema,
)
from .fast import FastValidator
from .fields import CebSchema, is_real_date
from .imports import (
    InventoryItemSchema,
    InventorySchema,
    ListAmendmentSchema,
    OrderItemSchema,
    OrderSchema,
    PaymentSchema,
    RefundLineSchema,
    RefundSchema,
    WaybillSchema,
    WaybillStatusSchema,
)

__all__ = [
    "EXPORT_MODES",
    "CebSchema",
    "ExportInventoryItemSchema",
    "ExportInventorySchema",
    "ExportOrderItemSchema",
    "ExportOrderSchema",
    "ExportWaybillSchema",
    "FastValidator",
    "InventoryItemSchema",
    "InventorySchema",
    "ListAmendmentSchema",
    "OrderItemSchema",
    "OrderSchema",
    "PaymentSchema",
    "ReceiptOfPaymentSchema",
    "RefundLineSchema",
    "RefundSchema",
    "WaybillSchema",
    "WaybillStatusSchema",
    "is_real_date",
]
