"""Intake checks every code against the code tables (DOMAIN 8) and every telephone's form: a bad one is
400 naming its field, in JSON and CEB XML alike, for imports and exports; a code that expired is refused;
the check costs no query per document."""

import copy
from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree

from declarations import ceb, services
from declarations.choices import DocumentKind
from declarations.codes import code_errors
from declarations.models import ExportInventoryList, InventoryList, Order
from sharing.models import CodeTableEntry
from sharing.selectors import code_cache_clear

from .test_intake import _set, post_xml, to_ceb

pytestmark = pytest.mark.django_db


@pytest.fixture
def codes_changed():
    """For a test that edits the tables: the cache the edit cleared is cleared again once the test's
    transaction is rolled back, so the next test sees the seeded tables."""
    yield
    code_cache_clear()


# (document, field path, bad value, field named in the error)
BAD = [
    ("inventory", "customs_code", "海关海关", "customs_code"),
    ("inventory", "customs_code", "0000", "customs_code"),
    ("inventory", "port_code", "ABCD", "port_code"),
    ("inventory", "port_code", "9998", "port_code"),
    ("inventory", "buyer_telephone", "abc", "buyer_telephone"),
    ("inventory", "buyer_telephone", "12-34", "buyer_telephone"),
    ("inventory", "items.0.country", "999", "items.0.country"),
    ("inventory", "items.0.unit", "ABC", "items.0.unit"),
    ("inventory", "items.0.unit1", "024", "items.0.unit1"),
    ("inventory", "items.0.trade_country", "999", "items.0.trade_country"),
    ("inventory", "traf_mode", "Q", "traf_mode"),
    ("inventory", "wrap_type", "9", "wrap_type"),
    ("inventory", "country", "140", "country"),
    ("order", "consignee_district", "33010", "consignee_district"),
    ("order", "consignee_district", "339999", "consignee_district"),
    ("order", "consignee_district", "110103", "consignee_district"),  # merged away in 2010
    ("order", "buyer_telephone", "call me", "buyer_telephone"),
    ("order", "consignee_telephone", "+86 abc 1234", "consignee_telephone"),
    ("order", "items.0.country", "999", "items.0.country"),
    ("order", "items.0.unit", "000", "items.0.unit"),
    ("payment", "telephone", "abc", "telephone"),
    ("waybill", "consignee_telephone", "abc", "consignee_telephone"),
]


@pytest.mark.parametrize(("kind", "path", "value", "field"), BAD, ids=[f"{b[0]}-{b[1]}-{b[2]}" for b in BAD])
def test_a_bad_code_is_400_naming_the_field(world, kind, path, value, field):
    bad = copy.deepcopy(world.declaration(1)[kind])
    _set(bad, path, value)
    answer = world.post(kind, bad)
    assert answer.status_code == 400, answer.json()
    assert set(answer.json()["fields"]) == {field}
    # in a batch the good document is stored and the bad one listed with its errors
    batch = world.post(kind, [world.declaration(2)[kind], bad])
    assert [r["outcome"] for r in batch.json()["receipts"]] == ["accepted", "rejected"]
    assert field in batch.json()["receipts"][1]["errors"]


def test_the_message_says_what_a_code_looks_like_and_where_the_codes_are(world):
    inventory = world.declaration(1)["inventory"]

    def fields(language, **changes):
        answer = world.client("seller").post(
            "/api/v1/inventories/", {**inventory, **changes}, format="json", HTTP_ACCEPT_LANGUAGE=language
        )
        return answer.json()["fields"]

    assert fields("en", customs_code="海关海关") == {
        "customs_code": ["A customs district code has 4 digits, e.g. 2928."]
    }
    assert fields("zh-CN", customs_code="海关海关") == {"customs_code": ["关区代码为 4 位数字，如 2928。"]}
    unknown = fields("en", customs_code="0000")["customs_code"][0]
    assert '"0000"' in unknown and "/api/v1/code-tables/customs_district/" in unknown
    assert "telephone" in fields("en", buyer_telephone="abc")["buyer_telephone"][0]


def test_valid_codes_and_telephones_pass(world):
    docs = world.declaration(1)
    docs["order"]["consignee_district"] = "330114"  # Hangzhou's Qiantang district, 2021
    docs["order"]["buyer_telephone"] = "+86 (571) 8765-4321"
    docs["inventory"]["buyer_telephone"] = docs["order"]["buyer_telephone"]
    docs["inventory"]["wrap_type"] = ""  # optional: not checked when empty
    docs["inventory"]["items"][0]["trade_country"] = "609"
    answers = world.declare(docs)
    assert {kind: a.status_code for kind, a in answers.items()} == dict.fromkeys(answers, 201)
    assert InventoryList.objects.get().customs_code == "2928"


