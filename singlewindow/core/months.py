"""Calendar months in the zone's time zone: the period of tax consolidation, forex statements and the
exports' summary declarations."""

import datetime

from django.utils import timezone

from singlewindow.core import sandbox


def month_bounds(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The month as [start, end) aware datetimes."""
    start = timezone.make_aware(datetime.datetime(year, month, 1))
    end = timezone.make_aware(datetime.datetime(year + (month == 12), month % 12 + 1, 1))
    return start, end


def last_month(today: datetime.date | None = None) -> tuple[int, int]:
    today = today or sandbox.localdate()
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def is_over(year: int, month: int) -> bool:
    """Whether the month has ended (only a finished month is consolidated or summarised)."""
    today = sandbox.localdate()
    return (year, month) < (today.year, today.month)
