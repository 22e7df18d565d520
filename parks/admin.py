"""Admin pages for zones, parks, park services and park applications."""

from django.contrib import admin

from .models import Park, ParkApplication, ParkService, Zone


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_zh", "city", "batch", "approval_date"]
    list_filter = ["batch"]


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_zh", "zone", "kind", "district"]
    list_filter = ["zone", "kind"]
    filter_horizontal = ["services"]


@admin.register(ParkService)
class ParkServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]


@admin.register(ParkApplication)
class ParkApplicationAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "park", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "reason", "decided_by", "decided_at"]
