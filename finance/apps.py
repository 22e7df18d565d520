"""Django app configuration of finance."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Financial services")

    def ready(self) -> None:
        # The receipts' CEB feed (declarations) writes tax bills through finance, the app that owns them.
        from declarations.choices import DocumentKind
        from declarations.receipt_feed import register_writer

        from .ceb_tax import tax_bill_feed_writer

        register_writer(DocumentKind.TAX_BILL, tax_bill_feed_writer)
