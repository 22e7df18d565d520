"""The lane of a pushed document (declarations.api.push): a partner key's single document answered 202
without DRF's dispatch, exactly as the endpoint answers it; everything else goes on to the endpoint."""

import pytest
from django.core.cache import cache

from declarations.api import push
from declarations.models import IntakeEntry
from sharing.principal import Principal
from sharing.services import api_key_revoke
from singlewindow.core.throttling import EnterpriseRateThrottle, PartnerRateThrottle

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("deferred_intake")]

ORDERS = "/api/v1/orders/"
SAME_HEADERS = (
    "Content-Type",
    "Allow",
    "Content-Language",
    "X-Frame-Options",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)


@pytest.fixture
def lane(monkeypatch):
    """Which requests the lane answered (True) or passed on to the endpoint (False), in order."""
    answered: list[bool] = []
    real = push.receive_pushed

    def spy(request, kind):
        response = real(request, kind)
        answered.append(response is not None)
        return response

    monkeypatch.setattr(push, "receive_pushed", spy)
    return answered


@pytest.fixture
def rates(monkeypatch):
    cache.clear()
    yield lambda partner: monkeypatch.setattr(
        PartnerRateThrottle, "THROTTLE_RATES", {"partner": partner, "anon": "300/min"}
    )
    cache.clear()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_lane_answers_as_the_endpoint_does(world, lane, language, django_assert_num_queries):
    first, second = world.declaration(1), world.declaration(2)
    client = world.client("platform")
    # A key not verified in the last second goes to the endpoint, which verifies and remembers it.
    by_endpoint = client.post(ORDERS, first["order"], format="json", HTTP_ACCEPT_LANGUAGE=language)
    with django_assert_num_queries(1):  # its INSERT
        by_lane = client.post(ORDERS, second["order"], format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert lane == [False, True]
    assert by_endpoint.status_code == by_lane.status_code == 202
    for header in SAME_HEADERS:
        assert by_lane[header] == by_endpoint[header], header
    assert {"Accept", "Accept-Language"} <= {v.strip() for v in by_lane["Vary"].split(",")}
    endpoint_body, lane_body = by_endpoint.json(), by_lane.json()
    assert lane_body == {**endpoint_body, "natural_key": lane_body["natural_key"]}
    assert lane_body["natural_key"] == {
        "ebp_code": world.platform.customs_code,
        "order_no": second["order"]["order_no"],
    }
    assert lane_body["return_info"] == (
        "Received; being declared." if language == "en" else "已接收，申报中。"
    )
    assert IntakeEntry.objects.count() == 2


def test_a_refused_document_is_worded_by_the_endpoint_and_counted_once(world, lane, rates):
    rates("3/min")
    docs = [world.declaration(n) for n in (1, 2, 3)]
    docs[1]["order"]["goods_value"] = "abc"
    client = world.client("platform")
    answers = [client.post(ORDERS, d["order"], format="json") for d in docs]
    assert [a.status_code for a in answers] == [202, 400, 202]
    assert lane == [False, False, True]  # the refusal went on to the endpoint
    assert "goods_value" in answers[1].json()["fields"]
    # Three requests, each counted once: the fourth is over the limit, answered by the endpoint.
    over = client.post(ORDERS, world.declaration(4)["order"], format="json")
    assert over.status_code == 429 and over.json()["code"] == "throttled"
    assert 0 < int(over["Retry-After"]) <= 60
    assert lane[-1] is False
    assert IntakeEntry.objects.count() == 2


def test_the_enterprise_limit_counts_in_the_lane_too(world, lane, monkeypatch):
    cache.clear()
    monkeypatch.setattr(EnterpriseRateThrottle, "THROTTLE_RATES", {"enterprise": "2/min"})
    client = world.client("platform")
    codes = [client.post(ORDERS, world.declaration(n)["order"], format="json").status_code for n in (1, 2, 3)]
    assert codes == [202, 202, 429]
    assert lane == [False, True, False]
    cache.clear()


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(
            lambda c, d: c.post(ORDERS, d, format="json", HTTP_X_SANDBOX_SCENARIO="hold"), id="scenario"
        ),
        pytest.param(lambda c, d: c.post(ORDERS + "?format=json", d, format="json"), id="query-string"),
        pytest.param(lambda c, d: c.post(ORDERS, [d], format="json"), id="batch"),
        pytest.param(
            lambda c, d: c.post(ORDERS, d, format="json", HTTP_ACCEPT="text/html"), id="accept-html"
        ),
        pytest.param(
            lambda c, d: c.post(ORDERS, {**d, "base_subscribe": []}, format="json"), id="subscription"
        ),
    ],
)
def test_the_lane_leaves_the_rest_to_the_endpoint(world, lane, send):
    client = world.client("platform")
    assert client.post(ORDERS, world.declaration(1)["order"], format="json").status_code == 202  # remembered
    send(client, world.declaration(2)["order"])
    assert lane == [False, False]


