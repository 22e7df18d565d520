"""CEB623 (cancel) and CEB625 (return) as CEB XML, answered with CEB624/626 receipts valid against the
import schema; the official samples of CEB623, 625 and 711 parse."""

import pytest
from lxml import etree

from declarations import ceb
from declarations.models import InventoryList, InventoryRefund

from ..conftest import assert_valid_ceb

pytestmark = pytest.mark.django_db
SAMPLES = ceb.schema_dir().parent / "samples" / "import"


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def message(root_name: str, node: str, head: dict, lines: list[dict] | None = None) -> bytes:
    ns = ceb.CEB_NS
    root = etree.Element(f"{{{ns}}}{root_name}", nsmap={"ceb": ns}, guid="A" * 36, version="1.0")
    holder = etree.SubElement(root, f"{{{ns}}}{node}")
    target = etree.SubElement(holder, f"{{{ns}}}InvtRefundHead") if lines is not None else holder
    for key, value in head.items():
        etree.SubElement(target, f"{{{ns}}}{camel(key)}").text = str(value)
    for line in lines or []:
        element = etree.SubElement(holder, f"{{{ns}}}InvtRefundList")
        for key, value in line.items():
            etree.SubElement(element, f"{{{ns}}}{camel(key)}").text = str(value)
    transfer = etree.SubElement(root, f"{{{ns}}}BaseTransfer")
    for key, value in (
        ("copCode", "3301960002"),
        ("copName", "x"),
        ("dxpMode", "DXP"),
        ("dxpId", "DXPENT01"),
    ):
        etree.SubElement(transfer, f"{{{ns}}}{key}").text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


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
    parsed = ceb.parse_message((SAMPLES / f"{name}Message.xml").read_bytes())
    assert parsed.message_type == name and keys <= set(parsed.documents[0])


def test_cancel_and_return_as_ceb_xml(world, django_capture_on_commit_callbacks):
    waiting, released = world.declaration(1), world.declaration(2, lines=1)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(waiting, order=("inventory",))
        world.declare(released)
    first = InventoryList.objects.get(cop_no=waiting["inventory"]["cop_no"])
    second = InventoryList.objects.get(cop_no=released["inventory"]["cop_no"])
    assert (first.status, second.status) == ("received", "released")
    seller = world.client("seller")

    head = _head(waiting["inventory"], first, "买家取消订单")
    assert "invt_no" not in head  # not released: no customs number yet; the cop_no names it
    answer = seller.post(
        "/api/v1/ceb/", message("CEB623Message", "InvtCancel", head), content_type="application/xml"
    )
    assert answer.status_code == 200
    assert_valid_ceb(answer.content)
    assert (
        b"<ceb:returnStatus>800</ceb:returnStatus>" in answer.content
        and b"InvtCancelReturn" in answer.content
    )
    first.refresh_from_db()
    assert first.status == "cancelled"

    item = released["inventory"]["items"][0]
    line = {
        "gnum": 1,
        "gcode": item["gcode"],
        "gname": item["gname"],
        "qty": item["qty"],
        "unit": item["unit"],
    }
    body = message("CEB625Message", "InvtRefund", _head(released["inventory"], second, "质量问题"), [line])
    answer = seller.post("/api/v1/ceb/", body, content_type="application/xml")
    assert answer.status_code == 200
    assert_valid_ceb(answer.content)
    assert b"<ceb:returnStatus>120</ceb:returnStatus>" in answer.content
    assert second.invt_no.encode() in answer.content
    assert InventoryRefund.objects.get(inventory=second).state == "awaiting"
    # cancelling the released list is refused in the receipt, naming the rule
    refused = seller.post(
        "/api/v1/ceb/",
        message("CEB623Message", "InvtCancel", _head(released["inventory"], second, "x")),
        content_type="application/xml",
    )
    assert refused.status_code == 200 and b"-623003" in refused.content
    assert_valid_ceb(refused.content)


def test_warehouse_entry_xml_is_pointed_to_the_json_endpoint(world):
    body = (SAMPLES / "CEB711Message.xml").read_bytes() if SAMPLES.is_dir() else None
    if body is None:
        pytest.skip("official CEB samples not found")
    answer = world.client("seller").post("/api/v1/ceb/", body, content_type="application/xml")
    assert answer.status_code == 400 and "/api/v1/warehouse-entries/" in answer.json()["detail"]
    assert set(answer.json()) == {"code", "detail"} and answer.json()["code"] == "0999"
