from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey

from parks.models import BilingualName, Park

from .choices import AgencyCode, EnterpriseRole, EnterpriseStatus, MemberRole, NotificationKind


class Enterprise(models.Model):
    """A party registered with the single window: identified by its USCC and its customs code."""

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    customs_code = models.CharField(_("customs code"), max_length=10, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    # A list of EnterpriseRole values; a JSON list keeps one row per enterprise and filters on both databases.
    roles = models.JSONField(_("roles"), default=list)
    park = models.ForeignKey(
        Park,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
        verbose_name=_("park"),
    )
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=EnterpriseStatus.choices, default=EnterpriseStatus.PENDING
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["customs_code"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        constraints = [
            models.CheckConstraint(
                condition=Q(uscc__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"), name="enterprise_uscc_format"
            ),
            models.CheckConstraint(
                condition=Q(customs_code__regex=r"^[0-9A-Z]{10}$"), name="enterprise_customs_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.customs_code})"

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        lang = get_language() or ""
        return self.name_en if lang.startswith("en") and self.name_en else self.name_zh

    @property
    def is_approved(self) -> bool:
        return self.status == EnterpriseStatus.APPROVED

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def get_roles_display(self) -> list[str]:
        labels = dict(EnterpriseRole.choices)
        return [str(labels.get(role, role)) for role in self.roles]


class Agency(BilingualName):
    """A government authority the window exchanges with: customs, inspection, tax, forex, commerce."""

    code = models.CharField(_("code"), max_length=20, choices=AgencyCode.choices, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")


class Membership(models.Model):
    """Ties a user to exactly one enterprise or one agency, with a role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name=_("user")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("enterprise"),
    )
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("agency"),
    )
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.STAFF)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=(Q(enterprise__isnull=False) & Q(agency__isnull=True))
                | (Q(enterprise__isnull=True) & Q(agency__isnull=False)),
                name="membership_one_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.enterprise or self.agency}"


class EnterpriseAPIKey(AbstractAPIKey):
    """A partner system's key: hashed, shown once, revocable; it acts for one enterprise only."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("enterprise")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class Notification(models.Model):
    """A message for the members of an enterprise, written by a background task."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("enterprise")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The decision it reports (an audit event); a re-delivered task must not notify twice.
    dedupe_key = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"


class AuditEvent(models.Model):
    """Append-only record of a state change: who did what to which object, and when."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=160)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"
        )
