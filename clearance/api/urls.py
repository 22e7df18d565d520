"""Routes of the sandbox API."""

from django.urls import path

from .views import SandboxClockView, SandboxResetView, SandboxTaxConsolidationView

app_name = "sandbox-api"

urlpatterns = [
    path("sandbox/clock/", SandboxClockView.as_view(), name="clock"),
    path("sandbox/reset/", SandboxResetView.as_view(), name="reset"),
    path("sandbox/tax-consolidations/", SandboxTaxConsolidationView.as_view(), name="tax-consolidation"),
]
