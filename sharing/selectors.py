"""Reads of the registry, always through the caller's Principal, and enterprises by the codes their
documents carry."""

from django.db.models import Q, QuerySet

from .choices import EnterpriseStatus
from .models import Agency, AuditEvent, Enterprise, EnterpriseAPIKey, Notification
from .principal import Principal


def enterprise_list(*, principal: Principal) -> QuerySet[Enterprise]:
    """Officials see every enterprise; an enterprise (user or key) sees only itself."""
    qs = Enterprise.objects.select_related("park", "park__zone")
    if principal.sees_everything:
        return qs
    if principal.enterprise is not None:
        return qs.filter(pk=principal.enterprise.pk)
    return qs.none()


def enterprises_pending_review() -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(status=EnterpriseStatus.PENDING).order_by("created_at")


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.all()


def api_key_list(*, enterprise: Enterprise) -> QuerySet[EnterpriseAPIKey]:
    return EnterpriseAPIKey.objects.filter(enterprise=enterprise).order_by("-created")


def notification_list(*, enterprise: Enterprise) -> QuerySet[Notification]:
    return Notification.objects.filter(enterprise=enterprise)


def audit_trail(*, obj) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def enterprises_by_code(codes: set[str]) -> dict[str, int]:
    """Enterprise ids by customs code or USCC (the codes declarations carry)."""
    out = {}
    for pk, customs_code, uscc in Enterprise.objects.filter(
        Q(customs_code__in=codes) | Q(uscc__in=codes)
    ).values_list("pk", "customs_code", "uscc"):
        out[customs_code] = out[uscc] = pk
    return out
