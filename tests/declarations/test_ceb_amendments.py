"""CEB623 (cancel) and CEB625 (return) as CEB XML, answered with CEB624/626 receipts valid against the
import schema; the official samples of CEB623, 625 and 711 parse."""

import pytest
from lxml import etree

from declarations import ceb
from declarations.models import InventoryList, InventoryRefund

from ..ceb_messages import ceb_message
from ..conftest import assert_valid_ceb

pytestmark = pytest.mark.django_db
SAMPLES = ceb.schema_dir().parent / "samples" / "import"


def message(root_name: str, node: str, head: dict, lines: list[dict] | None = None) -> bytes:
    """A CEB623 (head only) or CEB625 (head and lines) message, valid against the XSD (signed)."""
    document = dict(head, items=lines) if lines is not None else head
    transfer = {"cop_code": "3301960002", "cop_name": "x", "dxp_mode": "DXP", "dxp_id": "DXPENT01"}
    return ceb_message(root_name, [document], base_transfer=transfer)


def statuses(xml: bytes) -> list[str]:
    """The returnStatus of each receipt in a receipt message, in order."""
    return [e.text for e in etree.fromstring(xml).iter(f"{{{ceb.CEB_NS}}}returnStatus")]


def _head(doc: dict, inventory: InventoryList, reason: str) -> dict:
    from declarations.services import amendment_for_list

    assert doc["cop_no"] == inventory.cop_no
    head = amendment_for_list(inventory, reason=reason)
    return {k: v for k, v in head.items() if v != ""}  # optional elements left out, as partners do


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="official CEB samples not found")
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("CEB623", {"invt_no", "reason"}),
        ("CEB625", {"invt_no", "items"}),
        ("CEB711", {"operator_code", "bill_no", "items"}),
    ],
)
def test_official_amendment_and_entry_samples_parse(name, keys):
    parsed = ceb.parse_message((SAMPLES / f"{name}Message.xml").read_bytes(), mode="strict")
    assert parsed.message_type == name and keys <= set(parsed.documents[0])


def test_cancel_and_return_as_ceb_xml(world, django_capture_on_commit_callbacks, settings):
    # A list not yet accepted has no invtNo, which the XSD requires of a CEB623: this test is about
    # the answers, so its messages are taken field by field.
    settings.CEB_SCHEMA_VALIDATION = "lenient"
    waiting, released = world.declaration(1), world.declaration(2, lines=1)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(waiting, order=("inventory",))
        world.declare(released)
    first = InventoryList.objects.get(cop_no=waiting["inventory"]["cop_no"])
    second = InventoryList.objects.get(cop_no=released["inventory"]["cop_no"])
    assert (first.status, second.status) == ("received", "released")
    seller = world.client("seller")

    head = _head(waiting["inventory"], first, "买家取消订单")
    assert "invt_no" not in head  # not accepted: no customs number yet; the cop_no names it
    answer = seller.post(
        "/api/v1/ceb/", message("CEB623Message", "InvtCancel", head), content_type="application/xml"
    )
    assert answer.status_code == 200
    assert_valid_ceb(answer.content)
    # a cancel concludes with 399 (review concluded), never 800 (a list's release)
    assert statuses(answer.content) == ["399"] and b"InvtCancelReturn" in answer.content
    first.refresh_from_db()
    assert (first.status, first.return_status) == ("cancelled", "399")

    item = released["inventory"]["items"][0]
    line = {
        "gnum": 1,
        "gcode": item["gcode"],
        "gname": item["gname"],
        "qty": item["qty"],
        "unit": item["unit"],
    }
    head = _head(released["inventory"], second, "质量问题")
    # a head that is not the list's is refused on its field with the return's code, as in JSON
    forged = message(
        "CEB625Message", "InvtRefund", {**head, "logistics_code": world.seller.customs_code}, [line]
    )
    refused = seller.post("/api/v1/ceb/", forged, content_type="application/xml")
    assert refused.status_code == 200 and statuses(refused.content) == ["-625004"]
    assert b"logistics_code" in refused.content
    assert_valid_ceb(refused.content)
    assert not InventoryRefund.objects.exists()

    body = message("CEB625Message", "InvtRefund", head, [line])
    answer = seller.post("/api/v1/ceb/", body, content_type="application/xml")
    assert answer.status_code == 200
    assert_valid_ceb(answer.content)
    assert statuses(answer.content) == ["120"]
    assert second.invt_no.encode() in answer.content
    assert InventoryRefund.objects.get(inventory=second).state == "awaiting"
    # the same message again is the same return, answered as it stands
    again = seller.post("/api/v1/ceb/", body, content_type="application/xml")
    assert statuses(again.content) == ["120"] and InventoryRefund.objects.count() == 1
    # cancelling the released list is refused in the receipt, naming the rule
    refused = seller.post(
        "/api/v1/ceb/",
        message("CEB623Message", "InvtCancel", _head(released["inventory"], second, "x")),
        content_type="application/xml",
    )
    assert refused.status_code == 200 and statuses(refused.content) == ["-623003"]
    assert_valid_ceb(refused.content)


def test_ceb711_xml_is_the_arrival_of_waybills_not_a_warehouse_entry(world):
    # CEB711 names waybills under a master bill: an arrival (tests/channel/test_arrival.py); bonded
    # warehouse entries, which need goods and quantities, stay JSON on /api/v1/warehouse-entries/.
    body = (SAMPLES / "CEB711Message.xml").read_bytes() if SAMPLES.is_dir() else None
    if body is None:
        pytest.skip("official CEB samples not found")
    answer = world.client("seller").post("/api/v1/ceb/", body, content_type="application/xml")
    assert answer.status_code == 200
    assert_valid_ceb(answer.content)
    # the seller is neither the sample's carrier nor its site operator
    assert statuses(answer.content) == ["-800001"]
