"""Code tables of the documents and their clearance: list statuses, document kinds, receipt sources."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sharing.choices import ReturnStatus  # noqa: F401 - the CEB codes, defined where the adapters can read them


class AppType(models.TextChoices):
    NEW = "1", _("New")
    CHANGE = "2", _("Change")
    DELETE = "3", _("Delete")


class AppStatus(models.TextChoices):
    """DOMAIN 1.5: a saved document (暂存) goes no further until it is declared."""

    SAVED = "1", _("Saved")
    DECLARED = "2", _("Declared")


class InventoryStatus(models.TextChoices):
    """ARCHITECTURE.md: received -> matched -> assessed -> dispatched -> released | inspection | rejected."""

    RECEIVED = "received", _("Received")
    MISMATCH = "mismatch", _("Documents do not match")
    MATCHED = "matched", _("Matched")
    ASSESSED = "assessed", _("Assessed")
    HELD = "held", _("Held for an official")
    DISPATCHED = "dispatched", _("Sent to the agencies")
    RELEASED = "released", _("Released")
    INSPECTION = "inspection", _("Inspection")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    # A 9610 import list customs concluded (399) whose waybill has not yet arrived under its master
    # bill (CEB711): released (800) when it arrives, where CEB_9610_RELEASE_AFTER_ARRIVAL says so.
    AWAITING_ARRIVAL = "awaiting", _("Waiting for its waybill's arrival")


# Statuses after which the documents of a list may no longer change.
FROZEN_STATUSES = frozenset(
    {
        InventoryStatus.MATCHED,
        InventoryStatus.ASSESSED,
        InventoryStatus.HELD,
        InventoryStatus.DISPATCHED,
        InventoryStatus.RELEASED,
        InventoryStatus.INSPECTION,
        InventoryStatus.REJECTED,
        InventoryStatus.CANCELLED,
    }
)
FINAL_STATUSES = frozenset(
    {
        InventoryStatus.RELEASED,
        InventoryStatus.INSPECTION,
        InventoryStatus.REJECTED,
        InventoryStatus.CANCELLED,
    }
)
# A list may be cancelled (CEB623) in these statuses: before release and not while with the agencies.
CANCELLABLE_STATUSES = frozenset(
    {InventoryStatus.RECEIVED, InventoryStatus.MISMATCH, InventoryStatus.HELD, InventoryStatus.INSPECTION}
)
# A return (CEB625) is applied for within 30 days of release; the goods are back within 45 (DOMAIN 6.4).
RETURN_APPLY_DAYS = 30
GOODS_BACK_DAYS = 45
# Lists in these statuses are (re)matched when a document arrives or changes.
MATCHABLE_STATUSES = frozenset({InventoryStatus.RECEIVED, InventoryStatus.MISMATCH})
# A list in these statuses no longer holds its order and waybill (R10: a next list may take them).
DEAD_STATUSES = frozenset({InventoryStatus.CANCELLED, InventoryStatus.REJECTED})


class DocumentKind(models.TextChoices):
    ORDER = "order", _("Order (CEB311)")
    PAYMENT = "payment", _("Payment (CEB411)")
    WAYBILL = "waybill", _("Waybill (CEB511)")
    WAYBILL_STATUS = "waybill_status", _("Waybill status (CEB513)")
    INVENTORY = "inventory", _("Inventory list (CEB621)")
    CANCEL = "cancel", _("List cancellation (CEB623)")
    REFUND = "refund", _("Return (CEB625)")
    EXPORT_ORDER = "export_order", _("Export order (CEB303)")
    RECEIPT_OF_PAYMENT = "receipt_of_payment", _("Receipt of payment (CEB403)")
    EXPORT_WAYBILL = "export_waybill", _("Export waybill (CEB505)")
    EXPORT_INVENTORY = "export_inventory", _("Export inventory list (CEB603)")
    SUMMARY = "summary", _("Summary declaration (CEB701)")
    TAX_BILL = "tax_bill", _("Electronic tax bill (CEB816)")


class ExitStatus(models.TextChoices):
    """Where the goods of a released export list are (CEB507 arrival, CEB509 departure, CEB213/215
    return); kept beside the clearance status, which stays "released" for summaries and forex."""

    NONE = "", _("Not yet at the site")
    ARRIVED = "arrived", _("Arrived at the supervised site (CEB507)")
    DEPARTED = "departed", _("Departed (CEB509)")
    RETURN_APPLIED = "return_applied", _("Return applied for (CEB213)")
    RETURNED = "returned", _("Returned goods tallied (CEB215)")


class ReceiptSource(models.TextChoices):
    PORTAL = "portal", _("Single window")
    CUSTOMS = "customs", _("Customs")
    INSPECTION = "inspection", _("Inspection and quarantine")
    TAX = "tax", _("Tax")
    FOREX = "forex", _("Foreign exchange")
