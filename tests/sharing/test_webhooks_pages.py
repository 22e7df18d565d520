"""The webhooks page: the secret shown once after registration, the refusal under the URL field, the
test-event, disable and enable buttons (POST with CSRF, the enterprise's administrators only)."""

import pytest
from django.test import Client, override_settings

from sharing.models import AuditEvent, Membership, WebhookDelivery, WebhookSubscription

from ..factories import UserFactory
from .test_webhooks import HOST, dns, partner_server  # noqa: F401 - dns is a fixture

pytestmark = pytest.mark.django_db


def test_the_secret_is_shown_once_right_after_registration(client, enterprise_admin):
    client.force_login(enterprise_admin)
    answer = client.post(
        "/enterprise/webhooks/", {"url": "http://127.0.0.1:9/events"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    subscription = WebhookSubscription.objects.get()
    page = answer.content.decode()
    assert answer.status_code == 200 and subscription.secret in page and "shown only once" in page
    assert "no-store" in answer["Cache-Control"]
    later = client.get("/enterprise/webhooks/").content.decode()
    assert subscription.secret not in later and "…" + subscription.secret[-4:] in later
    event = AuditEvent.objects.get(action="webhook.subscribed")
    assert event.actor_label == enterprise_admin.username and event.object_id == str(subscription.pk)


@override_settings(WEBHOOK_ALLOW_PRIVATE_NETWORKS=False)
def test_a_refused_url_is_explained_under_the_field(client, enterprise_admin, dns):  # noqa: F811
    dns.answers[HOST] = [["10.0.0.8"]]
    client.force_login(enterprise_admin)
    english = client.post("/enterprise/webhooks/", {"url": f"https://{HOST}/"}, HTTP_ACCEPT_LANGUAGE="en")
    html = english.content.decode()
    assert english.status_code == 200 and 'data-field="url"' in html
    assert "10.0.0.8" in html and "private network" in html
    chinese = client.post(
        "/enterprise/webhooks/", {"url": f"https://{HOST}/"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "10.0.0.8" in chinese.content.decode() and "私有网络" in chinese.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_buttons_test_disable_and_enable(client, enterprise_admin, django_capture_on_commit_callbacks):
    client.force_login(enterprise_admin)
    with partner_server() as partner:
        client.post("/enterprise/webhooks/", {"url": f"http://127.0.0.1:{partner.port}/hook"})
        subscription = WebhookSubscription.objects.get()
        page = client.get("/enterprise/webhooks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert f"/enterprise/webhooks/{subscription.pk}/test/" in page and "Send a test event" in page
        with django_capture_on_commit_callbacks(execute=True):
            sent = client.post(f"/enterprise/webhooks/{subscription.pk}/test/")
    assert sent.status_code == 302 and sent["Location"] == "/enterprise/webhooks/"
    assert len(partner.hits) == 1 and partner.hits[0]["headers"]["X-Singlewindow-Event"] == "webhook.test"
    assert WebhookDelivery.objects.get().delivered_at is not None
    client.post(f"/enterprise/webhooks/{subscription.pk}/disable/")
    subscription.refresh_from_db()
    assert subscription.active is False
    page = client.get("/enterprise/webhooks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/enterprise/webhooks/{subscription.pk}/enable/" in page
    client.post(f"/enterprise/webhooks/{subscription.pk}/enable/")
    subscription.refresh_from_db()
    assert subscription.active is True
    assert list(
        AuditEvent.objects.filter(object_id=str(subscription.pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "webhook.subscribed",
        "webhook.test_sent",
        "webhook.disabled",
        "webhook.enabled",
    ]


def test_a_refused_test_event_says_why(client, enterprise_admin):
    client.force_login(enterprise_admin)
    client.post("/enterprise/webhooks/", {"url": "http://127.0.0.1:9/hook"})
    subscription = WebhookSubscription.objects.get()
    client.post(f"/enterprise/webhooks/{subscription.pk}/disable/")
    answer = client.post(
        f"/enterprise/webhooks/{subscription.pk}/test/", follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "enable it before sending a test event" in answer.content.decode()
    assert not WebhookDelivery.objects.exists()


def test_the_buttons_need_post_and_csrf(enterprise_admin):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(enterprise_admin)
    csrf_client.get("/enterprise/webhooks/")
    subscription = WebhookSubscription.objects.create(
        enterprise=Membership.objects.get(user=enterprise_admin).enterprise,
        url="http://127.0.0.1:9/",
        secret="s",
    )
    for action in ("test", "disable", "enable"):
        url = f"/enterprise/webhooks/{subscription.pk}/{action}/"
        assert csrf_client.get(url).status_code == 405
        assert csrf_client.post(url).status_code == 403  # no CSRF token
    subscription.refresh_from_db()
    assert subscription.active and not WebhookDelivery.objects.exists()


def test_another_enterprises_admin_gets_404_and_a_member_403(client, enterprise_admin, other_enterprise):
    client.force_login(enterprise_admin)
    client.post("/enterprise/webhooks/", {"url": "http://127.0.0.1:9/hook"})
    subscription = WebhookSubscription.objects.get()
    outsider = UserFactory()
    Membership.objects.create(user=outsider, enterprise=other_enterprise, role="admin")
    client.force_login(outsider)
    for action in ("test", "disable", "enable"):
        assert client.post(f"/enterprise/webhooks/{subscription.pk}/{action}/").status_code == 404
    assert "127.0.0.1:9/hook" not in client.get("/enterprise/webhooks/").content.decode()
    member = UserFactory()
    Membership.objects.create(user=member, enterprise=subscription.enterprise, role="staff")
    client.force_login(member)
    assert client.post(f"/enterprise/webhooks/{subscription.pk}/disable/").status_code == 403
    subscription.refresh_from_db()
    assert subscription.active and not WebhookDelivery.objects.exists()
