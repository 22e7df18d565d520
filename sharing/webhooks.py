"""Webhooks: partners are told of outcomes by a signed POST, retried with backoff until it lands.

The body is JSON; `X-Singlewindow-Signature: sha256=<hex>` is HMAC-SHA256 of the raw body with the
subscription's secret, so a partner can check that the window sent it and that it was not altered.
"""

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from singlewindow.core import broker

from .models import Enterprise, WebhookDelivery, WebhookSubscription

TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 8
SIGNATURE_HEADER = "X-Singlewindow-Signature"
# sharing.tasks.send_webhook, sent by name: the task module imports this one.
SEND_TASK = "sharing.send_webhook"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def url_problem(url: str) -> str | None:
    """Why the window will not post to this URL: a webhook must not reach into the zone's own network
    (cloud metadata, the database, the admin ports) unless WEBHOOK_ALLOW_PRIVATE_NETWORKS is set."""
    import ipaddress
    import socket
    from urllib.parse import urlsplit

    from django.conf import settings

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("Use an http or https URL.")
    if getattr(settings, "WEBHOOK_ALLOW_PRIVATE_NETWORKS", False):
        return None
    if parts.scheme != "https":
        return _("Use an https URL.")
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except OSError:
        return _("The host name does not resolve.")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            return _("The URL points to a private or local address.")
    return None


def subscription_create(*, enterprise: Enterprise, url: str) -> WebhookSubscription:
    from django.core.exceptions import ValidationError

    if problem := url_problem(url):
        raise ValidationError({"url": [problem]})
    return WebhookSubscription.objects.create(enterprise=enterprise, url=url, secret=secrets.token_hex(32))


def enqueue(events: list[tuple[int, str, str, dict[str, Any]]]) -> int:
    """Queue (enterprise id, event, event key, payload) for every active webhook of that enterprise.

    Idempotent on (subscription, event key): a re-delivered task queues nothing twice.
    """
    subscriptions: dict[int, list[WebhookSubscription]] = {}
    for subscription in WebhookSubscription.objects.filter(
        enterprise_id__in={e[0] for e in events}, active=True
    ):
        subscriptions.setdefault(subscription.enterprise_id, []).append(subscription)
    deliveries = [
        WebhookDelivery(
            subscription=s,
            event=event,
            event_key=key,
            payload=json.dumps({"event": event, **payload}, ensure_ascii=False, default=str),
        )
        for enterprise_id, event, key, payload in events
        for s in subscriptions.get(enterprise_id, [])
    ]
    if not deliveries:
        return 0
    WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    keys = {d.event_key for d in deliveries}
    ids = list(
        WebhookDelivery.objects.filter(event_key__in=keys, delivered_at__isnull=True, attempts=0).values_list(
            "id", flat=True
        )
    )

    def send_all() -> None:
        for delivery_id in ids:
            broker.send_named(SEND_TASK, delivery_id)

    transaction.on_commit(send_all)
    return len(ids)


def send(*, delivery_id: int) -> int | None:
    """POST one delivery. Returns seconds to wait before retrying, or None when done."""
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None or delivery.delivered_at is not None:
        return None
    if problem := url_problem(delivery.subscription.url):  # checked again: DNS may have changed
        delivery.attempts += 1
        delivery.error = str(problem)[:300]
        delivery.save(update_fields=["attempts", "error"])
        return None
    body = delivery.payload.encode()
    request = urllib.request.Request(  # noqa: S310 - a URLField: http or https only
        delivery.subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(delivery.subscription.secret, body),
            "X-Singlewindow-Event": delivery.event,
            "X-Singlewindow-Delivery": str(delivery.pk),
        },
    )
    code, error = None, ""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            code = response.status
    except urllib.error.HTTPError as exc:
        code, error = exc.code, str(exc.reason)[:300]
    except (urllib.error.URLError, OSError) as exc:
        error = str(exc)[:300]
    delivery.attempts += 1
    delivery.response_code, delivery.error = code, error
    if code is not None and 200 <= code < 300:
        delivery.delivered_at = timezone.now()
    retry_in = None
    if delivery.delivered_at is None and delivery.attempts < MAX_ATTEMPTS:
        retry_in = min(2**delivery.attempts * 5, 3600)  # backoff: 10 s, 20 s, ... up to an hour
    delivery.next_attempt_at = timezone.now() + timedelta(seconds=retry_in) if retry_in else None
    delivery.save(update_fields=["attempts", "response_code", "error", "delivered_at", "next_attempt_at"])
    return retry_in


def retry_due() -> int:
    """Re-send deliveries whose backoff has passed (the sweeper calls this, so retries survive restarts)."""
    due = list(
        WebhookDelivery.objects.filter(
            delivered_at__isnull=True, next_attempt_at__lte=timezone.now(), attempts__lt=MAX_ATTEMPTS
        ).values_list("id", flat=True)[:500]
    )
    for delivery_id in due:
        broker.send_named(SEND_TASK, delivery_id)
    return len(due)
