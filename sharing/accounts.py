"""People's accounts: signing up without revealing which usernames exist, and confirming the address.

Sign-up answers the same whether the username is free or taken ("check your mail"): a new account is
created inactive and its activation link mailed; the owner of a taken username is told by mail that
someone tried to sign up with it (a never-activated account gets its activation link again, at the
address it was created with). Either way the password is hashed once, so the time taken does not tell
the two apart either.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from .models import Membership


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Links that activate an account, valid PASSWORD_RESET_TIMEOUT seconds and once only (the hash
    covers is_active); a salt of their own, so a password-reset link is not an activation link."""

    key_salt = "sharing.accounts.ActivationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}{user.password}{user.is_active}{timestamp}{user.email}"


activation_tokens = ActivationTokenGenerator()


def login_username(request: Any, credentials: dict[str, Any] | None) -> str:
    """The username a login attempt names, for django-axes: cut to the length a username can have,
    so an attempt with a megabyte of username is counted (and refused) rather than a database error."""
    value = (credentials or {}).get("username")
    if value is None:
        value = request.POST.get("username", "") if hasattr(request, "POST") else ""
    return str(value)[: get_user_model()._meta.get_field("username").max_length]


def signup_request(*, username: str, email: str, password: str, site_url: str) -> None:
    """Start a sign-up; the caller shows "check your mail" whatever happened (see the module's note).

    `site_url` is the portal's address as the request reached it (validated against ALLOWED_HOSTS), for
    the links in the mail.
    """
    User = get_user_model()
    existing = User.objects.filter(username__iexact=username).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=username, email=email, password=password, is_active=False
                )
        except IntegrityError:  # the same username signed up a moment ago
            existing = User.objects.filter(username__iexact=username).first()
        else:
            _send_activation(user, site_url)
            return
    else:
        make_password(password)  # the work a new account's password costs, so timing tells nothing
    if existing is None:  # removed again in between: nothing to tell anyone
        return
    if _awaits_activation(existing):
        _send_activation(existing, site_url)
    else:
        _send_taken_notice(existing, site_url)


def activation_user(*, uidb64: str, token: str) -> Any | None:
    """The inactive account this link activates, or None for a wrong, used or expired link."""
    User = get_user_model()
    try:
        pk = urlsafe_base64_decode(uidb64).decode()
        user = User.objects.get(pk=pk, is_active=False)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    return user if _awaits_activation(user) and activation_tokens.check_token(user, token) else None


def _awaits_activation(user: Any) -> bool:
    """An account made by sign-up and never used: inactive, never logged in, in no organisation yet.
    An account an administrator switched off stays off: no sign-up link turns it back on."""
    return (
        not user.is_active and user.last_login is None and not Membership.objects.filter(user=user).exists()
    )


def account_activate(*, user: Any) -> Any:
    """Activate an account whose link was followed (the link stops working with it)."""
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def _send_activation(user: Any, site_url: str) -> None:
    if not user.email:
        return
    link = site_url.rstrip("/") + reverse(
        "signup-activate",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": activation_tokens.make_token(user),
        },
    )
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    context = {"user": user, "link": link, "hours": hours}
    body = render_to_string("registration/signup_activate_email.txt", context)
    send_mail(_("Confirm your account at the single window"), body, None, [user.email])


def _send_taken_notice(user: Any, site_url: str) -> None:
    if not user.email:
        return
    context = {
        "user": user,
        "login": site_url.rstrip("/") + reverse("login"),
        "reset": site_url.rstrip("/") + reverse("password_reset"),
    }
    body = render_to_string("registration/signup_taken_email.txt", context)
    send_mail(_("Someone tried to sign up with your username"), body, None, [user.email])
