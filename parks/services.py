"""Writes of the offline platform: applications to settle in a park and their decision."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import ApplicationStatus
from .models import Park, ParkApplication
from .signals import application_changed


@transaction.atomic
def park_application_submit(*, enterprise: Any, park: Park, message: str = "", by: Any) -> ParkApplication:
    """Apply to settle in `park`. Idempotent: a pending application for the same park is returned,
    with a new message added to its own (the same message sent again is not added twice)."""
    if not enterprise.is_approved:
        raise ValidationError(
            {"enterprise": [_("Only an approved enterprise may apply to settle in a park.")]}
        )
    if enterprise.park_id == park.pk:
        raise ValidationError({"park": [_("This enterprise is already settled in this park.")]})
    if len(message) > 2000:
        raise ValidationError({"message": [_("The message has at most 2000 characters.")]})
    existing = (
        ParkApplication.objects.select_for_update()
        .filter(enterprise=enterprise, park=park, status=ApplicationStatus.PENDING)
        .first()
    )
    if existing:
        return _add_message(application=existing, message=message, by=by)
    try:
        with transaction.atomic():
            application = ParkApplication.objects.create(enterprise=enterprise, park=park, message=message)
    except IntegrityError:  # a concurrent identical submission won the race
        winner = ParkApplication.objects.select_for_update().get(
            enterprise=enterprise, park=park, status=ApplicationStatus.PENDING
        )
        return _add_message(application=winner, message=message, by=by)
    application_changed.send(sender=ParkApplication, application=application, by=by, action="submitted")
    return application


def _add_message(*, application: ParkApplication, message: str, by: Any) -> ParkApplication:
    """A second message to a pending application is kept after the first, never dropped."""
    message = message.strip()
    if not message or message in application.message.split(MESSAGE_SEPARATOR):
        return application
    combined = f"{application.message}{MESSAGE_SEPARATOR}{message}" if application.message else message
    if len(combined) > 2000:
        raise ValidationError(
            {"message": [_("Your messages to this application together have at most 2000 characters.")]}
        )
    application.message = combined
    application.save(update_fields=["message"])
    application_changed.send(sender=ParkApplication, application=application, by=by, action="message_added")
    return application


# Between the messages an enterprise sends to one pending application.
MESSAGE_SEPARATOR = "\n\n"


def _decide(*, application: ParkApplication, by: Any, to: str, reason: str) -> ParkApplication:
    if not by.is_commerce_official:
        raise PermissionError(_("Only a commerce official may decide on park applications."))
    application = (
        ParkApplication.objects.select_for_update().select_related("enterprise").get(pk=application.pk)
    )
    if application.status == to:
        return application
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError({"status": [_("This application has already been decided.")]})
    application.status = to
    application.reason = reason.strip()[:500]
    application.decided_by = by.user if by.user is not None and by.user.is_authenticated else None
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    if to == ApplicationStatus.APPROVED:
        enterprise = application.enterprise
        enterprise.park = application.park
        enterprise.save(update_fields=["park", "updated_at"])
    application_changed.send(sender=ParkApplication, application=application, by=by, action=to)
    return application


@transaction.atomic
def park_application_approve(*, application: ParkApplication, by: Any, reason: str = "") -> ParkApplication:
    """Approve: the enterprise is settled in the park from now on."""
    return _decide(application=application, by=by, to=ApplicationStatus.APPROVED, reason=reason)


@transaction.atomic
def park_application_decline(*, application: ParkApplication, by: Any, reason: str) -> ParkApplication:
    """Decline with a reason the enterprise sees."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Give a reason; the enterprise will see it.")]})
    return _decide(application=application, by=by, to=ApplicationStatus.DECLINED, reason=reason)
