"""The debounced wake of a claiming processor: at most one task per window, however many callers ask."""

import os
import time

import pytest
import redis
from celery import current_app

from singlewindow.core import wake as wake_module
from singlewindow.core.wake import wake

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7"


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="needs Redis (REDIS_URL)")

TASK = "declarations.process_intake"


@pytest.fixture
def sent(settings, monkeypatch):
    """Redis as the broker's neighbour (not eager), the task's sends recorded instead of published."""
    settings.REDIS_URL = REDIS_URL
    settings.WAKE_WINDOW_MS = 50
    wake_module._redis.cache_clear()
    wake_module._redis().delete(f"wake:{TASK}")
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    calls: list[dict] = []
    monkeypatch.setattr(current_app.tasks[TASK], "apply_async", lambda **kwargs: calls.append(kwargs))
    yield calls
    current_app.conf.task_always_eager = eager
    wake_module._redis().delete(f"wake:{TASK}")
    wake_module._redis.cache_clear()


def test_many_wakes_send_at_most_one_task_per_window(sent):
    started, calls = time.monotonic(), 0
    while time.monotonic() - started < 0.3:
        wake(TASK)
        calls += 1
    windows = (time.monotonic() - started) / 0.05
    assert 1 <= len(sent) <= windows + 1 < calls
    # each runs once its window (and its key) has passed
    assert all(call == {"countdown": 0.05} for call in sent)


def test_the_next_window_sends_again(sent):
    assert wake(TASK) is True
    assert wake(TASK) is False
    time.sleep(0.08)
    assert wake(TASK) is True
    assert len(sent) == 2


def test_without_a_window_every_wake_sends(settings, sent):
    settings.WAKE_WINDOW_MS = 0
    assert wake(TASK) is True
    assert wake(TASK) is True
    assert sent == [{"args": (), "queue": None}] * 2  # at once, no countdown
