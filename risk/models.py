"""Risk prevention and control: configurable rules, the assessment of each list with its evidence,
alerts worked by officials, and the auditable "double random" inspection draw."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from declarations.models import ExportInventoryList, InventoryList
from sharing.choices import AgencyCode
from singlewindow.core.sandbox import SandboxScoped


class RiskRule(models.Model):
    """One version of a rule's configuration; a change saves a new version and retires the old one."""

    code = models.CharField(_("code"), max_length=30)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=500)
    weight = models.PositiveSmallIntegerField(_("weight"))
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    current = models.BooleanField(_("current version"), default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_rule_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(current=True), name="one_current_rule_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def title(self) -> str:
        """The rule's name in the reader's language (as shipped; an official's own wording as written)."""
        return gettext(self.name)

    @property
    def summary(self) -> str:
        """The rule's description in the reader's language, as `title`."""
        return gettext(self.description)


class ReferencePrice(models.Model):
    """The usual unit price of goods by HS prefix (CNY), for the UNDERVALUED rule."""

    hs_prefix = models.CharField(_("HS prefix"), max_length=10, unique=True)
    description = models.CharField(_("description"), max_length=200)
    unit_price = models.DecimalField(_("reference unit price"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["hs_prefix"]
        verbose_name = _("reference price")
        verbose_name_plural = _("reference prices")

    def __str__(self) -> str:
        return f"{self.hs_prefix}: {self.unit_price}"


class RiskAssessment(SandboxScoped):
    """A list's risk score, every rule hit with its weight, evidence and rule version, and the decision.

    Officials see the hits; the enterprise sees only `reason_code`.
    """

    class Decision(models.TextChoices):
        DISPATCH = "dispatch", _("Dispatch")
        HOLD = "hold", _("Hold for an official")

    inventory = models.OneToOneField(InventoryList, on_delete=models.CASCADE, related_name="risk")
    score = models.PositiveIntegerField(_("score"))
    threshold = models.PositiveIntegerField(_("threshold"))
    hits = models.JSONField(_("rule hits"), default=list)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason_code = models.CharField(_("reason code"), max_length=40, blank=True)
    credit_level = models.CharField(_("credit level"), max_length=30)
    # "Double random": the draw for inspection, replayable from its seed.
    draw_seed = models.CharField(_("draw seed"), max_length=40)
    draw_rate = models.DecimalField(_("inspection rate"), max_digits=5, decimal_places=4)
    draw_value = models.DecimalField(_("drawn value"), max_digits=12, decimal_places=10)
    selected_for_inspection = models.BooleanField(_("selected for inspection"), default=False)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("inspecting official"),
    )
    inspector_conflicts = models.JSONField(_("declared conflicts"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")

    def __str__(self) -> str:
        return f"{self.inventory_id}: {self.score} {self.decision}"


class Alert(SandboxScoped):
    """A held list waiting for a customs official, and what the official decided."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        RELEASE = "release", _("Released to the agencies")
        INSPECT = "inspect", _("Sent to inspection")
        REJECT = "reject", _("Rejected")

    inventory = models.OneToOneField(InventoryList, on_delete=models.CASCADE, related_name="alert")
    assessment = models.OneToOneField(RiskAssessment, on_delete=models.CASCADE, related_name="alert")
    score = models.PositiveIntegerField(_("score"))
    rules = models.CharField(_("rules hit"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-score", "created_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"alert {self.pk} ({self.score})"


class Assignment(SandboxScoped):
    """Which official of an agency took a list waiting for that agency (a held list, an export list's
    quarantine, a list waiting for the agency's receipt). One per agency and list: another official
    sees who has it, and the agency is the taker's own, never one a request names."""

    agency = models.CharField(_("agency"), max_length=20, choices=AgencyCode.choices)
    inventory = models.ForeignKey(
        InventoryList, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    export_list = models.ForeignKey(
        ExportInventoryList, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("assigned to")
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "inventory"],
                name="one_assignment_per_agency_list",
                condition=Q(inventory__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["agency", "export_list"],
                name="one_assignment_per_agency_export_list",
                condition=Q(export_list__isnull=False),
            ),
            models.CheckConstraint(
                condition=(Q(inventory__isnull=False) & Q(export_list__isnull=True))
                | (Q(inventory__isnull=True) & Q(export_list__isnull=False)),
                name="assignment_of_one_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.inventory_id or self.export_list_id}: {self.assignee_id}"
