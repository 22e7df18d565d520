"""API rate limits (a module of its own: DRF's settings import it while loading)."""

import logging
import math
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


def window_counts(windows: Sequence[tuple[str, int]]) -> list[int]:
    """Count one request in each window counter (key, ttl in seconds, the counter's life from its
    first request) and return their counts. On Redis one round trip for all: SET NX creates a counter
    with its expiry, INCR counts."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        keys = [(cache.make_and_validate_key(key), ttl) for key, ttl in windows]
        pipe = cache._cache.get_client(keys[0][0], write=True).pipeline(transaction=False)
        for full, ttl in keys:
            pipe.set(full, 0, ex=ttl, nx=True)
            pipe.incr(full)
        return [int(count) for count in pipe.execute()[1::2]]
    counts = []
    for key, ttl in windows:
        cache.add(key, 0, ttl)  # add: two first requests at once count each other
        counts.append(int(cache.incr(key)))
    return counts


def window_count(key: str, ttl: int) -> int:
    """Count one request in the window counter `key` (see window_counts)."""
    return window_counts([(key, ttl)])[0]


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
            count = window_count(key, duration + 1)
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
    per-enterprise limits in one round trip, as the two throttles would one after the other; True when
    both allow it. The counts stay on the request (`rate_counted`): if it goes on to a view, its
    throttles read them rather than count the request again."""
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
        counts = window_counts([(key, ttl) for key, ttl, _limit in windows])
    except Exception as exc:  # any cache backend error: as the throttles, let it through
        logger.warning("partner rate limits not checked, cache unavailable: %s", exc)
        return True
    request.rate_counted = {key: count for (key, _ttl, _limit), count in zip(windows, counts, strict=True)}
    return all(count <= limit for (_key, _ttl, limit), count in zip(windows, counts, strict=True))
