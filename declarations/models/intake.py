"""Documents received one per request and answered 2 at once, waiting for the intake processor."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sharing.models import Enterprise

from ..choices import DocumentKind


class IntakeEntry(models.Model):
    """One document as the partner sent it, committed before the request answered returnStatus 2
    (received, being declared). The intake processor stores a micro-batch of them as one batch intake
    would and deletes them in the same transaction: none is lost if a process dies after the answer,
    and none is stored twice."""

    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    # No constraint in the database: every concurrent INSERT would run its check (a trigger and a query)
    # and share-lock the same enterprise row, which under many requests at once becomes a MultiXact per
    # lock. The enterprise is the key's, read in the same request; Django still cascades a deletion.
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    document = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Runs that failed on it (a bug, not a refusal: refusals are answered with a receipt and done).
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("received document")
        verbose_name_plural = _("received documents")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
