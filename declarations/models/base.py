"""What every declared document has: its CEB header, who submitted it and its content hash."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sharing.models import Enterprise
from singlewindow.core.sandbox import SandboxScoped

from ..choices import AppType


def amount(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=19, decimal_places=5, **kwargs)


class CebDocument(SandboxScoped):
    """Fields every declared document has: its CEB header and who submitted it."""

    guid = models.CharField(max_length=36)
    app_type = models.CharField(max_length=1, choices=AppType.choices, default=AppType.NEW)
    app_time = models.CharField(max_length=14)
    app_status = models.CharField(max_length=3, default="2")
    note = models.CharField(max_length=1000, blank=True)
    submitted_by = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    # sha256 of the business content (guid, app_time and app_type excluded): re-sending the same
    # document is recognised and answered with the same receipt.
    content_hash = models.CharField(max_length=64)
    version = models.PositiveIntegerField(default=1)
    # A sandbox document's chosen outcome (sharing.adapters.base.SCENARIOS); always empty when live.
    sandbox_scenario = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
