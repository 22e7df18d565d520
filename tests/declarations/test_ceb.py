"""CEB XML in and out: the official samples, receipts valid against the XSD, and hostile bodies.

No database: these are plain functions over bytes. The official schemas and samples live in a shared
folder outside the repository (CEB_SCHEMA_DIR or ../shared/ceb/xsd); without it the module is skipped.
"""

from __future__ import annotations

import pickle
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from lxml import etree

from declarations import ceb

XSD_DIR = ceb.schema_dir()
SAMPLES = XSD_DIR.parent / "samples" / "import"
if not (XSD_DIR / ceb.IMPORT_XSD).is_file() or not SAMPLES.is_dir():
    pytest.skip(f"official CEB schemas/samples not found at {XSD_DIR}", allow_module_level=True)

NS = {"ceb": ceb.CEB_NS}
PASSWD_MARKERS = ("root:", "/bin/sh", "/bin/bash", "nologin")
BASE_TRANSFER = (
    "<ceb:BaseTransfer><ceb:copCode>1101180326</ceb:copCode><ceb:copName>物流企业</ceb:copName>"
    "<ceb:dxpMode>DXP</ceb:dxpMode><ceb:dxpId>DXPLGS0000000001</ceb:dxpId></ceb:BaseTransfer>"
)


def sample(name: str) -> bytes:
    return (SAMPLES / f"{name}Message.xml").read_bytes()


