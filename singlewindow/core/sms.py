"""Text messages to phones, through a backend named by the SMS_BACKEND setting, as Django sends email.

`console` writes the message to the log (development, `make run`); `locmem` keeps it in `outbox`
(tests); a deployment names its operator's gateway, a class with `send(phone, text)`.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("singlewindow.sms")
outbox: list[tuple[str, str]] = []  # what the locmem backend sent: (phone, text)


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleBackend:
    """Writes each message to the log: a developer reads the code there."""

    def send(self, phone: str, text: str) -> None:
        logger.warning("SMS to %s: %s", phone, text)


class LocmemBackend:
    """Keeps each message in `outbox`, for tests."""

    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))


def send_sms(phone: str, text: str) -> None:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    backend.send(phone, text)
