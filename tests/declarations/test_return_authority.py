"""Who decides what in a cancel (CEB623) and a return (CEB625), through the API: the head is the list's
(a forged one is refused, never stored); the goods back are confirmed only by the enterprise they come
back to (the 9610 carrier, the operator of the 1210 list's account-book warehouse), never by the seller;
each return is of its own lines, within what earlier returns left; and the receipts conclude with 399,
never 800 (a list's release)."""

from decimal import Decimal

import pytest

from declarations.models import InventoryCancel, InventoryList, InventoryRefund, Receipt
from declarations.services import amendment_for_list
from declarations.services.amendments import AMENDMENT_FIELDS as LIST_HEAD_FIELDS
from finance.models import BuyerQuota, TaxBill, TaxBillCredit, TaxGuarantee
from logistics.models import StockItem, Warehouse
from sharing.models import Membership

from ..conftest import key_client
from ..factories import EnterpriseFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_random_inspection")]
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
RETURNS = "/api/v1/inventory-returns/"
EMS_NO = "T2992W000001"  # the generator's account book of 1210 lists


def _released(world, capture, number: int, **kwargs) -> InventoryList:
    inventory = world.clear(world.declaration(number, **kwargs), capture)
    assert inventory.status == "released", inventory.status_reason
    return inventory


def _line(item, qty=None) -> dict:
    return {
        "gnum": item.gnum,
        "gcode": item.gcode,
        "gname": item.gname,
        "qty": str(item.qty if qty is None else qty),
        "unit": item.unit,
    }


def _return_body(inventory: InventoryList, lines: list[dict], **head) -> dict:
    return {**amendment_for_list(inventory, reason="Wrong size"), **head, "items": lines}


def _statuses(kind: str, document_id: int) -> list[str]:
    return list(
        Receipt.objects.filter(kind=kind, document_id=document_id)
        .order_by("id")
        .values_list("return_status", flat=True)
    )


def _goods_received(client, refund_id: int):
    return client.post(f"{RETURNS}{refund_id}/goods-received/", **EN)


# --- the head is the list's --------------------------------------------------------------------------


def test_a_return_with_a_forged_head_is_refused_on_its_fields_and_nothing_is_stored(
    world, django_capture_on_commit_callbacks
):
    inventory = _released(world, django_capture_on_commit_callbacks, 1, lines=1)
    seller = world.seller
    forged = _return_body(
        inventory,
        [_line(inventory.items.get())],
        logistics_code=seller.customs_code,
        logistics_name=seller.name_zh,
        agent_code=seller.uscc,
        agent_name="Someone else",
    )
    answer = world.client("seller").post(RETURNS, forged, format="json", **EN)
    assert answer.status_code == 400, answer.json()
    body = answer.json()
    assert body["code"] == "refused" and body["return_status"] == "-625004"
    # the agent named by its USCC is the list's own agent: only what differs is named
    assert set(body["fields"]) == {"logistics_code", "logistics_name", "agent_name"}
    assert not InventoryRefund.objects.exists()


def test_the_stored_head_is_the_lists_whatever_optional_fields_were_left_out(
    world, django_capture_on_commit_callbacks
):
    inventory = _released(world, django_capture_on_commit_callbacks, 2, lines=1)
    body = _return_body(inventory, [_line(inventory.items.get())])
    for optional in ("pre_no", "invt_no"):
        body.pop(optional)
    answer = world.client("seller").post(RETURNS, body, format="json")
    assert answer.status_code == 201, answer.json()
    refund = InventoryRefund.objects.get(pk=answer.json()["id"])
    assert {f: getattr(refund, f) for f in LIST_HEAD_FIELDS} == {
        f: getattr(inventory, f) for f in LIST_HEAD_FIELDS
    }
    assert refund.goods_receiver == world.logistics


