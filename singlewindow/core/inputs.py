"""Values read from a request by hand (a query parameter, a member of a JSON object no serializer owns),
refused before they reach code or a database that cannot hold them.

The classes of input that answered 500: an id beyond a 64-bit integer (SQLite raises OverflowError,
PostgreSQL a DataError), digits that `str.isdigit` accepts and `int` refuses ("²"), a date at year 1 or
9999 that a default range or a time zone pushes out of Python's range, and a JSON list or object where
text was meant. Each reader answers None for any of them; the caller names the field.
"""

import datetime

from django.utils import timezone

# The largest id a BigAutoField (a signed 64-bit integer) holds.
MAX_ID = 2**63 - 1
# The dates the portal reads: far enough from years 1 and 9999 that no offset or day arithmetic leaves
# Python's range, and wider than any declaration, period or dashboard needs.
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def parse_id(raw: object) -> int | None:
    """A whole number from 0 to MAX_ID in ASCII digits; None for anything else."""
    if not isinstance(raw, str) or not (0 < len(raw) <= 19 and raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if value <= MAX_ID else None


def parse_date(raw: object) -> datetime.date | None:
    """An ISO 8601 date (YYYY-MM-DD) from EARLIEST to LATEST; None for anything else."""
    if not isinstance(raw, str) or len(raw) > 10:
        return None
    try:
        value = datetime.date.fromisoformat(raw)
    except ValueError:
        return None
    return value if EARLIEST <= value <= LATEST else None


def parse_datetime(raw: object) -> datetime.datetime | None:
    """An ISO 8601 time, aware (a naive one is in the current time zone), whose UTC date lies from
    EARLIEST to LATEST; None for anything else."""
    if not isinstance(raw, str) or len(raw) > 64:
        return None
    try:
        value = datetime.datetime.fromisoformat(raw)
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        utc = value.astimezone(datetime.UTC)  # an offset of up to 23:59 can push year 1 or 9999 out
    except (ValueError, OverflowError):
        return None
    return value if EARLIEST <= utc.date() <= LATEST else None