def message(body: str, root: str = "CEB411Message", ns: str = ceb.CEB_NS) -> bytes:
    """A small hand-written message around `body`, prefixed `ceb`, as partners send them."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ceb:{root} guid="{"A" * 36}" version="1.0" '
        f'xmlns:ceb="{ns}">{body}</ceb:{root}>'
    ).encode()


def payment(number: int = 1) -> str:
    return (
        f"<ceb:Payment><ceb:PaymentHead><ceb:guid>{'B' * 36}</ceb:guid>"
        f"<ceb:payTransactionId>P{number:05d}</ceb:payTransactionId></ceb:PaymentHead></ceb:Payment>"
    )


def assert_rejected(body: bytes, code: str, mode: str = "strict") -> ceb.CebError:
    with pytest.raises(ceb.CebError) as excinfo:
        ceb.parse_message(body, mode=mode)
    error = excinfo.value
    assert error.code == code, error.message
    assert error.message and str(error).startswith(code)
    assert not any(marker in error.message for marker in PASSWD_MARKERS)
    return error


# --- names ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("element", "field"),
    [
        ("orderNo", "order_no"),
        ("acturalPaid", "actual_paid"),
        ("qty1", "qty1"),
        ("unit2", "unit2"),
        ("gnum", "gnum"),
        ("POD", "pod"),
        ("guid", "guid"),
        ("ebpCode", "ebp_code"),
        ("payTransactionId", "pay_transaction_id"),
        ("consigneeDistrict", "consignee_district"),
        ("ieFlag", "ie_flag"),
        ("dxpId", "dxp_id"),
        ("itemRecordNo", "item_record_no"),
        ("returnInfo", "return_info"),
    ],
)
def test_to_snake(element, field):
    assert ceb.to_snake(element) == field


@pytest.mark.parametrize(
    ("declaration", "receipt"),
    [
        ("CEB311", "CEB312"),
        ("CEB411", "CEB412"),
        ("CEB511", "CEB512"),
        ("CEB513", "CEB514"),
        ("CEB621", "CEB622"),
    ],
)
def test_receipt_type_for(declaration, receipt):
    assert ceb.receipt_type_for(declaration) == receipt
    assert ceb.receipt_type_for(f"{declaration}Message") == receipt


def test_receipt_type_for_unknown_type():
    with pytest.raises(ValueError):
        ceb.receipt_type_for("CEB816")


# --- official declaration samples --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "documents", "first_keys"),
    [
        ("CEB311", 6, {"order_no", "ebp_code", "actual_paid", "buyer_id_number", "consignee_district"}),
        ("CEB411", 10, {"pay_code", "pay_transaction_id", "amount_paid", "payer_id_number"}),
        ("CEB511", 6, {"logistics_code", "logistics_no", "bill_no", "insured_fee", "pack_no"}),
        ("CEB513", 10, {"logistics_no", "logistics_status", "logistics_time"}),
        ("CEB621", 10, {"order_no", "cop_no", "pre_no", "invt_no", "ie_flag", "gross_weight"}),
    ],
)
def test_official_samples_parse(name, documents, first_keys):
    parsed = ceb.parse_message(sample(name))
    assert parsed.message_type == name
    assert parsed.guid == "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"
    assert len(parsed.documents) == documents
    first = parsed.documents[0]
    assert first_keys <= set(first)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", key) for key in first)
    assert all(isinstance(value, str) for key, value in first.items() if key != "items")
    assert parsed.base_transfer["cop_code"] == "1101180326"
    assert parsed.base_transfer["dxp_mode"] == "DXP"
    assert set(parsed.base_transfer) == {"cop_code", "cop_name", "dxp_mode", "dxp_id", "note"}
    assert parsed.has_signature


def test_ceb311_values_are_strings_as_written():
    order = ceb.parse_message(sample("CEB311")).documents[0]
    assert "actural_paid" not in order
    assert order["actual_paid"] == "19050"
    assert order["order_no"] == "order20160321116421002"
    assert order["ebp_name"] == "东方物通科技(北京)有限公司"
    assert len(order["items"]) == 2
    assert order["items"][0]["gnum"] == "1"
    assert order["items"][0]["note"] == ""
    assert order["items"][1]["total_price"] == "12000"


def test_ceb621_documents_have_lines():
    inventory = ceb.parse_message(sample("CEB621")).documents[0]
    assert inventory["order_no"] == "order2016030811340001"
    assert inventory["pre_no"] == ""
    assert len(inventory["items"]) >= 2
    assert all(item["gcode"] for item in inventory["items"])
    assert {"qty1", "unit1", "item_record_no"} <= set(inventory["items"][0])


@pytest.mark.parametrize("name", ["CEB311", "CEB411"])
def test_bom_is_optional(name):
    body = sample(name).removeprefix(b"\xef\xbb\xbf")
    assert ceb.parse_message(b"\xef\xbb\xbf" + body) == ceb.parse_message(body)


@pytest.mark.parametrize(
    "rewrite",
    [
        pytest.param(lambda b: b.replace(b"ceb:", b"").replace(b"xmlns:ceb=", b"xmlns="), id="default-ns"),
        pytest.param(
            lambda b: b.replace(b"ceb:", b"x:").replace(b"xmlns:ceb=", b"xmlns:x="), id="other-prefix"
        ),
    ],
)
def test_root_is_found_by_namespace_not_prefix(rewrite):
    body = rewrite(sample("CEB511"))
    assert b"ceb:" not in body
    parsed = ceb.parse_message(body)
    assert parsed.message_type == "CEB511"
    assert parsed.documents[0]["logistics_no"] == "L201603081138007"


EXTRAS = (
    "<ceb:ExtendMessage><ceb:name>x</ceb:name><ceb:version>1</ceb:version><ceb:Message><a><b/></a>"
    "</ceb:Message></ceb:ExtendMessage><ceb:BaseSubscribe><ceb:status>ALL</ceb:status>"
    "</ceb:BaseSubscribe><!-- remark --><other:thing xmlns:other='urn:x'>1</other:thing>"
)


def test_lenient_reader_accepts_extras_anywhere():
    body = message(EXTRAS + payment(1) + BASE_TRANSFER + EXTRAS + payment(2))
    parsed = ceb.parse_message(body, mode="lenient")
    assert [doc["pay_transaction_id"] for doc in parsed.documents] == ["P00001", "P00002"]
    assert parsed.base_transfer["note"] == ""
    assert not parsed.has_signature
    assert parsed.schema_problems and parsed.schema_problems[0].line == 2


def test_strict_reader_refuses_what_the_xsd_refuses():
    body = message(EXTRAS + payment(1) + BASE_TRANSFER + EXTRAS + payment(2))
    error = assert_rejected(body, "0002")
    assert isinstance(error, ceb.CebSchemaError)
    assert error.cop_msg_id == "A" * 36 and error.message_type == "CEB411Message"
    assert str(error.problems[0]).startswith(
        "line 2: element 'ceb:ExtendMessage': This element is not expected."
    )


def test_schema_is_the_default():
    with pytest.raises(ceb.CebSchemaError):
        ceb.parse_message(message(payment(1) + BASE_TRANSFER))


def test_values_are_stripped_and_not_converted():
    body = message(
        "<ceb:Payment><ceb:PaymentHead><ceb:amountPaid>\n  019050.50  </ceb:amountPaid><ceb:note/>"
        "</ceb:PaymentHead></ceb:Payment>" + BASE_TRANSFER
    )
    head = ceb.parse_message(body, mode="lenient").documents[0]
    assert head == {"amount_paid": "019050.50", "note": ""}


# --- structural problems (0002) of a message taken in lenient mode -----------------------------------


@pytest.mark.parametrize(
    ("body", "root", "missing"),
    [
        (BASE_TRANSFER, "CEB411Message", "Payment"),
        ("<ceb:Payment/>" + BASE_TRANSFER, "CEB411Message", "PaymentHead"),
        (payment(1), "CEB411Message", "BaseTransfer"),
        (
            payment(1) + BASE_TRANSFER + BASE_TRANSFER.replace("1101180326", "1101180327"),
            "CEB411Message",
            "BaseTransfer",
        ),
        ("<ceb:Order><ceb:OrderList/></ceb:Order>" + BASE_TRANSFER, "CEB311Message", "OrderHead"),
        ("<ceb:Order><ceb:OrderHead/></ceb:Order>" + BASE_TRANSFER, "CEB311Message", "OrderList"),
        (
            "<ceb:Inventory><ceb:InventoryList/></ceb:Inventory>" + BASE_TRANSFER,
            "CEB621Message",
            "InventoryHead",
        ),
        (
            "<ceb:Payment><ceb:PaymentHead><ceb:payCode>1</ceb:payCode><ceb:payCode>2</ceb:payCode>"
            "</ceb:PaymentHead></ceb:Payment>" + BASE_TRANSFER,
            "CEB411Message",
            "payCode",
        ),
    ],
)
def test_structural_problems_name_what_is_wrong(body, root, missing):
    error = assert_rejected(message(body, root), "0002", mode="lenient")
    assert missing in error.message


def test_at_most_100_documents():
    body = message("".join(map(payment, range(100))) + BASE_TRANSFER)
    assert len(ceb.parse_message(body, mode="lenient").documents) == 100
    error = assert_rejected(message("".join(map(payment, range(101))) + BASE_TRANSFER), "0002", "lenient")
    assert "101" in error.message


def test_at_most_99_lines_per_order():
    head = "<ceb:OrderHead><ceb:orderNo>1</ceb:orderNo></ceb:OrderHead>"
    lines = "<ceb:OrderList><ceb:gnum>1</ceb:gnum></ceb:OrderList>" * 100
    body = message(f"<ceb:Order>{head}{lines}</ceb:Order>{BASE_TRANSFER}", "CEB311Message")
    assert_rejected(body, "0002", "lenient")


# --- hostile and broken input --------------------------------------------------------------------------

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE ceb:CEB411Message [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ceb:CEB411Message guid="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" version="1.0"
  xmlns:ceb="http://www.chinaport.gov.cn/ceb"><ceb:Payment><ceb:PaymentHead>
  <ceb:note>&xxe;</ceb:note></ceb:PaymentHead></ceb:Payment></ceb:CEB411Message>"""

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (level, (b"&lol%d;" % (level - 1) if level > 1 else b"&lol;") * 10)
        for level in range(1, 10)
    )
    + b']>\n<ceb:CEB411Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">&lol9;</ceb:CEB411Message>'
)


