"""The partners' sandbox: who is acting in it and what time it is there.

A sandbox key puts its request (and the pipeline work that request runs) in a sandbox context: the
enterprise of the key (its tenant) and the offset of that tenant's clock. The context decides two
things, in one place each:

- which rows the ORM sees: models of `SandboxScoped` carry a `sandbox` flag, set from the context when
  a row is created, and their default manager shows live rows outside the sandbox and sandbox rows in
  it. Every query written for live data (pages, statistics, dashboards, ledgers, the sweepers) thus
  excludes the sandbox without knowing about it; `all_rows` is the explicit way to see both.
- what "now" is: `now()` is the real time, moved by the tenant's offset in the sandbox. The services
  that count days (return windows, finished months, summaries) take their time from it.

Outside any context nothing changes: `now()` is `timezone.now()` and the rows are the live ones.
"""

import contextlib
import datetime
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

T = TypeVar("T")


@dataclass(frozen=True)
class SandboxContext:
    """The sandbox tenant (the enterprise of the sandbox key) and how far its clock is moved."""

    tenant_id: int
    offset: datetime.timedelta = datetime.timedelta(0)


_current: ContextVar[SandboxContext | None] = ContextVar("sandbox", default=None)


def current() -> SandboxContext | None:
    return _current.get()


def active() -> bool:
    """Whether the code runs for a sandbox key (the default of the `sandbox` flag of new rows)."""
    return _current.get() is not None


def enter(context: SandboxContext | None) -> None:
    """Put the rest of this request (or task) in `context`; `None` leaves the sandbox."""
    _current.set(context)


@contextlib.contextmanager
def entered(context: SandboxContext | None) -> Iterator[None]:
    token = _current.set(context)
    try:
        yield
    finally:
        _current.reset(token)


def now() -> datetime.datetime:
    """The time of the caller: real time, or the sandbox tenant's moved clock."""
    context = _current.get()
    real = timezone.now()
    return real if context is None else real + context.offset


def localdate() -> datetime.date:
    return timezone.localdate(now())


def bound(func: Callable[[], T]) -> Callable[[], T]:
    """`func`, run later (an on-commit callback) in the context it was made in: the pipeline work a
    sandbox request queues stays in that sandbox, and live work stays live."""
    context = _current.get()

    def run() -> T:
        with entered(context):
            return func()

    return run


def reset_on_request(**kwargs: Any) -> None:
    """A new request starts outside the sandbox (threads of a server serve many requests)."""
    _current.set(None)


_M = TypeVar("_M", bound=models.Model)


class SandboxScopedManager(models.Manager[_M]):
    """Live rows outside the sandbox, sandbox rows in it."""

    def get_queryset(self) -> models.QuerySet[_M]:
        return super().get_queryset().filter(sandbox=active())


class SandboxScoped(models.Model):
    """A row that belongs either to the live zone or to the sandbox, never both."""

    sandbox = models.BooleanField(default=active, editable=False)

    objects = SandboxScopedManager()
    all_rows = models.Manager()  # noqa: DJ012 - the scoped manager must stay the default (first)

    class Meta:
        abstract = True
