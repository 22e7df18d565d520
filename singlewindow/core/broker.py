"""Publishing tasks when the broker may be down. The database is the record: a task that cannot be
sent now is logged, and the sweeper finds its work again by its state in the database (lists waiting
for a match, dispatches not answered, webhooks due, uploads queued). Requests keep answering."""

import logging
from typing import Any

from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
BROKER_DOWN = (OperationalError, RedisError)


def send(task: Any, *args: Any, inline_if_down: bool = False, queue: str | None = None) -> bool:
    """`task.delay(*args)` (on `queue` if given); False when the broker did not take it. With
    `inline_if_down`, an official's action that nothing else would redo runs here and now instead."""
    try:
        task.apply_async(args=args, queue=queue)  # queue None: the task's own (settings)
        return True
    except BROKER_DOWN as exc:
        if inline_if_down:
            logger.warning("broker unavailable; running %s in the request: %s", task.name, exc)
            task.apply(args=args)
            return True
        logger.warning("broker unavailable; %s not sent, the sweeper will find its work: %s", task.name, exc)
        return False


def send_named(name: str, *args: Any, inline_if_down: bool = False, queue: str | None = None) -> bool:
    """`send` for a task known by its registered name: how intake, alerts and webhooks reach the
    pipeline without importing it (the import contract forbids it). Each app's `ready()` imports its
    tasks module, so the registry has every task in the web process as in workers."""
    from celery import current_app

    return send(current_app.tasks[name], *args, inline_if_down=inline_if_down, queue=queue)


def run_named(name: str, **kwargs: Any) -> Any:
    """Run a task known by its registered name here and now, and return its result: for an answer the
    caller needs at once (a cancel or a return refused with its reason), without importing the
    pipeline."""
    from celery import current_app

    return current_app.tasks[name].run(**kwargs)
