"""Rate limits per key, per enterprise and per address (429 with Retry-After), the cap on an
enterprise's keys, and login lockout keyed by username and the address the trusted proxies vouch for."""

import pytest
from django.core.cache import cache

from singlewindow.core.throttling import PartnerRateThrottle

from .factories import UserFactory, official

pytestmark = pytest.mark.django_db


def test_a_key_over_its_rate_gets_429_with_retry_after(enterprise_api, monkeypatch):
    cache.clear()
    monkeypatch.setattr(PartnerRateThrottle, "THROTTLE_RATES", {"partner": "3/min", "anon": "3/min"})
    answers = [enterprise_api.get("/api/v1/agencies/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert answers[-1].json()["code"] == "throttled"
    cache.clear()


def test_repeated_failed_logins_lock_the_account_out(client):
    UserFactory(username="target")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "target", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "target", "password": "pw-for-tests-1"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_pages_forbid_inline_scripts(client):
    page = client.get("/")
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "<script>" not in page.content.decode()  # behaviour is in static/js/portal.js
    assert client.get("/api/docs/").status_code == 200


def test_the_lockout_page_says_when_to_try_again_in_the_portal_and_its_language(client):
    UserFactory(username="target")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "target", "password": "wrong"})
    for language, text in (("en", "Try again then"), ("zh-hans", "请届时再试")):
        page = client.post(
            "/accounts/login/", {"username": "target", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE=language
        )
        html = page.content.decode()
        assert page.status_code == 429 and text in html and 'class="topbar"' in html
        assert 0 < int(page["Retry-After"]) <= 15 * 60


def test_lockout_is_per_client_behind_the_trusted_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="shared")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(5):
        client.post(
            "/accounts/login/",
            {"username": "shared", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="198.51.100.7",
            **proxy,
        )
    attacker = client.post(
        "/accounts/login/",
        {"username": "shared", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        **proxy,
    )
    assert attacker.status_code == 429
    # an address of its choosing, left of the one the proxy wrote, does not free the attacker
    forged = client.post(
        "/accounts/login/",
        {"username": "shared", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7",
        **proxy,
    )
    assert forged.status_code == 429
    # the owner, behind the same proxy from another address, still logs in
    from django.test import Client

    owner = Client()
    answer = owner.post(
        "/accounts/login/",
        {"username": "shared", "password": "pw-for-tests-1"},
        HTTP_X_FORWARDED_FOR="203.0.113.5",
        **proxy,
    )
    assert answer.status_code == 302 and "_auth_user_id" in owner.session


def test_the_anonymous_rate_limit_keys_on_the_address_the_proxies_vouch_for(api, settings, monkeypatch):
    cache.clear()
    monkeypatch.setattr(PartnerRateThrottle, "THROTTLE_RATES", {"partner": "100/min", "anon": "2/min"})
    # no trusted proxy: a forged X-Forwarded-For per request changes nothing
    forged = [api.get("/api/v1/zones/", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(3)]
    assert forged == [200, 200, 429]
    # behind one proxy: two clients are two counters
    settings.TRUSTED_PROXY_COUNT = 1
    cache.clear()
    for client_address in ("198.51.100.1", "198.51.100.2"):
        answers = [
            api.get("/api/v1/zones/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client_address).status_code
            for _ in range(3)
        ]
        assert answers == [200, 200, 429], client_address
    cache.clear()


def test_an_enterprises_keys_share_one_rate_limit(monkeypatch):
    from singlewindow.core.throttling import EnterpriseRateThrottle

    from .conftest import key_client
    from .factories import EnterpriseFactory

    cache.clear()
    monkeypatch.setattr(EnterpriseRateThrottle, "THROTTLE_RATES", {"enterprise": "3/min"})
    mine = EnterpriseFactory()
    first, second = key_client(mine), key_client(mine)
    answers = [c.get("/api/v1/agencies/") for c in (first, second, first, second)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 60
    assert answers[-1].json()["code"] == "throttled"
    assert key_client(EnterpriseFactory()).get("/api/v1/agencies/").status_code == 200  # another enterprise
    cache.clear()


def test_an_enterprise_holds_at_most_the_capped_number_of_active_keys(client, settings):
    from io import StringIO

    from django.core.exceptions import ValidationError
    from django.core.management import CommandError, call_command
    from django.utils import translation

    from sharing.services import api_key_issue, api_key_revoke

    from .factories import MembershipFactory

    settings.API_KEYS_PER_ENTERPRISE = 2
    membership = MembershipFactory()
    enterprise = membership.enterprise
    first, _plain = api_key_issue(enterprise=enterprise, name="one")
    api_key_issue(enterprise=enterprise, name="two")
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        api_key_issue(enterprise=enterprise, name="three")
    assert "at most 2 active API keys" in str(refused.value.message_dict["name"])
    client.force_login(membership.user)
    page = client.post("/enterprise/api-keys/", {"name": "three"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-field="name"' in page and "at most 2 active API keys" in page
    with pytest.raises(CommandError, match="at most 2 active API keys"), translation.override("en"):
        call_command("issue_api_key", enterprise.customs_code, stdout=StringIO())
    # a revoked key frees its place
    from sharing.principal import principal_for_user

    api_key_revoke(key=first, by=principal_for_user(membership.user))
    api_key_issue(enterprise=enterprise, name="three")


@pytest.mark.django_db
def test_a_login_with_a_username_longer_than_any_column_is_refused_not_a_server_error(client):
    # django-axes records the attempt's username; PostgreSQL refused one over 255 characters (a 500).
    from axes.models import AccessAttempt

    response = client.post("/accounts/login/", {"username": "u" * 5000, "password": "wrong"})
    assert response.status_code == 200  # the form again, with its error
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "u" * 150


@pytest.mark.parametrize("target", ["999999999999999999999", "a", "0001-01-01T00:00:00", "//evil.example/"])
@pytest.mark.django_db
def test_a_next_that_is_no_path_of_ours_goes_home(client, target):
    # `redirect` took such a `next` for a view's name: a 500 on the second factor's pages.
    client.force_login(official("customs", "next-customs"))
    for page in ("/accounts/otp/enrol/", "/accounts/otp/verify/"):
        response = client.get(page, {"next": target})
        assert response.status_code == 302 and response["Location"] == "/"