def test_a_code_that_expired_is_refused_and_a_new_one_accepted_at_once(world, codes_changed):
    yesterday = timezone.localdate() - timedelta(days=1)
    CodeTableEntry.objects.filter(table="wrap_type", code="2").update(valid_until=yesterday)
    CodeTableEntry.objects.create(
        table="wrap_type", code="8", name_zh="测试", name_en="Test", valid_from=timezone.localdate()
    )
    # a queryset update sends no signal: the admin saves one row, which clears the process's cache
    CodeTableEntry.objects.get(table="wrap_type", code="1").save()
    inventory = world.declaration(1)["inventory"]
    refused = world.post("inventory", inventory)
    assert refused.status_code == 400 and set(refused.json()["fields"]) == {"wrap_type"}
    assert world.post("inventory", {**inventory, "wrap_type": "8"}).status_code == 201


def test_a_code_not_yet_valid_is_refused(world, codes_changed):
    CodeTableEntry.objects.create(
        table="country",
        code="357",
        name_zh="测试国",
        name_en="Testland",
        valid_from=timezone.localdate() + timedelta(days=1),
    )
    inventory = copy.deepcopy(world.declaration(1)["inventory"])
    inventory["items"][0]["country"] = "357"
    answer = world.post("inventory", inventory)
    assert answer.status_code == 400 and set(answer.json()["fields"]) == {"items.0.country"}


def test_ceb_xml_is_refused_with_the_field_in_the_receipt(world):
    docs = [world.declaration(n)["inventory"] for n in (1, 2)]
    docs[1] = {**docs[1], "port_code": "ABCD"}
    answer = post_xml(world.client("seller"), to_ceb("inventory", docs))
    assert answer.status_code == 200
    tree = etree.fromstring(answer.content)
    statuses = [e.text for e in tree.iter(f"{{{ceb.CEB_NS}}}returnStatus")]
    infos = [e.text for e in tree.iter(f"{{{ceb.CEB_NS}}}returnInfo")]
    assert statuses[1] == "100" and infos[1].startswith("port_code:")
    assert InventoryList.objects.count() == 1


EXPORT_BAD = [
    ("export_inventory", "customs_code", "海关海关", "customs_code"),
    ("export_inventory", "port_code", "ABCD", "port_code"),
    ("export_inventory", "traf_mode", "Q", "traf_mode"),
    ("export_inventory", "wrap_type", "9", "wrap_type"),
    ("export_inventory", "f_currency", "999", "f_currency"),
    ("export_inventory", "items.0.unit", "ABC", "items.0.unit"),
    ("export_inventory", "items.0.country", "999", "items.0.country"),
    ("export_order", "items.0.unit", "999", "items.0.unit"),
    ("receipt_of_payment", "currency", "999", "currency"),
    ("export_waybill", "currency", "ABC", "currency"),
    ("export_waybill", "ebc_telephone", "abc", "ebc_telephone"),
]


@pytest.mark.parametrize(
    ("kind", "path", "value", "field"), EXPORT_BAD, ids=[f"{b[0]}-{b[1]}-{b[2]}" for b in EXPORT_BAD]
)
def test_export_documents_are_checked_too(world, kind, path, value, field):
    docs = world.export(1, trade_mode="9710")
    _set(docs[kind], path, value)
    answer = world.declare_export(docs, kinds=(kind,))[kind]
    assert answer.status_code == 400, answer.json()
    assert set(answer.json()["fields"]) == {field}


def test_a_valid_export_still_passes(world):
    answers = world.declare_export(world.export(1, trade_mode="9710"))
    assert {a.status_code for a in answers.values()} == {201}
    assert ExportInventoryList.objects.get().port_code == "2928"


def test_cancels_and_returns_have_their_codes_checked_by_the_same_function():
    cancel = {"customs_code": "0000", "buyer_telephone": "abc"}
    assert set(code_errors(DocumentKind.CANCEL, cancel)) == {"customs_code", "buyer_telephone"}
    refund = {
        "customs_code": "2928",
        "buyer_telephone": "13800000000",
        "items": [{"unit": "007"}, {"unit": "9"}],
    }
    assert set(code_errors(DocumentKind.REFUND, refund)) == {"items.1.unit"}


def test_checking_a_batch_costs_one_query_when_cold_and_none_when_warm(world, django_assert_num_queries):
    orders = [world.declaration(n)["order"] for n in range(1, 41)]
    code_cache_clear()
    with django_assert_num_queries(1):
        results = services.validate_documents("order", orders)
    assert all(data is not None for data, _errors in results)
    with django_assert_num_queries(0):
        services.validate_documents("order", orders)
    assert not Order.objects.exists()
