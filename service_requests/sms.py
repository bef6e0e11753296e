"""SMS behind an interface. The default backend only logs; a real gateway is one class with `send(phone, text)`.

Choose the backend with the setting SERVICE_REQUESTS_SMS_BACKEND (a dotted path); tests read `LoggingSmsBackend.sent`.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from core.validators import mask_phone

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LoggingSmsBackend:
    """Writes each message to the log (phone masked) and keeps the last ones in memory for tests."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)
        LoggingSmsBackend.sent.append((phone, text))
        del LoggingSmsBackend.sent[:-100]


def get_sms_backend() -> SmsBackend:
    path = getattr(settings, "SERVICE_REQUESTS_SMS_BACKEND", "service_requests.sms.LoggingSmsBackend")
    backend: SmsBackend = import_string(path)()
    return backend
