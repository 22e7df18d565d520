"""People's accounts: sign-up that does not reveal which usernames exist, activation by mail, password
reset by mail and change, the idle timeout of a session, and logins in tests passing the second factor."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from singlewindow.core.sessions import LAST_ACTIVITY_SESSION_KEY

from ..conftest import key_client
from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
CSRF = re.compile(r"\b[A-Za-z0-9]{64}\b")  # the page's CSRF tokens, new on every request


def sign_up(client, username: str, email: str, password: str = "a-long-pass-phrase-9"):
    return client.post(
        "/accounts/signup/",
        {"username": username, "email": email, "password1": password, "password2": password},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_taken_username_gets_the_same_answer_as_a_free_one(mailoutbox):
    owner = UserFactory(username="hz-trader", email="owner@example.com")
    answers = []
    for username in ("fresh-trader", "hz-trader", "HZ-Trader"):
        client = Client()
        posted = sign_up(client, username, "attacker@example.com")
        page = client.get(posted["Location"], HTTP_ACCEPT_LANGUAGE="en")
        body = CSRF.sub("", page.content.decode())
        answers.append(
            (posted.status_code, posted["Location"], page.status_code, [t.name for t in page.templates], body)
        )
    assert answers[0] == answers[1] == answers[2]
    assert "Check your email" in answers[0][4]

    # the new account waits for its address to be confirmed; the taken one is untouched
    assert User.objects.get(username="fresh-trader").is_active is False
    owner.refresh_from_db()
    assert owner.check_password("pw-for-tests-1") and owner.email == "owner@example.com"
    assert not User.objects.filter(username="HZ-Trader").exists()
    # the activation goes to the address given; the owner of the taken name is told, the prober is not
    assert [m.to for m in mailoutbox] == [
        ["attacker@example.com"],
        ["owner@example.com"],
        ["owner@example.com"],
    ]
    assert "/accounts/activate/" in mailoutbox[0].body
    assert (
        "someone tried to sign up" in mailoutbox[1].body and "/accounts/password_reset/" in mailoutbox[1].body
    )


def test_the_activation_link_needs_a_click_works_once_and_signs_in(mailoutbox):
    client = Client()
    sign_up(client, "new-firm", "ops@new-firm.example.com")
    link = re.search(r"https?://testserver(/accounts/activate/\S+/)", mailoutbox[0].body).group(1)
    assert client.get(link).status_code == 200  # a mail scanner opening the link activates nothing
    assert User.objects.get(username="new-firm").is_active is False
    # no login before activation
    refused = client.post("/accounts/login/", {"username": "new-firm", "password": "a-long-pass-phrase-9"})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    done = client.post(link)
    assert done.status_code == 302 and done["Location"] == "/onboarding/"
    assert client.get("/onboarding/").status_code == 200
    assert User.objects.get(username="new-firm").is_active
    assert Client().post(link).status_code == 400  # used once
    assert Client().get("/accounts/activate/MQ/not-a-token/").status_code == 400


def test_signing_up_again_before_activating_resends_the_link_to_the_first_address(mailoutbox):
    sign_up(Client(), "slow-firm", "first@example.com")
    sign_up(Client(), "slow-firm", "second@example.com")
    assert [m.to for m in mailoutbox] == [["first@example.com"], ["first@example.com"]]
    assert "/accounts/activate/" in mailoutbox[1].body
    assert User.objects.get(username="slow-firm").email == "first@example.com"


def test_password_reset_by_mail_then_the_second_factor_still_applies(customs_user, mailoutbox):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=customs_user, name="phone", confirmed=True)
    client = Client()
    page = client.get("/accounts/password_reset/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "重置密码" in page and 'class="topbar"' in page  # the portal's layout, in Chinese
    # an unknown address gets the same page and no mail
    assert client.post("/accounts/password_reset/", {"email": "nobody@example.com"})["Location"] == (
        "/accounts/password_reset/done/"
    )
    assert mailoutbox == []
    client.post("/accounts/password_reset/", {"email": customs_user.email})
    link = re.search(r"https?://testserver(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    done = client.post(
        form_url, {"new_password1": "new-pass-phrase-77", "new_password2": "new-pass-phrase-77"}
    )
    assert done["Location"] == "/accounts/reset/done/"
    customs_user.refresh_from_db()
    assert customs_user.check_password("new-pass-phrase-77")
    # a new password is not a second factor: the official still gives a code
    fresh = Client()
    fresh.post("/accounts/login/", {"username": customs_user.username, "password": "new-pass-phrase-77"})
    assert fresh.get("/officials/alerts/")["Location"].startswith("/accounts/otp/verify/")


def test_change_password_is_linked_from_the_nav_and_changes_it(client):
    user = MembershipFactory().user
    client.force_login(user)
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/accounts/password_change/"' in home and 'href="/accounts/"' in home
    page = client.get("/accounts/password_change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Change password" in page and 'class="topbar"' in page
    done = client.post(
        "/accounts/password_change/",
        {
            "old_password": "pw-for-tests-1",
            "new_password1": "n3w-pass-phrase",
            "new_password2": "n3w-pass-phrase",
        },
    )
    assert done["Location"] == "/accounts/password_change/done/"
    user.refresh_from_db()
    assert user.check_password("n3w-pass-phrase")
    assert client.get("/enterprise/").status_code == 200  # still signed in


def test_an_idle_session_ends_for_pages_and_the_api(client, settings, enterprise):
    settings.SESSION_IDLE_TIMEOUT = 1800
    user = MembershipFactory(enterprise=enterprise).user
    client.force_login(user)
    assert client.get("/enterprise/").status_code == 200
    assert isinstance(client.session[LAST_ACTIVITY_SESSION_KEY], int)

    # 29 minutes idle: still in
    idle(client, 29 * 60)
    assert client.get("/enterprise/").status_code == 200

    # 31 minutes idle: out, with a note in the reader's language
    idle(client, 31 * 60)
    answer = client.get("/enterprise/?tab=1", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 302 and answer["Location"] == "/accounts/login/?next=/enterprise/%3Ftab%3D1"
    login_page = client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your session ended after 30 minutes without activity" in login_page
    assert client.get("/enterprise/").status_code == 302  # logged out for good

    client.force_login(user)
    idle(client, 31 * 60)
    api = client.get("/api/v1/enterprises/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert api.status_code == 401 and api.json()["code"] == "session_expired"
    assert "分钟" in api.json()["detail"]
    # a partner key has no session to expire
    header = key_client(enterprise)._credentials["HTTP_AUTHORIZATION"]
    assert Client().get("/api/v1/enterprises/", HTTP_AUTHORIZATION=header).status_code == 200


def idle(client, seconds: int) -> None:
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = int(time.time()) - seconds
    session.save()


def test_test_logins_of_officials_pass_the_second_factor(client, customs_user):
    """The autouse fixture in tests/conftest.py: without `unverified_login`, an official's test login
    is verified, as after the verification page."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client.force_login(customs_user)
    assert client.session[DEVICE_ID_SESSION_KEY].startswith("otp_totp.totpdevice/")
    assert client.get("/officials/alerts/").status_code == 200


def test_sign_up_does_not_switch_back_on_an_account_an_administrator_switched_off(mailoutbox):
    dismissed = MembershipFactory(user__username="dismissed", user__email="old@example.com").user
    dismissed.is_active = False
    dismissed.save()
    sign_up(Client(), "dismissed", "old@example.com")
    assert "/accounts/activate/" not in mailoutbox[0].body  # told of the attempt, no link
    dismissed.refresh_from_db()
    assert dismissed.is_active is False
