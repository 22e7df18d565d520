"""The officials' receipts and the export lists work like the document lists (issue 18): search by part
of a number, code or status and dates; an empty result says nothing matched the filters; sorting keeps
the filters; CSV and Excel exports hold what the filters select, and only what the caller may read."""

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from declarations.models import ExportInventoryList, InventoryList, Receipt

from ..factories import MembershipFactory, official
from .test_exports import _declare

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_random_inspection")]

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def rows_of(answer) -> list[list[str]]:
    assert answer["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))


@pytest.fixture
def cleared(world, django_capture_on_commit_callbacks):
    """Two lists through the whole pipeline: customs and the other agencies have answered both."""
    for number in (1, 2):
        with django_capture_on_commit_callbacks(execute=True):
            world.declare(world.declaration(number))
    return world


def part_only_in(first: InventoryList, second: InventoryList) -> str:
    """The shortest end of the first list's number that none of the second's numbers the searches look
    in (its key ebc_code/cop_no, pre-entry, list, order and waybill numbers) contains."""
    other = " ".join(
        str(getattr(second, field) or "")
        for field in ("ebc_code", "cop_no", "pre_no", "invt_no", "order_no", "logistics_no")
    )
    return next(first.cop_no[-n:] for n in range(3, 20) if first.cop_no[-n:] not in other)


def test_customs_searches_its_receipts_by_part_of_the_list_number(client, cleared):
    client.force_login(official("customs"))
    first, second = InventoryList.objects.order_by("id")
    wanted = {"number": part_only_in(first, second)}
    html = client.get("/officials/receipts/", wanted, **EN).content.decode()
    assert first.cop_no in html and second.cop_no not in html
    # by code: the release (800) only
    html = client.get("/officials/receipts/", {"return_status": "800"}, **EN).content.decode()
    table = html[html.index('id="agency-receipt-table"') :]
    assert re.findall(r"<code>(\d+)</code>", table) and set(re.findall(r"<code>(\d+)</code>", table)) == {
        "800"
    }
    # the sort links keep the filters
    links = re.findall(r'href="(\?[^"]*sort=[^"]*)"', html)
    assert links and all("return_status=800" in link for link in links)
    # nothing matched: said so, with a way back
    tomorrow = timezone.localdate() + timedelta(days=1)
    empty = client.get("/officials/receipts/", {"date_from": str(tomorrow)}, **EN).content.decode()
    assert "Nothing matched these filters." in empty and 'href="/officials/receipts/">Clear filters' in empty
    bad = client.get("/officials/receipts/", {"date_to": "2026-02-31"}, **EN)
    assert bad.status_code == 400 and 'data-field="date_to"' in bad.content.decode()


def test_receipts_export_with_the_filters_in_csv_and_excel(client, cleared):
    client.force_login(official("customs"))
    first, second = InventoryList.objects.order_by("id")
    part = part_only_in(first, second)
    rows = rows_of(client.get("/officials/receipts/", {"number": part, "export": "csv"}, **EN))
    assert rows[0] == ["List", "From", "Code", "Message", "Time"]
    keys = {row[0] for row in rows[1:]}
    # the first list's receipts (and any tax bill whose number holds the part), none of the second's
    assert f"{first.ebc_code}/{first.cop_no}" in keys
    assert not [key for key in keys if second.cop_no in key]
    expected = Receipt.objects.filter(source="customs", natural_key__icontains=part).count()
    assert len(rows) - 1 == expected
    answer = client.get("/officials/receipts/", {"return_status": "800", "export": "xlsx"}, **EN)
    sheet = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))).read("xl/worksheets/sheet1.xml")
    assert first.cop_no.encode() in sheet and second.cop_no.encode() in sheet


def test_another_agency_searches_its_decisions(client, cleared):
    client.force_login(official("tax"))
    first, second = InventoryList.objects.order_by("id")
    html = client.get("/officials/receipts/", {"number": part_only_in(first, second)}, **EN).content.decode()
    assert first.cop_no in html and second.cop_no not in html
    rows = rows_of(client.get("/officials/receipts/", {"export": "csv"}, **EN))
    assert {row[1] for row in rows[1:]} == {"Tax"} and len(rows) == 3


def test_an_enterprise_is_refused_the_officials_receipts(client, cleared):
    client.force_login(MembershipFactory(enterprise=cleared.seller).user)
    assert client.get("/officials/receipts/", {"export": "csv"}).status_code in (302, 403)


@pytest.fixture
def exported(world, django_capture_on_commit_callbacks):
    first = _declare(world, world.export(60, trade_mode="9710"), django_capture_on_commit_callbacks)
    second = _declare(world, world.export(61, trade_mode="9610"), django_capture_on_commit_callbacks)
    return world, first, second


def test_export_lists_search_by_number_status_and_dates(client, exported):
    world, first, second = exported
    client.force_login(MembershipFactory(enterprise=world.seller).user)
    part = next(first.cop_no[i:] for i in range(len(first.cop_no)) if first.cop_no[i:] not in second.cop_no)
    html = client.get("/exports/", {"number": part.lower()}, **EN).content.decode()
    assert first.cop_no in html and second.cop_no not in html
    html = client.get(
        "/exports/", {"status": first.status, "supervision_mode": "9710"}, **EN
    ).content.decode()
    assert first.cop_no in html and second.cop_no not in html
    links = re.findall(r'href="(\?[^"]*sort=[^"]*)"', html)
    assert links and all("supervision_mode=9710" in link for link in links)
    tomorrow = timezone.localdate() + timedelta(days=1)
    html = client.get("/exports/", {"date_from": str(tomorrow)}, **EN).content.decode()
    assert "Nothing matched these filters." in html and "No export list yet" not in html


def test_export_lists_export_what_the_filters_select_and_only_the_callers(client, exported):
    world, first, second = exported
    client.force_login(MembershipFactory(enterprise=world.seller).user)
    rows = rows_of(client.get("/exports/", {"supervision_mode": "9710", "export": "csv"}, **EN))
    assert rows[0][:3] == ["List number", "Customs list number", "Order number"]
    assert [row[0] for row in rows[1:]] == [first.cop_no]
    answer = client.get("/exports/", {"export": "xlsx"}, **EN)
    sheet = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))).read("xl/worksheets/sheet1.xml")
    assert first.cop_no.encode() in sheet and second.cop_no.encode() in sheet
    # the platform is a party of the B2C list only, in the file as on the page
    client.force_login(MembershipFactory(enterprise=world.platform).user)
    rows = rows_of(client.get("/exports/", {"export": "csv"}, **EN))
    assert [row[0] for row in rows[1:]] == [second.cop_no]
    assert ExportInventoryList.objects.count() == 2


def test_the_reason_column_is_in_the_readers_language(client, exported):
    world, first, _second = exported
    ExportInventoryList.objects.filter(pk=first.pk).update(
        status_reason="English reason", status_reason_text={"zh": "中文原因", "en": "English reason"}
    )
    client.force_login(MembershipFactory(enterprise=world.seller).user)
    rows = rows_of(client.get("/exports/", {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "中文原因" in [cell for row in rows for cell in row]
