"""Statistical monitoring: counters of inventory lists per day and dimension, kept current as lists
change state (one upsert per batch, never a recount), and rebuilt from the lists by a command that must
give the same numbers."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Upper bounds (seconds) of the clearance-time histogram: intake of the list to its release.
CLEARANCE_BUCKETS = (1, 2, 5, 10, 30, 60, 120, 300, 900, 3600, 14400, 86400)
BUCKET_FIELDS = tuple(f"b{i}" for i in range(len(CLEARANCE_BUCKETS) + 1))  # the last one is "longer"


class Outcome(models.TextChoices):
    RELEASED = "released", _("Released")
    REJECTED = "rejected", _("Rejected")
    INSPECTION = "inspection", _("Inspection")
    MISMATCH = "mismatch", _("Documents do not match")
    CANCELLED = "cancelled", _("Cancelled")


class DailyStat(models.Model):
    """How many lists reached an outcome on a day, per flow (I/E), supervision mode, zone and park (of
    the e-commerce enterprise), country (of origin for imports, destination for exports), HS chapter (of
    the list's largest line) and enterprise; with their value and tax in CNY and, for releases, a
    histogram of clearance time."""

    day = models.DateField(_("day"))
    direction = models.CharField(_("flow"), max_length=1)  # I import, E export
    trade_mode = models.CharField(_("supervision mode"), max_length=4)
    zone_id = models.IntegerField(_("zone"), default=0)  # 0: none (ids, not keys: 0 is a real value)
    park_id = models.IntegerField(_("park"), default=0)
    country = models.CharField(_("country"), max_length=3)
    hs_chapter = models.CharField(_("HS chapter"), max_length=2)
    ebc_code = models.CharField(_("e-commerce enterprise"), max_length=18)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    lists = models.IntegerField(_("lists"), default=0)
    value_cny = models.DecimalField(_("value (CNY)"), max_digits=18, decimal_places=2, default=0)
    tax = models.DecimalField(_("tax (CNY)"), max_digits=18, decimal_places=2, default=0)
    clearance_seconds = models.BigIntegerField(_("clearance time (s, total)"), default=0)
    b0 = models.IntegerField(default=0)
    b1 = models.IntegerField(default=0)
    b2 = models.IntegerField(default=0)
    b3 = models.IntegerField(default=0)
    b4 = models.IntegerField(default=0)
    b5 = models.IntegerField(default=0)
    b6 = models.IntegerField(default=0)
    b7 = models.IntegerField(default=0)
    b8 = models.IntegerField(default=0)
    b9 = models.IntegerField(default=0)
    b10 = models.IntegerField(default=0)
    b11 = models.IntegerField(default=0)
    b12 = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily statistic")
        verbose_name_plural = _("daily statistics")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day",
                    "direction",
                    "trade_mode",
                    "zone_id",
                    "park_id",
                    "country",
                    "hs_chapter",
                    "ebc_code",
                    "outcome",
                ],
                name="one_stat_row_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["day", "outcome"]),
            models.Index(fields=["ebc_code", "day"]),
            models.Index(fields=["park_id", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.direction}{self.trade_mode} {self.outcome}: {self.lists}"
