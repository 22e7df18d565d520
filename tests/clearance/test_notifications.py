"""Who hears of a list's turn: the enterprise that filed it (held, rejected, sent to inspection) and
customs' officials (alerts), in both languages, by email for those who asked for each one."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from risk.models import Alert
from sharing.choices import NotificationKind
from sharing.models import Notification, NotificationPreference

from ..factories import MembershipFactory, official

pytestmark = pytest.mark.django_db


@pytest.fixture
def customs():
    client = APIClient()
    client.force_authenticate(official("customs", username="customs-notified"))
    return client


def test_a_held_list_notifies_its_enterprise_and_customs_only(world, django_capture_on_commit_callbacks):
    inventory = world.declare_restricted(41, django_capture_on_commit_callbacks)
    assert inventory.status == "held"
    held = Notification.objects.get(kind=NotificationKind.LIST_HELD)
    assert held.enterprise_id == world.seller.pk and held.agency_id is None
    assert inventory.cop_no in held.subject and inventory.cop_no in held.subject_en
    assert "挂起" in held.subject and "held" in held.subject_en
    assert (
        "RISK-RESTRICTED_GOODS" in held.reason_en
        and held.link == f"/declarations/inventories/{inventory.pk}/"
    )
    alerts = Notification.objects.get(kind=NotificationKind.ALERTS_RAISED)
    assert (
        alerts.agency.code == "customs"
        and alerts.enterprise_id is None
        and alerts.link == "/officials/alerts/"
    )
    # nobody else hears of it: not the platform, the payment firm or the logistics firm
    assert not Notification.objects.filter(
        enterprise__in=[world.platform, world.payment, world.logistics, world.warehouse]
    ).exists()


@pytest.mark.parametrize(
    ("action", "reason", "kind", "words"),
    [
        ("reject", "无进口许可", NotificationKind.LIST_REJECTED, "无进口许可"),
        ("inspect", "查验药品", NotificationKind.LIST_INSPECTION, "inspection"),
    ],
)
def test_an_officials_decision_notifies_the_enterprise(
    world, customs, django_capture_on_commit_callbacks, action, reason, kind, words
):
    inventory = world.declare_restricted(42, django_capture_on_commit_callbacks)
    alert = Alert.objects.get(inventory=inventory)
    with django_capture_on_commit_callbacks(execute=True):
        assert customs.post(f"/api/v1/alerts/{alert.pk}/{action}/", {"reason": reason}).status_code == 200
    notification = Notification.objects.get(kind=kind)
    assert notification.enterprise_id == world.seller.pk
    assert words in notification.reason + notification.reason_en
    # a re-delivered step notifies once
    with django_capture_on_commit_callbacks(execute=True):
        customs.post(f"/api/v1/alerts/{alert.pk}/{action}/", {"reason": reason})
    assert Notification.objects.filter(kind=kind).count() == 1


def test_email_each_goes_to_the_members_who_asked_for_it(world, django_capture_on_commit_callbacks):
    wants_each = MembershipFactory(enterprise=world.seller, user__email="each@seller.example").user
    wants_daily = MembershipFactory(enterprise=world.seller, user__email="daily@seller.example").user
    MembershipFactory(enterprise=world.seller, user__email="silent@seller.example")  # no preference: none
    other = MembershipFactory(enterprise=world.platform, user__email="each@platform.example").user
    for user, email in ((wants_each, "each"), (wants_daily, "daily"), (other, "each")):
        NotificationPreference.objects.create(user=user, email=email)
    mail.outbox.clear()
    world.declare_restricted(43, django_capture_on_commit_callbacks)
    sent = [m for m in mail.outbox if "@seller.example" in " ".join(m.bcc + m.to)]
    assert len(sent) == 1 and sent[0].bcc == ["each@seller.example"]
    assert "挂起" in sent[0].subject and "held" in sent[0].subject
    assert not any("platform.example" in " ".join(m.bcc + m.to) for m in mail.outbox)
