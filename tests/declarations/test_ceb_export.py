"""Export messages as CEB XML: the official CEB303/403/505/603 samples parse, partners post them to
/api/v1/ceb/ and get CEB304/404/506/604 receipts valid against the export schema."""

import pytest
from lxml import etree

from declarations import ceb
from declarations.models import ExportInventoryList

from ..ceb_messages import ceb_message
from ..conftest import assert_valid_ceb

pytestmark = pytest.mark.django_db
SAMPLES = ceb.schema_dir().parent / "samples" / "export"

MESSAGE_OF = {
    "export_order": "CEB303",
    "receipt_of_payment": "CEB403",
    "export_waybill": "CEB505",
    "export_inventory": "CEB603",
}


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="official CEB samples not found")
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("CEB303", {"order_type", "order_no", "goods_value", "items"}),
        ("CEB403", {"order_no", "charge", "accounting_date", "pay_no"}),
        ("CEB505", {"logistics_no", "gross_weight", "goods_info"}),
        ("CEB603", {"cop_no", "statistics_flag", "pod", "f_currency", "i_flag", "items"}),
    ],
)
def test_official_export_samples_parse(name, keys):
    # They repeat their BaseTransfer (the XSD allows one): the reader accepts identical repeats, and
    # so does the schema check that comes first (strict, the default).
    parsed = ceb.parse_message((SAMPLES / f"{name}Message.xml").read_bytes(), mode="strict")
    assert parsed.message_type == name and parsed.documents
    assert keys <= set(parsed.documents[0])
    assert parsed.base_transfer["cop_code"] == "1105910159"


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="official CEB samples not found")
# (The official CEB792 sample lacks its gseqno elements; what the window writes is checked in
# tests/declarations/test_exports.py.)
@pytest.mark.parametrize("name", ["CEB304", "CEB404", "CEB506", "CEB604", "CEB701"])
def test_official_export_receipts_are_schema_valid(name):
    assert_valid_ceb((SAMPLES / f"{name}Message.xml").read_bytes())


def test_an_export_declared_as_ceb_xml_is_released_with_valid_receipts(
    world, django_capture_on_commit_callbacks
):
    docs = world.export(1, trade_mode="9710")
    who = {
        "export_order": "seller",
        "receipt_of_payment": "payment",
        "export_waybill": "logistics",
        "export_inventory": "seller",
    }
    # valid against the XSD (which refuses the whole message otherwise), refused by the field rules
    bad = dict(
        docs["export_waybill"], logistics_no=docs["export_waybill"]["logistics_no"] + "X", gross_weight="-1"
    )
    with django_capture_on_commit_callbacks(execute=True):
        for kind, message_type in MESSAGE_OF.items():
            documents = [docs[kind], bad] if kind == "export_waybill" else [docs[kind]]
            answer = world.client(who[kind]).post(
                "/api/v1/ceb/", ceb_message(message_type, documents), content_type="application/xml"
            )
            assert answer.status_code == 200, answer.content[:500]
            assert_valid_ceb(answer.content)
            root = etree.fromstring(answer.content)
            assert root.tag == f"{{{ceb.CEB_NS}}}{ceb.receipt_type_for(message_type)}Message"
            statuses = [e.text for e in root.iter(f"{{{ceb.CEB_NS}}}returnStatus")]
            assert statuses[0] in ("120", "2")
            if kind == "export_waybill":
                assert statuses[1] == "100"
                infos = [e.text for e in root.iter(f"{{{ceb.CEB_NS}}}returnInfo")]
                assert "gross_weight" in infos[1]
    inventory = ExportInventoryList.objects.get()
    assert inventory.status == "released", inventory.status_reason
