"""The declarations app: the documents of the single declaration and their intake."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = _("Declarations")

    def ready(self) -> None:
        # Registers the tasks by name in the web process too: `uploads` sends its task by name.
        from . import tasks  # noqa: F401
