"""Every CEB message posted to /api/v1/ceb/ is checked against the official XSD before any field is
read: a failure is answered 400 with a CEB900 format receipt (error 0002) naming line and element, and
nothing is stored; CEB_SCHEMA_VALIDATION=lenient takes such a message field by field, noting why."""

from __future__ import annotations

import base64
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from lxml import etree

from declarations import ceb
from declarations.models import ExportOrder, Order

from ..ceb_messages import ceb_message
from ..conftest import assert_valid_ceb

pytestmark = pytest.mark.django_db
NS = {"ceb": ceb.CEB_NS}
GUID = "0F0E0D0C-0B0A-4909-8807-060504030201"


def pretty(body: bytes) -> bytes:
    """One element a line, so the line a problem is reported on is the element's own."""
    root = etree.fromstring(body)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def edited(body: bytes, edit) -> bytes:
    """`body` after `edit(head)` on its first document's head."""
    root = etree.fromstring(body)
    edit(root.find("*/*", NS))
    return pretty(etree.tostring(root))


def swap(first: str, second: str):
    """An edit putting `second` before `first`, which the XSD puts first."""

    def edit(head: etree._Element) -> None:
        head.find(f"ceb:{first}", NS).addprevious(head.find(f"ceb:{second}", NS))

    return edit


def post(client, body: bytes):
    return client.post("/api/v1/ceb/", body, content_type="application/xml")


def format_receipt(answer) -> dict[str, str]:
    """The fields of a CEB900 answer, after checking it is one, valid against the XSD."""
    assert answer.status_code == 400, answer.content[:500]
    assert answer["Content-Type"].startswith("application/xml")
    assert_valid_ceb(answer.content)
    root = etree.fromstring(answer.content)
    assert root.tag == f"{{{ceb.CEB_NS}}}CEB900Message"
    (message_return,) = root.findall("ceb:MessageReturn", NS)
    return {etree.QName(child).localname: child.text or "" for child in message_return}


@pytest.fixture
def order_message(world) -> bytes:
    return pretty(ceb_message("CEB311", [world.declaration(1)["order"]], guid=GUID))


def test_elements_out_of_order_are_answered_with_a_ceb900_and_nothing_is_stored(world, order_message):
    body = edited(order_message, swap("buyerName", "buyerIdNumber"))
    line = etree.fromstring(body).find(".//ceb:buyerIdNumber", NS).sourceline
    platform = world.client("platform")

    answer = post(platform, body)

    receipt = format_receipt(answer)
    assert receipt["returnStatus"].startswith("-") and "0002" in receipt["returnStatus"]
    assert receipt["returnInfo"].startswith("0002")
    assert f"line {line}: element 'ceb:buyerIdNumber': This element is not expected." in receipt["returnInfo"]
    assert "Expected is ( ceb:buyerName )" in receipt["returnInfo"]
    assert receipt["oriCopMsgId"] == GUID
    assert receipt["oriMessageType"] == "CEB311Message"
    assert receipt["oriBizMessage"].encode() == body  # echoed as sent, in a CDATA section
    assert b"<![CDATA[" in answer.content
    assert len(receipt["guid"]) == 36 and len(receipt["returnTime"]) == 17
    assert Order.objects.count() == 0

    # the same order in the XSD's order is taken as before: a CEB312 receipt, the order stored
    answer = post(platform, order_message)
    assert answer.status_code == 200, answer.content[:500]
    assert_valid_ceb(answer.content)
    root = etree.fromstring(answer.content)
    assert root.tag == f"{{{ceb.CEB_NS}}}CEB312Message"
    assert root.findtext(".//ceb:returnStatus", namespaces=NS) in ("2", "120")
    assert Order.objects.count() == 1


def test_an_unknown_element_is_answered_with_a_ceb900(world, order_message):
    def add(head: etree._Element) -> None:
        head.find("ceb:buyerName", NS).addnext(etree.Element(f"{{{ceb.CEB_NS}}}buyerNickname"))

    body = edited(order_message, add)
    receipt = format_receipt(post(world.client("platform"), body))
    assert "element 'ceb:buyerNickname': This element is not expected." in receipt["returnInfo"]
    assert Order.objects.count() == 0


def test_an_element_of_another_namespace_is_answered_with_a_ceb900(world, order_message):
    def add(head: etree._Element) -> None:
        head.append(etree.Element("{urn:partner}channel"))

    body = edited(order_message, add)
    receipt = format_receipt(post(world.client("platform"), body))
    assert "element '{urn:partner}channel'" in receipt["returnInfo"]


def test_a_missing_required_element_is_answered_with_a_ceb900(world, order_message):
    def drop(head: etree._Element) -> None:
        head.remove(head.find("ceb:buyerTelephone", NS))

    body = edited(order_message, drop)
    receipt = format_receipt(post(world.client("platform"), body))
    assert "ceb:buyerTelephone" in receipt["returnInfo"]
    assert receipt["oriCopMsgId"] == GUID
    assert Order.objects.count() == 0


def test_a_value_the_xsd_refuses_is_answered_with_a_ceb900(world, order_message):
    def stretch(head: etree._Element) -> None:
        head.find("ceb:orderNo", NS).text = "N" * 61  # C..60

    body = edited(order_message, stretch)
    receipt = format_receipt(post(world.client("platform"), body))
    assert "element 'ceb:orderNo': [facet 'maxLength']" in receipt["returnInfo"]


