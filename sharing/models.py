"""The registry's records: enterprises, agencies, memberships, API keys, agents' mandates, notifications,
the audit trail, the Exchange ledger, webhooks, the registers the agencies check against, and the code
tables the documents' codes are checked against."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey

from parks.models import BilingualName, Park
from singlewindow.core.sandbox import SandboxScoped
from singlewindow.core.texts import in_reader_language

from .choices import (
    AUDIT_ACTIONS,
    AgencyCode,
    ApiKeyKind,
    EnterpriseRole,
    EnterpriseStatus,
    MemberRole,
    NotificationKind,
)
from .code_tables import CodeTable


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
    # A sandbox key files documents that live apart from the zone's real ones (singlewindow.core.sandbox).
    kind = models.CharField(_("kind"), max_length=10, choices=ApiKeyKind.choices, default=ApiKeyKind.LIVE)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class Notification(models.Model):
    """A message for the members of one enterprise or of one agency, written by the window.

    Kept in both of the window's languages (the writer has no reader in sight), shown in the reader's.
    Read state is the organisation's: one member reading it reads it for all, as with a shared inbox.
    """

    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("enterprise"),
    )
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("agency"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    # Chinese, and English beside it: the reader gets theirs (`subject_text`, `reason_text`).
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    subject_en = models.CharField(max_length=200, blank=True, default="")
    reason_en = models.CharField(max_length=500, blank=True, default="")
    # Where the reader acts on it (a path of the portal), when there is one.
    link = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The decision it reports (an audit event); a re-delivered task must not notify twice.
    dedupe_key = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.CheckConstraint(
                condition=(Q(enterprise__isnull=False) & Q(agency__isnull=True))
                | (Q(enterprise__isnull=True) & Q(agency__isnull=False)),
                name="notification_for_one_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"

    @property
    def subject_text(self) -> str:
        return in_reader_language(self.subject, self.subject_en)

    @property
    def reason_text(self) -> str:
        return in_reader_language(self.reason, self.reason_en)


class NotificationPreference(models.Model):
    """How a person hears of their organisation's notifications by email: not at all, each one as it
    comes, or once a day in a digest. Without a row: not by email."""

    class Email(models.TextChoices):
        NONE = "none", _("No email")
        EACH = "each", _("An email for each notification")
        DAILY = "daily", _("A daily digest")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email = models.CharField(_("email"), max_length=10, choices=Email.choices, default=Email.NONE)
    # The digest covers what came after the last one sent; a rerun the same day sends nothing twice.
    digest_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"


class AuditEvent(models.Model):
    """Append-only record of a state change: who did what to which object, and when.

    The events form a keyed hash chain (sharing/audit.py): each hash is an HMAC, under a key kept
    outside the database, of every field and of the hash before it, so changing, removing or
    re-chaining events without the key shows (`manage.py verify_audit_chain` finds where). On
    PostgreSQL triggers refuse updates, deletes and TRUNCATE outright.
    """

    # PROTECT: the actor is hashed, so a user who acted is deactivated, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    # The prefix of the partner key that acted, never its id: the library's id embeds the key's hash.
    actor_api_key_prefix = models.CharField(_("API key prefix"), max_length=8, blank=True, default="")
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=160)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("time"), db_index=True)
    # The event's place in the chain, from 1 without gaps: the head's count is the last one.
    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"
        )

    @property
    def action_words(self) -> str:
        """The action in the reader's language; its code when no words were given for it."""
        return str(AUDIT_ACTIONS.get(self.action, self.action))


class Exchange(models.Model):
    """Every message to or from an agency: what went out, what came back, how often it was tried."""

    class Direction(models.TextChoices):
        OUT = "out", _("To the agency")
        IN = "in", _("From the agency")

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        FAILED = "failed", _("Failed")

    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    agency = models.CharField(_("agency"), max_length=12, choices=AgencyCode.choices)
    document_kind = models.CharField(_("document"), max_length=16, default="inventory")
    dispatch_id = models.BigIntegerField(_("dispatch"), db_index=True)
    document_count = models.PositiveIntegerField(_("documents"), default=0)
    payload = models.TextField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")

    def __str__(self) -> str:
        return f"{self.direction} {self.agency} dispatch {self.dispatch_id}: {self.status}"


