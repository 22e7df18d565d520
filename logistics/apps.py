"""Django app configuration of logistics; connects the waybill-signed signal to its stock service."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Intelligent logistics")

    def ready(self) -> None:
        from declarations.signals import waybill_signed

        from .services import on_waybill_signed

        waybill_signed.connect(on_waybill_signed, dispatch_uid="logistics.waybill_signed")
