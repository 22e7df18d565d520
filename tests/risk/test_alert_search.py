"""The review queue searches by part of the list's number, its waybill and dates, says when nothing
matched, keeps the filters when sorting, and exports what it shows to CSV and Excel."""

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from risk.models import Alert

from ..factories import official

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def two_alerts(world, django_capture_on_commit_callbacks):
    lists = [world.declare_restricted(n, django_capture_on_commit_callbacks) for n in (1, 2)]
    assert Alert.objects.count() == 2
    return lists


def test_the_queue_searches_sorts_with_filters_and_exports(client, two_alerts):
    first, second = two_alerts
    client.force_login(official("customs"))
    part = first.cop_no[-4:]
    html = client.get("/officials/alerts/", {"number": part}, **EN).content.decode()
    assert first.cop_no in html and second.cop_no not in html
    sort_links = re.findall(r'href="(\?[^"]*sort=[^"]*)"', html)
    assert sort_links and all(f"number={part}" in link for link in sort_links)
    html = client.get("/officials/alerts/", {"waybill": second.logistics_no}, **EN).content.decode()
    assert second.cop_no in html and first.cop_no not in html
    tomorrow = timezone.localdate() + timedelta(days=1)
    html = client.get("/officials/alerts/", {"date_from": str(tomorrow)}, **EN).content.decode()
    assert "Nothing matched these filters." in html and first.cop_no not in html

    answer = client.get("/officials/alerts/", {"number": part, "export": "csv"}, **EN)
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["Score", "List number"] and [row[1] for row in rows[1:]] == [first.cop_no]
    answer = client.get("/officials/alerts/", {"waybill": second.logistics_no, "export": "xlsx"})
    sheet = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))).read("xl/worksheets/sheet1.xml")
    assert second.cop_no.encode() in sheet and first.cop_no.encode() not in sheet


def test_an_export_of_the_queue_is_refused_to_enterprises_and_other_agencies(client, two_alerts, world):
    client.force_login(official("forex"))
    assert client.get("/officials/alerts/", {"export": "csv"}).status_code == 403


def test_a_bad_date_in_the_queue_is_a_400_naming_the_field(client, db):
    client.force_login(official("customs"))
    page = client.get("/officials/alerts/", {"date_to": "not-a-date"}, **EN)
    assert page.status_code == 400 and 'data-field="date_to"' in page.content.decode()
