"""Sharing's pages: home, sign-up and a person's account (password, second factor, the lockout page),
onboarding, an enterprise's home, API keys and webhooks, the public enterprise page and officials' review
of registrations."""

import math
from datetime import timedelta

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from singlewindow.core.access import (
    commerce_official_required,
    enterprise_admin_required,
    enterprise_member_required,
    guard,
)
from singlewindow.core.errors import ServiceError
from singlewindow.core.forms import add_service_errors

from . import accounts, otp, selectors, services
from .choices import ApiKeyKind, EnterpriseStatus
from .filters import EnterpriseFilterSet
from .forms import (
    ApiKeyForm,
    DecisionForm,
    EnterpriseForm,
    NotificationPreferenceForm,
    OTPEnrolForm,
    OTPTokenForm,
    SignUpForm,
)
from .models import Enterprise, EnterpriseAPIKey, NotificationPreference, PayloadFormat


def home(request):
    principal = request.principal
    context = {}
    if principal.sees_everything:
        context["pending_count"] = selectors.enterprises_pending_review().count()
    return render(request, "sharing/home.html", context)


def signup(request):
    """Step 1: an account. Whether the username was free or taken, the answer is "check your mail"
    (sharing/accounts.py), so sign-up does not tell anyone which usernames exist."""
    if request.user.is_authenticated:
        return redirect("onboarding")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.signup_request(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            site_url=request.build_absolute_uri("/"),
        )
        return redirect("signup-done")
    return render(request, "registration/signup.html", {"form": form})


def signup_done(request):
    return render(request, "registration/signup_done.html")


@never_cache
def signup_activate(request, uidb64: str, token: str):
    """The link in the sign-up mail: a page with one button (mail scanners that open links do not
    activate anything), which activates the account, signs the person in and goes on to onboarding."""
    user = accounts.activation_user(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "registration/signup_activate.html", {"valid": False}, status=400)
    if request.method == "POST":
        accounts.account_activate(user=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your account is ready. Now file your enterprise's details."))
        return redirect("onboarding")
    return render(request, "registration/signup_activate.html", {"valid": True, "username": user.username})


@login_required
def account(request):
    """A person's own account: password, second factor and how they hear of notifications."""
    user = request.user
    preference = NotificationPreference.objects.filter(user=user).first()
    context = {
        "enrolled": otp.has_confirmed_device(user),
        "verified": otp.is_verified(user),
        "required": otp.otp_required(request.principal),
        "recovery_codes_left": otp.recovery_codes_left(user),
        "preference_form": NotificationPreferenceForm(
            initial={"email": preference.email if preference else NotificationPreference.Email.NONE}
        ),
    }
    return render(request, "registration/account.html", context)


@require_POST
@login_required
def notification_preferences(request):
    form = NotificationPreferenceForm(request.POST)
    if form.is_valid():
        services.notification_preference_set(user=request.user, email=form.cleaned_data["email"])
        if not request.user.email and form.cleaned_data["email"] != NotificationPreference.Email.NONE:
            messages.warning(request, _("Saved, but your account has no email address to send to."))
        else:
            messages.success(request, _("Your email preference is saved."))
    else:
        messages.error(request, _("Choose no email, each notification or a daily digest."))
    return redirect(reverse("account") + "#notifications")


# Members of an enterprise or an agency: notifications are addressed to an organisation.
organisation_member_required = guard(lambda p: p.enterprise is not None or p.agency is not None)


@organisation_member_required
def notification_list(request):
    notifications = selectors.notification_list(principal=request.principal)
    show = request.GET.get("show", "")
    if show == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "sharing/notification_list.html", {"page": page, "show": show})


@require_POST
@organisation_member_required
def notification_read(request, pk: int):
    # Scoped by the caller's organisation: another's id marks nothing, and says so as "not found".
    if not selectors.notification_list(principal=request.principal).filter(pk=pk).exists():
        raise Http404
    services.notifications_mark_read(principal=request.principal, pk=pk)
    return redirect(_back_to_notifications(request))


@require_POST
@organisation_member_required
def notification_read_all(request):
    marked = services.notifications_mark_read(principal=request.principal)
    messages.success(
        request,
        ngettext("%(n)d notification marked read.", "%(n)d notifications marked read.", marked)
        % {"n": marked},
    )
    return redirect(_back_to_notifications(request))


def _back_to_notifications(request) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/notifications/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return reverse("notification-list")


