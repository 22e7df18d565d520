"""Information sharing: the registry of parties, the exchange ledger, webhooks and agency adapters."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = _("Information sharing")

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_delete, post_save

        from parks.signals import application_changed
        from singlewindow.core import sandbox

        from . import tasks  # noqa: F401 - registers the tasks by name in the web process too
        from .api import schema  # noqa: F401 - registers the OpenAPI description of API keys
        from .models import CodeTableEntry
        from .selectors import code_cache_clear
        from .services import on_park_application_changed

        # Every request starts and ends outside the sandbox; a sandbox key enters it when authenticated.
        request_started.connect(sandbox.reset_on_request, dispatch_uid="sharing.sandbox_request_started")
        request_finished.connect(sandbox.reset_on_request, dispatch_uid="sharing.sandbox_request_finished")
        application_changed.connect(
            on_park_application_changed, dispatch_uid="sharing.park_application_audit"
        )
        # An edited code is checked at once in this process (others reload within the cache's TTL).
        post_save.connect(code_cache_clear, sender=CodeTableEntry, dispatch_uid="sharing.codes_saved")
        post_delete.connect(code_cache_clear, sender=CodeTableEntry, dispatch_uid="sharing.codes_deleted")
