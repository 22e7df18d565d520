"""A task sent through a real Celery worker process over Redis, its effect seen in PostgreSQL.

Runs when DATABASE_URL points at PostgreSQL and REDIS_URL is set (as in .ci/run); skipped on the
embedded default, where Celery runs eagerly.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from sharing.models import Notification
from sharing.tasks import notify_enterprise

from .factories import EnterpriseFactory

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.worker,
    pytest.mark.skipif(
        not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith("postgres")),
        reason="needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)",
    ),
]


@pytest.fixture
def worker():
    """A `celery -A singlewindow worker` on the test database, stopped after the test."""
    db = settings.DATABASES["default"]
    host, port, name = db["HOST"] or "127.0.0.1", db["PORT"] or 5432, connection.settings_dict["NAME"]
    url = f"postgres://{db['USER']}@{host}:{port}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "singlewindow.settings.local"}
    from .conftest import reload_reference_data

    reload_reference_data()
    queue = f"test-{os.getpid()}"
    from singlewindow.celery import app

    # The pipeline publishes on the default queue, so the worker takes that one too; nothing else
    # publishes during the suite (other tests run eagerly), and leftovers of an earlier run are purged.
    app.control.purge()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "singlewindow",
            "worker",
            "-P",
            "solo",
            "-Q",
            f"celery,{queue}",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield queue
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
    if "Traceback" in output:
        print(output[-3000:])  # shown when the test fails


def test_task_runs_in_a_real_worker_and_writes_postgres(worker):
    from singlewindow.celery import app

    assert app.conf.task_always_eager is False
    enterprise = EnterpriseFactory()
    notify_enterprise.apply_async(
        args=(enterprise.pk, "enterprise_approved", enterprise.name_zh, "审核通过", "test:worker"),
        queue=worker,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Notification.objects.filter(dedupe_key="test:worker").exists():
            break
        time.sleep(0.25)
    notification = Notification.objects.get(dedupe_key="test:worker")
    assert notification.enterprise_id == enterprise.pk and notification.reason == "审核通过"


def test_declarations_cleared_by_a_real_worker(worker):
    """The pipeline through a real worker over Redis: the tasks run in another process."""
    from credit.models import CreditLevel
    from declarations.models import InventoryList

    from .factories import ClearanceWorld

    CreditLevel.objects.update(inspection_rate=0)  # no random draw: every list must be released
    world = ClearanceWorld()
    documents = [world.declaration(n) for n in range(1, 21)]
    for kind in ("order", "payment", "waybill", "inventory"):
        assert world.post(kind, [d[kind] for d in documents]).status_code == 201
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if InventoryList.objects.filter(final_at__isnull=False).count() == 20:
            break
        time.sleep(0.5)
    assert sorted(set(InventoryList.objects.values_list("status", flat=True))) == ["released"]
    assert InventoryList.objects.count() == 20
