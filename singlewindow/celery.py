import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "singlewindow.settings.local")

app = Celery("singlewindow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The pipeline's tasks live in the project package, which is not an installed app.
app.conf.imports = ("singlewindow.tasks",)


@signals.worker_ready.connect
@signals.worker_process_init.connect
def _freeze_startup_objects(**kwargs) -> None:
    # worker_ready: the worker's main process (solo, threads); worker_process_init: a prefork child.
    from .heap import freeze_startup_objects

    freeze_startup_objects()