def test_an_export_message_out_of_order_is_answered_with_a_ceb900(world):
    order = world.export(1, trade_mode="9710")["export_order"]
    body = edited(pretty(ceb_message("CEB303", [order], guid=GUID)), swap("orderType", "orderNo"))
    receipt = format_receipt(post(world.client("seller"), body))
    assert "element 'ceb:orderNo': This element is not expected." in receipt["returnInfo"]
    assert receipt["oriMessageType"] == "CEB303Message" and receipt["oriCopMsgId"] == GUID
    assert ExportOrder.objects.count() == 0


def test_an_export_waybill_number_over_the_xsd_length_is_answered_with_a_ceb900(world):
    waybill = dict(world.export(1)["export_waybill"], logistics_no="L" * 40)  # CEB505: C..32
    receipt = format_receipt(post(world.client("logistics"), ceb_message("CEB505", [waybill])))
    assert "element 'ceb:logisticsNo': [facet 'maxLength']" in receipt["returnInfo"]


def test_a_dxp_envelope_is_named_by_its_copmsgid(world, order_message):
    envelope = (
        b'<DxpMsg xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0"><TransInfo>'
        b"<CopMsgId>MSG-2026-000001</CopMsgId><SenderId>DXPENT0000000001</SenderId>"
        b"<ReceiverIds><ReceiverId>DXPEDCCEB0000002</ReceiverId></ReceiverIds>"
        b"<CreatTime>2026-11-25T12:00:00</CreatTime><MsgType>CEB311Message</MsgType></TransInfo>"
        b"<Data>PHg+PC94Pg==</Data></DxpMsg>"
    )
    answer = post(world.client("platform"), envelope)
    # An enveloped message is answered in an envelope: the CEB900 is its Data.
    assert answer.status_code == 400
    reply = etree.fromstring(answer.content)
    assert reply.tag == "{http://www.chinaport.gov.cn/dxp}DxpMsg"
    data = base64.b64decode(reply.findtext("{http://www.chinaport.gov.cn/dxp}Data"))
    answer.content = data
    receipt = format_receipt(answer)
    assert receipt["oriCopMsgId"] == "MSG-2026-000001"
    assert receipt["oriMessageType"] == "CEB311Message"
    # Its Data is <x/>, not the CEB311Message its MsgType says: a format error.
    assert receipt["returnStatus"] == "-0001"
    assert receipt["returnInfo"].startswith("0001") and "MsgType" in receipt["returnInfo"]


def test_many_problems_are_cut_to_the_5000_characters_of_returninfo(world):
    orders = [world.declaration(n)["order"] for n in range(1, 61)]
    root = etree.fromstring(ceb_message("CEB311", orders))
    for head in root.iterfind("ceb:Order/ceb:OrderHead", NS):
        head.insert(0, etree.Element(f"{{{ceb.CEB_NS}}}channel"))
    receipt = format_receipt(post(world.client("platform"), pretty(etree.tostring(root))))
    assert len(receipt["returnInfo"]) == ceb.MAX_FORMAT_INFO and receipt["returnInfo"].endswith("…")


def test_lenient_mode_reads_the_message_field_by_field_and_says_why(world, order_message, settings, caplog):
    settings.CEB_SCHEMA_VALIDATION = "lenient"
    body = edited(order_message, swap("buyerName", "buyerIdNumber"))

    with caplog.at_level(logging.WARNING, logger="declarations.ceb"):
        answer = post(world.client("platform"), body)

    assert answer.status_code == 200, answer.content[:500]
    assert_valid_ceb(answer.content)
    root = etree.fromstring(answer.content)
    assert root.tag == f"{{{ceb.CEB_NS}}}CEB312Message"
    assert root.findtext(".//ceb:returnStatus", namespaces=NS) in ("2", "120")
    info = root.findtext(".//ceb:returnInfo", namespaces=NS)
    assert "not valid against the CEB schema" in info and "ceb:buyerIdNumber" in info
    assert Order.objects.count() == 1
    (record,) = [r for r in caplog.records if r.name == "declarations.ceb"]
    assert GUID in record.getMessage() and "ceb:buyerIdNumber" in record.getMessage()
    assert world.declaration(1)["order"]["buyer_id_number"] not in record.getMessage()  # no personal data


def test_lenient_mode_still_refuses_a_message_it_cannot_read(world, order_message, settings):
    settings.CEB_SCHEMA_VALIDATION = "lenient"
    other_namespace = order_message.replace(ceb.CEB_NS.encode(), b"http://www.chinaport.gov.cn/cebx")
    receipt = format_receipt(post(world.client("platform"), other_namespace))
    assert "expected namespace http://www.chinaport.gov.cn/ceb" in receipt["returnInfo"]
    assert receipt["oriCopMsgId"] == GUID and receipt["oriMessageType"] == "Unknown"
    answer = post(world.client("platform"), order_message[:-20])  # not well-formed: as before
    assert answer.status_code == 400 and answer.json()["code"] == "0001"
    assert Order.objects.count() == 0


def test_without_the_xsds_the_endpoint_fails_naming_the_setting(world, order_message, monkeypatch, tmp_path):
    monkeypatch.setenv("CEB_SCHEMA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="CEB_SCHEMA_DIR"):
        post(world.client("platform"), order_message)
    assert Order.objects.count() == 0


def test_validation_is_safe_across_threads(world, order_message):
    """lxml keeps the error log on the shared schema: each thread must get its own message's answer."""
    bad = edited(order_message, swap("buyerName", "buyerIdNumber"))

    def check(body: bytes) -> str:
        try:
            ceb.parse_message(body, mode="strict")
        except ceb.CebSchemaError as error:
            return error.problems[0].element
        return "valid"

    bodies = [order_message, bad] * 40
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(check, bodies))
    assert answers == ["valid", "ceb:buyerIdNumber"] * 40
