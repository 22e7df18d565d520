"""Notifications by email: one email per notification for those who asked for it, or a daily digest.

A notification is addressed to an organisation (an enterprise or an agency); its members choose, each
for themselves, how they hear of it (NotificationPreference). Emails carry both of the window's
languages: the sender does not know which one the reader uses.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from singlewindow.core.texts import Text, both, gettext_noop

from .models import Membership, Notification, NotificationPreference


def _members(preference: str, *, enterprise_ids: set[int], agency_ids: set[int]) -> list[Membership]:
    """Active members with an email address, of these organisations, who chose this preference."""
    return list(
        Membership.objects.filter(
            Q(enterprise_id__in=enterprise_ids) | Q(agency_id__in=agency_ids),
            user__is_active=True,
            user__notification_preference__email=preference,
        )
        .exclude(user__email="")
        .select_related("user")
    )


def _line(notification: Notification) -> str:
    return (
        f"{notification.subject} — {notification.reason}\n"
        f"{notification.subject_en} — {notification.reason_en}"
    )


def _link(notification: Notification) -> str:
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    return f"{base}{notification.link}" if notification.link and base else notification.link


def email_each(*, dedupe_keys: list[str]) -> int:
    """Email these notifications to the members of their organisation who want each one. Returns the
    number of emails sent."""
    notifications = list(Notification.objects.filter(dedupe_key__in=dedupe_keys))
    if not notifications:
        return 0
    members = _members(
        NotificationPreference.Email.EACH,
        enterprise_ids={n.enterprise_id for n in notifications if n.enterprise_id},
        agency_ids={n.agency_id for n in notifications if n.agency_id},
    )
    messages = []
    for notification in notifications:
        to = [
            m.user.email
            for m in members
            if (notification.enterprise_id and m.enterprise_id == notification.enterprise_id)
            or (notification.agency_id and m.agency_id == notification.agency_id)
        ]
        if not to:
            continue
        subject = f"{notification.subject} / {notification.subject_en}"
        body = _line(notification)
        if link := _link(notification):
            body += f"\n\n{link}"
        # One message per notification, the members in Bcc: they need not see each other's addresses.
        messages.append(EmailMessage(subject=subject[:200], body=body, bcc=to))
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


DIGEST_SUBJECT = Text(gettext_noop("Single window: new notifications (%(count)d)"))
DIGEST_INTRO = Text(gettext_noop("What reached your organisation since the last digest:"))
DIGEST_NONE_AGO = timedelta(days=1)


def digests_send(*, now: datetime | None = None) -> int:
    """Send each member who chose the daily digest the notifications of their organisation since their
    last digest (the last day, the first time). Nothing is sent to one with nothing new; a rerun sends
    nothing twice. Returns the number of digests sent."""
    now = now or timezone.now()
    sent = 0
    preferences = NotificationPreference.objects.filter(
        email=NotificationPreference.Email.DAILY, user__is_active=True
    ).select_related("user", "user__membership")
    connection = get_connection()
    for preference in preferences:
        user = preference.user
        membership = getattr(user, "membership", None)
        if not user.email or membership is None:
            continue
        since = preference.digest_sent_at or now - DIGEST_NONE_AGO
        scope = (
            Q(enterprise_id=membership.enterprise_id)
            if membership.enterprise_id
            else Q(agency_id=membership.agency_id)
        )
        notifications = list(
            Notification.objects.filter(scope, created_at__gt=since, created_at__lte=now).order_by(
                "created_at"
            )
        )
        with transaction.atomic():
            # Claim the period first: two runs at once send it once.
            claimed = NotificationPreference.objects.filter(
                pk=preference.pk, digest_sent_at=preference.digest_sent_at
            ).update(digest_sent_at=now)
            if not claimed or not notifications:
                continue
            subject_zh, subject_en = both(Text(DIGEST_SUBJECT.msgid, count=len(notifications)))
            intro_zh, intro_en = both(DIGEST_INTRO)
            lines = [f"{intro_zh}\n{intro_en}", ""]
            for n in notifications:
                stamp = timezone.localtime(n.created_at).strftime("%Y-%m-%d %H:%M")
                lines.append(f"{stamp}\n{_line(n)}")
                if link := _link(n):
                    lines.append(link)
                lines.append("")
            EmailMessage(
                subject=f"{subject_zh} / {subject_en}"[:200],
                body="\n".join(lines),
                to=[user.email],
                connection=connection,
            ).send()
            sent += 1
    return sent
