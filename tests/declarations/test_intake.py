"""Intake: the table of bad inputs, the CEB XML endpoint, and XML/JSON giving the same results."""

import copy
from pathlib import Path

import pytest
from lxml import etree

from declarations import ceb
from declarations.models import InventoryList, Order, Payment, Receipt, Waybill

from ..ceb_messages import ceb_message
from ..conftest import assert_valid_ceb
from ..factories import ClearanceWorld

pytestmark = pytest.mark.django_db

MODELS = {"order": Order, "payment": Payment, "waybill": Waybill, "inventory": InventoryList}


def _set(doc: dict, path: str, value):
    target = doc
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    if value is DELETE:
        target.pop(last)
    else:
        target[last] = value


DELETE = object()

# (document, field path to change, new value, field named in the error)
BAD = [
    ("order", "order_no", DELETE, "order_no"),
    ("order", "order_no", "N" * 61, "order_no"),
    ("order", "ebp_name", "", "ebp_name"),
    ("order", "goods_value", "-1.00", "goods_value"),
    ("order", "goods_value", "12.123456", "goods_value"),
    ("order", "goods_value", "abc", "goods_value"),
    ("order", "actual_paid", "1.00", "actual_paid"),  # R1: arithmetic that does not add up
    ("order", "currency", "502", "currency"),  # import is CNY only
    ("order", "buyer_id_type", "2", "buyer_id_type"),
    ("order", "buyer_id_number", "330106199001011235", "buyer_id_number"),  # wrong check digit
    ("order", "buyer_id_number", "330106199002301234", "buyer_id_number"),  # impossible date
    ("order", "items", [], "items"),
    ("order", "items.0.total_price", "999999.00", "items"),  # R4 line total
    ("order", "items.0.qty", "0", "items.0.qty"),
    ("order", "items.0.unit", "7", "items.0.unit"),
    ("order", "app_time", "2026-11-25", "app_time"),
    ("order", "guid", "short", "guid"),
    ("order", "order_type", "E", "order_type"),
    ("order", "consignee_address", "址" * 201, "consignee_address"),
    ("order", "ebp_code", "9999999999", "ebp_code"),  # not the poster's own code
    ("order", "note", "' OR 1=1; DROP TABLE declarations_order; --", None),  # stored as text, harmless
    ("payment", "amount_paid", "-5", "amount_paid"),
    ("payment", "pay_transaction_id", DELETE, "pay_transaction_id"),
    ("payment", "payer_id_number", "12345", "payer_id_number"),
    ("payment", "pay_time", "yesterday", "pay_time"),
    ("payment", "currency", "USD", "currency"),
    ("payment", "pay_code", "0000000000", "pay_code"),  # in another enterprise's name
    ("waybill", "pack_no", 2, "pack_no"),  # R7
    ("waybill", "weight", "0", "weight"),
    ("waybill", "logistics_no", "", "logistics_no"),
    ("waybill", "consignee", DELETE, "consignee"),
    ("waybill", "freight", "-3", "freight"),
    ("inventory", "cop_no", DELETE, "cop_no"),
    ("inventory", "assure_code", "SOMEONE-ELSE", "assure_code"),  # R8
    ("inventory", "trade_mode", "0110", "trade_mode"),
    ("inventory", "traf_no", "", "traf_no"),  # required for 9610
    ("inventory", "items.0.gcode", "33049900", "items.0.gcode"),
    ("inventory", "items.0.gname", DELETE, "items.0.gname"),
    ("inventory", "decl_time", "2026112", "decl_time"),
    ("inventory", "customs_code", "29911", "customs_code"),
    ("inventory", "pack_no", 3, "pack_no"),
    ("inventory", "buyer_id_number", "11010519491231002Y", "buyer_id_number"),
    ("inventory", "ebc_code", "0000000000", "ebc_code"),
]


