"""Need to know for buyers' personal data: customs and inspection officials and the parties to a
document read the buyer in full; every other official reads them masked, in the API and on the pages.
A buyer ID is searched by POST, never in a URL (a query string naming one is a 400)."""

import json

import pytest
from rest_framework.test import APIClient

from declarations import privacy
from declarations.models import InventoryList
from declarations.services import amendment_for_list

from ..conftest import key_client
from ..factories import EnterpriseFactory, MembershipFactory, official

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_random_inspection")]

MASKED_AGENCIES = ["tax", "forex", "commerce", "finance"]
FULL_AGENCIES = ["customs", "inspection"]
DOCUMENTS = ["inventories", "orders", "payments", "waybills", "inventory-returns"]


def test_the_masks():
    assert privacy.mask_id_number("110105194912310021") == "110***********0021"
    assert privacy.mask_id_number("11010519491231002X") == "110***********002X"
    assert privacy.mask_id_number("12345") == "*****"
    assert privacy.mask_name("张三") == privacy.mask_name("张三丰") == "张*"
    assert privacy.mask_telephone("13812345678") == "*******5678"
    assert privacy.mask_telephone("5678") == "****"
    assert privacy.mask_address("浙江省杭州市西湖区文三路90号") == "浙江省杭州市***"
    assert privacy.mask_address("文三路1号") == "文三***"  # never more than half of a short one
    assert privacy.mask_name("") == privacy.mask_address("") == ""


@pytest.fixture
def declared(world, django_capture_on_commit_callbacks):
    """A released list with its documents and a return of it: every document carrying a buyer."""
    docs = world.declaration(1)
    inventory = world.clear(docs, django_capture_on_commit_callbacks)
    assert inventory.status == "released"
    item = inventory.items.first()
    refund = {
        **amendment_for_list(inventory, reason="不想要了"),
        "items": [
            {"gnum": 1, "gcode": item.gcode, "gname": item.gname, "qty": str(item.qty), "unit": item.unit}
        ],
    }
    answer = world.client("seller").post("/api/v1/inventory-returns/", refund, format="json")
    assert answer.status_code == 201, answer.json()
    # the declarant reads its own return in full, in the answer to its POST too
    assert answer.json()["buyer_id_number"] == inventory.buyer_id_number
    return world, docs, inventory


def officer(agency: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(official(agency, f"{agency}-privacy"))
    return client


def personal_values(inventory: InventoryList) -> list[str]:
    return [
        inventory.buyer_id_number,
        inventory.buyer_telephone,
        inventory.consignee_address,
        inventory.buyer_name,
    ]


@pytest.mark.parametrize("agency", MASKED_AGENCIES)
def test_other_officials_read_buyers_masked_everywhere_in_the_api(declared, agency):
    world, docs, inventory = declared
    client = officer(agency)
    expected_id = privacy.mask_id_number(inventory.buyer_id_number)
    for resource in DOCUMENTS:
        answer = client.get(f"/api/v1/{resource}/")
        assert answer.status_code == 200, resource
        rows = answer.json()["results"]
        assert rows, resource
        body = answer.content.decode()
        for value in personal_values(inventory):
            assert json.dumps(value)[1:-1] not in body, (resource, value)
        for row in rows:
            for field in ("buyer_id_number", "payer_id_number"):
                if field in row:
                    assert row[field] == expected_id, (resource, row[field])
    detail = client.get(f"/api/v1/inventories/{inventory.pk}/").json()
    assert detail["buyer_id_number"] == expected_id
    assert detail["buyer_name"] == inventory.buyer_name[0] + "*"
    assert detail["buyer_telephone"].endswith(inventory.buyer_telephone[-4:])
    assert detail["buyer_telephone"].startswith("*")
    assert detail["consignee_address"] == inventory.consignee_address[:6] + "***"
    assert detail["cop_no"] == inventory.cop_no  # the rest as it is


@pytest.mark.parametrize("agency", FULL_AGENCIES)
def test_customs_and_inspection_read_buyers_in_full(declared, agency):
    world, docs, inventory = declared
    client = officer(agency)
    detail = client.get(f"/api/v1/inventories/{inventory.pk}/").json()
    assert [detail[f] for f in ("buyer_id_number", "buyer_telephone", "consignee_address", "buyer_name")] == (
        personal_values(inventory)
    )
    payment = client.get("/api/v1/payments/").json()["results"][0]
    assert payment["payer_id_number"] == docs["payment"]["payer_id_number"]


@pytest.mark.parametrize("who", ["seller", "platform", "payment", "logistics"])
def test_the_parties_read_their_own_documents_in_full(declared, who):
    world, docs, inventory = declared
    for resource in ("inventories", "orders", "payments", "waybills"):
        for row in world.client(who).get(f"/api/v1/{resource}/").json()["results"]:
            for field in ("buyer_id_number", "payer_id_number"):
                if field in row:
                    assert row[field] == inventory.buyer_id_number


def test_the_list_page_masks_the_buyer_for_other_officials(declared, client):
    world, docs, inventory = declared
    url = f"/declarations/inventories/{inventory.pk}/"
    client.force_login(official("tax", "tax-page"))
    page = client.get(url).content.decode()
    assert privacy.mask_id_number(inventory.buyer_id_number) in page
    for value in personal_values(inventory):
        assert value not in page
    client.force_login(official("customs", "customs-page"))
    page = client.get(url).content.decode()
    assert all(value in page for value in personal_values(inventory))


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/inventories/", "buyer_id_number"),
        ("/api/v1/inventories/", "buyer_id"),
        ("/api/v1/orders/", "buyer_id_number"),
        ("/api/v1/orders/", "buyer_id"),
        ("/api/v1/payments/", "payer_id_number"),
        ("/api/v1/payments/", "buyer_id"),
    ],
)
def test_a_buyer_id_in_the_query_string_is_refused(declared, url, parameter):
    world, docs, inventory = declared
    answer = officer("customs").get(url, {parameter: inventory.buyer_id_number})
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid" and parameter in body["fields"]
    assert "POST" in body["fields"][parameter][0] and "search/" in body["fields"][parameter][0]