class PositiveListEntry(models.Model):
    """Inspection's positive list of CBEC retail import goods, by HS prefix (reference data)."""

    hs_prefix = models.CharField(_("HS prefix"), max_length=10, unique=True)
    description = models.CharField(_("description"), max_length=200)
    category = models.CharField(
        _("category"),
        max_length=20,
        blank=True,
        help_text=_("food or cosmetics: the goods need a registered overseas producer"),
    )

    class Meta:
        ordering = ["hs_prefix"]
        verbose_name = _("positive list entry")
        verbose_name_plural = _("positive list")

    def __str__(self) -> str:
        return f"{self.hs_prefix} {self.description}"


class OverseasProducer(models.Model):
    """A registered overseas producer of foods or cosmetics, known by its GS1 company prefix."""

    registration_no = models.CharField(_("registration number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=3)
    gs1_prefix = models.CharField(_("GS1 company prefix"), max_length=12, db_index=True)
    categories = models.CharField(
        _("categories"), max_length=60, help_text=_("comma-separated: food,cosmetics")
    )

    class Meta:
        verbose_name = _("overseas producer")
        verbose_name_plural = _("overseas producers")

    def __str__(self) -> str:
        return f"{self.name} ({self.registration_no})"


class PaymentLicence(models.Model):
    """A payment enterprise's licence for cross-border foreign-exchange payments (forex's register)."""

    pay_code = models.CharField(_("payment enterprise code"), max_length=18, unique=True)
    licence_no = models.CharField(_("licence number"), max_length=40)
    valid_until = models.DateField(_("valid until"))

    class Meta:
        verbose_name = _("payment licence")
        verbose_name_plural = _("payment licences")

    def __str__(self) -> str:
        return f"{self.pay_code} {self.licence_no}"


class ExchangeRate(models.Model):
    """CNY per unit of a currency, from a date (forex converts purchases to USD with it)."""

    currency = models.CharField(_("currency"), max_length=3)
    cny_per_unit = models.DecimalField(_("CNY per unit"), max_digits=12, decimal_places=6)
    valid_from = models.DateField(_("valid from"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["currency", "valid_from"], name="one_rate_per_day")]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")

    def __str__(self) -> str:
        return f"{self.currency} {self.cny_per_unit} ({self.valid_from})"


class ForexPurchase(SandboxScoped):
    """Forex's ledger of a person's yearly foreign-exchange purchases, in USD (limit: USD 50,000)."""

    payer_id_number = models.CharField(_("payer ID number"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"))
    usd_total = models.DecimalField(_("USD total"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["payer_id_number", "year", "sandbox"], name="one_forex_row_per_year"
            )
        ]
        verbose_name = _("forex purchase total")
        verbose_name_plural = _("forex purchase totals")

    def __str__(self) -> str:
        return f"{self.payer_id_number} {self.year}: USD {self.usd_total}"


class PayloadFormat(models.TextChoices):
    JSON = "json", _("JSON events")
    CEB = "ceb", _("CEB XML receipts")


class WebhookSubscription(models.Model):
    """A URL an enterprise registered to be told of its documents' outcomes, signed with its secret."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("enterprise")
    )
    url = models.URLField(_("URL"), max_length=300)
    secret = models.CharField(_("signing secret"), max_length=64)
    active = models.BooleanField(_("active"), default=True)
    # What the partner's code reads: the window's JSON events, or the e-port's CEB receipt messages.
    payload_format = models.CharField(
        _("payload format"), max_length=4, choices=PayloadFormat.choices, default=PayloadFormat.JSON
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or being retried) to one webhook, with the answers it got."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40)
    event_key = models.CharField(max_length=80)
    payload = models.TextField(_("payload"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_key"], name="one_delivery_per_event")
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} -> {self.subscription_id}: {self.response_code}"


class BuyerVerification(models.Model):
    """A buyer whose identity the e-commerce enterprise verified (e.g. face recognition): such a buyer
    may have someone else pay (rule R11 relaxed; risk's PAYER_MISMATCH still scores it)."""

    id_number = models.CharField(_("ID number"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=60)
    method = models.CharField(_("method"), max_length=40)
    verified_at = models.DateTimeField(_("verified at"))

    class Meta:
        verbose_name = _("verified buyer")
        verbose_name_plural = _("verified buyers")

    def __str__(self) -> str:
        return f"{self.name} ({self.method})"


class AuditHead(models.Model):
    """The one row that says how long the audit chain is and how it ends (count, last hash).

    Every append locks it, so appends serialise; the verifier compares it with the chain, so removing
    the last events shows, and removing every event shows while the head says there were some.
    """

    count = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.count} {self.last_hash}"


class AgentMandate(models.Model):
    """An e-commerce enterprise's mandate to a declaring agent to file its inventory lists."""

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="agent_mandates",
        verbose_name=_("e-commerce enterprise"),
    )
    agent = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="mandates", verbose_name=_("declaring agent")
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "agent"], name="one_mandate_per_agent")]
        verbose_name = _("agent mandate")
        verbose_name_plural = _("agent mandates")

    def __str__(self) -> str:
        return f"{self.enterprise_id} -> {self.agent_id}"


class CodeTableEntry(models.Model):
    """One code of a code table of DOMAIN 8 (currency, country, unit, ...) with the dates it is valid:
    intake refuses a code that is not valid today (`sharing.selectors.valid_codes`)."""

    table = models.CharField(_("table"), max_length=30, choices=CodeTable.choices)
    code = models.CharField(_("code"), max_length=10)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("The last day the code is valid; empty while in force."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["table", "code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["table", "code", "valid_from"], name="one_code_per_start"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="code_valid_until_after_from",
            ),
        ]
        verbose_name = _("code table entry")
        verbose_name_plural = _("code tables")

    def __str__(self) -> str:
        return f"{self.table} {self.code} {self.name_zh}"


class EnterpriseCertificate(models.Model):
    """A certificate (or public key) an enterprise signs its CEB messages with (DOMAIN 1.6): a message
    whose `ds:Signature` does not verify against one of the sender's active certificates is refused.
    Rotation: register the new one, retire the old."""

    class Algorithm(models.TextChoices):
        RSA = "rsa", _("RSA (rsa-sha1)")
        SM2 = "sm2", _("SM2 (sm2-sm3)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("enterprise")
    )
    algorithm = models.CharField(_("algorithm"), max_length=3, choices=Algorithm.choices)
    key_name = models.CharField(
        _("KeyName"), max_length=64, help_text=_("The certificate number, as ds:KeyName carries it.")
    )
    dxp_id = models.CharField(
        _("DXP id"), max_length=16, blank=True, help_text=_("The DXP id the e-port issued with this card.")
    )
    pem = models.TextField(_("certificate or public key (PEM)"))
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64)
    not_before = models.DateTimeField(_("valid from"), null=True, blank=True)
    not_after = models.DateTimeField(_("valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "key_name"],
                condition=Q(status="active"),
                name="one_active_certificate_per_key_name",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "fingerprint"],
                condition=Q(status="active"),
                name="one_active_certificate_per_key",
            ),
        ]
        verbose_name = _("signing certificate")
        verbose_name_plural = _("signing certificates")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.algorithm} {self.key_name}"


class SandboxClock(models.Model):
    """How far a partner has moved the clock of its sandbox: `now` there is real time plus the offset."""

    enterprise = models.OneToOneField(
        Enterprise, on_delete=models.CASCADE, related_name="sandbox_clock", verbose_name=_("enterprise")
    )
    offset_seconds = models.BigIntegerField(_("offset (seconds)"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sandbox clock")
        verbose_name_plural = _("sandbox clocks")

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.offset_seconds:+d}s"