def test_a_revoked_key_stops_at_once(world, lane):
    client = world.client("platform")
    assert client.post(ORDERS, world.declaration(1)["order"], format="json").status_code == 202
    assert client.post(ORDERS, world.declaration(2)["order"], format="json").status_code == 202
    assert lane == [False, True]
    key = world.platform.api_keys.get()
    api_key_revoke(key=key, by=Principal(enterprise=world.platform))
    answer = client.post(ORDERS, world.declaration(3)["order"], format="json")
    assert answer.status_code == 401
    assert lane[-1] is False
    assert IntakeEntry.objects.count() == 2


def test_a_sandbox_key_goes_to_the_endpoint(world, lane):
    from sharing.choices import ApiKeyKind
    from sharing.services import api_key_issue

    _key, plain = api_key_issue(enterprise=world.platform, name="sandbox", kind=ApiKeyKind.SANDBOX)
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    for n in (1, 2):
        client.post(ORDERS, world.declaration(n)["order"], format="json")
    assert lane == [False, False]


def test_a_kind_the_enterprise_may_not_file_is_refused_by_the_endpoint_each_time(world, lane):
    client = world.client("payment")  # a payment firm posting orders
    answers = [client.post(ORDERS, world.declaration(n)["order"], format="json") for n in (1, 2)]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[1].json()["code"] == "permission_denied"
    assert lane == [False, False]
    assert not IntakeEntry.objects.exists()


def test_the_lane_stores_the_body_as_sent_and_the_endpoint_the_same_document(world, lane):
    import json

    first, second = world.declaration(1), world.declaration(2)
    client = world.client("platform")
    for declaration in (first, second):  # the endpoint (key not verified yet), then the lane
        # Spaced out and with its Chinese unescaped, as a partner may write it.
        body = json.dumps(declaration["order"], ensure_ascii=False, indent=2)
        assert client.post(ORDERS, body, content_type="application/json").status_code == 202
    assert lane == [False, True]
    stored = {entry.document["order_no"]: entry.document for entry in IntakeEntry.objects.all()}
    assert stored == {d["order"]["order_no"]: d["order"] for d in (first, second)}


def _two_answers(world, lane, **extra):
    """The same kind of document answered by the endpoint (key not verified yet), then by the lane."""
    client = world.client("platform")
    answers = [client.post(ORDERS, world.declaration(n)["order"], format="json", **extra) for n in (1, 2)]
    assert lane == [False, True]
    return answers


def test_the_lane_answers_with_every_header_the_endpoint_gives(world, lane):
    by_endpoint, by_lane = _two_answers(world, lane, HTTP_ACCEPT_LANGUAGE="en")
    vary = {v.strip() for v in by_endpoint["Vary"].split(",")} - {"Cookie"}  # DRF's session check
    assert {v.strip() for v in by_lane["Vary"].split(",")} == vary
    assert set(by_lane.headers) == set(by_endpoint.headers)
    for header in set(by_endpoint.headers) - {"Content-Length", "Vary"}:
        assert by_lane[header] == by_endpoint[header], header


def test_over_https_the_lane_sends_hsts_as_the_endpoint_does(world, lane, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    by_endpoint, by_lane = _two_answers(world, lane, secure=True)
    assert by_lane["Strict-Transport-Security"] == by_endpoint["Strict-Transport-Security"] == "max-age=3600"


def test_a_setting_changed_changes_the_lanes_headers(world, lane, settings):
    client = world.client("platform")
    client.post(ORDERS, world.declaration(1)["order"], format="json")
    assert client.post(ORDERS, world.declaration(2)["order"], format="json")["X-Frame-Options"] == "DENY"
    settings.X_FRAME_OPTIONS = "SAMEORIGIN"
    answer = client.post(ORDERS, world.declaration(3)["order"], format="json")
    assert answer["X-Frame-Options"] == "SAMEORIGIN"
    assert lane == [False, True, True]


def test_a_host_not_allowed_is_refused_as_before(world, lane):
    client = world.client("platform")
    client.post(ORDERS, world.declaration(1)["order"], format="json")
    refused = client.post(ORDERS, world.declaration(2)["order"], format="json", HTTP_HOST="evil.example")
    assert refused.status_code == 400
    assert lane == [False]  # not even tried: the host check comes first
    assert IntakeEntry.objects.count() == 1
