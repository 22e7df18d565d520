"""Writes of the registry of parties. Every state change is audited here."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parks.choices import ApplicationStatus
from singlewindow.core import sandbox
from singlewindow.core.broker import send_named
from singlewindow.core.texts import Text, both

from . import audit, selectors
from .choices import ApiKeyKind, EnterpriseRole, EnterpriseStatus, MemberRole, NotificationKind
from .identifiers import customs_code_error, uscc_error
from .key_cache import key_forget
from .models import (
    Agency,
    AuditEvent,
    AuditHead,
    Enterprise,
    EnterpriseAPIKey,
    Membership,
    Notification,
    NotificationPreference,
)
from .principal import Principal

# sharing.tasks.notify_enterprise, sent by name: the task module imports this one.
NOTIFY_TASK = "sharing.notify_enterprise"
EMAIL_TASK = "sharing.email_notifications"


def audit_record(*, actor: Any, action: str, obj: Any = None, **detail: Any) -> AuditEvent:
    """Append one audit event to the keyed chain (sharing/audit.py); callers run it inside the
    transaction of the change it records.

    `actor` is a user, a Principal, a partner's request user or key, or None for the system. The head
    row is locked for the append and stays locked until the caller's transaction ends, so appends
    serialise: each event takes the next sequence and links to the one committed before it.
    """
    who = audit.actor_of(actor)
    object_type, object_id = audit.object_ref(obj)
    if sandbox.active():
        detail["sandbox"] = True  # e.g. the sandbox's tax office: a partner's test, not an official's act
    with transaction.atomic():
        head = _audit_head_locked()
        event = AuditEvent(
            sequence=head.count + 1,
            actor=who.user,
            actor_label=who.label,
            actor_api_key_prefix=who.api_key_prefix,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail={k: str(v) for k, v in detail.items()},
            at=timezone.now(),
            previous_hash=head.last_hash,
        )
        event.hash = audit.event_hash(event)
        event.save()
        head.count, head.last_hash = event.sequence, event.hash
        head.save(update_fields=["count", "last_hash"])
    return event


# Held while a writer that found no head row decides whether to create it.
AUDIT_HEAD_LOCK = 5_170_001


def _audit_head_locked() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    if connection.vendor == "postgresql":
        # Writers that start together on a chain without its head row decide one at a time: the one
        # after the first finds the head the first created (once it committed), rather than that
        # first event without a head, which would read as a removed head.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_HEAD_LOCK])
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is not None:
            return head
    if AuditEvent.objects.exists():
        # Starting over at 1 would hide what was removed: an operator restores the head knowingly.
        raise audit.AuditChainBroken(
            "The audit chain's head row is missing: run `manage.py verify_audit_chain`, then "
            "`manage.py verify_audit_chain --restore-head`."
        )
    head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
    return head


def audit_head_record() -> audit.RecordedHead:
    """Write the chain's head (count, last hash, time) where the database cannot reach it: a line on
    the `singlewindow.audit` log, and one appended to the file AUDIT_HEAD_LOG when that is set. The
    verifier checks the chain still contains every head so recorded."""
    head = audit.head_now(at=timezone.now())
    line = head.line()
    audit.logger.info("audit head %s", line)
    if path := getattr(settings, "AUDIT_HEAD_LOG", None):
        audit.head_log_append(path, line)
    return head


@transaction.atomic
def audit_head_restore(*, by: Any = None) -> AuditEvent | None:
    """Put back a missing head row from the chain's last event, and record that it was missing; None
    when the head is there. What the missing head hid stays visible to the head log's check."""
    if AuditHead.objects.select_for_update().filter(pk=1).exists():
        return None
    last = AuditEvent.objects.order_by("-sequence").first()
    AuditHead.objects.create(
        pk=1, count=last.sequence if last else 0, last_hash=last.hash if last else audit.GENESIS
    )
    return audit_record(
        actor=by,
        action="audit.head_restored",
        count=last.sequence if last else 0,
        last_hash=last.hash if last else audit.GENESIS,
    )


@dataclass(frozen=True)
class EnterpriseData:
    uscc: str
    customs_code: str
    name_zh: str
    name_en: str = ""
    roles: tuple[str, ...] = ()
    park_id: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    address: str = ""


