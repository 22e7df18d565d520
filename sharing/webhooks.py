"""Webhooks: partners are told of outcomes by a signed POST, retried with backoff until it lands.

The body is JSON, or a CEB receipt message for a webhook that chose CEB XML;
`X-Singlewindow-Signature: sha256=<hex>` is HMAC-SHA256 of the raw body with the subscription's
secret, so a partner can check that the window sent it and that it was not altered. The secret is
shown once, when the webhook is registered. Where a delivery may go, and how it gets there without
being steered inside the zone's network, is `webhook_targets`.
"""

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Mapping
from datetime import timedelta
from http.client import HTTPException
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from singlewindow.core import broker
from singlewindow.core.errors import Conflict, ServiceError

from . import webhook_targets
from .choices import MemberRole
from .models import Enterprise, PayloadFormat, WebhookDelivery, WebhookSubscription
from .principal import Principal
from .services import audit_record

TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 8
# Each active webhook receives every event of its enterprise: a cap keeps one enterprise from turning
# the window into a flood of POSTs.
MAX_ACTIVE_PER_ENTERPRISE = 10
# A test event at most once a minute per webhook, for the same reason.
TEST_INTERVAL = timedelta(minutes=1)
TEST_EVENT = "webhook.test"
SIGNATURE_HEADER = "X-Singlewindow-Signature"
# sharing.tasks.send_webhook, sent by name: the task module imports this one.
SEND_TASK = "sharing.send_webhook"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def url_problem(url: str) -> str | None:
    """Why the window will not post to this URL (in the reader's language), or None: see
    `webhook_targets` for the rules."""
    try:
        webhook_targets.check(url)
    except webhook_targets.TargetRefused as exc:
        return exc.message
    return None


def may_manage(principal: Principal) -> bool:
    """An enterprise's administrator, or a partner key of the enterprise (its own system), manages its
    webhooks; other members and officials do not."""
    return principal.enterprise is not None and (
        principal.api_key is not None or principal.role == MemberRole.ADMIN
    )


def subscription_list(*, principal: Principal) -> QuerySet[WebhookSubscription]:
    """The webhooks the caller manages: its enterprise's, none for anyone else."""
    if not may_manage(principal):
        return WebhookSubscription.objects.none()
    return WebhookSubscription.objects.filter(enterprise=principal.enterprise).order_by("-id")


def delivery_list(*, enterprise: Enterprise) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(subscription__enterprise=enterprise).select_related("subscription")


def subscription_create(
    *, enterprise: Enterprise, url: str, by: Principal | None = None, payload_format: str = PayloadFormat.JSON
) -> WebhookSubscription:
    """Register a URL that passed the check; its signing secret is in the returned object only now
    (pages and the API show its last characters afterwards)."""
    # Checked before the transaction: resolving a name may take seconds, and holds no lock meanwhile.
    if problem := url_problem(url):
        raise ValidationError({"url": [problem]})
    with transaction.atomic():
        _check_room(enterprise)
        subscription = WebhookSubscription.objects.create(
            enterprise=enterprise, url=url, secret=secrets.token_hex(32), payload_format=payload_format
        )
        audit_record(
            actor=by, action="webhook.subscribed", obj=subscription, url=url, payload_format=payload_format
        )
    return subscription


@transaction.atomic
def subscription_disable(*, subscription: WebhookSubscription, by: Principal | None) -> WebhookSubscription:
    """Stop deliveries; those not yet delivered wait, and go out again if the webhook is re-enabled."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.active:
        subscription.active = False
        subscription.save(update_fields=["active"])
        audit_record(actor=by, action="webhook.disabled", obj=subscription, url=subscription.url)
    return subscription


def subscription_enable(*, subscription: WebhookSubscription, by: Principal | None) -> WebhookSubscription:
    """Deliver again to a disabled webhook, once its URL passes the check as it stands today; the
    deliveries it missed and may still retry are sent by the sweeper."""
    if problem := url_problem(subscription.url):
        raise ValidationError({"url": [problem]})
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        if not subscription.active:
            _check_room(subscription.enterprise)
            subscription.active = True
            subscription.save(update_fields=["active"])
            subscription.deliveries.filter(delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS).update(
                next_attempt_at=timezone.now()
            )
            audit_record(actor=by, action="webhook.enabled", obj=subscription, url=subscription.url)
    return subscription


@transaction.atomic
def subscription_test(*, subscription: WebhookSubscription, by: Principal | None) -> WebhookDelivery:
    """Queue a `webhook.test` event for this webhook: signed and delivered like any other, so the
    partner can check its endpoint and its signature check."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if not subscription.active:
        raise Conflict(_("This webhook is disabled: enable it before sending a test event."))
    now = timezone.now()
    if subscription.deliveries.filter(event=TEST_EVENT, created_at__gt=now - TEST_INTERVAL).exists():
        raise ServiceError(
            _("A test event was sent less than a minute ago: its answer is in the deliveries."),
            code="throttled",
            status=429,
        )
    payload = {
        "event": TEST_EVENT,
        "webhook": subscription.pk,
        "enterprise": subscription.enterprise.customs_code,
        "sent_at": now.isoformat(),
    }
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event=TEST_EVENT,
        event_key=f"test:{uuid.uuid4().hex}",
        payload=json.dumps(payload, ensure_ascii=False),
    )
    audit_record(actor=by, action="webhook.test_sent", obj=subscription, delivery=delivery.pk)
    transaction.on_commit(lambda: broker.send_named(SEND_TASK, delivery.pk))
    return delivery


