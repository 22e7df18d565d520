"""Waking a claiming processor at most once per short window, however many requests ask.

A processor that claims what has gathered (clearance's pending lists, intake's received documents)
needs one wake per window, not one task per document: the first caller in a window sets a Redis key
with `SET NX PX <window>` and sends the task with a countdown of the same window; every other caller
in that window sees the key and sends nothing. The task runs after the key expired, so it sees every
row committed by a caller that found the key set (each caller commits before it asks).

A processor that has had no wake for a few windows is idle: the first caller also sends it at once
(the leading edge), so a lone document is not held back by the window; the task at the window's end
still follows for whatever came meanwhile. Under load the leading edge never fires and each run
claims a whole window's work.

A caller that found the key set learns, in the same round trip, how long it has left, and its process
asks Redis again only after that: under load a web process pays one round trip per window, not one
per request. Without Redis (embedded mode, tasks run eagerly) every call sends at once.
"""

import logging
import time
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings

from .broker import BROKER_DOWN, send_named

if TYPE_CHECKING:
    import redis
    from redis.commands.core import Script

logger = logging.getLogger(__name__)

# Windows without a wake after which a processor counts as idle.
IDLE_WINDOWS = 3
# KEYS: the window's key, the processor's recent-wake key. ARGV: the window, the idle time (ms).
# Returns the window's milliseconds left when it is taken, else -1 (send at the window's end) or -2
# (the processor was idle: send now as well).
_SET_OR_TTL = """
if not redis.call('SET', KEYS[1], 1, 'NX', 'PX', ARGV[1]) then return redis.call('PTTL', KEYS[1]) end
local idle = redis.call('EXISTS', KEYS[2]) == 0
redis.call('SET', KEYS[2], 1, 'PX', ARGV[2])
if idle then return -2 end
return -1
"""
# Per process: the monotonic time until which a wake of each task is known to be due.
_due: dict[str, float] = {}


@cache
def _redis() -> "redis.Redis":  # one connection pool per process
    import redis

    _due.clear()
    return redis.Redis.from_url(settings.REDIS_URL)


@cache
def _set_or_ttl() -> "Script":
    return _redis().register_script(_SET_OR_TTL)


def wake(task_name: str, *, window: int | None = None) -> bool:
    """Send `task_name` unless a wake of it is already due within the window (`window` ms, by default
    WAKE_WINDOW_MS); True when this call sent it. A broker or Redis that is down costs nothing here:
    the sweeper finds the work again."""
    from celery import current_app

    window = settings.WAKE_WINDOW_MS if window is None else window
    if window <= 0 or not settings.REDIS_URL or current_app.conf.task_always_eager:
        return send_named(task_name)
    # Read before asking, so the due time kept is never later than the key's expiry.
    now = time.monotonic()
    if _due.get(task_name, 0.0) > now:
        return False
    keys = [f"wake:{task_name}", f"wake:{task_name}:recent"]
    try:
        left = int(_set_or_ttl()(keys=keys, args=[window, window * IDLE_WINDOWS], client=_redis()))
    except BROKER_DOWN as exc:
        logger.warning("redis unavailable; %s sent without a debounce: %s", task_name, exc)
        return send_named(task_name)
    if left >= 0:
        _due[task_name] = now + left / 1000
        return False
    _due[task_name] = now + window / 1000
    task = current_app.tasks[task_name]
    try:
        if left == -2:
            task.apply_async(countdown=0)
        task.apply_async(countdown=window / 1000)
    except BROKER_DOWN as exc:
        logger.warning("broker unavailable; %s not sent, the sweeper will find its work: %s", task_name, exc)
        return False
    return True
