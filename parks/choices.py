"""Codes of parks: the kinds of park and the statuses of an application to settle in one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ParkKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive park")
    BONDED = "bonded", _("Bonded logistics park")
    AIRPORT = "airport", _("Airport park")
    POSTAL = "postal", _("Postal and express park")
    INDUSTRIAL = "industrial", _("Industrial park")
    INCUBATOR = "incubator", _("Incubation park")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
