"""Admin pages for the registry (enterprises, agencies, memberships, API keys, mandates), people's
second factor (reset), and its reference lists (positive list, overseas producers, payment licences,
exchange rates, code tables)."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin

from .models import (
    Agency,
    AgentMandate,
    AuditEvent,
    BuyerVerification,
    CodeTableEntry,
    Enterprise,
    EnterpriseAPIKey,
    ExchangeRate,
    Membership,
    Notification,
    OverseasProducer,
    PaymentLicence,
    PositiveListEntry,
)
from .otp import otp_reset


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["customs_code", "name_zh", "status", "park"]
    list_filter = ["status", "park__zone"]
    search_fields = ["customs_code", "uscc", "name_zh", "name_en"]
    # Status changes go through the review pages so they are audited and notified.
    readonly_fields = ["status", "status_reason", "approved_at"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "enterprise", "agency", "role"]
    list_select_related = ["user", "enterprise", "agency"]


@admin.register(EnterpriseAPIKey)
class EnterpriseAPIKeyAdmin(APIKeyModelAdmin):
    list_display = [*APIKeyModelAdmin.list_display, "enterprise", "last_used_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "kind", "subject", "created_at", "read_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["sequence", "at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "actor_api_key_prefix", "object_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AgentMandate)
class AgentMandateAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "agent", "valid_until"]
    list_select_related = ["enterprise", "agent"]


@admin.register(BuyerVerification)
class BuyerVerificationAdmin(admin.ModelAdmin):
    list_display = ["name", "method", "verified_at"]
    search_fields = ["id_number", "name"]


@admin.register(PositiveListEntry)
class PositiveListEntryAdmin(admin.ModelAdmin):
    list_display = ["hs_prefix", "description", "category"]


@admin.register(OverseasProducer)
class OverseasProducerAdmin(admin.ModelAdmin):
    list_display = ["registration_no", "name", "country", "gs1_prefix", "categories"]


@admin.register(PaymentLicence)
class PaymentLicenceAdmin(admin.ModelAdmin):
    list_display = ["pay_code", "licence_no", "valid_until"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "cny_per_unit", "valid_from"]


@admin.register(CodeTableEntry)
class CodeTableEntryAdmin(admin.ModelAdmin):
    """A code is retired by setting its last day (valid_until), not by deleting it: the documents that
    carried it keep a meaning."""

    list_display = ["table", "code", "name_zh", "name_en", "valid_from", "valid_until"]
    list_filter = ["table"]
    search_fields = ["code", "name_zh", "name_en"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Django's user admin, with the reset of a person's second factor (a lost phone)."""

    actions = ["reset_second_factor"]

    @admin.action(description=_("Reset the second factor (they set up a new app at their next login)"))
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            otp_reset(user=user, by=request.user)
        self.message_user(
            request,
            gettext("Second factor reset for %(count)s user(s).") % {"count": queryset.count()},
            messages.SUCCESS,
        )
