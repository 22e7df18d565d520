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
    queue = f"test-{os.getpid()}"
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
            queue,
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
