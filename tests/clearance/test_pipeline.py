"""One declaration end to end (Celery eager): intake, match, tax, fan-out to four agencies, fan-in."""

from decimal import Decimal

import pytest

from declarations.models import AgencyDecision, AgencyDispatch, InventoryList, Receipt
from finance.models import BuyerQuota, QuotaUse, TaxBill, TaxGuarantee
from sharing.models import Exchange

from ..factories import ClearanceWorld

pytestmark = pytest.mark.django_db


def test_four_documents_in_any_order_are_released(world, django_capture_on_commit_callbacks):
    docs = world.declaration(1, lines=2)
    with django_capture_on_commit_callbacks(execute=True):
        answers = world.declare(docs, order=("inventory", "waybill", "order", "payment"))
    assert [a.status_code for a in answers.values()] == [201, 201, 201, 201]
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "released", inventory.status_reason
    assert inventory.return_status == "800" and len(inventory.invt_no) == 18
    # one decision and one answered dispatch per agency, each with its Exchange rows
    assert set(AgencyDecision.objects.filter(inventory=inventory).values_list("agency", flat=True)) == {
        "customs",
        "inspection",
        "tax",
        "forex",
    }
    assert AgencyDispatch.objects.filter(state="answered").count() == 4
    assert Exchange.objects.filter(direction="out", status="answered").count() == 4
    # the tax ledger, the quota and the guarantee
    bill = TaxBill.objects.get(inventory=inventory)
    assert bill.total == inventory.tax_amount > 0
    assert bill.lines.count() == 2
    # the bill's lines are the lines assessed before the fan-out, and they add up to its head
    lines = {line.gnum: line for line in bill.lines.all()}
    for item in inventory.items.all():
        assert (lines[item.gnum].tax_price, lines[item.gnum].value_added_tax) == (
            item.tax_price,
            item.value_added_tax,
        )
    assert (
        sum(line.customs_tax + line.value_added_tax + line.consumption_tax for line in lines.values())
        == bill.total
    )
    assert sum(line.tax_price for line in lines.values()) == inventory.dutiable_value
    assert Decimal(docs["order"]["tax_total"]) == inventory.tax_amount
    quota = BuyerQuota.objects.get(buyer_id_number=docs["order"]["buyer_id_number"])
    assert quota.used == inventory.dutiable_value and quota.reserved == 0
    assert QuotaUse.objects.get(inventory=inventory).state == "used"
    guarantee = TaxGuarantee.objects.get(pk=world.guarantee.pk)
    assert guarantee.used == inventory.tax_amount and guarantee.reserved == 0


def test_timeline_of_receipts_per_agency(world, django_capture_on_commit_callbacks):
    docs = world.declaration(2)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    detail = world.client("seller").get(f"/api/v1/inventories/{inventory.pk}/").json()
    sources = [(r["source"], r["return_status"]) for r in detail["timeline"]]
    assert sources[0] == ("portal", "2")
    assert (
        ("customs", "120") in sources and ("customs", "399") in sources and sources[-1] == ("customs", "800")
    )
    # The list's receipts follow DOMAIN 4.1 exactly; each authority's answer is a decision beside them.
    assert [status for _s, status in sources] == ["2", "3", "120", "399", "800"]
    assert {d["agency"] for d in detail["agency_decisions"]} == {"customs", "inspection", "tax", "forex"}
    assert detail["status"] == "released" and detail["waiting_for"] == []


def test_mismatch_names_fields_and_values_then_correction_rematches(
    world, django_capture_on_commit_callbacks
):
    docs = world.declaration(3)
    good_amount = docs["payment"]["amount_paid"]
    docs["payment"]["amount_paid"] = str(Decimal(good_amount) - 1)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "mismatch"
    assert f"payment.amount_paid {Decimal(good_amount) - 1:.2f} != order.actual_paid {good_amount}" in (
        inventory.status_reason
    )
    assert not AgencyDispatch.objects.exists()  # nothing fanned out
    # the window's mismatch is a business error with its code (DOMAIN 4.3), not customs' 100
    rejection = Receipt.objects.filter(
        kind="inventory", document_id=inventory.pk, return_status="-621019"
    ).get()
    assert "R2" in rejection.return_info
    assert not Receipt.objects.filter(
        kind="inventory", document_id=inventory.pk, return_status="100"
    ).exists()
    # the payment firm corrects its voucher: a change (app_type 2) that re-runs the match
    docs["payment"]["amount_paid"] = good_amount
    docs["payment"]["app_type"] = "2"
    with django_capture_on_commit_callbacks(execute=True):
        changed = world.post("payment", docs["payment"])
    assert changed.status_code == 201 and changed.json()["outcome"] == "changed"
    inventory.refresh_from_db()
    assert inventory.status == "released"
    statuses = list(
        Receipt.objects.filter(kind="inventory", document_id=inventory.pk).values_list(
            "return_status", flat=True
        )
    )
    assert statuses == ["2", "-621019", "3", "120", "399", "800"]