def _next_url(request) -> str:
    """Where to go after the second factor: the page asked for, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path of ours only: `redirect` would take any other text for a view's name (and fail on it).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
def otp_enrol(request):
    """Add an authenticator app: its secret (base32, and the otpauth:// URI), confirmed with a code;
    then the recovery codes, shown this once."""
    user = request.user
    if otp.has_confirmed_device(user):
        return redirect(
            _next_url(request)
            if otp.is_verified(user)
            else f"{reverse('otp-verify')}?{request.GET.urlencode()}"
        )
    enrolment = otp.totp_enrolment(user=user)
    form = OTPEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmation = otp.totp_confirm(user=user, device=enrolment.device, token=form.cleaned_data["token"])
        if confirmation is None:
            form.add_error(
                "token",
                _(
                    "That is not the code the app shows now. Check that the phone's clock is right, "
                    "wait for the next code and try again."
                ),
            )
        else:
            otp.otp_login(request, confirmation.device)
            request.session.cycle_key()  # a new session id for the newly verified session
            context = {"codes": confirmation.recovery_codes, "next": _next_url(request)}
            return render(request, "registration/otp_recovery_codes.html", context)
    context = {"form": form, "secret": enrolment.secret, "uri": enrolment.uri, "next": _next_url(request)}
    return render(request, "registration/otp_enrol.html", context)


@never_cache
@login_required
def otp_verify(request):
    """The second step of logging in: a code from the authenticator app, or a recovery code."""
    user = request.user
    if otp.is_verified(user):
        return redirect(_next_url(request))
    if not otp.has_confirmed_device(user):
        return redirect(f"{reverse('otp-enrol')}?{request.GET.urlencode()}")
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = otp.otp_verify(user=user, token=form.cleaned_data["token"])
        if result.ok:
            otp.otp_login(request, result.device)
            request.session.cycle_key()  # a new session id for the newly verified session
            return redirect(_next_url(request))
        if result.retry_at is not None:
            form.add_error(
                "token",
                _("Too many wrong codes. Try again after %(time)s.")
                % {"time": date_format(localtime(result.retry_at), "H:i:s")},
            )
        else:
            form.add_error("token", _("That code is not right. Enter the code the app shows now."))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)})


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer once a username has failed too often from one address: 429, and when to
    try again, in the portal's layout and the reader's language."""
    cool_off = get_cool_off(request) or timedelta(minutes=15)
    context = {"retry_at": localtime(timezone.now() + cool_off)}
    response = render(request, "registration/lockout.html", context, status=429)
    response["Retry-After"] = str(math.ceil(cool_off.total_seconds()))
    return response


def onboarding(request):
    """File (or correct and refile) the enterprise's details for review by the commerce agency."""
    if not request.user.is_authenticated:
        return redirect("signup")
    principal = request.principal
    if principal.agency is not None:
        return redirect("home")
    enterprise = principal.enterprise
    if enterprise is not None and enterprise.status in (
        EnterpriseStatus.APPROVED,
        EnterpriseStatus.SUSPENDED,
    ):
        return redirect("enterprise-home")
    if enterprise is not None and not principal.is_enterprise_admin:
        raise PermissionDenied  # only the enterprise's administrator refiles its application
    initial = EnterpriseForm.initial_from(enterprise) if enterprise else None
    form = EnterpriseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if enterprise is None:
                services.enterprise_register(data=form.to_enterprise_data(), by=principal)
            else:
                services.enterprise_resubmit(
                    enterprise=enterprise, data=form.to_enterprise_data(), by=principal
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Your application has been filed. The commerce agency will review it.")
            )
            return redirect("enterprise-home")
    return render(request, "sharing/onboarding.html", {"form": form, "enterprise": enterprise})


@enterprise_member_required
def enterprise_home(request):
    enterprise = request.principal.enterprise
    notifications = selectors.notification_list(principal=request.principal)[:20]
    context = {
        "enterprise": enterprise,
        "notifications": notifications,
        "applications": enterprise.park_applications.select_related("park")[:20],
    }
    # Not marked read here: the header counts them until the reader marks them on the notifications page.
    return render(request, "sharing/enterprise_home.html", context)


# The session key under which a newly issued API key waits to be shown, once.
NEW_API_KEY_SESSION = "new_api_key"


@enterprise_admin_required
def api_keys(request):
    enterprise = request.principal.enterprise
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _key, new_key = services.api_key_issue(
                enterprise=enterprise,
                name=form.cleaned_data["name"],
                by=request.principal,
                kind=form.cleaned_data["kind"] or ApiKeyKind.LIVE,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Post, redirect, get: a refresh of the page must not issue another key. The plain key
            # waits in the session for the one page that shows it.
            request.session[NEW_API_KEY_SESSION] = new_key
            return redirect("api-keys")
    context = {
        "form": form,
        "new_key": request.session.pop(NEW_API_KEY_SESSION, None) if request.method == "GET" else None,
        "keys": selectors.api_key_list(enterprise=enterprise),
        "enterprise": enterprise,
    }
    response = render(request, "sharing/api_keys.html", context)
    if context["new_key"]:
        response["Cache-Control"] = "no-store"  # the plain key must not stay in a cache
    return response


@require_POST
@enterprise_admin_required
def api_key_revoke(request, prefix: str):
    key = get_object_or_404(EnterpriseAPIKey, prefix=prefix, enterprise=request.principal.enterprise)
    services.api_key_revoke(key=key, by=request.principal)
    messages.success(request, _("The key %(prefix)s has been revoked.") % {"prefix": key.prefix})
    return redirect("api-keys")


@commerce_official_required
def enterprise_review_list(request):
    qs = selectors.enterprise_list(principal=request.principal).annotate(member_count=Count("memberships"))
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = EnterpriseStatus.PENDING
    filterset = EnterpriseFilterSet(params, queryset=qs)
    sort = request.GET.get("sort", "created_at")
    if sort.lstrip("-") not in {"created_at", "customs_code", "name_zh", "status"}:
        sort = "created_at"
    page = Paginator(filterset.qs.order_by(sort, "pk"), 25).get_page(request.GET.get("page"))
    return render(
        request, "sharing/enterprise_review_list.html", {"filterset": filterset, "page": page, "sort": sort}
    )


@commerce_official_required
def enterprise_review_detail(request, pk: int):
    enterprise = get_object_or_404(selectors.enterprise_list(principal=request.principal), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decide = {
            "approve": services.enterprise_approve,
            "reject": services.enterprise_reject,
            "suspend": services.enterprise_suspend,
        }.get(request.POST.get("decision"))
        if decide is None:
            form.add_error(None, _("Choose approve, reject or suspend."))
        else:
            try:
                decide(enterprise=enterprise, by=request.principal, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Decision recorded for %(name)s.") % {"name": enterprise.name})
                return redirect("enterprise-review-list")
    context = {
        "enterprise": enterprise,
        "form": form,
        "audit": selectors.audit_trail(obj=enterprise)[:50],
        "members": enterprise.memberships.select_related("user"),
    }
    return render(request, "sharing/enterprise_review_detail.html", context)


def enterprise_public(request, pk: int):
    """Public card of an approved enterprise (no contact data)."""
    enterprise = get_object_or_404(
        Enterprise.objects.select_related("park"), pk=pk, status=EnterpriseStatus.APPROVED
    )
    return render(request, "sharing/enterprise_public.html", {"enterprise": enterprise})


@enterprise_admin_required
def webhooks(request):
    """Register URLs to be told of outcomes; every delivery is listed with its response code. The
    signing secret of a new webhook is shown once, in the answer to its registration."""
    from . import webhooks as webhook_service
    from .forms import WebhookForm

    enterprise = request.principal.enterprise
    form = WebhookForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = webhook_service.subscription_create(
                enterprise=enterprise,
                url=form.cleaned_data["url"],
                payload_format=form.cleaned_data["payload_format"] or PayloadFormat.JSON,
                by=request.principal,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = WebhookForm()
    context = {
        "form": form,
        "created": created,
        "subscriptions": webhook_service.subscription_list(principal=request.principal),
        "deliveries": webhook_service.delivery_list(enterprise=enterprise)[:50],
    }
    response = render(request, "sharing/webhooks.html", context)
    if created is not None:
        add_never_cache_headers(response)  # the secret must not be kept by a cache
    return response


@require_POST
@enterprise_admin_required
def webhook_action(request, pk: int, action: str):
    """Disable, re-enable or send a test event to one of the enterprise's webhooks."""
    from . import webhooks as webhook_service

    subscription = get_object_or_404(webhook_service.subscription_list(principal=request.principal), pk=pk)
    try:
        if action == "disable":
            webhook_service.subscription_disable(subscription=subscription, by=request.principal)
            messages.success(request, _("Webhook disabled: its deliveries wait until it is enabled again."))
        elif action == "enable":
            webhook_service.subscription_enable(subscription=subscription, by=request.principal)
            messages.success(request, _("Webhook enabled: the deliveries it missed are being sent."))
        elif action == "test":
            webhook_service.subscription_test(subscription=subscription, by=request.principal)
            messages.success(request, _("Test event queued: its answer appears under Deliveries."))
    except (ValidationError, ServiceError) as exc:
        messages.error(request, " ".join(exc.messages if isinstance(exc, ValidationError) else [exc.detail]))
    return redirect("webhooks")
