"""The Celery app: configured from Django's settings, tasks discovered in the installed apps, database
connections managed around each task as Django does around a request."""

import os

from celery import Celery, signals
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "singlewindow.settings.local")

app = Celery("singlewindow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_ready.connect
@signals.worker_process_init.connect
def _freeze_startup_objects(**kwargs) -> None:
    # worker_ready: the worker's main process (solo, threads); worker_process_init: a prefork child.
    from .core.heap import freeze_startup_objects

    freeze_startup_objects()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(task=None, **kwargs) -> None:
    # As Django does around a request: a connection past CONN_MAX_AGE, or broken, is closed; the others
    # are kept (Celery's own fixup, held off by CELERY_DB_REUSE_MAX, would open one for every task).
    if task is not None and not getattr(task.request, "is_eager", False):
        close_old_connections()


@signals.before_task_publish.connect
def _carry_sandbox(headers=None, **kwargs) -> None:
    # A task sent for a sandbox key's request runs in its sandbox (its rows, its clock) in the worker.
    from .core import sandbox

    context = sandbox.current()
    if context is not None and headers is not None:
        headers["sandbox"] = [context.tenant_id, int(context.offset.total_seconds())]


@signals.task_prerun.connect
def _enter_sandbox(task=None, **kwargs) -> None:
    # Eager tasks run inside their caller's context already; a worker's task starts from its message.
    if task is None or getattr(task.request, "is_eager", False):
        return
    import datetime

    from .core import sandbox

    carried = getattr(task.request, "sandbox", None)
    context = None
    if carried:
        context = sandbox.SandboxContext(
            tenant_id=int(carried[0]), offset=datetime.timedelta(seconds=int(carried[1]))
        )
    sandbox.enter(context)
