"""The webhooks API: registration with the secret shown once, the refusal naming why on `url`, disable,
re-enable (which checks the URL again), a signed test event, tenancy, who may, and the audit trail."""

import json

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from sharing import webhooks
from sharing.models import AuditEvent, Membership, WebhookDelivery, WebhookSubscription

from ..conftest import key_client
from ..factories import UserFactory, official
from .test_webhooks import HOST, dns, partner_server  # noqa: F401 - dns is a fixture

pytestmark = pytest.mark.django_db


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def register(client, url: str):
    return client.post("/api/v1/webhooks/", {"url": url}, format="json", HTTP_ACCEPT_LANGUAGE="en")


def test_the_secret_is_in_the_creation_answer_only(enterprise_api, enterprise):
    created = register(enterprise_api, "http://127.0.0.1:9/events")
    assert created.status_code == 201, created.content
    body = created.json()
    assert len(body["secret"]) == 64 and body["active"] is True
    assert body["secret_hint"] == "…" + body["secret"][-4:]
    assert "no-store" in created["Cache-Control"]
    listed = enterprise_api.get("/api/v1/webhooks/").json()["results"]
    detail = enterprise_api.get(f"/api/v1/webhooks/{body['id']}/").json()
    for shown in (listed[0], detail):
        assert "secret" not in shown and shown["secret_hint"] == body["secret_hint"]
        assert body["secret"] not in json.dumps(shown)
    assert WebhookSubscription.objects.get().enterprise == enterprise


