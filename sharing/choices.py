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
