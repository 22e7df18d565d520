"""The pipeline as a Django app, so Celery finds its tasks in every process."""

from django.apps import AppConfig


class ClearanceConfig(AppConfig):
    name = "clearance"
    verbose_name = "Clearance pipeline"

    def ready(self) -> None:
        # Registers the tasks by name in the web process too: callers send them by name only.
        from . import tasks  # noqa: F401
