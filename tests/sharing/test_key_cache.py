"""The short-lived memory of verified API keys: no queries for the key on a repeated request, and no
revoked key (or key of a suspended enterprise) that works for more than a second."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sharing import key_cache
from sharing.models import Enterprise, EnterpriseAPIKey
from sharing.principal import principal_for_user
from sharing.services import api_key_revoke, enterprise_suspend

from ..conftest import key_client
from ..factories import EnterpriseFactory, official

pytestmark = pytest.mark.django_db


class Clock:
    """time.monotonic as the cache reads it, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(key_cache.time, "monotonic", clock)
    return clock


def _key_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/agencies/").status_code == 200
    return [q["sql"] for q in queries.captured_queries if "sharing_enterpriseapikey" in q["sql"]]


def test_a_repeated_request_does_not_query_the_key(enterprise, clock):
    client = key_client(enterprise)
    first = _key_queries(client)
    assert len(first) == 2  # the key with its enterprise (one query), and its last use recorded
    assert _key_queries(client) == []


def test_the_cache_holds_a_key_at_most_one_second(settings, enterprise, clock):
    settings.API_KEY_CACHE_SECONDS = 30  # a setting above the cap is capped
    client = key_client(enterprise)
    client.get("/api/v1/agencies/")
    clock.now += 1.0
    assert len(_key_queries(client)) == 1  # looked up again


def test_a_key_revoked_elsewhere_stops_working_within_a_second(enterprise, clock):
    """Revoked by another process (here: the row updated directly, this process not told)."""
    client = key_client(enterprise)
    assert client.get("/api/v1/agencies/").status_code == 200
    EnterpriseAPIKey.objects.filter(enterprise=enterprise).update(revoked=True)
    clock.now += 0.5
    assert client.get("/api/v1/agencies/").status_code == 200  # remembered, for under a second
    clock.now += 0.5
    assert client.get("/api/v1/agencies/").status_code == 401


def test_a_key_revoked_here_stops_working_at_once(enterprise, clock):
    client = key_client(enterprise)
    assert client.get("/api/v1/agencies/").status_code == 200
    api_key_revoke(key=EnterpriseAPIKey.objects.get(enterprise=enterprise), by=None)
    assert client.get("/api/v1/agencies/").status_code == 401


def test_a_suspended_enterprise_s_keys_stop_working_at_once(enterprise, clock):
    client = key_client(enterprise)
    assert client.get("/api/v1/agencies/").status_code == 200
    commerce = principal_for_user(official("commerce"))
    enterprise_suspend(enterprise=Enterprise.objects.get(pk=enterprise.pk), by=commerce, reason="检查")
    assert client.get("/api/v1/agencies/").status_code == 401


def test_a_wrong_secret_with_a_known_prefix_is_refused_even_when_the_key_is_remembered(enterprise, clock):
    client = key_client(enterprise)
    assert client.get("/api/v1/agencies/").status_code == 200
    plain = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    prefix = plain.partition(".")[0]
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {prefix}.{'x' * 32}")
    assert client.get("/api/v1/agencies/").status_code == 401


def test_keys_act_for_their_own_enterprise_only(clock):
    first, second = EnterpriseFactory(), EnterpriseFactory()
    one, two = key_client(first), key_client(second)
    for _ in range(2):  # the second round from memory
        assert [row["customs_code"] for row in one.get("/api/v1/enterprises/").json()["results"]] == [
            first.customs_code
        ]
        assert [row["customs_code"] for row in two.get("/api/v1/enterprises/").json()["results"]] == [
            second.customs_code
        ]
