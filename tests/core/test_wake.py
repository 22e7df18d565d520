"""The debounced wake of a claiming processor: at most one task per window, however many callers ask."""

import time

import pytest
from celery import current_app

from singlewindow.core import wake as wake_module
from singlewindow.core.wake import wake

from .redis_service import REDIS_URL, needs_redis

pytestmark = needs_redis

TASK = "declarations.process_intake"


@pytest.fixture
def sent(settings, monkeypatch):
    """Redis as the broker's neighbour (not eager), the task's sends recorded instead of published."""
    settings.REDIS_URL = REDIS_URL
    settings.WAKE_WINDOW_MS = 50
    wake_module._redis.cache_clear()
    wake_module._redis().delete(f"wake:{TASK}", f"wake:{TASK}:recent")
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    calls: list[dict] = []
    monkeypatch.setattr(current_app.tasks[TASK], "apply_async", lambda **kwargs: calls.append(kwargs))
    yield calls
    current_app.conf.task_always_eager = eager
    wake_module._redis().delete(f"wake:{TASK}", f"wake:{TASK}:recent")
    wake_module._redis.cache_clear()


def test_many_wakes_send_at_most_one_task_per_window(sent):
    started, calls = time.monotonic(), 0
    while time.monotonic() - started < 0.3:
        wake(TASK)
        calls += 1
    windows = (time.monotonic() - started) / 0.05
    # The processor was idle: the first wake also sends it at once; then one per window, each running
    # once its window (and its key) has passed.
    assert sent[0] == {"countdown": 0}
    assert 1 <= len(sent[1:]) <= windows + 1 < calls
    assert all(call == {"countdown": 0.05} for call in sent[1:])


def test_the_next_window_sends_again(sent):
    assert wake(TASK) is True
    assert wake(TASK) is False
    time.sleep(0.08)
    assert wake(TASK) is True
    # busy (a wake 80 ms ago): no leading edge the second time
    assert sent == [{"countdown": 0}, {"countdown": 0.05}, {"countdown": 0.05}]


def test_an_idle_processor_is_sent_at_once_again(sent):
    assert wake(TASK) is True
    time.sleep(0.05 * (wake_module.IDLE_WINDOWS + 1))
    assert wake(TASK) is True
    assert sent == [{"countdown": 0}, {"countdown": 0.05}] * 2


def test_a_process_asks_redis_once_per_window(sent, monkeypatch):
    """Under load a caller that found the window taken skips Redis until the window ends."""
    asked = []
    script = wake_module._set_or_ttl()
    monkeypatch.setattr(wake_module, "_set_or_ttl", lambda: lambda **kw: asked.append(1) or script(**kw))
    wake_module._redis().set(f"wake:{TASK}", 1, px=200)  # another process took this window
    assert [wake(TASK) for _ in range(50)] == [False] * 50
    assert len(asked) == 1 and sent == []
    time.sleep(0.25)
    assert wake(TASK) is True and len(asked) == 2


def test_without_a_window_every_wake_sends(settings, sent):
    settings.WAKE_WINDOW_MS = 0
    assert wake(TASK) is True
    assert wake(TASK) is True
    assert sent == [{"args": (), "queue": None}] * 2  # at once, no countdown


@pytest.mark.django_db
def test_a_batch_of_lists_wakes_clearance_at_once_and_single_lists_wait_for_the_window(
    sent, monkeypatch, django_capture_on_commit_callbacks
):
    from declarations.services import rematch

    task = "clearance.process_pending_lists"
    wake_module._redis().delete(f"wake:{task}", f"wake:{task}:recent")
    direct: list[str] = []
    windowed: list[dict] = []
    monkeypatch.setattr(rematch, "send_named", lambda name: direct.append(name))
    monkeypatch.setattr(current_app.tasks[task], "apply_async", lambda **kwargs: windowed.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        rematch.wake_clearance("inventory", lists=rematch.BATCH_ENOUGH)  # a batch request's lists
    assert direct == [task] and windowed == []
    with django_capture_on_commit_callbacks(execute=True):
        rematch.wake_clearance("inventory", lists=1)  # one list: through the window (idle: at once too)
    assert direct == [task] and windowed == [{"countdown": 0}, {"countdown": 0.5}]
    wake_module._redis().delete(f"wake:{task}", f"wake:{task}:recent")
