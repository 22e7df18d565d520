"""Printed documents: a release notice, a list with its receipts and a monthly tax bill as PDF, for
the parties of the list and officials only, in a font that shows Chinese."""

import re
import zlib

import pytest
from django.utils import timezone

from declarations.models import InventoryList

from ..factories import EnterpriseFactory, MembershipFactory, official
from ..finance.test_centralized_taxation import _release

pytestmark = pytest.mark.django_db


def pdf_objects(content: bytes) -> bytes:
    """The PDF's streams, inflated: WeasyPrint packs its objects (the title, the fonts) in them."""
    inflated = [content]
    for start in re.finditer(rb"stream\r?\n", content):
        try:
            inflated.append(zlib.decompressobj().decompress(content[start.end() :]))
        except zlib.error:
            continue
    return b"\n".join(inflated)


def pdf_titles(content: bytes) -> list[str]:
    """The document's title (PDF Info, naming the list or the guarantor's month) and its bookmarks'
    (the headings)."""
    titles = []
    for raw in re.findall(rb"/Title\s*(<feff[0-9a-f]*>|\((?:[^()\\]|\\.)*\))", pdf_objects(content), re.I):
        if raw.startswith(b"<"):
            titles.append(bytes.fromhex(raw[5:-1].decode()).decode("utf-16-be"))
        else:
            titles.append(raw[1:-1].decode("latin-1"))
    return titles


def assert_pdf(response, *, names: str) -> None:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    content = response.content
    assert content.startswith(b"%PDF-")
    assert any(names in title for title in pdf_titles(content))
    # Chinese is drawn in a CJK font that is embedded, so it shows wherever the file is opened.
    assert re.search(rb"/FontName\s*/[A-Z]{6}\+Noto-Sans-CJK", pdf_objects(content))


@pytest.fixture
def released(world, django_capture_on_commit_callbacks) -> InventoryList:
    from credit.models import CreditLevel

    CreditLevel.objects.update(inspection_rate=0)
    (inventory,) = _release(world, [1], django_capture_on_commit_callbacks)
    return inventory


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_seller_downloads_the_release_notice_and_the_list(client, world, released, language):
    client.force_login(MembershipFactory(enterprise=world.seller).user)
    notice = client.get(
        f"/declarations/inventories/{released.pk}/release-notice/", HTTP_ACCEPT_LANGUAGE=language
    )
    assert_pdf(notice, names=released.invt_no)
    assert released.invt_no in notice["Content-Disposition"]
    listing = client.get(f"/declarations/inventories/{released.pk}/pdf/", HTTP_ACCEPT_LANGUAGE=language)
    assert_pdf(listing, names=released.cop_no)
    page = client.get(f"/declarations/inventories/{released.pk}/").content.decode()
    assert f"/declarations/inventories/{released.pk}/release-notice/" in page


def test_the_printed_words_follow_the_reader_language(client, world, released):
    client.force_login(MembershipFactory(enterprise=world.seller).user)
    zh = client.get(
        f"/declarations/inventories/{released.pk}/release-notice/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    en = client.get(f"/declarations/inventories/{released.pk}/release-notice/", HTTP_ACCEPT_LANGUAGE="en")
    assert "放行通知单" in pdf_titles(zh.content) and "Release notice" not in pdf_titles(zh.content)
    assert "Release notice" in pdf_titles(en.content)


def test_officials_may_print_a_list(client, released):
    client.force_login(official("customs", "customs-printer"))
    assert_pdf(client.get(f"/declarations/inventories/{released.pk}/pdf/"), names=released.cop_no)


def test_another_enterprise_gets_404(client, released):
    client.force_login(MembershipFactory(enterprise=EnterpriseFactory()).user)
    for path in ("release-notice/", "pdf/"):
        assert client.get(f"/declarations/inventories/{released.pk}/{path}").status_code == 404


def test_a_list_not_released_has_no_release_notice(client, world, released):
    InventoryList.objects.filter(pk=released.pk).update(status="inspection")
    client.force_login(MembershipFactory(enterprise=world.seller).user)
    assert client.get(f"/declarations/inventories/{released.pk}/release-notice/").status_code == 404


def test_anonymous_is_sent_to_log_in(client, released):
    response = client.get(f"/declarations/inventories/{released.pk}/pdf/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_guarantor_prints_its_monthly_tax_bill(client, world, released):
    today = timezone.localdate()
    query = f"?year={today.year}&month={today.month}"
    client.force_login(MembershipFactory(enterprise=world.seller).user)
    bill = client.get(f"/finance/tax-summary/pdf/{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert_pdf(bill, names=world.seller.customs_code)
    assert any(f"{today.year}-{today.month:02d}" in title for title in pdf_titles(bill.content))
    page = client.get(f"/finance/tax-summary/{query}").content.decode()
    assert "/finance/tax-summary/pdf/?" in page
    # another enterprise naming this guarantor gets nothing
    client.force_login(MembershipFactory(enterprise=EnterpriseFactory()).user)
    stranger = client.get(f"/finance/tax-summary/pdf/{query}&assure_code={world.seller.customs_code}")
    assert stranger.status_code == 404
    # a tax official names the guarantor
    client.force_login(official("tax", "tax-printer"))
    named = client.get(f"/finance/tax-summary/pdf/{query}&assure_code={world.seller.customs_code}")
    assert_pdf(named, names=world.seller.customs_code)
    assert client.get(f"/finance/tax-summary/pdf/{query}").status_code == 404  # no guarantor named
