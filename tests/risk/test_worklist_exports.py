"""The worklist searched by part of a list's numbers and exported as filtered (issue 18), buyers masked
for the agencies that see them masked."""

import csv
import io
import zipfile

import pytest

from declarations.models import InventoryList

from ..factories import official
from .test_worklists import held, page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_random_inspection")]


def rows_of(answer) -> list[list[str]]:
    assert answer["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))


def test_held_lists_are_searched_by_part_of_a_number_and_exported(
    client, world, django_capture_on_commit_callbacks
):
    first, second = held(world, django_capture_on_commit_callbacks, 1, 2)
    part = next(first.cop_no[-n:] for n in range(2, 20) if first.cop_no[-n:] not in second.cop_no)
    client.force_login(official("customs"))
    found = page(client, f"/officials/worklist/?number={part}")
    assert first.cop_no in found and second.cop_no not in found
    nothing = page(client, "/officials/worklist/?number=no-such-number")
    assert first.cop_no not in nothing and "matches the filters" in nothing
    rows = rows_of(
        client.get("/officials/worklist/", {"number": part, "export": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    )
    assert rows[0][:3] == ["List", "Customs list number", "Enterprise"]
    assert [row[0] for row in rows[1:]] == [first.cop_no]
    answer = client.get("/officials/worklist/", {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    sheet = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))).read("xl/worksheets/sheet1.xml")
    assert first.cop_no.encode() in sheet and second.cop_no.encode() in sheet


def test_the_tax_export_masks_buyers(client, dispatched):
    inventory = InventoryList.objects.order_by("pk").first()
    client.force_login(official("tax"))
    rows = rows_of(client.get("/officials/worklist/", {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="en"))
    buyers = [row[3] for row in rows[1:]]
    assert inventory.buyer_name not in buyers and inventory.buyer_name[:1] + "*" in "".join(buyers)


def test_an_enterprise_gets_no_worklist_file(client, world):
    from sharing.models import Membership

    from ..factories import UserFactory

    user = UserFactory()
    Membership.objects.create(user=user, enterprise=world.seller, role="admin")
    client.force_login(user)
    assert client.get("/officials/worklist/", {"export": "csv"}).status_code == 403