@pytest.mark.parametrize(
    ("kind", "path", "value", "field"), BAD, ids=[f"{b[0]}-{b[1]}-{i}" for i, b in enumerate(BAD)]
)
def test_bad_document_is_400_naming_the_field_and_the_batch_keeps_the_rest(world, kind, path, value, field):
    good = world.declaration(1)[kind]
    other = world.declaration(2)[kind]
    bad = copy.deepcopy(good)
    _set(bad, path, value)
    if field is None:  # SQL-looking text is just text
        answer = world.post(kind, bad)
        assert answer.status_code == 201
        assert MODELS[kind].objects.get().note == value
        return
    single = world.post(kind, bad)
    assert single.status_code == 400, single.json()
    body = single.json()
    assert any(
        name == field or name.startswith(f"{field}.") or name.startswith(field) for name in body["fields"]
    ), body
    assert not MODELS[kind].objects.exists()
    # in a batch, the good document is stored and the bad one listed with its errors
    batch = world.post(kind, [other, bad])
    assert batch.status_code == 400
    receipts = batch.json()["receipts"]
    assert [r["outcome"] for r in receipts] == ["accepted", "rejected"]
    assert MODELS[kind].objects.count() == 1


def test_batch_of_1001_is_refused_whole(world):
    orders = [world.declaration(1)["order"]] * 1001
    answer = world.post("order", orders)
    assert answer.status_code == 413 and "1000" in answer.json()["detail"]
    assert not Order.objects.exists()


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'"text"', b"{}"])
def test_malformed_json_is_4xx(world, body):
    client = world.client("platform")
    answer = client.post("/api/v1/orders/", body, content_type="application/json")
    assert 400 <= answer.status_code < 500


def test_same_key_twice_in_one_batch(world):
    order = world.declaration(1)["order"]
    answer = world.post("order", [order, dict(order, note="again")])
    assert [r["outcome"] for r in answer.json()["receipts"]] == ["accepted", "rejected"]
    assert "order_no" in answer.json()["receipts"][1]["errors"]


# -- CEB XML --------------------------------------------------------------------------------------

CEB_ROOTS = {"order": "CEB311", "payment": "CEB411", "waybill": "CEB511", "inventory": "CEB621"}


def to_ceb(kind: str, documents: list[dict]) -> bytes:
    """The documents as the CEB message partners post, valid against the XSD."""
    return ceb_message(CEB_ROOTS[kind], documents)


def post_xml(client, body: bytes):
    return client.post("/api/v1/ceb/", body, content_type="application/xml")


@pytest.mark.parametrize("kind", ["order", "payment", "waybill", "inventory"])
def test_ceb_message_is_answered_with_a_schema_valid_receipt(world, kind):
    who = ClearanceWorld.POSTER[kind][0]
    docs = [world.declaration(n)[kind] for n in (1, 2)]
    docs[1] = copy.deepcopy(docs[1])
    bad_field = {
        "order": "actual_paid",
        "payment": "amount_paid",
        "waybill": "weight",
        "inventory": "freight",
    }[kind]
    docs[1][bad_field] = "-1"
    answer = post_xml(world.client(who), to_ceb(kind, docs))
    assert answer.status_code == 200
    assert_valid_ceb(answer.content)
    tree = etree.fromstring(answer.content)
    statuses = [e.text for e in tree.iter(f"{{{ceb.CEB_NS}}}returnStatus")]
    infos = [e.text for e in tree.iter(f"{{{ceb.CEB_NS}}}returnInfo")]
    assert statuses[0] in ("120", "2") and statuses[1] == "100"
    assert bad_field in infos[1]
    assert MODELS[kind].objects.count() == 1


def test_xml_and_json_go_through_the_same_service(world):
    order = world.declaration(5)["order"]
    as_xml = post_xml(world.client("platform"), to_ceb("order", [order]))
    assert as_xml.status_code == 200
    as_json = world.post("order", order)
    assert as_json.status_code == 200 and as_json.json()["outcome"] == "duplicate"


def test_sign_for_by_ceb513(world, django_capture_on_commit_callbacks):
    docs = world.declaration(6)
    waybill = docs["waybill"]
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    sign_for = {
        "guid": "C" * 36,
        "app_type": "1",
        "app_time": "20261125120000",
        "app_status": "2",
        "logistics_code": waybill["logistics_code"],
        "logistics_name": waybill["logistics_name"],
        "logistics_no": waybill["logistics_no"],
        "logistics_status": "S",
        "logistics_time": "20261125120000",
    }
    answer = post_xml(world.client("logistics"), ceb_message("CEB513", [sign_for], guid="B" * 36))
    assert answer.status_code == 200
    assert_valid_ceb(answer.content)
    assert Waybill.objects.get().logistics_status == "S"
    # the released list is closed by the sign-for (899, DOMAIN 4.1)
    inventory = InventoryList.objects.get()
    assert inventory.return_status == "899"
    assert Receipt.objects.filter(kind="inventory", document_id=inventory.pk).last().return_status == "899"