def _check_room(enterprise: Enterprise) -> None:
    # The enterprise's row is locked so that two registrations at once cannot both take the last place.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    if (
        WebhookSubscription.objects.filter(enterprise=enterprise, active=True).count()
        >= MAX_ACTIVE_PER_ENTERPRISE
    ):
        raise ValidationError(
            {
                "url": [
                    _("An enterprise has at most %(max)s active webhooks: disable one first.")
                    % {"max": MAX_ACTIVE_PER_ENTERPRISE}
                ]
            }
        )


def enqueue(
    events: list[tuple[int, str, str, dict[str, Any]]],
    ceb_payloads: Mapping[str, str] | None = None,
    ceb_only: frozenset[str] = frozenset(),
) -> int:
    """Queue (enterprise id, event, event key, payload) for every active webhook of that enterprise.

    A webhook that takes CEB XML gets the event's CEB message (`ceb_payloads`, by event key) instead of
    the JSON; an event without one (a test event) goes to it as JSON. Events keyed in `ceb_only` go to
    CEB webhooks only. Idempotent on (subscription, event key): a re-delivered task queues nothing twice.
    """
    ceb_payloads = ceb_payloads or {}
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
            payload=ceb_payloads[key]
            if s.payload_format == PayloadFormat.CEB and key in ceb_payloads
            else json.dumps({"event": event, **payload}, ensure_ascii=False, default=str),
        )
        for enterprise_id, event, key, payload in events
        for s in subscriptions.get(enterprise_id, [])
        if key not in ceb_only or s.payload_format == PayloadFormat.CEB
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
    """POST one delivery. Returns seconds to wait before retrying, or None when done.

    The URL is checked again at every attempt (its DNS may have changed since it was registered) and
    the connection goes to the address that was checked. A 3xx is a failed attempt: redirects are not
    followed."""
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None or delivery.delivered_at is not None:
        return None
    subscription = delivery.subscription
    if not subscription.active:
        # Kept as it is: re-enabling the webhook schedules it again.
        if delivery.next_attempt_at is not None:
            delivery.next_attempt_at = None
            delivery.save(update_fields=["next_attempt_at"])
        return None
    body = delivery.payload.encode()
    headers = {
        # A CEB message is the only payload that is not a JSON object.
        "Content-Type": "application/xml; charset=utf-8" if body.startswith(b"<") else "application/json",
        "User-Agent": "singlewindow-webhooks/1",
        SIGNATURE_HEADER: sign(subscription.secret, body),
        "X-Singlewindow-Event": delivery.event,
        "X-Singlewindow-Delivery": str(delivery.pk),
    }
    code, error, may_retry = None, "", True
    try:
        target = webhook_targets.check(subscription.url)
        answer = webhook_targets.post(target, body, headers, timeout=TIMEOUT_SECONDS)
    except webhook_targets.TargetRefused as exc:
        error, may_retry = exc.message, exc.transient
    except (OSError, HTTPException, ValueError) as exc:
        error = str(exc) or exc.__class__.__name__
    else:
        code = answer.status
        if 300 <= code < 400:
            error = _(
                "The URL answered %(code)s, a redirect to %(location)s: redirects are not followed. "
                "Register the final URL."
            ) % {"code": code, "location": answer.location[:120] or "-"}
        elif not 200 <= code < 300:
            error = answer.reason
    delivery.attempts += 1
    delivery.response_code, delivery.error = code, error[:300]
    if code is not None and 200 <= code < 300:
        delivery.delivered_at = timezone.now()
    retry_in = None
    if delivery.delivered_at is None and may_retry and delivery.attempts < MAX_ATTEMPTS:
        retry_in = min(2**delivery.attempts * 5, 3600)  # backoff: 10 s, 20 s, ... up to an hour
    delivery.next_attempt_at = timezone.now() + timedelta(seconds=retry_in) if retry_in else None
    delivery.save(update_fields=["attempts", "response_code", "error", "delivered_at", "next_attempt_at"])
    return retry_in


def retry_due() -> int:
    """Re-send deliveries whose backoff has passed (the sweeper calls this, so retries survive restarts)."""
    due = list(
        WebhookDelivery.objects.filter(
            delivered_at__isnull=True,
            next_attempt_at__lte=timezone.now(),
            attempts__lt=MAX_ATTEMPTS,
            subscription__active=True,
        ).values_list("id", flat=True)[:500]
    )
    for delivery_id in due:
        broker.send_named(SEND_TASK, delivery_id)
    return len(due)
