"""BaseSubscribe (DOMAIN 1.3): a party a message names to receive copies of a document's data, of its
receipts, or of both."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sharing.models import Enterprise

from ..choices import DocumentKind


class SubscribeScope(models.TextChoices):
    ALL = "ALL", _("Data and receipts")
    DATA = "DATA", _("Data only")
    RET = "RET", _("Receipts only")


class DocumentSubscription(models.Model):
    """A copy of one document's traffic for a registered party named in its message's BaseSubscribe.

    The subscriber's pull queue (and webhooks) carry the document's receipts (ALL, RET) or only the
    receipt that answered its arrival, `data_receipt` (DATA).
    """

    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    document_id = models.BigIntegerField()
    subscriber = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="subscriptions")
    scope = models.CharField(_("scope"), max_length=4, choices=SubscribeScope.choices)
    dxp_address = models.CharField(_("DXP address"), max_length=100)
    note = models.CharField(max_length=1000, blank=True)
    named_by = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    # The receipt that answered the document's arrival: what a DATA subscriber gets.
    data_receipt_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "kind", "document_id"], name="one_subscription_per_party"
            )
        ]
        indexes = [models.Index(fields=["kind", "document_id"], name="subscription_document")]
        verbose_name = _("document subscription")
        verbose_name_plural = _("document subscriptions")

    def __str__(self) -> str:
        return f"{self.dxp_address} {self.scope}: {self.kind} {self.document_id}"
