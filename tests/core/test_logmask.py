"""Resident ID numbers are masked in what the console handler and runserver's access log write: a
message, its arguments, a request line's query string, a traceback."""

import io
import logging

import pytest

from singlewindow.core.logmask import ResidentIdFilter, mask_resident_ids

BUYER = "110105194912310021"
MASKED = "110***********0021"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"buyer {BUYER}", f"buyer {MASKED}"),
        ("buyer 11010519491231002X!", "buyer 110***********002X!"),
        (f"GET /api/v1/inventories/?buyer_id_number={BUYER}&page=2", f"?buyer_id_number={MASKED}&page=2"),
        # other 18-digit numbers stay readable: a customs list number, a longer number
        ("list 292820261000000001", "list 292820261000000001"),
        (f"ref 9{BUYER}", f"ref 9{BUYER}"),
    ],
)
def test_resident_ids_are_masked_wherever_they_are(text, expected):
    assert expected in mask_resident_ids(text)


def written_by(handler_name: str, logger: logging.Logger, *args, **kwargs) -> str:
    """What the handler configured by settings.LOGGING writes for one record."""
    handler = next(
        h
        for h in logging.getLogger(logger.name).handlers + logging.getLogger().handlers
        if h.get_name() == handler_name
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        logger.log(*args, **kwargs)
    finally:
        handler.setStream(previous)
    return stream.getvalue()


def test_runserver_access_log_masks_the_request_line():
    # As django.core.servers.basehttp.WSGIRequestHandler.log_message writes a request.
    line = f"GET /api/v1/inventories/?buyer_id_number={BUYER} HTTP/1.1"
    out = written_by(
        "django.server",
        logging.getLogger("django.server"),
        logging.INFO,
        '"%s" %s %s',
        line,
        "400",
        "120",
        extra={"request": None, "server_time": "06/Dec/2026 10:00:00", "status_code": 400},
    )
    assert MASKED in out and BUYER not in out


def test_console_masks_messages_arguments_and_tracebacks():
    logger = logging.getLogger("declarations.tests")
    assert MASKED in written_by("console", logger, logging.WARNING, "buyer %s over quota", BUYER)
    try:
        raise ValueError(f"bad buyer {BUYER}")
    except ValueError:
        out = written_by("console", logger, logging.ERROR, "failed", exc_info=True)
    assert "ValueError" in out and MASKED in out and BUYER not in out


def test_a_record_whose_arguments_do_not_fit_passes_untouched():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s %s", ("only one",), None)
    assert ResidentIdFilter().filter(record) is True
