"""Signals declarations sends to the apps above it, which it may not import."""

from django.dispatch import Signal

# Sent inside the transaction when a waybill is signed for (CEB513), with `waybill` and `signed_at`:
# logistics (right of declarations in the import order) adds the step to the parcel's timeline.
waybill_signed = Signal()
