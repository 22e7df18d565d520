"""A warehouse's stock searches by part of its item number, code or name, says when nothing matched,
and exports what it shows to CSV and Excel; an owner sees only its own goods there, in the export too."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest

from logistics.models import StockItem, Warehouse
from sharing.models import Membership

from ..factories import EnterpriseFactory, UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def member(enterprise):
    user = UserFactory()
    Membership.objects.create(user=user, enterprise=enterprise, role="admin")
    return user


@pytest.fixture
def stocked(world):
    warehouse = Warehouse.objects.create(
        code="W1", name="仓", kind="bonded", operator=world.warehouse, ems_no="T1", address="x", capacity=100,
        status="approved",
    )  # fmt: skip
    other_owner = EnterpriseFactory()
    for number, owner, name in (
        ("REC-0001", world.seller.customs_code, "奶粉"),
        ("REC-0002", world.seller.customs_code, "=HYPERLINK(1)"),
        ("REC-0003", other_owner.customs_code, "面霜"),
    ):
        StockItem.objects.create(
            warehouse=warehouse, item_record_no=number, owner_code=owner, gcode="0402290000", gname=name,
            unit="122", quantity=10, reserved=2,
        )  # fmt: skip
    return warehouse


def test_stock_searches_and_exports_what_the_caller_may_see(client, world, stocked):
    url = f"/warehouses/{stocked.pk}/"
    client.force_login(member(world.warehouse))
    html = client.get(url, {"number": "0001"}, **EN).content.decode()
    assert "REC-0001" in html and "REC-0002" not in html
    html = client.get(url, {"number": "nothing-like-it"}, **EN).content.decode()
    assert "Nothing matched these filters." in html
    answer = client.get(url, {"number": "REC", "export": "xlsx"})
    sheet = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))).read("xl/worksheets/sheet1.xml")
    assert sheet.count(b"REC-000") == 3 and b"<f>" not in sheet
    # the seller owns two of the three rows: its export holds only those
    client.force_login(member(world.seller))
    answer = client.get(url, {"export": "csv"}, **EN)
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["REC-0001", "REC-0002"]
    assert rows[2][2] == "'=HYPERLINK(1)" and Decimal(rows[1][6]) == 8


def test_the_warehouse_page_without_a_search_shows_all_its_stock(client, world, stocked):
    client.force_login(member(world.warehouse))
    page = client.get(f"/warehouses/{stocked.pk}/", **EN)
    assert page.status_code == 200 and page.content.decode().count("REC-000") == 3
