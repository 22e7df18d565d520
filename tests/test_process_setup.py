"""How the web and worker processes set themselves up: the garbage collector and database connections."""

import gc
import time
from types import SimpleNamespace

import pytest
from celery import signals
from django.db import connections

from singlewindow.celery import app
from singlewindow.core.heap import freeze_startup_objects


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_startup_objects_are_frozen_only_when_configured(settings, unfrozen):
    settings.GC_FREEZE = False
    freeze_startup_objects()
    assert gc.get_freeze_count() == 0
    settings.GC_FREEZE = True
    freeze_startup_objects()
    assert gc.get_freeze_count() > 10_000  # Django, DRF and the apps, at least


def _task(*, eager: bool):
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def _run(signal, task) -> None:
    """Send a task signal as the worker does around each task; a receiver's error fails the test."""
    for _receiver, response in signal.send(sender=None, task_id="t", task=task, args=(), kwargs={}):
        if isinstance(response, Exception):
            raise response


# Serialized like the suite's other transactional tests: its flush must leave what theirs expect.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_keeps_its_connection_between_tasks_until_it_is_old(monkeypatch):
    # Celery's own fixup would close it around every task; it only counts tasks with this set.
    assert app.conf.get("CELERY_DB_REUSE_MAX") >= 100_000
    database = connections["default"]
    database.ensure_connection()
    closed = []
    monkeypatch.setattr(database, "close", lambda: closed.append(True))

    database.close_at = time.monotonic() + 60
    _run(signals.task_prerun, _task(eager=False))
    _run(signals.task_postrun, _task(eager=False))
    assert closed == []  # kept: the next task reuses it

    database.close_at = time.monotonic() - 1  # past CONN_MAX_AGE
    _run(signals.task_prerun, _task(eager=True))
    _run(signals.task_postrun, _task(eager=True))
    assert closed == []  # an eager task runs inside its caller: never closed there

    _run(signals.task_postrun, _task(eager=False))
    assert closed == [True]
