"""The rate limits' window counts on Redis, taken in leases: every request gets a count of its own, a
busy caller asks Redis for a lease rather than for each request, and however the counts are split
between processes no more requests than the limit are ever allowed."""

import uuid

import pytest
import redis

from singlewindow.core import throttling
from singlewindow.core.throttling import window_counts

from .redis_service import REDIS_URL, needs_redis

pytestmark = needs_redis


@pytest.fixture
def round_trips(settings, monkeypatch):
    """The cache on Redis, this process's leases empty, and the round trips to Redis counted."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    monkeypatch.setattr(throttling, "_leases", {})
    trips: list[int] = []
    real_execute = redis.client.Pipeline.execute

    def counted(pipeline, *args, **kwargs):
        trips.append(len(pipeline.command_stack))
        return real_execute(pipeline, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", counted)
    return trips


def _window() -> str:
    return f"test-rate-{uuid.uuid4().hex}"


def test_a_busy_caller_gets_every_count_once_with_few_round_trips(round_trips):
    key = _window()
    counts = [window_counts([(key, 61, 100_000)])[0] for _ in range(2_000)]
    assert counts == list(range(1, 2_001))  # each request its own count, none skipped in one process
    assert len(round_trips) < 100  # leases, not one round trip per request


def test_a_small_limit_is_counted_exactly_one_round_trip_each(round_trips):
    key = _window()
    counts = [window_counts([(key, 61, 3)])[0] for _ in range(5)]
    assert counts == [1, 2, 3, 4, 5]
    assert len(round_trips) == 5


def test_processes_sharing_a_window_never_let_more_than_the_limit_through(round_trips, monkeypatch):
    key, limit = _window(), 5_000
    processes = [{}, {}, {}]  # each process's own leases
    allowed = [0, 0, 0]
    refused = [False, False, False]
    turn = 0
    while not all(refused):
        turn = (turn + 1) % 3
        if refused[turn]:
            continue
        monkeypatch.setattr(throttling, "_leases", processes[turn])
        # Uneven load: the first process sends ten requests for each one of the others.
        for _ in range(10 if turn == 0 else 1):
            if window_counts([(key, 61, limit)])[0] <= limit:
                allowed[turn] += 1
            else:
                refused[turn] = True
                break
    assert sum(allowed) <= limit
    # What leases reserved and never used: at most a hundredth of the limit per process.
    assert sum(allowed) >= limit - 3 * (limit // throttling.LEASE_SHARE)
    assert len(round_trips) < sum(allowed) / 5


def test_two_windows_of_one_request_ask_together(round_trips):
    per_key, per_enterprise = _window(), _window()
    counts = [window_counts([(per_key, 61, 3), (per_enterprise, 61, 3)]) for _ in range(3)]
    assert counts == [[1, 1], [2, 2], [3, 3]]
    assert round_trips == [4, 4, 4]  # SET NX and INCRBY for both windows, in one round trip
