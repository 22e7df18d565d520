"""The second factor: officials (and site administrators) enrol an authenticator app and give a code in
every session before any page or API call; enterprise administrators may enrol, or must by a setting.
HTTP Basic is off. These tests log in with the password only (`unverified_login`), as a person does."""

import base64
import re
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from sharing.models import AuditEvent
from sharing.otp import current_code

from ..conftest import key_client
from ..factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unverified_login]

PASSWORD = "pw-for-tests-1"


@pytest.fixture(autouse=True)
def quick_throttle(settings):
    # django-otp waits 1, 2, 4... seconds after each wrong code; the throttle test sets it back on.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def logged_in(user) -> Client:
    """A session after the password step only."""
    client = Client()
    client.force_login(user)
    return client


def test_an_official_without_a_device_is_sent_to_enrol_and_the_api_refuses(commerce_user):
    client = logged_in(commerce_user)
    page = client.get("/officials/enterprises/?status=pending")
    assert page.status_code == 302
    assert page["Location"] == "/accounts/otp/enrol/?next=%2Fofficials%2Fenterprises%2F%3Fstatus%3Dpending"
    assert client.get("/zones/")["Location"].startswith("/accounts/otp/enrol/")  # every page, public ones too
    answer = client.get("/api/v1/enterprises/", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 403
    assert answer.json()["code"] == "otp_required" and "second factor" in answer.json()["detail"]


def test_enrolment_shows_the_key_confirms_with_a_code_and_shows_recovery_codes_once(commerce_user):
    client = logged_in(commerce_user)
    page = client.get("/accounts/otp/enrol/?next=/officials/enterprises/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    secret = re.search(r'id="otp-secret"[^>]*>([A-Z2-7]+)<', html).group(1)
    assert "otpauth://totp/CBEC%20Single%20Window%3Acommerce-official?secret=" in html
    assert "no QR code" in html  # the help text says why
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]
    device = TOTPDevice.objects.get(user=commerce_user, confirmed=False)
    assert base64.b32encode(device.bin_key).decode().rstrip("=") == secret

    wrong = client.post("/accounts/otp/enrol/", {"token": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 200 and 'data-field="token"' in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=commerce_user, confirmed=True).exists()

    done = client.post(
        "/accounts/otp/enrol/", {"token": current_code(device), "next": "/officials/enterprises/"}
    )
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert done.status_code == 200 and len(codes) == 10
    assert set(StaticToken.objects.filter(device__user=commerce_user).values_list("token", flat=True)) == set(
        codes
    )
    # the session is verified now; the codes are never shown again
    assert client.get("/officials/enterprises/").status_code == 200
    assert client.get("/api/v1/enterprises/").status_code == 200
    again = client.get("/accounts/otp/enrol/")
    assert again.status_code == 302 and codes[0] not in client.get("/accounts/").content.decode()
    event = AuditEvent.objects.get(action="otp.enrolled")
    assert event.object_id == str(commerce_user.pk) and event.actor == commerce_user


def test_each_login_asks_for_a_code_and_a_recovery_code_works_once(customs_user):
    device = enrolled(customs_user)
    client = logged_in(customs_user)
    assert (
        client.get("/officials/alerts/")["Location"] == "/accounts/otp/verify/?next=%2Fofficials%2Falerts%2F"
    )
    wrong = client.post("/accounts/otp/verify/", {"token": "123456"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "That code is not right" in wrong.content.decode()
    right = client.post(
        "/accounts/otp/verify/", {"token": current_code(device), "next": "/officials/alerts/"}
    )
    assert right.status_code == 302 and right["Location"] == "/officials/alerts/"
    assert client.get("/officials/alerts/").status_code == 200
    # the same code does not open a second session (it is used once)
    other = logged_in(customs_user)
    replay = other.post("/accounts/otp/verify/", {"token": current_code(device)})
    assert replay.status_code == 200 and other.get("/officials/alerts/").status_code == 302

    # a lost phone: a recovery code, once
    static = StaticDevice.objects.create(user=customs_user, name="recovery codes", confirmed=True)
    StaticToken.objects.create(device=static, token="abcd2345")
    third = logged_in(customs_user)
    assert third.post("/accounts/otp/verify/", {"token": "ABCD 2345"}).status_code == 302
    assert third.get("/officials/alerts/").status_code == 200
    fourth = logged_in(customs_user)
    assert fourth.post("/accounts/otp/verify/", {"token": "abcd2345"}).status_code == 200
    assert fourth.get("/officials/alerts/").status_code == 302
    assert AuditEvent.objects.get(action="otp.recovery_used").detail["codes_left"] == "0"


def test_the_code_page_sends_on_only_to_pages_of_the_portal(customs_user):
    device = enrolled(customs_user)
    client = logged_in(customs_user)
    answer = client.post(
        "/accounts/otp/verify/", {"token": current_code(device), "next": "https://evil.example/phish"}
    )
    assert answer.status_code == 302 and answer["Location"] == "/"


def test_wrong_codes_make_the_next_try_wait(customs_user, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = enrolled(customs_user)
    client = logged_in(customs_user)
    client.post("/accounts/otp/verify/", {"token": "000000"})
    answer = client.post("/accounts/otp/verify/", {"token": current_code(device)}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Too many wrong codes. Try again after" in answer.content.decode()
    assert client.get("/officials/alerts/").status_code == 302


def test_a_stolen_password_cannot_enrol_another_phone(customs_user):
    enrolled(customs_user)
    client = logged_in(customs_user)
    assert client.get("/accounts/otp/enrol/")["Location"].startswith("/accounts/otp/verify/")
    answer = client.post("/accounts/otp/enrol/", {"token": "123456"})
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/otp/verify/")
    assert TOTPDevice.objects.filter(user=customs_user).count() == 1


def test_the_session_api_refuses_an_unverified_official_even_without_the_middleware(customs_user, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("OTPRequiredMiddleware")]
    enrolled(customs_user)
    client = logged_in(customs_user)
    answer = client.get("/api/v1/alerts/")
    assert answer.status_code == 403 and answer.json()["code"] == "otp_required"


def test_http_basic_is_not_accepted(customs_user):
    enrolled(customs_user)
    for user in (customs_user, MembershipFactory().user):
        client = APIClient()
        basic = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
        client.credentials(HTTP_AUTHORIZATION=f"Basic {basic}")
        answer = client.get("/api/v1/enterprises/")
        assert answer.status_code == 401, user
        assert answer["WWW-Authenticate"] == "Api-Key"


def test_a_partner_key_is_not_held_back_by_a_session_cookie_beside_it(customs_user, enterprise):
    client = logged_in(customs_user)  # unverified official's session cookie
    header = key_client(enterprise)._credentials["HTTP_AUTHORIZATION"]
    assert client.get("/api/v1/enterprises/", HTTP_AUTHORIZATION=header).status_code == 200


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/accounts/login/"),
        ("get", "/accounts/otp/verify/"),
        ("get", "/accounts/password_reset/"),
        ("post", "/i18n/setlang/"),
        ("get", "/api/schema/"),
        ("post", "/accounts/logout/"),
    ],
)
def test_what_an_unverified_session_may_still_reach(customs_user, method, path):
    enrolled(customs_user)
    client = logged_in(customs_user)
    answer = getattr(client, method)(path)
    assert not answer.get("Location", "").startswith("/accounts/otp/"), answer.status_code


def test_site_administrators_verify_before_the_admin(db):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = logged_in(admin)
    assert client.get("/admin/")["Location"] == "/accounts/otp/enrol/?next=%2Fadmin%2F"
    enrolled(admin)
    assert client.get("/admin/")["Location"].startswith("/accounts/otp/verify/")


def test_enterprise_administrators_may_enrol_or_must_by_setting(settings):
    admin = MembershipFactory(role="admin").user
    staff = MembershipFactory(role="staff").user
    client = logged_in(admin)
    assert client.get("/enterprise/").status_code == 200  # optional by default
    account = client.get("/accounts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Set up an authenticator app" in account

    settings.OTP_REQUIRED_FOR_ENTERPRISE_ADMINS = True
    assert client.get("/enterprise/")["Location"] == "/accounts/otp/enrol/?next=%2Fenterprise%2F"
    assert logged_in(staff).get("/enterprise/").status_code == 200  # staff are not administrators

    # whoever enrolled of their own accord gives a code from then on, setting or not
    settings.OTP_REQUIRED_FOR_ENTERPRISE_ADMINS = False
    enrolled(staff)
    assert logged_in(staff).get("/enterprise/")["Location"].startswith("/accounts/otp/verify/")


def test_reset_by_command_and_by_admin_action_is_audited_and_ends_verification(customs_user, client):
    device = enrolled(customs_user)
    session = logged_in(customs_user)
    session.post("/accounts/otp/verify/", {"token": current_code(device)})
    assert session.get("/officials/alerts/").status_code == 200

    call_command("reset_totp", customs_user.username, stdout=StringIO())
    assert not TOTPDevice.objects.filter(user=customs_user).exists()
    # the session verified by the removed device is verified no more
    assert session.get("/officials/alerts/")["Location"].startswith("/accounts/otp/enrol/")
    event = AuditEvent.objects.get(action="otp.reset")
    assert event.object_id == str(customs_user.pk) and event.actor_label == "system"

    enrolled(customs_user)
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    root_device = enrolled(root)
    admin = logged_in(root)
    admin.post("/accounts/otp/verify/", {"token": current_code(root_device)})
    admin.post(
        "/admin/auth/user/",
        {"action": "reset_second_factor", "_selected_action": [customs_user.pk]},
    )
    assert not TOTPDevice.objects.filter(user=customs_user).exists()
    assert AuditEvent.objects.filter(action="otp.reset").latest("id").actor == root
    with pytest.raises(CommandError):
        call_command("reset_totp", "nobody", stdout=StringIO())


def test_demo_officials_get_the_demo_secret_only_with_debug_on(settings):
    from sharing.demo import DEMO_TOTP_SECRET, seed_demo, seed_demo_totp

    seed_demo()
    settings.DEBUG = False
    with pytest.raises(PermissionError):
        seed_demo_totp()
    with pytest.raises(CommandError):
        call_command("demo_totp", "customs", stdout=StringIO())
    assert not TOTPDevice.objects.exists()

    settings.DEBUG = True
    assert "customs" in seed_demo_totp() and "admin" in seed_demo_totp()  # idempotent
    device = TOTPDevice.objects.get(user__username="customs")
    assert base64.b32encode(device.bin_key).decode() == DEMO_TOTP_SECRET
    out, err = StringIO(), StringIO()
    call_command("demo_totp", "customs", stdout=out, stderr=err)
    assert out.getvalue().strip() in {current_code(device, at=time.time() + d) for d in (-30, 0, 30)}
    assert DEMO_TOTP_SECRET in err.getvalue()
    client = logged_in_demo("customs")
    assert client.post("/accounts/otp/verify/", {"token": out.getvalue().strip()}).status_code == 302
    assert client.get("/officials/alerts/").status_code == 200
    with pytest.raises(CommandError):  # an enterprise's login has no demo device
        call_command("demo_totp", "seller", stdout=StringIO())


def logged_in_demo(username: str) -> Client:
    from django.http import HttpRequest

    from sharing.demo import DEMO_PASSWORD

    client = Client()
    assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD)
    return client