def nested(depth: int) -> bytes:
    return message("<ceb:ExtendMessage>" * depth + "</ceb:ExtendMessage>" * depth + payment() + BASE_TRANSFER)


HOSTILE = [
    pytest.param(XXE, "0001", id="xxe-file"),
    pytest.param(BILLION_LAUGHS, "0001", id="billion-laughs"),
    pytest.param(b"<!DOCTYPE CEB411Message>" + message(payment() + BASE_TRANSFER), "0001", id="doctype-bare"),
    pytest.param(
        b'<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">' + message(payment() + BASE_TRANSFER),
        "0001",
        id="doctype-external",
    ),
    pytest.param(
        b'<!DOCTYPE x PUBLIC "-//X//EN" "x.dtd">' + message(payment() + BASE_TRANSFER),
        "0001",
        id="doctype-public",
    ),
    pytest.param(b"\xef\xbb\xbf<!doctype x>" + message(payment()), "0001", id="doctype-lowercase-after-bom"),
    pytest.param(message("<ceb:note><![CDATA[<!ENTITY a 'b'>]]></ceb:note>"), "0001", id="entity-text"),
    pytest.param(nested(100), "0001", id="nesting-100"),
    pytest.param(nested(40), "0001", id="nesting-40"),
    pytest.param(message(payment()).replace(b"P00001", b"P\xff\xfe01"), "0001", id="invalid-utf8"),
    pytest.param(b"\xc3\x28" + message(payment()), "0001", id="invalid-utf8-start"),
    pytest.param(
        message(payment()).replace(b'encoding="UTF-8"', b'encoding="GBK"'), "0001", id="gbk-declared"
    ),
    pytest.param("订单".encode("utf-16") + message(payment()), "0001", id="utf16"),
    pytest.param(b"order_no=1&ebp_code=2", "0001", id="form-data"),
    pytest.param(b'{"order_no": "1"}', "0001", id="json"),
    pytest.param(b"", "0001", id="empty"),
    pytest.param(b" \n\t ", "0001", id="blank"),
    pytest.param(b"\xef\xbb\xbf", "0001", id="bom-only"),
    pytest.param(message(payment())[:-10], "0001", id="truncated"),
    pytest.param(message(payment()).replace(b"</ceb:Payment>", b""), "0001", id="unclosed-tag"),
    pytest.param(message(payment() + BASE_TRANSFER, "CEB999Message"), "0999", id="unknown-root"),
    pytest.param(
        message(payment() + BASE_TRANSFER, "CEB412Message"), "0999", id="receipt-is-not-declaration"
    ),
    pytest.param(message(payment() + BASE_TRANSFER, "Payment"), "0999", id="document-as-root"),
    pytest.param(
        message(payment() + BASE_TRANSFER, ns="http://www.chinaport.gov.cn/cebx"),
        "0002",
        id="wrong-namespace",
    ),
    pytest.param(
        message(payment() + BASE_TRANSFER).replace(b':ceb="http://www.chinaport.gov.cn/ceb"', b':ceb=""'),
        "0001",
        id="empty-namespace",
    ),
    pytest.param(
        b'<CEB411Message guid="x" version="1.0"><Payment><PaymentHead/></Payment></CEB411Message>',
        "0002",
        id="no-namespace",
    ),
]


