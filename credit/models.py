"""E-commerce credit: each enterprise's score and level, the events that move it, and the negative list.

Levels are data with effective dates (DOMAIN.md 10.3): the 2021 regime (Order No. 251) and the 2026
regime (reported Order No. 282, in force from 2026-04-01); the regime in force on a date is used.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sharing.models import Enterprise

# A regime's title in the reader's language, by its code; the stored name is the Chinese as published.
REGIME_TITLES = {
    "2021": _(
        "Measures for the credit management of enterprises registered and filed with customs (Order No. 251)"
    ),
    "2026": _(
        "Measures for the credit management of enterprises registered and filed with customs (Order No. 282)"
    ),
}

# A level's name by its code, for records that keep only the code (a financing request's level then).
LEVEL_NAMES = {
    "advanced_certified": _("Advanced certified"),
    "certified": _("Certified"),
    "regular": _("Regular"),
    "dishonest": _("Dishonest"),
    "seriously_dishonest": _("Seriously dishonest"),
}


class CreditRegime(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    valid_from = models.DateField(_("in force from"), unique=True)

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("credit regime")
        verbose_name_plural = _("credit regimes")

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        """The regime's name in the reader's language."""
        return str(REGIME_TITLES.get(self.code, self.name))


class CreditLevel(models.Model):
    """A level of a regime and the supervision it gets: the inspection rate, and whether new
    declarations are held for an official."""

    regime = models.ForeignKey(CreditRegime, on_delete=models.CASCADE, related_name="levels")
    code = models.SlugField(_("code"), max_length=30)
    name_zh = models.CharField(_("name (Chinese)"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=60)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 is the best"))
    # Reached by score when min_score is set; levels without one are given only by an official decision.
    min_score = models.DecimalField(_("from score"), max_digits=7, decimal_places=2, null=True, blank=True)
    inspection_rate = models.DecimalField(_("inspection rate"), max_digits=5, decimal_places=4)
    held = models.BooleanField(_("declarations held"), default=False)
    dishonest = models.BooleanField(_("dishonest"), default=False)

    class Meta:
        ordering = ["regime", "rank"]
        verbose_name = _("credit level")
        verbose_name_plural = _("credit levels")
        constraints = [
            models.UniqueConstraint(fields=["regime", "code"], name="one_level_code_per_regime"),
            models.CheckConstraint(
                condition=Q(inspection_rate__gte=0) & Q(inspection_rate__lte=1),
                name="inspection_rate_is_a_share",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class CreditProfile(models.Model):
    """An enterprise's score (100 at the start) and the level an official decided, if any."""

    enterprise = models.OneToOneField(Enterprise, on_delete=models.CASCADE, related_name="credit")
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, default=100)
    decided_level = models.CharField(_("level decided by an official"), max_length=30, blank=True)
    decided_reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("credit profile")
        verbose_name_plural = _("credit profiles")

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.score}"


class CreditEvent(models.Model):
    """Something that moved an enterprise's score, from the pipeline or from an official."""

    class Kind(models.TextChoices):
        RELEASED = "released", _("List released on time")
        REJECTED = "rejected", _("List rejected")
        MISMATCH = "mismatch", _("Documents did not match")
        INSPECTION_FAILED = "inspection_failed", _("Failed inspection")
        GUARANTEE_SHORT = "guarantee_short", _("Tax guarantee short")
        PENALTY = "penalty", _("Penalty by an official")
        COMMENDATION = "commendation", _("Commendation by an official")
        LEVEL_DECIDED = "level_decided", _("Level decided by an official")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="credit_events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=500)
    source_kind = models.CharField(_("source document"), max_length=16, blank=True)
    source_id = models.BigIntegerField(_("source id"), null=True, blank=True)
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("credit event")
        verbose_name_plural = _("credit events")
        constraints = [
            # One event of a kind per source document: a re-delivered task cannot count twice.
            models.UniqueConstraint(
                fields=["enterprise", "kind", "source_kind", "source_id"],
                condition=Q(source_id__isnull=False),
                name="one_credit_event_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.kind} {self.points}"


class NegativeListEntry(models.Model):
    """An enterprise on the negative list until `ends_on`: its new declarations are held for review."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="negative_list_entries")
    reason = models.CharField(_("reason"), max_length=500)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("negative list entry")
        verbose_name_plural = _("negative list")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="negative_list_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} until {self.ends_on}"
