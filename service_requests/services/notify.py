"""The in-app inbox (站内信), with e-mail and SMS sent after the transaction commits."""

import logging
from collections.abc import Iterable
from typing import Any

from django.core.mail import send_mail
from django.db import transaction

from service_requests.models import Notification, ServiceRequest, SupervisionNotice
from service_requests.sms import get_sms_backend

logger = logging.getLogger(__name__)


def notify(
    recipients: Iterable[Any],
    *,
    title: str,
    body: str = "",
    url: str = "",
    request: ServiceRequest | None = None,
    notice: SupervisionNotice | None = None,
    email: bool = False,
    sms: bool = False,
) -> list[Notification]:
    """Put a message in each recipient's inbox (one bulk insert); e-mail / SMS them after commit when asked."""
    people = {u.pk: u for u in recipients if u is not None and getattr(u, "is_active", True)}
    rows = Notification.objects.bulk_create(
        [
            Notification(recipient_id=pk, title=title[:150], body=body, url=url[:200], request=request, notice=notice)
            for pk in people
        ]
    )
    if email:
        addresses = [u.email for u in people.values() if u.email]
        if addresses:
            transaction.on_commit(lambda: _send_email(title, body, addresses))
    if sms:
        phones = [u.phone for u in people.values() if u.phone]
        if phones:
            transaction.on_commit(lambda: _send_sms(title, phones))
    return rows


def _send_email(subject: str, body: str, addresses: list[str]) -> None:
    try:
        send_mail(subject, body, None, addresses)
    except OSError:  # a mail server being down must not break the workflow; the inbox has the message
        logger.exception("e-mail to %d recipients failed", len(addresses))


def _send_sms(text: str, phones: list[str]) -> None:
    backend = get_sms_backend()
    for phone in phones:
        try:
            backend.send(phone, text)
        except OSError:
            logger.exception("SMS failed")


def notification_mark_read(*, actor: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own messages read (all unread ones when ids is None). Returns how many changed."""
    from django.utils import timezone

    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
