"""Admin pages for finance's reference data: tax rates, the retail limits and the tolerance on the
platforms' pre-collected tax."""

from django.contrib import admin

from .models import RetailLimit, TaxRate, TaxTotalTolerance


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = [
        "hs_prefix",
        "description",
        "vat_rate",
        "consumption_rate",
        "duty_rate",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["valid_from", "valid_to"]
    search_fields = ["hs_prefix", "description"]
    date_hierarchy = "valid_from"


@admin.register(RetailLimit)
class RetailLimitAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "single_limit", "annual_limit", "note"]


@admin.register(TaxTotalTolerance)
class TaxTotalToleranceAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "share", "source"]