@pytest.mark.parametrize(("body", "code"), HOSTILE)
def test_hostile_input_is_rejected(body, code):
    assert_rejected(body, code)


def test_body_over_10_mib_is_rejected_before_parsing():
    filler = "<ceb:BaseSubscribe/>\n"
    count = (ceb.MAX_BODY_BYTES - len(message(payment() + BASE_TRANSFER))) // len(filler)
    body = message(payment() + BASE_TRANSFER + filler * count)
    body = body.replace(b"?>", b"?>" + b" " * (ceb.MAX_BODY_BYTES - len(body)), 1)
    assert len(body) == ceb.MAX_BODY_BYTES
    assert ceb.parse_message(body, mode="lenient").documents
    too_large = body + b" "
    assert len(too_large) == 10 * 1024 * 1024 + 1
    error = assert_rejected(too_large, "0001")
    assert isinstance(error, ceb.CebBodyTooLarge)
    assert "size" in error.message and str(ceb.MAX_BODY_BYTES) in error.message


def test_nesting_within_limit_is_accepted():
    assert ceb.parse_message(nested(20), mode="lenient").documents


def test_parser_itself_never_expands_entities():
    """Defence in depth: even if the DOCTYPE screen were bypassed, the parser reads no file."""
    root = etree.fromstring(XXE, ceb.hardened_parser())
    text = etree.tostring(root, encoding="unicode")
    assert not any(marker in text for marker in PASSWD_MARKERS)