def test_the_enterprise_page_searches_by_post_only(declared, client):
    world, docs, inventory = declared
    client.force_login(MembershipFactory(enterprise=world.seller).user)
    page = client.get("/declarations/").content.decode()
    assert 'name="buyer_id"' not in page
    assert '<form method="post" class="filters" id="buyer-search">' in page
    refused = client.get("/declarations/", {"buyer_id": inventory.buyer_id_number})
    assert refused.status_code == 400
    assert inventory.cop_no not in refused.content.decode()
    found = client.post("/declarations/", {"buyer_id_number": inventory.buyer_id_number.lower()})
    assert found.status_code == 200
    assert inventory.cop_no in found.content.decode()
    none = client.post("/declarations/", {"buyer_id_number": "110105194912310021"})
    assert inventory.cop_no not in none.content.decode()
    assert client.post("/declarations/", {"buyer_id_number": ""}).status_code == 400


@pytest.mark.parametrize(
    ("resource", "field", "who"),
    [
        ("inventories", "buyer_id_number", "seller"),
        ("orders", "buyer_id_number", "platform"),
        ("payments", "payer_id_number", "payment"),
    ],
)
def test_the_api_searches_by_post(declared, resource, field, who):
    world, docs, inventory = declared
    url = f"/api/v1/{resource}/search/"
    body = {field: inventory.buyer_id_number}
    mine = world.client(who).post(url, body, format="json")
    assert mine.status_code == 200
    assert mine.json()["count"] == 1 and mine.json()["results"][0][field] == inventory.buyer_id_number
    assert world.client(who).post(url, {field: "110105194912310021"}, format="json").json()["count"] == 0
    # the list's filters still apply, from the query string
    assert (
        world.client(who)
        .post(f"{url}?created_after=2999-01-01T00:00:00Z", body, format="json")
        .json()["count"]
        == 0
    )
    # another enterprise finds nothing of it
    stranger = key_client(EnterpriseFactory(roles=["platform", "ecommerce", "payment"]))
    assert stranger.post(url, body, format="json").json()["count"] == 0
    # customs searches every enterprise's documents; an official without the need to know may not
    assert officer("customs").post(url, body, format="json").json()["count"] == 1
    refused = officer("tax").post(url, body, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    missing = world.client(who).post(url, {}, format="json")
    assert missing.status_code == 400 and field in missing.json()["fields"]
    assert world.client(who).post(url, {field: ["a"]}, format="json").status_code == 400


def test_every_serializer_with_a_buyers_field_masks_it():
    """Generated over the apps' API serializers, so a new one showing a buyer's field is covered."""
    import importlib
    import inspect

    from rest_framework import serializers

    from declarations.api.serializers import BuyerPrivacyMixin

    answers = []
    for app in ("sharing", "declarations", "finance", "credit", "risk", "logistics", "parks"):
        module = importlib.import_module(f"{app}.api.serializers")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, serializers.Serializer) or cls.__module__ != module.__name__:
                continue
            if name.endswith("SearchSerializer"):  # a request body: the caller's own search
                continue
            if set(cls().fields) & set(privacy.MASKS):
                answers.append(name)
                assert issubclass(cls, BuyerPrivacyMixin), name
    assert {"OrderSerializer", "PaymentSerializer", "WaybillSerializer", "InventorySerializer"} <= set(
        answers
    )
