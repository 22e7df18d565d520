"""The tax summary page opens on the latest month with bills, or says there is none yet."""

import pytest
from django.utils import timezone

from ..factories import MembershipFactory
from .test_centralized_taxation import _release

pytestmark = pytest.mark.django_db


def test_summary_opens_on_the_latest_month_with_bills(world, client, django_capture_on_commit_callbacks):
    (released,) = _release(world, [1], django_capture_on_commit_callbacks)
    client.force_login(MembershipFactory(enterprise=world.seller).user)
    page = client.get("/finance/tax-summary/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    today = timezone.localdate()
    assert f"{today.year}-{today.month:02d}" in page and released.invt_no in page
    assert "Showing the latest month with tax bills" in page


def test_summary_without_bills_says_there_is_none(client, enterprise):
    client.force_login(MembershipFactory(enterprise=enterprise).user)
    page = client.get("/finance/tax-summary/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "该担保企业尚无税单" in page
