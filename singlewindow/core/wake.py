"""Waking a claiming processor at most once per short window, however many requests ask.

A processor that claims what has gathered (clearance's pending lists, intake's received documents)
needs one wake per window, not one task per document: the first caller in a window sets a Redis key
with `SET NX PX <window>` and sends the task with a countdown of the same window; every other caller
in that window sees the key and sends nothing. The task runs after the key expired, so it sees every
row committed by a caller that found the key set (each caller commits before it asks). Without Redis
(embedded mode, tasks run eagerly) every call sends at once.
"""

import logging
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings

from .broker import BROKER_DOWN, send_named

if TYPE_CHECKING:
    import redis

logger = logging.getLogger(__name__)


@cache
def _redis() -> "redis.Redis":  # one connection pool per process
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def wake(task_name: str, *, window: int | None = None) -> bool:
    """Send `task_name` unless a wake of it is already due within the window (`window` ms, by default
    WAKE_WINDOW_MS); True when this call sent it. A broker or Redis that is down costs nothing here:
    the sweeper finds the work again."""
    from celery import current_app

    window = settings.WAKE_WINDOW_MS if window is None else window
    if window <= 0 or not settings.REDIS_URL or current_app.conf.task_always_eager:
        return send_named(task_name)
    try:
        first = _redis().set(f"wake:{task_name}", 1, nx=True, px=window)
    except BROKER_DOWN as exc:
        logger.warning("redis unavailable; %s sent without a debounce: %s", task_name, exc)
        return send_named(task_name)
    if not first:
        return False
    try:
        current_app.tasks[task_name].apply_async(countdown=window / 1000)
    except BROKER_DOWN as exc:
        logger.warning("broker unavailable; %s not sent, the sweeper will find its work: %s", task_name, exc)
        return False
    return True
