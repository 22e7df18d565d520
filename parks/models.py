"""Parks' records: the pilot zone, its parks and park services (names in Chinese and English), and
enterprises' applications to settle in a park."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .choices import ApplicationStatus, ParkKind


class BilingualName(models.Model):
    """A name in Chinese and English; `name` follows the active language."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = get_language() or ""
        return self.name_en if lang.startswith("en") and self.name_en else self.name_zh


class Zone(BilingualName):
    """A comprehensive pilot zone for cross-border e-commerce, approved by the State Council."""

    slug = models.SlugField(_("code"), max_length=40, unique=True)
    city = models.CharField(_("city"), max_length=60)
    batch = models.PositiveSmallIntegerField(_("batch"))
    approval_date = models.DateField(_("approval date"))

    class Meta:
        ordering = ["batch", "slug"]
        verbose_name = _("pilot zone")
        verbose_name_plural = _("pilot zones")


class ParkService(BilingualName):
    """A service a park offers to the enterprises settled there (warehousing, training...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("park service")
        verbose_name_plural = _("park services")

    @property
    def description_words(self) -> str:
        """The description in the reader's language (as shipped; an official's own wording as written)."""
        return gettext(self.description) if self.description else ""


class Park(BilingualName):
    """An offline industrial park of a zone ("one zone, multiple parks")."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="parks", verbose_name=_("zone"))
    slug = models.SlugField(_("code"), max_length=60, unique=True)
    district = models.CharField(_("district"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ParkKind.choices)
    area_km2 = models.DecimalField(
        _("area (km²)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Left empty where no official figure is known."),
    )
    services = models.ManyToManyField(
        ParkService, blank=True, related_name="parks", verbose_name=_("services")
    )

    class Meta:
        ordering = ["zone", "slug"]
        verbose_name = _("park")
        verbose_name_plural = _("parks")
        constraints = [
            models.CheckConstraint(
                condition=Q(area_km2__isnull=True) | Q(area_km2__gt=0), name="park_area_positive"
            ),
        ]


class ParkApplication(models.Model):
    """An enterprise's application to settle in a park, decided by a commerce official."""

    enterprise = models.ForeignKey(
        "sharing.Enterprise",
        on_delete=models.CASCADE,
        related_name="park_applications",
        verbose_name=_("enterprise"),
    )
    park = models.ForeignKey(
        Park, on_delete=models.PROTECT, related_name="applications", verbose_name=_("park")
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("park application")
        verbose_name_plural = _("park applications")
        constraints = [
            # Applying twice while the first is undecided is idempotent, not a second row.
            models.UniqueConstraint(
                fields=["enterprise", "park"],
                condition=Q(status="pending"),
                name="one_pending_application_per_park",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} -> {self.park}"