# --- schema validation of the official receipts --------------------------------------------------------


@pytest.mark.parametrize("name", ["CEB312", "CEB412", "CEB512", "CEB514", "CEB622"])
def test_official_receipt_samples_are_schema_valid(name):
    assert ceb.schema_errors(sample(name)) == []


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        pytest.param(
            lambda b: re.sub(rb"<returnInfo>.*?</returnInfo>", b"", b, count=1), "returnInfo", id="missing"
        ),
        pytest.param(
            lambda b: b.replace(b"<returnTime>20160428", b"<returnTime>2016", 1), "returnTime", id="length"
        ),
        pytest.param(
            lambda b: b.replace(b'xmlns="http://www.chinaport.gov.cn/ceb"', b""), "CEB312", id="no-ns"
        ),
        pytest.param(lambda b: b[: len(b) // 2], "well-formed", id="truncated"),
    ],
)
def test_broken_receipt_is_schema_invalid(broken, expected):
    errors = ceb.schema_errors(broken(sample("CEB312")))
    assert errors
    assert any(expected in error for error in errors), errors


def test_declaration_samples_are_schema_valid_too():
    assert ceb.schema_errors(sample("CEB621")) == []


def test_schema_folder_from_environment(monkeypatch):
    monkeypatch.setenv("CEB_SCHEMA_DIR", str(XSD_DIR))
    assert ceb.schema_dir() == XSD_DIR
    assert ceb.schema_errors(sample("CEB622")) == []


def test_errors_survive_pickling():
    for error in (
        ceb.CebError("0002", "Order #1 has no OrderHead"),
        ceb.CebBodyTooLarge(ceb.MAX_BODY_BYTES + 1),
        ceb.CebSchemaError(
            [ceb.SchemaProblem(12, "ceb:buyerIdNumber", "This element is not expected.")],
            message_type="CEB311Message",
            cop_msg_id="A" * 36,
        ),
    ):
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
        assert (type(copy), copy.code, copy.message, str(copy)) == (
            type(error),
            error.code,
            error.message,
            str(error),
        )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(message(payment(1) + BASE_TRANSFER), id="plain"),
        pytest.param(
            message(
                payment(1).replace(
                    "</ceb:PaymentHead>", "<ceb:note><![CDATA[a]]></ceb:note></ceb:PaymentHead>"
                )
                + BASE_TRANSFER
            ),
            id="cdata-in-body",
        ),
    ],
)
def test_format_receipt_echoes_the_message_and_is_schema_valid(body):
    with pytest.raises(ceb.CebSchemaError) as excinfo:
        ceb.parse_message(body)
    xml = ceb.build_format_receipt(excinfo.value, b"\xef\xbb\xbf" + body)
    assert ceb.schema_errors(xml) == []
    answer = etree.fromstring(xml).find("ceb:MessageReturn", NS)
    assert answer.findtext("ceb:returnStatus", namespaces=NS) == "-0002"
    assert answer.findtext("ceb:returnInfo", namespaces=NS).startswith("0002 ")
    assert answer.findtext("ceb:oriCopMsgId", namespaces=NS) == "A" * 36
    assert answer.findtext("ceb:oriMessageType", namespaces=NS) == "CEB411Message"
    assert answer.findtext("ceb:oriBizMessage", namespaces=NS).encode() == body


