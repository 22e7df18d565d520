"""Resident ID numbers never reach a log line whole: the logging filter on the console handler and
runserver's access log masks them wherever they appear (a message, its arguments, a request line with
a query string, a traceback). The ID mask itself is here, at the bottom, so the documents' masks
(declarations.privacy) and the logs keep one rule: the first 3 and the last 4 characters.
"""

import logging
import re

# GB 11643: 6-digit address code, birth date YYYYMMDD, 3-digit sequence, check character. The birth
# date keeps other 18-digit numbers (customs list numbers: district, year, I/E, serial) readable.
RESIDENT_ID = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"
    r"(?![0-9A-Za-z])"
)


def mask_id_number(value: str) -> str:
    """`110***********1234`: the first 3 and the last 4 characters, a star for each of the others; a
    value too short to keep any is all stars."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_resident_ids(text: str) -> str:
    return RESIDENT_ID.sub(lambda match: mask_id_number(match.group()), text)


class ResidentIdFilter(logging.Filter):
    """Masks resident ID numbers in a record before any handler writes it. Put on handlers (a filter
    on a logger does not see what its children propagate)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a record whose arguments do not fit its format is left as is
            return True
        masked = mask_resident_ids(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_resident_ids(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_resident_ids(record.stack_info)
        return True
