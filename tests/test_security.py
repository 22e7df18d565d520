"""Rate limits per key (429 with Retry-After) and login throttling."""

import pytest
from django.core.cache import cache

from singlewindow.core.throttling import PartnerRateThrottle

from .factories import UserFactory

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
