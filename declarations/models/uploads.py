"""Files of many documents filed in the browser, processed in the background."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sharing.models import Enterprise

from ..choices import DocumentKind


class Upload(models.Model):
    """A file of many documents (CEB XML or CSV) filed in the browser, processed in the background
    in chunks so the page can show its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Processing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey("auth.User", null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    file_name = models.CharField(_("file"), max_length=200)
    file_format = models.CharField(_("format"), max_length=4)  # xml | csv
    content = models.TextField()
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("documents"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    accepted = models.PositiveIntegerField(_("stored"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.processed / self.total)
