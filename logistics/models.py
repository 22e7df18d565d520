"""Intelligent logistics: the tracking timeline of each parcel."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from declarations.models import Waybill


class TrackingEvent(models.Model):
    """One step of a parcel's journey: posted by its logistics firm or added by the pipeline."""

    class Code(models.TextChoices):
        PICKED_UP = "picked_up", _("Picked up")
        IN_TRANSIT = "in_transit", _("In transit")
        ARRIVED = "arrived", _("Arrived at the supervised site")
        DECLARED = "declared", _("Declared to the agencies")
        INSPECTION = "inspection", _("Held for inspection")
        RELEASED = "released", _("Released by customs")
        REJECTED = "rejected", _("Refused clearance")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
        SIGNED = "signed", _("Signed for")
        EXCEPTION = "exception", _("Delivery exception")

    class Source(models.TextChoices):
        LOGISTICS = "logistics", _("Logistics enterprise")
        PIPELINE = "pipeline", _("Single window")

    waybill = models.ForeignKey(Waybill, on_delete=models.CASCADE, related_name="tracking_events")
    code = models.CharField(_("status"), max_length=20, choices=Code.choices)
    place = models.CharField(_("place"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("time"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [
            # The same step reported twice is one step.
            models.UniqueConstraint(
                fields=["waybill", "code", "occurred_at"], name="one_tracking_event_per_step"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.waybill_id} {self.code} {self.occurred_at:%Y-%m-%d %H:%M}"