def test_a_cancel_with_a_forged_head_is_refused_with_its_code(world, django_capture_on_commit_callbacks):
    docs = world.declaration(3)
    inventory = world.clear(docs, django_capture_on_commit_callbacks, order=("inventory",))
    body = {**amendment_for_list(inventory, reason="x"), "buyer_name": "Someone else"}
    answer = world.client("seller").post("/api/v1/inventory-cancels/", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["return_status"] == "-623005" and set(answer.json()["fields"]) == {"buyer_name"}
    inventory.refresh_from_db()
    assert inventory.status == "received" and not InventoryCancel.objects.exists()


# --- who confirms the goods are back -----------------------------------------------------------------


def test_the_seller_does_not_confirm_its_own_return_and_nothing_is_given_back(
    world, django_capture_on_commit_callbacks
):
    inventory = _released(world, django_capture_on_commit_callbacks, 5, lines=1)
    quota = BuyerQuota.objects.get(buyer_id_number=inventory.buyer_id_number)
    guarantee_used = TaxGuarantee.objects.get(pk=world.guarantee.pk).used
    lines = [_line(inventory.items.get())]
    seller = world.client("seller")
    # The seller names itself the carrier and the declaring agent: refused, so it cannot then confirm
    # as "the carrier"; the return it may file names the list's carrier.
    code = world.seller.customs_code
    forged = _return_body(inventory, lines, logistics_code=code, agent_code=code)
    assert seller.post(RETURNS, forged, format="json").status_code == 400
    applied = seller.post(RETURNS, _return_body(inventory, lines), format="json")
    assert applied.status_code == 201, applied.json()
    refund_id = applied.json()["id"]
    assert InventoryRefund.objects.get(pk=refund_id).logistics_code == inventory.logistics_code

    refused = _goods_received(seller, refund_id)
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert _goods_received(world.client("platform"), refund_id).status_code == 404  # not its return
    assert _goods_received(world.client("warehouse"), refund_id).status_code == 404
    refund = InventoryRefund.objects.get(pk=refund_id)
    assert refund.state == "awaiting" and refund.tax_returned == 0
    assert not TaxBillCredit.objects.exists()
    assert BuyerQuota.objects.get(pk=quota.pk).used == quota.used
    assert TaxGuarantee.objects.get(pk=world.guarantee.pk).used == guarantee_used


def test_the_9610_carrier_confirms_and_the_return_concludes_with_399(
    world, django_capture_on_commit_callbacks
):
    inventory = _released(world, django_capture_on_commit_callbacks, 6, lines=2)
    bill = TaxBill.objects.get(inventory=inventory)
    body = _return_body(inventory, [_line(item) for item in inventory.items.order_by("gnum")])
    applied = world.client("seller").post(RETURNS, body, format="json")
    assert applied.status_code == 201, applied.json()
    refund_id = applied.json()["id"]
    assert _statuses("refund", refund_id) == ["2", "120"]

    back = _goods_received(key_client(world.logistics), refund_id)
    assert back.status_code == 200, back.json()
    assert back.json()["state"] == "completed" and Decimal(back.json()["tax_returned"]) == bill.total
    assert _statuses("refund", refund_id) == ["2", "120", "399"]
    assert BuyerQuota.objects.get(buyer_id_number=inventory.buyer_id_number).used == 0
    assert TaxBillCredit.objects.get(refund_id=refund_id).total == bill.total
    # the seller's receipts of the return, and none of the list's, say 800 for the return
    assert Receipt.objects.filter(enterprise=world.seller, kind="refund").count() == 3
    assert not Receipt.objects.filter(kind="refund", return_status="800").exists()
    # the same return sent again is answered as it stands, with nothing new
    again = world.client("seller").post(RETURNS, body, format="json")
    assert (again.status_code, again.json()["id"], again.json()["state"]) == (200, refund_id, "completed")
    assert _statuses("refund", refund_id) == ["2", "120", "399"]


def test_goods_back_too_late_expire_the_return_with_its_code(world, django_capture_on_commit_callbacks):
    from django.utils import timezone

    inventory = _released(world, django_capture_on_commit_callbacks, 7, lines=1)
    applied = world.client("seller").post(
        RETURNS, _return_body(inventory, [_line(inventory.items.get())]), format="json"
    )
    refund_id = applied.json()["id"]
    InventoryRefund.objects.filter(pk=refund_id).update(
        goods_due_by=timezone.now() - timezone.timedelta(days=1)
    )
    assert _goods_received(key_client(world.logistics), refund_id).status_code == 409
    assert _statuses("refund", refund_id) == ["2", "120", "-625005"]
    assert not TaxBillCredit.objects.exists()


@pytest.fixture
def keeper(world):
    """The operator of the approved bonded warehouse of the generator's account book, with stock: not
    the warehouse firm the 1210 lists name as their area (world.warehouse)."""
    keeper = EnterpriseFactory(roles=["warehouse"])
    Warehouse.objects.create(
        code="W-KEEP",
        name="保税仓",
        kind=Warehouse.Kind.BONDED,
        operator=keeper,
        ems_no=EMS_NO,
        address="下沙",
        capacity=10_000,
        status=Warehouse.Status.APPROVED,
    )
    return keeper


def _stocked(world, number: int) -> dict:
    docs = world.declaration(number, trade_mode="1210", lines=1)
    warehouse = Warehouse.objects.get(ems_no=EMS_NO)
    for item in docs["inventory"]["items"]:
        StockItem.objects.create(
            warehouse=warehouse,
            item_record_no=item["item_record_no"],
            owner_code=world.seller.customs_code,
            gcode=item["gcode"],
            gname=item["gname"],
            unit=item["unit"],
            quantity=Decimal(item["qty"]) * 2,
        )
    return docs


def test_1210_goods_back_are_confirmed_by_the_operator_of_the_account_books_warehouse(
    world, keeper, client, django_capture_on_commit_callbacks
):
    docs = _stocked(world, 8)
    inventory = world.clear(docs, django_capture_on_commit_callbacks)
    assert inventory.status == "released", inventory.status_reason
    assert inventory.area_code == world.warehouse.customs_code  # the list names another warehouse firm
    item = inventory.items.get()
    stock = StockItem.objects.get(item_record_no=item.item_record_no)
    assert stock.quantity == item.qty
    applied = world.client("seller").post(RETURNS, _return_body(inventory, [_line(item)]), format="json")
    assert applied.status_code == 201, applied.json()
    refund_id = applied.json()["id"]

    # neither the firm the list names, nor another warehouse firm, nor the seller confirms
    for other in (key_client(world.warehouse), key_client(EnterpriseFactory(roles=["warehouse"]))):
        assert _goods_received(other, refund_id).status_code == 404
    assert _goods_received(world.client("seller"), refund_id).status_code == 403
    assert InventoryRefund.objects.get(pk=refund_id).state == "awaiting"
    assert not TaxBillCredit.objects.exists()
    # the operator's queue shows the return; the named firm's does not
    user = UserFactory()
    Membership.objects.create(user=user, enterprise=world.warehouse, role="admin")
    client.force_login(user)
    assert f'id="return-{refund_id}"' not in client.get("/warehouses/").content.decode()
    Membership.objects.filter(user=user).update(enterprise=keeper)
    assert f'id="return-{refund_id}"' in client.get("/warehouses/").content.decode()

    back = _goods_received(key_client(keeper), refund_id)
    assert back.status_code == 200, back.json()
    assert back.json()["state"] == "completed" and Decimal(back.json()["tax_returned"]) > 0
    stock.refresh_from_db()
    assert stock.quantity == item.qty * 2
    assert _statuses("refund", refund_id) == ["2", "120", "399"]


# --- one return per list and lines ------------------------------------------------------------------


def test_two_partial_returns_of_other_lines_are_two_returns_each_credited_for_its_lines(
    world, django_capture_on_commit_callbacks
):
    inventory = _released(world, django_capture_on_commit_callbacks, 9, lines=2)
    first_item, second_item = inventory.items.order_by("gnum")
    quota = BuyerQuota.objects.get(buyer_id_number=inventory.buyer_id_number)
    used = quota.used
    seller = world.client("seller")

    first_body = _return_body(inventory, [_line(first_item)])
    first = seller.post(RETURNS, first_body, format="json")
    second = seller.post(RETURNS, _return_body(inventory, [_line(second_item)]), format="json")
    assert (first.status_code, second.status_code) == (201, 201), (first.json(), second.json())
    assert first.json()["id"] != second.json()["id"]
    assert [line["gnum"] for line in second.json()["items"]] == [second_item.gnum]
    # the first sent again is the first, with nothing new; the same lines in another message would
    # be another return, and nothing of them remains
    again = seller.post(RETURNS, first_body, format="json")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    other_message = seller.post(RETURNS, {**first_body, "guid": "B" * 36}, format="json")
    assert (
        other_message.status_code == 400 and f"items[{first_item.gnum}].qty" in other_message.json()["fields"]
    )
    assert InventoryRefund.objects.filter(inventory=inventory).count() == 2
    assert _statuses("refund", first.json()["id"]) == ["2", "120"]

    carrier = key_client(world.logistics)
    for answer, item in ((first, first_item), (second, second_item)):
        back = _goods_received(carrier, answer.json()["id"])
        assert back.status_code == 200, back.json()
        refund = InventoryRefund.objects.get(pk=answer.json()["id"])
        line_tax = item.customs_tax + item.value_added_tax + item.consumption_tax
        assert refund.tax_returned == line_tax > 0
        assert TaxBillCredit.objects.get(refund=refund).total == line_tax
        assert refund.dutiable_value == item.tax_price.quantize(Decimal("0.01"))
        used -= refund.dutiable_value
        assert BuyerQuota.objects.get(pk=quota.pk).used == used
        assert _statuses("refund", refund.pk) == ["2", "120", "399"]
    # the two returns brought everything back: the bill is cancelled, its credits add up to it exactly
    bill = TaxBill.objects.get(inventory=inventory)
    assert bill.status == TaxBill.Status.CANCELLED
    assert sum(c.total for c in bill.credits.all()) == bill.total
    assert BuyerQuota.objects.get(pk=quota.pk).used == quota.used - inventory.dutiable_value


def test_returning_more_than_remains_is_refused_on_the_line(world, django_capture_on_commit_callbacks):
    inventory = _released(world, django_capture_on_commit_callbacks, 10, lines=1)
    item = inventory.items.get()
    half = item.qty / 2
    seller = world.client("seller")
    assert (
        seller.post(RETURNS, _return_body(inventory, [_line(item, half)]), format="json").status_code == 201
    )

    too_many = seller.post(RETURNS, _return_body(inventory, [_line(item)]), format="json", **EN)
    assert too_many.status_code == 400
    assert too_many.json()["return_status"] == "-625003"
    assert list(too_many.json()["fields"]) == [f"items[{item.gnum}].qty"]
    assert "remain" in too_many.json()["fields"][f"items[{item.gnum}].qty"][0]

    unknown = seller.post(
        RETURNS, _return_body(inventory, [{**_line(item, half), "gnum": 9, "gname": "x"}]), format="json"
    )
    assert unknown.status_code == 400 and list(unknown.json()["fields"]) == ["items[9].gnum"]
    renamed = seller.post(
        RETURNS, _return_body(inventory, [{**_line(item, half / 2), "gname": "x"}]), format="json"
    )
    assert renamed.status_code == 400 and list(renamed.json()["fields"]) == [f"items[{item.gnum}].gname"]
    assert InventoryRefund.objects.count() == 1

    # the other half, in a message of its own, is a second return of the same line and quantity
    rest = seller.post(RETURNS, _return_body(inventory, [_line(item, item.qty - half)]), format="json")
    assert rest.status_code == 201, rest.json()
    assert InventoryRefund.objects.count() == 2


# --- a cancel concludes with 399 ---------------------------------------------------------------------


def test_a_cancel_concludes_with_399_and_no_receipt_of_the_list_says_800(
    world, django_capture_on_commit_callbacks
):
    inventory = world.clear(world.declaration(11), django_capture_on_commit_callbacks, order=("inventory",))
    body = amendment_for_list(inventory, reason="The buyer changed their mind")
    with django_capture_on_commit_callbacks(execute=True):
        answer = world.client("seller").post("/api/v1/inventory-cancels/", body, format="json")
    assert answer.status_code == 201, answer.json()
    cancel_id = answer.json()["id"]
    assert _statuses("cancel", cancel_id) == ["2", "399"]
    inventory.refresh_from_db()
    assert (inventory.status, inventory.return_status) == ("cancelled", "399")
    assert "changed their mind" in inventory.status_reason
    # the same cancel again is the first, with nothing new
    assert world.client("seller").post("/api/v1/inventory-cancels/", body, format="json").status_code == 200
    assert _statuses("cancel", cancel_id) == ["2", "399"]
    assert "800" not in _statuses("inventory", inventory.pk) + _statuses("cancel", cancel_id)
