"""Pages of finance: tax summary, guarantees, forex statement and financing."""

from django.urls import path

from . import quota_views, views

urlpatterns = [
    path("quota/", quota_views.quota_lookup_page, name="quota-lookup"),
    path("finance/tax-summary/", views.tax_summary, name="tax-summary"),
    path("finance/tax-summary/pdf/", views.tax_summary_pdf, name="tax-summary-pdf"),
    path("finance/guarantees/", views.guarantee_list, name="guarantee-list"),
    path("finance/forex/", views.forex_statement, name="forex-statement"),
    path("finance/financing/", views.financing, name="financing"),
]
