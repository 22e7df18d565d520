"""Information sharing: the registry of parties, the exchange ledger, webhooks and agency adapters."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = _("Information sharing")

    def ready(self) -> None:
        from parks.signals import application_changed

        from . import tasks  # noqa: F401 - registers the tasks by name in the web process too
        from .api import schema  # noqa: F401 - registers the OpenAPI description of API keys
        from .services import on_park_application_changed

        application_changed.connect(
            on_park_application_changed, dispatch_uid="sharing.park_application_audit"
        )
