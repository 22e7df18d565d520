"""Notifications in the portal: each organisation sees only its own, in the reader's language, with an
unread count in the header; marking read; the email preference and the daily digest."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from sharing.models import Agency, Notification, NotificationPreference
from sharing.notifications import digests_send
from sharing.services import notification_create
from singlewindow.core.texts import Text, gettext_noop

from ..factories import EnterpriseFactory, MembershipFactory, official

pytestmark = pytest.mark.django_db

SUBJECT = gettext_noop("List %(cop_no)s was rejected")


def notify(enterprise=None, agency=None, key="n", cop_no="C1"):
    return notification_create(
        kind="list_rejected",
        subject=Text(SUBJECT, cop_no=cop_no),
        reason="-",
        dedupe_key=key,
        enterprise_id=enterprise.pk if enterprise else None,
        agency_id=agency.pk if agency else None,
        link="/declarations/",
    )


@pytest.fixture
def two_enterprises():
    mine, theirs = EnterpriseFactory(), EnterpriseFactory()
    return mine, theirs, MembershipFactory(enterprise=mine).user, MembershipFactory(enterprise=theirs).user


def test_the_page_shows_own_notifications_in_the_readers_language(client, two_enterprises):
    mine, theirs, me, _them = two_enterprises
    notify(mine, key="mine", cop_no="MINE-1")
    notify(theirs, key="theirs", cop_no="THEIRS-1")
    client.force_login(me)
    english = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "List MINE-1 was rejected" in english and "THEIRS-1" not in english
    chinese = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "清单 MINE-1 已被退单" in chinese and "was rejected" not in chinese


def test_the_header_counts_unread_and_marking_read_is_scoped(client, two_enterprises):
    mine, theirs, me, _them = two_enterprises
    first, _second = notify(mine, key="m1"), notify(mine, key="m2")
    foreign = notify(theirs, key="t1")
    client.force_login(me)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'title="Unread">2<' in page
    # another enterprise's notification cannot be marked from here
    assert client.post(f"/notifications/{foreign.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=foreign.pk).read_at is None
    assert client.post(f"/notifications/{first.pk}/read/").status_code == 302
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'title="Unread">1<' in page
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(enterprise=mine, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=foreign.pk).read_at is None
    assert "unread-count" not in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_officials_see_their_agencys_notifications_only(client):
    customs, tax = official("customs"), official("tax")
    notify(agency=Agency.objects.get(code="customs"), key="alerts", cop_no="ALERT-1")
    client.force_login(tax)
    assert "ALERT-1" not in client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.force_login(customs)
    assert "ALERT-1" in client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_page_and_marks_need_an_organisation_and_a_post(client, two_enterprises):
    assert client.get("/notifications/").status_code == 302  # to the login
    _mine, _theirs, me, _them = two_enterprises
    client.force_login(me)
    assert client.get("/notifications/read-all/").status_code == 405


def test_the_preference_is_saved_and_a_bad_choice_is_a_message_not_an_error(client, two_enterprises):
    _mine, _theirs, me, _them = two_enterprises
    client.force_login(me)
    assert "daily" in client.get("/accounts/").content.decode()
    assert client.post("/accounts/notifications/", {"email": "daily"}).status_code == 302
    assert NotificationPreference.objects.get(user=me).email == "daily"
    assert client.post("/accounts/notifications/", {"email": "hourly"}).status_code == 302
    assert NotificationPreference.objects.get(user=me).email == "daily"


def test_the_daily_digest_by_preference(two_enterprises):
    mine, theirs, me, them = two_enterprises
    each = MembershipFactory(enterprise=mine, user__email="each@mine.example").user
    NotificationPreference.objects.create(user=me, email="daily")
    NotificationPreference.objects.create(user=each, email="each")
    NotificationPreference.objects.create(user=them, email="none")
    old = notify(mine, key="old", cop_no="OLD-1")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    notify(mine, key="a", cop_no="NEW-1")
    notify(mine, key="b", cop_no="NEW-2")
    notify(theirs, key="c", cop_no="THEIRS-1")
    mail.outbox.clear()
    assert digests_send() == 1
    (digest,) = mail.outbox
    assert digest.to == [me.email]
    assert "NEW-1" in digest.body and "NEW-2" in digest.body
    assert "OLD-1" not in digest.body and "THEIRS-1" not in digest.body
    assert "(2)" in digest.subject and "已被退单" in digest.body and "was rejected" in digest.body
    # a rerun sends nothing twice; the next digest carries only what came after
    assert digests_send() == 0
    notify(mine, key="d", cop_no="NEW-3")
    mail.outbox.clear()
    call_command("send_digests")
    assert len(mail.outbox) == 1 and "NEW-3" in mail.outbox[0].body and "NEW-1" not in mail.outbox[0].body


def test_no_digest_when_nothing_new(two_enterprises):
    _mine, _theirs, me, _them = two_enterprises
    NotificationPreference.objects.create(user=me, email="daily")
    mail.outbox.clear()
    assert digests_send() == 0 and mail.outbox == []
