"""The second factor: who must give a TOTP code, enrolling an authenticator app, verifying a code or a
one-time recovery code, and resetting a person's devices.

Built on django-otp: a `TOTPDevice` per person (RFC 6238, 30-second steps, six digits, a code used once)
and a `StaticDevice` holding ten recovery codes, each deleted when used. Both throttle wrong codes with
a growing delay. Enrolment, use of a recovery code and resets are audited.
"""

import base64
import re
import time
from binascii import unhexlify
from dataclasses import dataclass
from typing import Any

import django_otp
from django.conf import settings
from django.db import transaction
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .principal import Principal, principal_for_user
from .services import audit_record

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"
_SIX_DIGITS = re.compile(r"^\d{6}$")


def otp_required(principal: Principal) -> bool:
    """Must this person verify a second factor before anything else in the session?

    Officials of every agency, site administrators and staff always; an enterprise administrator when
    OTP_REQUIRED_FOR_ENTERPRISE_ADMINS is set; and anyone who enrolled a device of their own accord
    (otherwise their enrolment would protect nothing). Partner keys never: they are not sessions.
    """
    user = principal.user
    if user is None or not user.is_authenticated or principal.api_key is not None:
        return False
    if principal.agency is not None or user.is_superuser or user.is_staff:
        return True
    if principal.is_enterprise_admin and settings.OTP_REQUIRED_FOR_ENTERPRISE_ADMINS:
        return True
    return has_confirmed_device(user)


def has_confirmed_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(user: Any) -> bool:
    """The session's user gave a code of a confirmed device of theirs (django-otp's middleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


@dataclass(frozen=True)
class Enrolment:
    """What a person types into an authenticator app: the secret in base32 and the otpauth:// URI."""

    device: TOTPDevice
    secret: str
    uri: str


def totp_enrolment(*, user: Any) -> Enrolment:
    """The unconfirmed device a person is enrolling (made on first call, the same one until confirmed).

    Refused once the person has a confirmed device: a second device is added only after a reset, so a
    stolen password alone cannot enrol the thief's phone beside the owner's.
    """
    if has_confirmed_device(user):
        raise PermissionError("a confirmed device exists; reset it first")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return Enrolment(device=device, secret=base32_secret(device.key), uri=device.config_url)


def base32_secret(hex_key: str) -> str:
    """The secret as authenticator apps take it when typed in: base32, without padding."""
    return base64.b32encode(unhexlify(hex_key)).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class Confirmation:
    """A confirmed device and its fresh recovery codes (shown once, then only their count)."""

    device: TOTPDevice
    recovery_codes: list[str]


@transaction.atomic
def totp_confirm(*, user: Any, device: TOTPDevice, token: str) -> Confirmation | None:
    """Confirm the enrolling device with a code from the app, and issue recovery codes; None when the
    code is wrong (or came too soon after a wrong one)."""
    locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
    if locked is None or not locked.verify_token(_clean(token)):
        return None  # a wrong code, or the device was confirmed (or reset) meanwhile
    device = locked
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = _new_recovery_codes(user)
    audit_record(actor=principal_for_user(user), action="otp.enrolled", obj=user, device="totp")
    return Confirmation(device=device, recovery_codes=codes)


def _new_recovery_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
    return codes


@dataclass(frozen=True)
class Verification:
    """The outcome of a code: the device that took it, or when the next try is allowed."""

    device: Device | None
    retry_at: Any = None  # a datetime while wrong codes are throttled

    @property
    def ok(self) -> bool:
        return self.device is not None


def otp_verify(*, user: Any, token: str) -> Verification:
    """Check a six-digit TOTP code, or else a recovery code (used up by this check).

    Each device is checked on its own (as django-otp advises), with its throttle: after a wrong code the
    next one is not even looked at for 1, 2, 4, 8... seconds; `retry_at` then says until when.
    """
    token = _clean(token)
    model: type[Device] = TOTPDevice if _SIX_DIGITS.match(token) else StaticDevice
    retry_at = None
    for device in model.objects.filter(user=user, confirmed=True).order_by("pk"):
        allowed, detail = device.verify_is_allowed()
        if not allowed:
            retry_at = (detail or {}).get("locked_until")
            continue
        verified = django_otp.verify_token(user, device.persistent_id, token)
        if verified is None:
            continue
        if isinstance(verified, StaticDevice):
            left = StaticToken.objects.filter(device=verified).count()
            audit_record(
                actor=principal_for_user(user), action="otp.recovery_used", obj=user, codes_left=left
            )
        return Verification(device=verified)
    return Verification(device=None, retry_at=retry_at)


def otp_login(request: Any, device: Device) -> None:
    """Mark the session verified by this device (django-otp keeps its id in the session)."""
    django_otp.login(request, device)


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def otp_reset(*, user: Any, by: Any) -> int:
    """Remove all of a person's devices (a lost phone): they enrol again at their next login.

    Sessions the person verified with a removed device are no longer verified (django-otp checks the
    device on every request). Returns how many devices were removed.
    """
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        devices = model.objects.filter(user=user)
        removed += devices.count()
        devices.delete()
    audit_record(actor=by, action="otp.reset", obj=user, devices=removed)
    return removed


def _clean(token: str) -> str:
    # Apps show codes as "123 456"; people paste them with spaces or dashes.
    return re.sub(r"[\s-]", "", token or "").lower()[:32]


def current_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code the device's app shows now (or at Unix time `at`): for the demo accounts' command."""
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() if at is None else at
    return f"{generator.token():0{device.digits}d}"
