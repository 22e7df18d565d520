"""Admin pages for credit regimes and their levels, profiles, events and the negative list."""

from django.contrib import admin

from .models import CreditEvent, CreditLevel, CreditProfile, CreditRegime, NegativeListEntry


class CreditLevelInline(admin.TabularInline):
    model = CreditLevel
    extra = 0


@admin.register(CreditRegime)
class CreditRegimeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "valid_from"]
    inlines = [CreditLevelInline]


@admin.register(CreditProfile)
class CreditProfileAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "score", "decided_level"]
    readonly_fields = ["score", "decided_level", "decided_reason", "decided_by", "decided_at"]


@admin.register(CreditEvent)
class CreditEventAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "kind", "points", "created_at"]
    list_filter = ["kind"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NegativeListEntry)
class NegativeListEntryAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "reason", "starts_on", "ends_on", "lifted_at"]
