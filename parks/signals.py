"""Signals parks sends for the apps above it to act on (parks imports none of them)."""

from django.dispatch import Signal

# Sent inside the deciding transaction with `application`, `by` (the principal) and `action`.
# The registry (sharing) records the audit event and notifies the enterprise: parks sits left of
# sharing in the import order, so it announces rather than calls.
application_changed = Signal()
