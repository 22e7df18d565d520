"""Routes of finance's API: tax summary and consolidations, guarantees, forex statement, financing."""

from django.urls import path

from singlewindow.core.api import Router

from .quota import QuotaLookupView
from .views import (
    FinancingRequestViewSet,
    ForexStatementCsvView,
    ForexStatementView,
    TaxConsolidationViewSet,
    TaxGuaranteeViewSet,
    TaxSummaryCsvView,
    TaxSummaryView,
)

app_name = "finance-api"

router = Router(trailing_slash=True)
router.register("tax-consolidations", TaxConsolidationViewSet, basename="tax-consolidation")
router.register("tax-guarantees", TaxGuaranteeViewSet, basename="tax-guarantee")
router.register("financing-requests", FinancingRequestViewSet, basename="financing-request")
urlpatterns = [
    path("quota/lookup/", QuotaLookupView.as_view(), name="quota-lookup"),
    path("tax-summary/", TaxSummaryView.as_view(), name="tax-summary"),
    path("tax-summary/csv/", TaxSummaryCsvView.as_view(), name="tax-summary-csv"),
    path("forex-statement/", ForexStatementView.as_view(), name="forex-statement"),
    path("forex-statement/csv/", ForexStatementCsvView.as_view(), name="forex-statement-csv"),
    *router.urls,
]
