"""Codes of the registry: enterprise roles and statuses, agency codes, member roles, notification kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EnterpriseRole(models.TextChoices):
    PLATFORM = "platform", _("E-commerce platform")
    ECOMMERCE = "ecommerce", _("E-commerce enterprise")
    LOGISTICS = "logistics", _("Logistics enterprise")
    PAYMENT = "payment", _("Payment enterprise")
    WAREHOUSE = "warehouse", _("Warehouse operator")
    AGENT = "agent", _("Declaring agent")


class EnterpriseStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


class AgencyCode(models.TextChoices):
    CUSTOMS = "customs", _("Customs")
    INSPECTION = "inspection", _("Inspection and quarantine")
    TAX = "tax", _("Tax")
    FOREX = "forex", _("Foreign exchange")
    COMMERCE = "commerce", _("Commerce")
    FINANCE = "finance", _("Financial services")


class ApiKeyKind(models.TextChoices):
    """A live key files real documents; a sandbox key files documents that never reach the zone's
    statistics or ledgers, on a clock its partner can move."""

    LIVE = "live", _("Live")
    SANDBOX = "sandbox", _("Sandbox")


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    STAFF = "staff", _("Staff")


class NotificationKind(models.TextChoices):
    ENTERPRISE_APPROVED = "enterprise_approved", _("Enterprise approved")
    ENTERPRISE_REJECTED = "enterprise_rejected", _("Enterprise rejected")
    ENTERPRISE_SUSPENDED = "enterprise_suspended", _("Enterprise suspended")
    PARK_APPROVED = "park_approved", _("Park application approved")
    PARK_DECLINED = "park_declined", _("Park application declined")
    GUARANTEE_LOW = "guarantee_low", _("Tax guarantee running low")
    FINANCING_DECIDED = "financing_decided", _("Financing request decided")
    LIST_HELD = "list_held", _("List held for review")
    LIST_REJECTED = "list_rejected", _("List rejected")
    LIST_INSPECTION = "list_inspection", _("List sent to inspection")
    ALERTS_RAISED = "alerts_raised", _("New alerts to review")


class ReturnStatus(models.TextChoices):
    """CEB `returnStatus` codes (DOMAIN 4.1); a negative business code stands in for 100 with its reason."""

    SAVED = "1", _("Saved at the e-port")
    DECLARING = "2", _("Received, being declared")
    SENT = "3", _("Sent to customs")
    SEND_FAILED = "4", _("Sending to customs failed")
    REJECTED = "100", _("Rejected by customs")
    ACCEPTED = "120", _("Accepted into the customs system")
    MANUAL_REVIEW = "300", _("Manual review")
    REVIEW_CONCLUDED = "399", _("Customs review concluded")
    INSPECTION = "500", _("Physical inspection")
    SHIPPED_BACK = "700", _("Returned")
    RELEASED = "800", _("Released")
    CLOSED = "899", _("Closed")


class BusinessCode(models.TextChoices):
    """Negative business codes sent as `returnStatus` when the window refuses a document (DOMAIN 4.3).

    The e-port's published ranges are kept (-301xxx orders, -401xxx payments, -504xxx waybills, -621xxx
    lists, -603xxx export lists); the codes it names are used as named (-301010, -301011, -401007,
    -504012, -621005, -621018). The others within a range are the window's own [I]: their meaning is
    this table, stated to partners in the README and the OpenAPI descriptions.
    """

    ORDER_EXISTS = "-301010", _("An order with this number already exists; send a change with app_type 2.")
    ORDER_FROZEN = "-301011", _("The order is on a declared list and can no longer change.")
    ORDER_UNKNOWN = "-301012", _("There is no such order to change; send it as new with app_type 1.")
    PAYMENT_EXISTS = "-401007", _("A payment with this transaction number already exists.")
    PAYMENT_FROZEN = "-401011", _("The payment is on a declared list and can no longer change.")
    PAYMENT_UNKNOWN = "-401012", _("There is no such payment to change; send it as new with app_type 1.")
    WAYBILL_FROZEN = "-504011", _("The waybill is on a declared list and can no longer change.")
    WAYBILL_EXISTS = "-504012", _("A waybill with this number already exists.")
    WAYBILL_UNKNOWN = "-504013", _("There is no such waybill to change; send it as new with app_type 1.")
    WAYBILL_NOT_FOUND = "-505001", _("No waybill with this number is stored.")
    WAYBILL_NOT_RELEASED = (
        "-505002",
        _("The goods of this waybill were not released; nothing to sign for."),
    )
    ORDER_ON_ANOTHER_LIST = "-621003", _("The order is already declared on another live list.")
    WAYBILL_ON_ANOTHER_LIST = "-621004", _("The waybill is already declared on another live list.")
    SINGLE_LIMIT = "-621005", _("The purchase exceeds the single-transaction limit.")
    PAYMENT_ON_ANOTHER_LIST = "-621006", _("The payment is already used by another live list.")
    LIST_EXISTS = (
        "-621009",
        _("A list with this number exists; send a change with app_type 2."),
    )
    LIST_FROZEN = "-621011", _("The list has been sent to the agencies and can no longer change.")
    LIST_UNKNOWN = "-621012", _("There is no such list to change; send it as new with app_type 1.")
    ANNUAL_LIMIT = "-621018", _("The buyer's used quota and this purchase exceed the annual limit.")
    DOCUMENTS_DIFFER = "-621019", _("The order, payment, waybill and list do not match.")
    PAYMENT_NOT_NAMED = "-621020", _("The payment is not from the payment enterprise the order names.")
    UNKNOWN_GOODS = "-621010", _("A commodity code is not in the tariff.")
    GUARANTEE_SHORT = "-621021", _("The tax guarantee does not cover the tax.")
    EXPORT_ORDER_EXISTS = "-303010", _("An export order with this number already exists.")
    EXPORT_ORDER_FROZEN = "-303011", _("The export order is on a declared list and can no longer change.")
    EXPORT_ORDER_UNKNOWN = "-303012", _("There is no such export order to change.")
    RECEIPT_EXISTS = "-403010", _("A receipt of payment for this order already exists.")
    RECEIPT_FROZEN = "-403011", _("The receipt of payment is on a declared list and can no longer change.")
    RECEIPT_UNKNOWN = "-403012", _("There is no such receipt of payment to change.")
    EXPORT_WAYBILL_FROZEN = "-505011", _("The export waybill is on a declared list and can no longer change.")
    EXPORT_WAYBILL_EXISTS = "-505012", _("An export waybill with this number already exists.")
    EXPORT_WAYBILL_UNKNOWN = "-505013", _("There is no such export waybill to change.")
    EXPORT_ORDER_ON_ANOTHER_LIST = "-603003", _("The export order is on another live list.")
    EXPORT_WAYBILL_ON_ANOTHER_LIST = (
        "-603004",
        _("The export waybill is on another live list."),
    )
    EXPORT_LIST_EXISTS = "-603010", _("An export list with this enterprise number already exists.")
    EXPORT_LIST_FROZEN = (
        "-603011",
        _("The export list was sent to the agencies; it can no longer change."),
    )
    EXPORT_LIST_UNKNOWN = "-603012", _("There is no such export list to change.")
    EXPORT_DOCUMENTS_DIFFER = (
        "-603019",
        _("The export order, receipt of payment, waybill and list differ."),
    )
    RECEIPT_NOT_FROM_PARTY = "-603020", _("The receipt of payment is not from a party of the order.")


# What an audit event's action code means, in words (the code stays the record's key).
AUDIT_ACTIONS = {
    "enterprise.registered": _("Enterprise registered"),
    "enterprise.resubmitted": _("Registration sent again for review"),
    "enterprise.pending": _("Enterprise put back to review"),
    "enterprise.approved": _("Enterprise approved"),
    "enterprise.rejected": _("Enterprise registration rejected"),
    "enterprise.suspended": _("Enterprise suspended"),
    "api_key.issued": _("API key issued"),
    "api_key.revoked": _("API key revoked"),
    "certificate.registered": _("Signing certificate registered"),
    "certificate.retired": _("Signing certificate retired"),
    "webhook.subscribed": _("Webhook subscribed"),
    "webhook.disabled": _("Webhook disabled"),
    "webhook.enabled": _("Webhook enabled"),
    "webhook.test_sent": _("Webhook test sent"),
    "otp.enrolled": _("Authenticator app set up"),
    "otp.recovery_used": _("Recovery code used"),
    "otp.reset": _("Second factor reset"),
    "credit.level_decided": _("Credit level decided by an official"),
    "credit.negative_list_added": _("Put on the negative list"),
    "credit.negative_list_lifted": _("Taken off the negative list"),
    "guarantee.topped_up": _("Tax guarantee topped up"),
    "financing.applied": _("Financing applied for"),
    "tax.consolidated": _("Monthly tax consolidated"),
    "warehouse.registered": _("Warehouse registered"),
    "inventory.cancelled": _("List cancelled"),
    "inventory.return_applied": _("Return applied for"),
    "inventory.returned": _("Goods returned"),
    "dispatch.redriven": _("Dispatch sent again"),
    "risk.rule_changed": _("Risk rule changed"),
}


# What to do next on a receipt's code (DOMAIN 4.1, 4.3), for whoever filed the document; codes not
# named here need nothing more than their meaning.
NEXT_STEPS = {
    ReturnStatus.DECLARING: _("Nothing to do: the window is checking the documents."),
    ReturnStatus.SENT: _("Nothing to do: wait for customs' answer."),
    ReturnStatus.SEND_FAILED: _("Nothing to do: the window sends it again by itself."),
    ReturnStatus.REJECTED: _("Read the reason, correct the document and declare it again."),
    ReturnStatus.ACCEPTED: _("Nothing to do: customs reviews the list and releases it."),
    ReturnStatus.MANUAL_REVIEW: _("Nothing to do until the officer decides; the decision shows here."),
    ReturnStatus.INSPECTION: _("Have the goods ready at the warehouse for the inspection."),
    ReturnStatus.RELEASED: _("The goods may be delivered to the buyer."),
    BusinessCode.SINGLE_LIMIT: _("The list cannot be released: split the purchase or lower its value."),
    BusinessCode.ANNUAL_LIMIT: _("The list cannot be released: the buyer has no annual quota left."),
    BusinessCode.DOCUMENTS_DIFFER: _("Correct the document named in the reason and send it again."),
    BusinessCode.PAYMENT_NOT_NAMED: _(
        "Send the payment from the firm the order names, or correct the order."
    ),
    BusinessCode.UNKNOWN_GOODS: _("Correct the commodity (HS) code of the line and send the list again."),
    BusinessCode.GUARANTEE_SHORT: _("Top up the tax guarantee, then declare the list again."),
    BusinessCode.EXPORT_DOCUMENTS_DIFFER: _("Correct the document named in the reason and send it again."),
}


def code_meaning(code: str) -> str:
    """A receipt's code in words: what it means, then what to do next, in the reader's language."""
    meaning = next(
        (
            label
            for choices in (ReturnStatus, BusinessCode)
            for value, label in choices.choices
            if value == code
        ),
        "",
    )
    if not meaning:
        return ""
    step = NEXT_STEPS.get(code)
    return f"{meaning} — {step}" if step else str(meaning)