def test_intake_without_the_schema_folder_fails_naming_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("CEB_SCHEMA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="CEB_SCHEMA_DIR"):
        ceb.parse_message(sample("CEB311"))


def test_missing_schema_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("CEB_SCHEMA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="CEB_SCHEMA_DIR"):
        ceb.schema_errors(sample("CEB312"))


# --- building receipts ---------------------------------------------------------------------------------

NASTY_INFO = "海关退单：订购人身份信息校验未通过 & <script>alert('x')</script> > \"quoted\" ]]>"
NOW = "20240131235959123"


def receipt_for(receipt_type: str, number: int) -> dict:
    common = {"return_status": "120", "return_time": NOW, "return_info": f"海关入库 #{number}"}
    if number == 2:
        common |= {"return_status": "-621005", "return_info": NASTY_INFO}
    if number == 3:
        common["guid"] = None  # generated
    else:
        common["guid"] = f"4CDE1CFD-EDED-46B1-946C-B8022E42FC9{number}"
    fields = {
        "CEB312": {"ebp_code": "1105910159", "ebc_code": "1105910159", "order_no": f"order{number}"},
        "CEB412": {"pay_code": "1101110323", "pay_transaction_id": f"P02422500{number}"},
        "CEB512": {"logistics_code": "1101180326", "logistics_no": f"L2016030811380{number}"},
        "CEB514": {"logistics_code": "1101180326", "logistics_no": f"L2016{number}", "logistics_status": "S"},
        "CEB622": {
            "customs_code": "1501" if number != 3 else None,
            "ebp_code": "1105910159",
            "ebc_code": "",
            "agent_code": "1105980159",
            "cop_no": f"cop2016032211000{number}",
            "pre_no": "B20160512000001882",
            "invt_no": "310120240000000001" if number == 2 else None,
        },
    }[receipt_type]
    return common | fields


RECEIPT_ELEMENTS = {
    "CEB312": "OrderReturn",
    "CEB412": "PaymentReturn",
    "CEB512": "LogisticsReturn",
    "CEB514": "LogisticsStatusReturn",
    "CEB622": "InventoryReturn",
}


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("receipt_type", sorted(RECEIPT_ELEMENTS))
def test_built_receipts_are_schema_valid(receipt_type, count):
    receipts = [receipt_for(receipt_type, number) for number in range(1, count + 1)]
    xml = ceb.build_receipt_message(receipt_type, receipts)

    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert ceb.schema_errors(xml) == []
    root = etree.fromstring(xml)
    assert root.tag == f"{{{ceb.CEB_NS}}}{receipt_type}Message"
    assert root.prefix == "ceb"
    assert re.fullmatch(r"[0-9A-F-]{36}", root.get("guid"))
    assert root.get("version") == "1.0"
    returns = root.findall(f"ceb:{RECEIPT_ELEMENTS[receipt_type]}", NS)
    assert len(returns) == count
    assert returns[0].findtext("ceb:guid", namespaces=NS) == "4CDE1CFD-EDED-46B1-946C-B8022E42FC91"
    assert returns[0].findtext("ceb:returnTime", namespaces=NS) == NOW
    if count == 3:
        assert returns[1].findtext("ceb:returnInfo", namespaces=NS) == NASTY_INFO
        assert returns[1].findtext("ceb:returnStatus", namespaces=NS) == "-621005"
        generated = returns[2].findtext("ceb:guid", namespaces=NS)
        assert re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[0-9A-F]{4}-[0-9A-F]{12}", generated)


def test_inventory_receipt_skips_absent_optional_elements():
    receipts = [receipt_for("CEB622", 1), receipt_for("CEB622", 2), receipt_for("CEB622", 3)]
    root = etree.fromstring(ceb.build_receipt_message("CEB622", receipts))
    first, second, third = root.findall("ceb:InventoryReturn", NS)
    tags = [etree.QName(child).localname for child in first]
    assert tags == ["guid", "customsCode", "ebpCode", "agentCode", "copNo", "preNo", "returnStatus"] + [
        "returnTime",
        "returnInfo",
    ]
    assert second.findtext("ceb:invtNo", namespaces=NS) == "310120240000000001"
    assert third.find("ceb:customsCode", NS) is None


def test_long_return_info_is_truncated_to_the_xsd_limit():
    receipt = receipt_for("CEB312", 1) | {"return_info": "退" * 999 + "单原因" * 2000}
    xml = ceb.build_receipt_message("CEB312", [receipt])
    assert ceb.schema_errors(xml) == []
    info = etree.fromstring(xml).findtext(".//ceb:returnInfo", namespaces=NS)
    assert len(info) == 1000
    assert info.startswith("退" * 999)


def test_characters_xml_cannot_carry_are_dropped():
    receipt = receipt_for("CEB412", 1) | {"return_info": "bad\x00\x07\x1b byte\ufffe", "return_status": 120}
    xml = ceb.build_receipt_message("CEB412", [receipt])
    assert ceb.schema_errors(xml) == []
    assert etree.fromstring(xml).findtext(".//ceb:returnInfo", namespaces=NS) == "bad byte"


def test_receipt_message_type_may_carry_message_suffix():
    assert ceb.schema_errors(ceb.build_receipt_message("CEB512Message", [receipt_for("CEB512", 1)])) == []


def test_at_most_100_receipts_per_message():
    receipts = [receipt_for("CEB312", 1) | {"guid": None} for _ in range(100)]
    assert ceb.schema_errors(ceb.build_receipt_message("CEB312", receipts)) == []
    with pytest.raises(ValueError, match="100"):
        ceb.build_receipt_message("CEB312", receipts + receipts[:1])


@pytest.mark.parametrize(
    ("receipt_type", "receipts", "match"),
    [
        ("CEB313", [{}], "unsupported receipt type"),
        ("CEB311", [{}], "unsupported receipt type"),
        ("CEB312", [], "at least one"),
        ("CEB312", [receipt_for("CEB312", 1) | {"order_no": ""}], "order_no is required"),
        ("CEB312", [receipt_for("CEB312", 1) | {"return_info": "  "}], "return_info is required"),
        ("CEB312", [receipt_for("CEB312", 1) | {"order_number": "1"}], "unknown keys"),
        ("CEB312", [receipt_for("CEB312", 1) | {"return_time": "20240131"}], "return_time must be 17"),
        ("CEB312", [receipt_for("CEB312", 1) | {"guid": "too-short"}], "guid must be 36"),
        ("CEB514", [receipt_for("CEB514", 1) | {"logistics_status": None}], "logistics_status is required"),
        ("CEB622", [receipt_for("CEB622", 1) | {"pre_no": None}], "pre_no is required"),
        ("CEB622", [receipt_for("CEB622", 1) | {"customs_code": "15011"}], "customs_code must be 4"),
    ],
)
def test_receipts_the_xsd_would_reject_raise_value_error(receipt_type, receipts, match):
    with pytest.raises(ValueError, match=match):
        ceb.build_receipt_message(receipt_type, receipts)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2024, 1, 31, 23, 59, 59, 123456), "20240131235959123"),
        (datetime(2024, 1, 31, 23, 59, 59), "20240131235959000"),
        (datetime(2024, 1, 31, 15, 59, 59, 999999, tzinfo=UTC), "20240131235959999"),
        (datetime(2024, 1, 31, 23, 0, 0, 1000, tzinfo=timezone(timedelta(hours=8))), "20240131230000001"),
    ],
)
def test_return_time(moment, expected):
    assert ceb.return_time(moment) == expected
    assert len(ceb.return_time(moment)) == 17