def test_official_sample_is_read_and_its_fake_buyer_refused_with_a_reason(world):
    sample = Path(ceb.schema_dir()).parent / "samples" / "import" / "CEB311Message.xml"
    if not sample.exists():
        pytest.skip("the shared CEB samples are not beside the repository")
    answer = post_xml(world.client("platform"), sample.read_bytes())
    assert answer.status_code == 200
    assert_valid_ceb(answer.content)
    tree = etree.fromstring(answer.content)
    statuses = [e.text for e in tree.iter(f"{{{ceb.CEB_NS}}}returnStatus")]
    infos = [e.text for e in tree.iter(f"{{{ceb.CEB_NS}}}returnInfo")]
    assert statuses and set(statuses) == {"100"}  # every order of the sample refused ...
    assert all(
        "130681136250023332" in info and "buyer_id_number" in info for info in infos
    )  # ... for its fake ID
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', 400),
        (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>', 400),
        (b"<a>" * 200 + b"</a>" * 200, 400),
        (b"\xff\xfe\x00<broken", 400),
        (b"<ceb:CEB999Message xmlns:ceb='http://www.chinaport.gov.cn/ceb'/>", 400),
        (b"<" + b"x" * (11 * 1024 * 1024) + b"/>", 413),
    ],
    ids=["xxe", "billion-laughs", "deep-nesting", "invalid-utf8", "unknown-message", "huge"],
)
def test_hostile_xml_is_refused(world, body, status):
    answer = post_xml(world.client("platform"), body)
    assert answer.status_code == status
    assert b"root:" not in answer.content
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("payment", "pay_time", "20261399256199"),  # month 13
        ("payment", "pay_time", "٢٠٢٦١١٢٥١٢٠٠٠٠"),  # digits of another script
        ("order", "app_type", "3"),  # deleting is a cancellation message
        ("order", "buyer_name", "\ud800"),  # a lone surrogate
        ("order", "batch_numbers", None),  # null where text is expected
        ("inventory", "decl_time", "20260230"),
    ],
)
def test_more_bad_values_are_400_naming_the_field(world, kind, field, value):
    import json

    document = copy.deepcopy(world.declaration(1)[kind])
    document[field] = value
    who, url = ClearanceWorld.POSTER[kind]
    # json.dumps escapes a lone surrogate as \ud800, as a partner's JSON library would send it
    answer = world.client(who).post(url, json.dumps(document), content_type="application/json")
    assert answer.status_code == 400 and field in answer.json()["fields"]
    assert not MODELS[kind].objects.exists()


def test_agent_needs_a_mandate(world):
    from sharing.models import AgentMandate

    from ..conftest import key_client
    from ..factories import EnterpriseFactory

    agent = EnterpriseFactory(roles=["agent"])
    client = key_client(agent)
    inventory = world.declaration(1)["inventory"]
    inventory.update(agent_code=agent.customs_code, agent_name=agent.name_zh)
    refused = client.post("/api/v1/inventories/", inventory, format="json")
    assert refused.status_code == 400 and "ebc_code" in refused.json()["fields"]
    AgentMandate.objects.create(enterprise=world.seller, agent=agent)
    assert client.post("/api/v1/inventories/", inventory, format="json").status_code == 201


def test_no_clue_about_another_enterprises_document(world):
    """A stranger re-posting a key it does not own learns neither the id nor the state."""
    from sharing.models import AgentMandate

    from ..conftest import key_client
    from ..factories import EnterpriseFactory

    inventory = world.declaration(1)["inventory"]
    assert world.post("inventory", inventory).status_code == 201
    agent = EnterpriseFactory(roles=["agent"])
    AgentMandate.objects.create(enterprise=world.seller, agent=agent)
    changed = dict(inventory, agent_code=agent.customs_code, note="x")
    answer = key_client(agent).post("/api/v1/inventories/", changed, format="json")
    assert answer.status_code == 400 and answer.json()["receipt"]["id"] is None


def test_webhooks_may_not_point_inside_the_network(settings, world):
    from django.core.exceptions import ValidationError

    from sharing.webhooks import subscription_create

    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1/hook",
        "https://10.0.0.8/hook",
        "ftp://example.org/x",
    ):
        with pytest.raises(ValidationError):
            subscription_create(enterprise=world.seller, url=url)