@override_settings(WEBHOOK_ALLOW_PRIVATE_NETWORKS=False)
def test_a_refused_url_names_why_on_the_url_field_in_both_languages(enterprise_api, dns):  # noqa: F811
    dns.answers[HOST] = [["100.100.100.200"]]
    english = register(enterprise_api, f"https://{HOST}/events")
    assert english.status_code == 400
    body = english.json()
    assert body["code"] == "invalid" and list(body["fields"]) == ["url"]
    assert (
        "100.100.100.200" in body["fields"]["url"][0] and "not a public address" in body["fields"]["url"][0]
    )
    chinese = enterprise_api.post(
        "/api/v1/webhooks/", {"url": f"https://{HOST}/events"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert chinese.status_code == 400 and "公网" in chinese.json()["fields"]["url"][0]
    plain = register(enterprise_api, "http://example.org/events")
    assert plain.status_code == 400 and "https" in plain.json()["fields"]["url"][0]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    "url", [["x"], {"a": 1}, 12, None, "", "not a url", "x" * 400, "https://exa mple.org/"]
)
def test_bad_input_is_a_400_naming_url(enterprise_api, url):
    answer = enterprise_api.post("/api/v1/webhooks/", {"url": url}, format="json")
    assert answer.status_code == 400 and "url" in answer.json()["fields"]


def test_another_enterprises_webhook_answers_404(enterprise_api, other_enterprise):
    webhook_id = register(enterprise_api, "http://127.0.0.1:9/events").json()["id"]
    stranger = key_client(other_enterprise)
    assert stranger.get("/api/v1/webhooks/").json()["results"] == []
    assert stranger.get(f"/api/v1/webhooks/{webhook_id}/").status_code == 404
    for action in ("disable", "enable", "test"):
        answer = stranger.post(f"/api/v1/webhooks/{webhook_id}/{action}/", {}, format="json")
        assert answer.status_code == 404, action
    admin = UserFactory()
    Membership.objects.create(user=admin, enterprise=other_enterprise, role="admin")
    assert session_client(admin).post(f"/api/v1/webhooks/{webhook_id}/disable/").status_code == 404
    assert WebhookSubscription.objects.get().active
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("ident", ["abc", "1" * 21, "-1", "0"])
def test_a_malformed_or_unknown_id_answers_404(enterprise_api, ident):
    assert enterprise_api.get(f"/api/v1/webhooks/{ident}/").status_code == 404
    assert enterprise_api.post(f"/api/v1/webhooks/{ident}/test/").status_code == 404


def test_only_the_enterprises_administrators_and_keys_manage_webhooks(enterprise):
    staff = UserFactory()
    Membership.objects.create(user=staff, enterprise=enterprise, role="staff")
    for user in (staff, official("customs")):
        client = session_client(user)
        assert client.get("/api/v1/webhooks/").status_code == 403
        assert register(client, "http://127.0.0.1:9/events").status_code == 403
    assert APIClient().get("/api/v1/webhooks/").status_code in (401, 403)
    admin = UserFactory()
    Membership.objects.create(user=admin, enterprise=enterprise, role="admin")
    assert register(session_client(admin), "http://127.0.0.1:9/events").status_code == 201


def test_disable_and_enable_are_audited(enterprise_api, enterprise_admin):
    admin = session_client(enterprise_admin)
    webhook_id = register(admin, "http://127.0.0.1:9/events").json()["id"]
    disabled = admin.post(f"/api/v1/webhooks/{webhook_id}/disable/")
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    enabled = enterprise_api.post(f"/api/v1/webhooks/{webhook_id}/enable/")
    assert enabled.status_code == 200 and enabled.json()["active"] is True
    events = list(
        AuditEvent.objects.filter(object_type="sharing.webhooksubscription", object_id=str(webhook_id))
        .order_by("id")
        .values_list("action", "actor_label")
    )
    key_label = events[-1][1]
    assert events == [
        ("webhook.subscribed", enterprise_admin.username),
        ("webhook.disabled", enterprise_admin.username),
        ("webhook.enabled", key_label),
    ]
    assert key_label.startswith("api-key:")


@override_settings(WEBHOOK_ALLOW_PRIVATE_NETWORKS=False)
def test_enable_checks_the_url_again(enterprise_api, dns):  # noqa: F811
    dns.answers[HOST] = [["8.8.8.8"]]
    webhook_id = register(enterprise_api, f"https://{HOST}/events").json()["id"]
    enterprise_api.post(f"/api/v1/webhooks/{webhook_id}/disable/")
    dns.answers[HOST] = [["169.254.169.254"]]  # the name now points at cloud metadata
    refused = enterprise_api.post(f"/api/v1/webhooks/{webhook_id}/enable/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "169.254.169.254" in refused.json()["fields"]["url"][0]
    assert WebhookSubscription.objects.get().active is False
    assert not AuditEvent.objects.filter(action="webhook.enabled").exists()


def test_a_test_event_is_signed_and_delivered_like_any_other(
    enterprise_api, enterprise, django_capture_on_commit_callbacks
):
    with partner_server() as partner:
        created = register(enterprise_api, f"http://127.0.0.1:{partner.port}/events").json()
        with django_capture_on_commit_callbacks(execute=True):
            answer = enterprise_api.post(f"/api/v1/webhooks/{created['id']}/test/")
    assert answer.status_code == 202 and answer.json()["event"] == "webhook.test"
    (hit,) = partner.hits
    assert hit["headers"]["X-Singlewindow-Event"] == "webhook.test"
    assert hit["headers"][webhooks.SIGNATURE_HEADER] == webhooks.sign(created["secret"], hit["body"])
    assert json.loads(hit["body"]) == {
        "event": "webhook.test",
        "webhook": created["id"],
        "enterprise": enterprise.customs_code,
        "sent_at": json.loads(hit["body"])["sent_at"],
    }
    delivery = WebhookDelivery.objects.get(pk=answer.json()["id"])
    assert delivery.delivered_at is not None and delivery.response_code == 204
    assert AuditEvent.objects.filter(action="webhook.test_sent", object_id=str(created["id"])).count() == 1
    # once a minute at most, and never to a disabled webhook
    again = enterprise_api.post(f"/api/v1/webhooks/{created['id']}/test/")
    assert again.status_code == 429 and again.json()["code"] == "throttled"
    WebhookDelivery.objects.update(created_at=timezone.now() - webhooks.TEST_INTERVAL)
    enterprise_api.post(f"/api/v1/webhooks/{created['id']}/disable/")
    disabled = enterprise_api.post(f"/api/v1/webhooks/{created['id']}/test/")
    assert disabled.status_code == 409 and disabled.json()["code"] == "conflict"


def test_an_action_with_a_malformed_body_is_a_400(enterprise_api):
    webhook_id = register(enterprise_api, "http://127.0.0.1:9/events").json()["id"]
    answer = enterprise_api.post(
        f"/api/v1/webhooks/{webhook_id}/disable/", b"{'not': json,}", content_type="application/json"
    )
    assert answer.status_code == 400 and answer.json()["code"] == "parse_error"
    assert WebhookSubscription.objects.get().active


def test_active_webhooks_are_capped_per_enterprise(enterprise_api):
    for n in range(webhooks.MAX_ACTIVE_PER_ENTERPRISE):
        assert register(enterprise_api, f"http://127.0.0.1:9/events/{n}").status_code == 201
    over = register(enterprise_api, "http://127.0.0.1:9/events/over")
    assert over.status_code == 400 and "at most" in over.json()["fields"]["url"][0]
    first = WebhookSubscription.objects.order_by("id").first()
    enterprise_api.post(f"/api/v1/webhooks/{first.pk}/disable/")
    assert register(enterprise_api, "http://127.0.0.1:9/events/over").status_code == 201
    refused = enterprise_api.post(f"/api/v1/webhooks/{first.pk}/enable/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "at most" in refused.json()["fields"]["url"][0]