def test_same_document_twice_gives_the_same_receipt(world):
    docs = world.declaration(4)
    first = world.post("order", docs["order"])
    again = world.post("order", {**docs["order"], "guid": "X" * 36, "app_time": "20990101000000"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["outcome"] == "duplicate"
    assert again.json()["receipt_id"] == first.json()["receipt_id"]
    # stored, it went 2 -> 3 -> 120 once (DOMAIN 4.1); the duplicate added nothing
    assert list(Receipt.objects.filter(kind="order").values_list("return_status", flat=True)) == [
        "2",
        "3",
        "120",
    ]


def test_change_after_dispatch_is_refused_and_nothing_changes(world, django_capture_on_commit_callbacks):
    docs = world.declaration(5)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    changed = dict(docs["order"], consignee_telephone="13900000000", app_type="2")
    answer = world.post("order", changed)
    assert answer.status_code == 400
    assert answer.json()["receipt"]["return_status"] == "-301011"
    order = world.client("platform").get(f"/api/v1/orders/?order_no={docs['order']['order_no']}").json()
    assert order["results"][0]["consignee_telephone"] == docs["order"]["consignee_telephone"]


def test_batch_keeps_good_documents_when_one_is_bad(world):
    orders = [world.declaration(n)["order"] for n in range(10, 15)]
    orders[2]["actual_paid"] = "1.00"
    answer = world.post("order", orders)
    assert answer.status_code == 400
    body = answer.json()
    assert [r["outcome"] for r in body["receipts"]] == [
        "accepted",
        "accepted",
        "rejected",
        "accepted",
        "accepted",
    ]
    assert "actual_paid" in body["receipts"][2]["errors"]
    assert body["accepted"] == 4 and body["rejected"] == 1
    assert world.client("platform").get("/api/v1/orders/").json()["count"] == 4


def test_single_limit_rejects_without_fan_out(world, django_capture_on_commit_callbacks):
    docs = world.declaration(6, lines=3)
    for kind in ("order", "inventory"):
        for item in docs[kind]["items"]:
            item["qty"], item["price"], item["total_price"] = "1", "2000.00", "2000.00"
            if kind == "inventory":
                item["qty1"] = "1"
    goods = Decimal("6000.00")
    docs["order"]["goods_value"] = str(goods)
    docs["order"]["tax_total"] = "0.00"
    docs["order"]["actual_paid"] = str(goods + Decimal(docs["order"]["freight"]))
    docs["payment"]["amount_paid"] = docs["order"]["actual_paid"]
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "rejected" and inventory.return_status == "-621005"
    assert not AgencyDispatch.objects.exists()
    assert not QuotaUse.objects.exists()


def test_agency_rules_follow_the_data(world, django_capture_on_commit_callbacks):
    # an unlicensed payment firm: forex refuses; the quota and guarantee holds are given back
    from sharing.models import PaymentLicence

    PaymentLicence.objects.all().delete()
    docs = world.declaration(7)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "rejected"
    assert "forex: payment enterprise" in inventory.status_reason
    guarantee = TaxGuarantee.objects.get(pk=world.guarantee.pk)
    assert guarantee.used == 0 and guarantee.reserved == 0
    assert BuyerQuota.objects.get().used == 0 and BuyerQuota.objects.get().reserved == 0


def test_guarantee_too_small_is_refused_by_tax(django_capture_on_commit_callbacks):
    world = ClearanceWorld(guarantee="1.00")
    docs = world.declaration(8)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "rejected" and "tax: tax guarantee" in inventory.status_reason


@pytest.mark.parametrize(
    ("gcode", "bar_code", "reason"),
    [
        (
            "8471300000",
            "6900000000066",
            "is not on the positive list",
        ),  # a laptop: taxed, but not a CBEC good
        (
            "3304990099",
            "6900000000999",
            "needs a registered overseas producer",
        ),  # cosmetics of an unknown maker
    ],
)
def test_inspection_refuses_by_its_lists(world, django_capture_on_commit_callbacks, gcode, bar_code, reason):
    docs = world.declaration(9, lines=1)
    docs["inventory"]["items"][0].update(gcode=gcode, bar_code=bar_code)
    docs["order"]["items"][0]["bar_code"] = bar_code
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "rejected"
    assert "inspection: line 1" in inventory.status_reason and reason in inventory.status_reason


def test_receipts_pull_queue_is_per_enterprise(world, django_capture_on_commit_callbacks):
    docs = world.declaration(11)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    seller = world.client("seller").get("/api/v1/receipts/?since=0").json()
    # the list's receipts and, once released, its tax bill (CEB816)
    assert seller["results"] and {r["kind"] for r in seller["results"]} == {"inventory", "tax_bill"}
    cursor = seller["next_cursor"]
    assert world.client("seller").get(f"/api/v1/receipts/?since={cursor}").json()["results"] == []
    platform = world.client("platform").get("/api/v1/receipts/?since=0").json()
    assert {r["kind"] for r in platform["results"]} == {"order"}


def test_tenancy_of_documents(world, django_capture_on_commit_callbacks):
    from ..conftest import key_client
    from ..factories import EnterpriseFactory

    docs = world.declaration(12)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    stranger = key_client(EnterpriseFactory(roles=["platform", "ecommerce", "logistics", "payment"]))
    inventory = InventoryList.objects.get()
    for url in ("/api/v1/orders/", "/api/v1/payments/", "/api/v1/waybills/", "/api/v1/inventories/"):
        assert stranger.get(url).json()["count"] == 0
    assert stranger.get(f"/api/v1/inventories/{inventory.pk}/").status_code == 404
    # the platform is a party of the list and sees it
    assert world.client("platform").get(f"/api/v1/inventories/{inventory.pk}/").status_code == 200
    # and nobody posts in another enterprise's name
    answer = stranger.post("/api/v1/orders/", world.declaration(13)["order"], format="json")
    assert answer.status_code == 400 and "ebp_code" in answer.json()["fields"]


def test_role_without_the_right_gets_403(world):
    docs = world.declaration(14)
    answer = world.client("logistics").post("/api/v1/orders/", docs["order"], format="json")
    assert answer.status_code == 403


def test_two_lists_of_one_buyer_cannot_both_pass_the_annual_limit(world, django_capture_on_commit_callbacks):
    import random
    from datetime import date

    from singlewindow.generator import buyer

    who = buyer(random.Random(99))
    first, second = world.declaration(20, who=who, lines=1), world.declaration(21, who=who, lines=1)
    values = [Decimal(d["order"]["goods_value"]) + Decimal(d["order"]["freight"]) for d in (first, second)]
    # either list fits in what is left of the year's 26,000, both together do not
    used = Decimal("26000.00") - max(values) - Decimal("0.01")
    assert used + sum(values) > Decimal("26000.00")
    BuyerQuota.objects.create(buyer_id_number=who.id_number, year=date.today().year, used=used)
    with django_capture_on_commit_callbacks(execute=True):
        for kind in ("order", "payment", "waybill", "inventory"):
            world.post(kind, [first[kind], second[kind]])
    lists = {i.status: i for i in InventoryList.objects.all()}
    assert sorted(lists) == ["rejected", "released"]
    assert lists["rejected"].return_status == "-621018"
    quota = BuyerQuota.objects.get(buyer_id_number=who.id_number)
    assert quota.used == used + lists["released"].dutiable_value <= Decimal("26000.00")
    assert quota.reserved == 0


def test_the_receipt_queue_refuses_a_cursor_that_is_not_a_number(world):
    answer = world.client("seller").get("/api/v1/receipts/?since=yesterday", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert answer.json() == {
        "code": "invalid",
        "detail": "since and limit are whole numbers.",
        "fields": {"since": ["A whole number."]},
    }
