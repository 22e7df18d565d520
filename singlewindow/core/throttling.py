"""API rate limits (a module of its own: DRF's settings import it while loading)."""

import logging
import math
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import SimpleRateThrottle

from .clientip import client_ip

if TYPE_CHECKING:  # DRF's settings import this module while rest_framework.views loads
    from rest_framework.request import Request
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)


# A process takes a window's counts from Redis in leases: INCRBY n reserves the next n counts of the
# window, which its requests then take one by one without a round trip. A lease grows (doubling) while
# the process uses its leases up faster than LEASE_TARGET_S, up to a hundredth of the limit, and shrinks
# to a quarter of what is left under the limit, so near the limit every request asks again. Counts
# reserved and not used before the window ends are lost: at most a hundredth of the limit per process,
# which may refuse a caller that much early, never let one through late.
LEASE_TARGET_S = 0.1
LEASE_SHARE = 100


class _Lease:
    """One window's counts reserved by this process: the ranges [next, last] not used yet."""

    __slots__ = ("ranges", "size", "taken_at", "seen")

    def __init__(self) -> None:
        self.ranges: list[list[int]] = []
        self.size = 0  # the last lease's size (0: none taken yet)
        self.taken_at = 0.0
        self.seen = 0  # the window's count Redis last answered

    def take(self) -> int | None:
        while self.ranges:
            first = self.ranges[0]
            if first[0] <= first[1]:
                first[0] += 1
                return first[0] - 1
            self.ranges.pop(0)
        return None

    def next_size(self, limit: int, now: float) -> int:
        if self.size and now - self.taken_at < LEASE_TARGET_S:
            size = self.size * 2
        elif self.size and now - self.taken_at < 10 * LEASE_TARGET_S:
            size = self.size
        else:
            size = 1
        return max(1, min(size, limit // LEASE_SHARE, (limit - self.seen) // 4))


_leases: dict[str, _Lease] = {}
_leases_lock = threading.Lock()


def window_counts(windows: Sequence[tuple[str, int, int]]) -> list[int]:
    """Count one request in each window counter (key, ttl in seconds, the counter's life from its
    first request, and the window's limit) and return their counts. On Redis the counts come from the
    process's leases; those that need a new one ask for it in one round trip for all: SET NX creates a
    counter with its expiry, INCRBY reserves the lease."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        exact = []
        for key, ttl, _limit in windows:
            cache.add(key, 0, ttl)  # add: two first requests at once count each other
            exact.append(int(cache.incr(key)))
        return exact
    full_keys = [cache.make_and_validate_key(key) for key, _ttl, _limit in windows]
    counts: list[int | None] = []
    wanted: list[tuple[int, _Lease, int]] = []
    now = time.monotonic()
    with _leases_lock:
        for index, ((_key, _ttl, limit), full) in enumerate(zip(windows, full_keys, strict=True)):
            lease = _leases.get(full)
            if lease is None:
                if len(_leases) > 10_000:  # the windows of a minute ago, and a flood of callers
                    _leases.clear()
                lease = _leases[full] = _Lease()
            count = lease.take()
            counts.append(count)
            if count is None:
                wanted.append((index, lease, lease.next_size(limit, now)))
    if wanted:
        pipe = cache._cache.get_client(full_keys[0], write=True).pipeline(transaction=False)
        for index, _lease, size in wanted:
            pipe.set(full_keys[index], 0, ex=windows[index][1], nx=True)
            pipe.incrby(full_keys[index], size)
        reserved = [int(last) for last in pipe.execute()[1::2]]
        with _leases_lock:
            for (index, lease, size), last in zip(wanted, reserved, strict=True):
                counts[index] = last - size + 1
                if size > 1:
                    lease.ranges.append([last - size + 2, last])
                lease.size, lease.taken_at, lease.seen = size, now, max(lease.seen, last)
    return [int(count or 0) for count in counts]


def window_count(key: str, ttl: int, limit: int) -> int:
    """Count one request in the window counter `key` (see window_counts)."""
    return window_counts([(key, ttl, limit)])[0]


class FixedWindowRateThrottle(SimpleRateThrottle):
    """A counter per fixed window (one increment per request) rather than DRF's list of timestamps,
    which at thousands of requests a minute is read, unpickled, pickled and written whole on every
    request. A burst may reach twice the rate across a window's edge; the rate is a guard, not a meter.

    The counters are a guard, not a record: while the cache (Redis) is down, requests go through rather
    than fail, and the database keeps taking declarations."""

    # Set from the rate by SimpleRateThrottle.
    num_requests: int | None
    duration: int | None
    # The current window's end, for Retry-After.
    window_ends: float = 0.0
    now: float = 0.0

    def allow_request(self, request: "Request", view: "APIView") -> bool:
        ident = self.get_cache_key(request, view)  # may switch to another scope's rate (anon)
        limit, duration = self.num_requests, self.duration
        if ident is None or limit is None or duration is None:
            return True
        self.now = float(self.timer())
        window = int(self.now // duration)
        self.window_ends = float((window + 1) * duration)
        key = f"{ident}_{window}"
        # Counted already by the pushed-document lane, which let the endpoint answer the refusal.
        counted: dict[str, int] = getattr(getattr(request, "_request", request), "rate_counted", {})
        if key in counted:
            return counted[key] <= limit
        try:
            count = window_count(key, duration + 1, limit)
        except Exception as exc:  # any cache backend error
            logger.warning("%s rate limit not checked, cache unavailable: %s", self.scope, exc)
            return True
        return count <= limit

    def wait(self) -> float:
        return float(max(1, math.ceil(self.window_ends - self.now)))


class PartnerRateThrottle(FixedWindowRateThrottle):
    """Requests per API key (or per signed-in user, or per address for the public): 429 with
    Retry-After past the rate. The counters live in the cache (Redis in production)."""

    scope = "partner"

    def get_cache_key(self, request: "Request", view: "APIView") -> str:
        user = request.user
        if user is not None and user.is_authenticated:
            ident = str(user.pk)
        else:
            self.scope = "anon"
            self.rate = self.get_rate()
            self.num_requests, self.duration = self.parse_rate(self.rate)
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def get_ident(self, request: "Request") -> str:
        # DRF's own reading takes X-Forwarded-For whole when NUM_PROXIES is unset: a client could pick a
        # fresh address per request. The one shared reading trusts only the configured proxies.
        return client_ip(request)


class EnterpriseRateThrottle(FixedWindowRateThrottle):
    """Requests of all of an enterprise's API keys together (API_ENTERPRISE_RATE_LIMIT), so issuing more
    keys does not multiply its share of the window. People's sessions are limited per user above."""

    scope = "enterprise"

    def get_cache_key(self, request: "Request", view: "APIView") -> str | None:
        key: Any = getattr(request.user, "api_key", None)
        enterprise_id = getattr(key, "enterprise_id", None)
        if enterprise_id is None:
            return None  # not a partner key: the per-user and per-address limits apply
        return self.cache_format % {"scope": self.scope, "ident": enterprise_id}


class _Caller:
    """What the throttles read of a DRF request, for a request that has not become one."""

    def __init__(self, request: Any, user: Any) -> None:
        self._request, self.user, self.META = request, user, request.META


def count_partner_request(request: Any, user: Any) -> bool:
    """Count a partner key's request (its `user`, a PartnerUser) under the per-key and the
    per-enterprise limits (at most one round trip for both), as the two throttles would one after the
    other; True when both allow it. The counts stay on the request (`rate_counted`): if it goes on to a
    view, its throttles read them rather than count the request again."""
    caller = _Caller(request, user)
    windows: list[tuple[str, int, int]] = []
    for throttle in (PartnerRateThrottle(), EnterpriseRateThrottle()):
        ident = throttle.get_cache_key(caller, None)  # type: ignore[arg-type]
        if ident is None or throttle.num_requests is None or throttle.duration is None:
            continue
        window = int(float(throttle.timer()) // throttle.duration)
        windows.append((f"{ident}_{window}", throttle.duration + 1, throttle.num_requests))
    if not windows:
        return True
    try:
        counts = window_counts(windows)
    except Exception as exc:  # any cache backend error: as the throttles, let it through
        logger.warning("partner rate limits not checked, cache unavailable: %s", exc)
        return True
    request.rate_counted = {key: count for (key, _ttl, _limit), count in zip(windows, counts, strict=True)}
    return all(count <= limit for (_key, _ttl, limit), count in zip(windows, counts, strict=True))
