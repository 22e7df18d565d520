"""Admin pages for risk rules, reference prices, assessments and alerts."""

from django.contrib import admin

from .models import Alert, ReferencePrice, RiskAssessment, RiskRule


@admin.register(RiskRule)
class RiskRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "weight", "enabled", "current"]
    list_filter = ["current", "enabled"]
    # Rules change through the officials' page, which saves a new version each time.
    readonly_fields = ["code", "version", "current"]


@admin.register(ReferencePrice)
class ReferencePriceAdmin(admin.ModelAdmin):
    list_display = ["hs_prefix", "description", "unit_price"]


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(admin.ModelAdmin):
    list_display = ["inventory", "score", "decision", "selected_for_inspection", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["inventory", "score", "status", "outcome", "decided_by", "decided_at"]
    list_filter = ["status", "outcome"]

    def has_change_permission(self, request, obj=None):
        return False