def enterprise_validate(data: EnterpriseData, *, instance: Enterprise | None = None) -> None:
    """Raise ValidationError naming every bad field; uniqueness is checked here for a clear message
    and again by the database's unique constraints."""
    errors: dict[str, list[str]] = {}
    if message := uscc_error(data.uscc):
        errors["uscc"] = [message]
    if message := customs_code_error(data.customs_code):
        errors["customs_code"] = [message]
    if not data.name_zh.strip():
        errors["name_zh"] = [_("The Chinese name is required.")]
    if not data.roles:
        errors["roles"] = [_("Choose at least one role.")]
    unknown = [r for r in data.roles if r not in EnterpriseRole.values]
    if unknown:
        errors["roles"] = [_("Unknown role: %(role)s.") % {"role": ", ".join(unknown)}]
    others = Enterprise.objects.exclude(pk=instance.pk) if instance else Enterprise.objects.all()
    if "uscc" not in errors and others.filter(uscc=data.uscc).exists():
        errors["uscc"] = [_("An enterprise with this unified social credit code is already registered.")]
    if "customs_code" not in errors and others.filter(customs_code=data.customs_code).exists():
        errors["customs_code"] = [_("An enterprise with this customs code is already registered.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def enterprise_register(*, data: EnterpriseData, by: Principal) -> Enterprise:
    """File an enterprise for review (status pending). A user without an organisation becomes its admin."""
    if (
        by.api_key is not None
        or by.enterprise is not None
        or (by.agency is not None and not by.is_commerce_official)
    ):
        raise PermissionError(
            _("Only a person without an organisation, or a commerce official, may register an enterprise.")
        )
    enterprise_validate(data)
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(
                uscc=data.uscc,
                customs_code=data.customs_code,
                name_zh=data.name_zh.strip(),
                name_en=data.name_en.strip(),
                roles=sorted(set(data.roles)),
                park_id=data.park_id,
                contact_name=data.contact_name,
                contact_phone=data.contact_phone,
                contact_email=data.contact_email,
                address=data.address,
            )
    except IntegrityError as exc:  # a concurrent registration of the same codes
        raise ValidationError({"uscc": [_("An enterprise with these codes is already registered.")]}) from exc
    if by.user is not None and by.user.is_authenticated and by.enterprise is None and by.agency is None:
        Membership.objects.create(user=by.user, enterprise=enterprise, role=MemberRole.ADMIN)
    audit_record(actor=by, action="enterprise.registered", obj=enterprise)
    return enterprise


@transaction.atomic
def enterprise_resubmit(*, enterprise: Enterprise, data: EnterpriseData, by: Principal) -> Enterprise:
    """A rejected (or still pending) applicant corrects its details and files them again."""
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if enterprise.status not in (EnterpriseStatus.PENDING, EnterpriseStatus.REJECTED):
        raise ValidationError({"status": [_("Only a pending or rejected application can be changed.")]})
    enterprise_validate(data, instance=enterprise)
    for field in ("uscc", "customs_code", "contact_name", "contact_phone", "contact_email", "address"):
        setattr(enterprise, field, getattr(data, field))
    enterprise.name_zh, enterprise.name_en = data.name_zh.strip(), data.name_en.strip()
    enterprise.roles = sorted(set(data.roles))
    enterprise.park_id = data.park_id
    enterprise.status = EnterpriseStatus.PENDING
    enterprise.save()
    audit_record(actor=by, action="enterprise.resubmitted", obj=enterprise)
    return enterprise


def _require_commerce(by: Principal) -> None:
    if not by.is_commerce_official:
        raise PermissionError(_("Only a commerce official may decide on enterprises."))


def _decide(
    *,
    enterprise: Enterprise,
    by: Principal,
    to: str,
    allowed_from: tuple[str, ...],
    reason: str,
    kind: str | None,
    reason_required: bool,
) -> Enterprise:
    _require_commerce(by)
    reason = reason.strip()
    if reason_required and not reason:
        raise ValidationError({"reason": [_("Give a reason; the applicant will see it.")]})
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if enterprise.status == to:
        return enterprise  # deciding twice is a no-op
    if enterprise.status not in allowed_from:
        raise ValidationError(
            {
                "status": [
                    _("Cannot change an enterprise from %(from)s to %(to)s.")
                    % {"from": enterprise.get_status_display(), "to": EnterpriseStatus(to).label}
                ]
            }
        )
    previous = enterprise.status
    enterprise.status = to
    enterprise.status_reason = reason[:500]
    if to == EnterpriseStatus.APPROVED and enterprise.approved_at is None:
        enterprise.approved_at = timezone.now()
    enterprise.save(update_fields=["status", "status_reason", "approved_at", "updated_at"])
    key_forget(enterprise_id=enterprise.pk)
    transaction.on_commit(lambda: key_forget(enterprise_id=enterprise.pk))
    event = audit_record(
        actor=by, action=f"enterprise.{to}", obj=enterprise, previous=previous, reason=reason
    )
    if kind:
        transaction.on_commit(
            lambda: send_named(
                NOTIFY_TASK, enterprise.pk, kind, enterprise.name_zh, reason, f"audit:{event.pk}"
            )
        )
    return enterprise


@transaction.atomic
def enterprise_approve(*, enterprise: Enterprise, by: Principal, reason: str = "") -> Enterprise:
    return _decide(
        enterprise=enterprise,
        by=by,
        to=EnterpriseStatus.APPROVED,
        allowed_from=(EnterpriseStatus.PENDING, EnterpriseStatus.SUSPENDED),
        reason=reason,
        kind=NotificationKind.ENTERPRISE_APPROVED,
        reason_required=False,
    )


@transaction.atomic
def enterprise_reject(*, enterprise: Enterprise, by: Principal, reason: str) -> Enterprise:
    return _decide(
        enterprise=enterprise,
        by=by,
        to=EnterpriseStatus.REJECTED,
        allowed_from=(EnterpriseStatus.PENDING,),
        reason=reason,
        kind=NotificationKind.ENTERPRISE_REJECTED,
        reason_required=True,
    )


@transaction.atomic
def enterprise_suspend(*, enterprise: Enterprise, by: Principal, reason: str) -> Enterprise:
    return _decide(
        enterprise=enterprise,
        by=by,
        to=EnterpriseStatus.SUSPENDED,
        allowed_from=(EnterpriseStatus.APPROVED,),
        reason=reason,
        kind=NotificationKind.ENTERPRISE_SUSPENDED,
        reason_required=True,
    )


@dataclass(frozen=True)
class NotificationData:
    """One notification to write: for an enterprise or (officials) for an agency, never both."""

    kind: str
    subject: "str | Text"
    reason: "str | Text"
    dedupe_key: str
    enterprise_id: int | None = None
    agency_id: int | None = None
    link: str = ""


def notification_create(
    *,
    kind: str,
    subject: "str | Text",
    reason: "str | Text",
    dedupe_key: str,
    enterprise_id: int | None = None,
    agency_id: int | None = None,
    link: str = "",
) -> Notification:
    """Idempotent on `dedupe_key`, so a re-delivered task leaves one notification. The subject and
    reason are kept in Chinese and English (a `Text` is rendered in both)."""
    data = NotificationData(kind, subject, reason, dedupe_key, enterprise_id, agency_id, link)
    notifications_create(rows=[data])
    return Notification.objects.get(dedupe_key=dedupe_key)


def notifications_create(*, rows: list[NotificationData]) -> int:
    """Write a batch of notifications in one insert (those already written are skipped) and, after
    commit, email the members who asked for an email each. Returns how many rows were new."""
    if not rows:
        return 0
    keys = [r.dedupe_key[:60] for r in rows]
    known = set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    new = []
    for row in rows:
        key = row.dedupe_key[:60]
        if key in known:
            continue
        known.add(key)
        if (row.enterprise_id is None) == (row.agency_id is None):
            raise ValueError("a notification is for one enterprise or one agency")
        subject_zh, subject_en = both(row.subject, 200)
        reason_zh, reason_en = both(row.reason, 500)
        new.append(
            Notification(
                enterprise_id=row.enterprise_id,
                agency_id=row.agency_id,
                kind=row.kind,
                subject=subject_zh,
                subject_en=subject_en,
                reason=reason_zh,
                reason_en=reason_en,
                link=row.link[:200],
                dedupe_key=key,
            )
        )
    if not new:
        return 0
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    new_keys = [n.dedupe_key for n in new]
    # By name: the task module imports this one.
    transaction.on_commit(lambda: send_named(EMAIL_TASK, new_keys))
    return len(new)


def notifications_prune(*, older_than_days: int = 90) -> int:
    cutoff = timezone.now() - timezone.timedelta(days=older_than_days)
    deleted, _detail = Notification.objects.filter(read_at__lt=cutoff).delete()
    return deleted


def notifications_mark_read(
    *, principal: Principal | None = None, enterprise: Enterprise | None = None, pk: int | None = None
) -> int:
    """Mark read the caller's organisation's notifications (all, or the one `pk`); another
    organisation's notification is never touched (the scope is the caller's, not the id's)."""
    if principal is not None:
        qs = selectors.notification_list(principal=principal)
    elif enterprise is not None:
        qs = Notification.objects.filter(enterprise=enterprise)
    else:
        return 0
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.filter(read_at__isnull=True).update(read_at=timezone.now())


def notification_preference_set(*, user: Any, email: str) -> NotificationPreference:
    """A person's choice of email: none, each notification, or a daily digest."""
    if email not in NotificationPreference.Email.values:
        raise ValidationError({"email": [_("Choose no email, each notification or a daily digest.")]})
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": email}
    )
    return preference


@transaction.atomic
def api_key_issue(
    *, enterprise: Enterprise, name: str, by: Principal | None = None, kind: str = ApiKeyKind.LIVE
) -> tuple[EnterpriseAPIKey, str]:
    """Create a key for an approved enterprise; the plain key is returned once and never stored.

    An enterprise holds at most API_KEYS_PER_ENTERPRISE active keys: every key is a credential to
    guard, and together they share one rate limit (singlewindow/core/throttling.py).
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Give the key a name, such as the system that will use it.")]})
    if len(name) > 50:
        raise ValidationError({"name": [_("A key name has at most 50 characters.")]})
    if not enterprise.is_approved:
        raise ValidationError({"enterprise": [_("Keys are issued only to approved enterprises.")]})
    # The enterprise's row lock makes two concurrent issues count each other's key.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    cap = settings.API_KEYS_PER_ENTERPRISE
    if selectors.api_keys_active(enterprise=enterprise).count() >= cap:
        raise ValidationError(
            {
                "name": [
                    _("An enterprise may hold at most %(cap)s active API keys; revoke one it no longer uses.")
                    % {"cap": cap}
                ]
            }
        )
    if kind not in ApiKeyKind.values:
        raise ValidationError({"kind": [_("A key is either live or sandbox.")]})
    user = by.user if by is not None and by.user is not None and by.user.is_authenticated else None
    key, plain = EnterpriseAPIKey.objects.create_key(
        name=name, enterprise=enterprise, created_by=user, kind=kind
    )
    audit_record(
        actor=by,
        action="api_key.issued",
        obj=key,
        name=name,
        kind=kind,
        prefix=key.prefix,
        enterprise=enterprise.customs_code,
    )
    return key, plain


@transaction.atomic
def api_key_revoke(*, key: EnterpriseAPIKey, by: Principal) -> EnterpriseAPIKey:
    key = EnterpriseAPIKey.objects.select_for_update().get(pk=key.pk)
    if not key.revoked:
        key.revoked = True
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked", "revoked_at"])
        # This process forgets it now; every other one within API_KEY_CACHE_SECONDS (at most 1 s).
        key_forget(key_id=key.pk)
        transaction.on_commit(lambda: key_forget(key_id=key.pk))
        audit_record(
            actor=by,
            action="api_key.revoked",
            obj=key,
            name=key.name,
            kind=key.kind,
            prefix=key.prefix,
            enterprise=key.enterprise.customs_code,
        )
    return key


def api_key_touch(*, key: EnterpriseAPIKey) -> None:
    """Record use at most once a minute, so authentication does not write on every request."""
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        EnterpriseAPIKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def official_enroll(*, user: Any, agency_code: str, role: str = MemberRole.STAFF) -> Membership:
    agency = Agency.objects.get(code=agency_code)
    membership, _created = Membership.objects.update_or_create(
        user=user, defaults={"agency": agency, "enterprise": None, "role": role}
    )
    return membership


def member_add(*, user: AbstractBaseUser, enterprise: Enterprise, role: str = MemberRole.STAFF) -> Membership:
    membership, _created = Membership.objects.update_or_create(
        user=user, defaults={"enterprise": enterprise, "agency": None, "role": role}
    )
    return membership


def on_park_application_changed(
    sender: Any, *, application: Any, by: Principal, action: str, **kwargs: Any
) -> None:
    """Audit every park application change and tell the enterprise about decisions."""
    event = audit_record(
        actor=by,
        action=f"park_application.{action}",
        obj=application,
        park=application.park.slug,
        reason=application.reason,
    )
    kind = {
        ApplicationStatus.APPROVED: NotificationKind.PARK_APPROVED,
        ApplicationStatus.DECLINED: NotificationKind.PARK_DECLINED,
    }.get(action)
    if kind:
        transaction.on_commit(
            lambda: send_named(
                NOTIFY_TASK,
                application.enterprise_id,
                kind,
                application.park.name_zh,
                application.reason,
                f"audit:{event.pk}",
            )
        )
