"""Issue 16 through the public API: one order cleared once, one buyer one quota, payments only from
the firm the order names, app_status/app_type as DOMAIN 1.5 says, parties whichever code they use,
receipts as DOMAIN 4.1 orders them, sign-for only after release."""

import random
from datetime import date, timedelta

import pytest
from lxml import etree
from rest_framework.test import APIClient
from stdnum.cn import ric

from declarations import ceb
from declarations.models import InventoryList, Receipt, Waybill
from finance.models import BuyerQuota, TaxBill
from risk.models import Alert
from singlewindow.generator import Buyer, buyer

from ..ceb_messages import ceb_message
from ..factories import EnterpriseFactory, official

pytestmark = pytest.mark.django_db


def receipts_of(inventory: InventoryList) -> list[str]:
    return list(
        Receipt.objects.filter(kind="inventory", document_id=inventory.pk).values_list(
            "return_status", flat=True
        )
    )


def another_list(docs: dict, cop_no: str) -> dict:
    return dict(docs["inventory"], cop_no=cop_no, guid=cop_no.ljust(36, "0"))


# --- 1. one order, one payment, one waybill: at most one live list ------------------------------------


def test_a_second_list_for_a_released_order_is_refused_and_taxed_nowhere(
    world, django_capture_on_commit_callbacks
):
    docs = world.declaration(1)
    first = world.clear(docs, django_capture_on_commit_callbacks)
    assert first.status == "released"
    with django_capture_on_commit_callbacks(execute=True):
        again = world.post("inventory", another_list(docs, "AGAIN0001"))
    assert again.status_code == 400
    body = again.json()
    assert body["receipt"]["return_status"] == "-621003" and "order_no" in body["receipt"]["errors"]
    assert InventoryList.objects.count() == 1
    assert TaxBill.objects.count() == 1


def test_two_lists_of_one_order_in_one_batch_one_is_refused(world):
    docs = world.declaration(2)
    answer = world.post("inventory", [docs["inventory"], another_list(docs, "TWIN00001")])
    outcomes = [r["outcome"] for r in answer.json()["receipts"]]
    assert outcomes == ["accepted", "rejected"]
    assert answer.json()["receipts"][1]["return_status"] == "-621003"


def test_a_waybill_on_a_live_list_cannot_carry_another_order(world):
    first, second = world.declaration(3), world.declaration(4)
    assert world.post("inventory", first["inventory"]).status_code == 201
    reused = dict(
        second["inventory"],
        logistics_no=first["inventory"]["logistics_no"],
        logistics_code=first["inventory"]["logistics_code"],
    )
    answer = world.post("inventory", reused)
    assert answer.status_code == 400
    assert answer.json()["receipt"]["return_status"] == "-621004"


def test_a_rejected_list_frees_its_order_for_the_next_list(world):
    docs = world.declaration(5)
    assert world.post("inventory", docs["inventory"]).status_code == 201
    assert world.post("inventory", another_list(docs, "NEXT00001")).status_code == 400
    # customs refused the first list (its status, as the pipeline writes it)
    InventoryList.objects.filter(cop_no=docs["inventory"]["cop_no"]).update(status="rejected")
    assert world.post("inventory", another_list(docs, "NEXT00001")).status_code == 201


# --- 2. identifiers normalised: one buyer, one quota ---------------------------------------------------


def buyer_with_check_letter_x(rng: random.Random) -> Buyer:
    base = buyer(rng)
    for serial in range(1000):
        first17 = f"330106{date(1990, 5, 17):%Y%m%d}{serial:03d}"
        check = ric.calc_check_digit(first17 + "0")
        if check == "X":
            return Buyer(base.name, first17 + "X", base.telephone, base.address)
    raise AssertionError("no serial gives X")


def test_the_case_of_the_check_letter_makes_no_second_buyer(world, django_capture_on_commit_callbacks):
    who = buyer_with_check_letter_x(random.Random(7))
    upper = world.declaration(6, who=who, lines=1)
    lower = world.declaration(7, who=who, lines=1)
    for kind in ("order", "payment", "inventory"):
        field = "payer_id_number" if kind == "payment" else "buyer_id_number"
        lower[kind][field] = who.id_number.lower()
    assert world.clear(upper, django_capture_on_commit_callbacks).status == "released"
    assert world.clear(lower, django_capture_on_commit_callbacks).status == "released"
    quotas = list(BuyerQuota.objects.values_list("buyer_id_number", flat=True))
    assert quotas == [who.id_number]  # one buyer, upper-case, one annual quota
    assert set(InventoryList.objects.values_list("buyer_id_number", flat=True)) == {who.id_number}


@pytest.mark.parametrize("born", [date.today() + timedelta(days=400), date(1899, 12, 31)])
def test_a_birth_date_in_the_future_or_before_1900_is_refused(world, born):
    first17 = f"330106{born:%Y%m%d}123"
    id_number = first17 + ric.calc_check_digit(first17 + "0")
    order = world.declaration(8)["order"]
    order["buyer_id_number"] = id_number
    answer = world.post("order", order)
    assert answer.status_code == 400
    assert "buyer_id_number" in answer.json()["receipt"]["errors"]


# --- 4. a payment counts only from the firm the order names -------------------------------------------


def test_another_firms_payment_for_the_order_does_not_count(world, django_capture_on_commit_callbacks):
    stranger = EnterpriseFactory(roles=["payment"], name_zh="别家支付")
    from sharing.services import api_key_issue

    _key, plain = api_key_issue(enterprise=stranger, name="tests")
    squatter = APIClient()
    squatter.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    docs = world.declaration(9)
    assert docs["order"]["pay_code"] == world.payment.customs_code
    injected = dict(
        docs["payment"],
        pay_code=stranger.customs_code,
        pay_name=stranger.name_zh,
        pay_transaction_id="STRANGER-1",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert squatter.post("/api/v1/payments/", injected, format="json").status_code == 201
        world.declare(docs, order=("order", "waybill", "inventory"))
    inventory = InventoryList.objects.get()
    assert inventory.status == "received" and inventory.payment_id is None
    assert world.payment.customs_code in inventory.status_reason  # waiting for the named firm
    with django_capture_on_commit_callbacks(execute=True):
        world.post("payment", docs["payment"])
    inventory.refresh_from_db()
    assert inventory.status == "released"
    assert inventory.payment.pay_code == world.payment.customs_code


# --- 7. app_status and app_type ------------------------------------------------------------------------


def test_a_saved_only_order_goes_no_further_until_declared(world, django_capture_on_commit_callbacks):
    docs = world.declaration(10)
    docs["order"]["app_status"] = "1"
    with django_capture_on_commit_callbacks(execute=True):
        answers = world.declare(docs)
    assert answers["order"].json()["return_status"] == "1"
    inventory = InventoryList.objects.get()
    assert inventory.status == "received" and not TaxBill.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        declared = world.post("order", dict(docs["order"], app_status="2"))
    assert declared.json()["return_status"] == "120"
    inventory.refresh_from_db()
    assert inventory.status == "released"


def test_a_saved_only_list_is_answered_1_and_not_cleared(world, django_capture_on_commit_callbacks):
    docs = world.declaration(11)
    docs["inventory"]["app_status"] = "1"
    with django_capture_on_commit_callbacks(execute=True):
        answers = world.declare(docs)
    assert answers["inventory"].json()["return_status"] == "1"
    inventory = InventoryList.objects.get()
    assert inventory.status == "received" and receipts_of(inventory) == ["1"]
    with django_capture_on_commit_callbacks(execute=True):
        world.post("inventory", dict(docs["inventory"], app_status="2"))
    inventory.refresh_from_db()
    assert inventory.status == "released"
    assert receipts_of(inventory) == ["1", "2", "3", "120", "399", "800"]


def test_app_type_new_with_other_content_is_refused_and_change_of_nothing_too(world):
    docs = world.declaration(12)
    assert world.post("order", docs["order"]).status_code == 201
    renewed = world.post("order", dict(docs["order"], consignee_telephone="13900000001"))
    assert renewed.status_code == 400 and renewed.json()["receipt"]["return_status"] == "-301010"
    changed = world.post("order", dict(docs["order"], consignee_telephone="13900000001", app_type="2"))
    assert changed.status_code == 201 and changed.json()["outcome"] == "changed"
    never_filed = world.post("payment", dict(docs["payment"], app_type="2"))
    assert never_filed.status_code == 400 and never_filed.json()["receipt"]["return_status"] == "-401012"


# --- 8. a party named by its USCC joins as itself ------------------------------------------------------


def test_an_order_filed_under_the_platforms_uscc_joins_its_list(world, django_capture_on_commit_callbacks):
    docs = world.declaration(13)
    docs["order"]["ebp_code"] = world.platform.uscc.lower()
    docs["payment"]["ebp_code"] = world.platform.uscc
    inventory = world.clear(docs, django_capture_on_commit_callbacks)
    assert inventory.status == "released", inventory.status_reason
    assert inventory.order.ebp_code == world.platform.customs_code


# --- 6, 11. receipts in the order of DOMAIN 4.1; invt_no at 120 ----------------------------------------


def test_a_held_list_goes_2_3_120_300_then_399_800_and_has_its_number_at_120(
    world, django_capture_on_commit_callbacks
):
    inventory = world.declare_restricted(14, django_capture_on_commit_callbacks)
    assert inventory.status == "held"
    assert receipts_of(inventory) == ["2", "3", "120", "300"]
    assert inventory.invt_no.startswith(inventory.customs_code) and len(inventory.invt_no) == 18
    customs = APIClient()
    customs.force_authenticate(official("customs", username="reviewer-16"))
    alert = Alert.objects.get(inventory=inventory)
    with django_capture_on_commit_callbacks(execute=True):
        customs.post(f"/api/v1/alerts/{alert.pk}/release/", {"reason": "许可齐全"})
    number = inventory.invt_no
    inventory.refresh_from_db()
    assert inventory.status == "released" and inventory.invt_no == number
    assert receipts_of(inventory) == ["2", "3", "120", "300", "399", "800"]


def test_a_held_list_rejected_by_customs_ends_with_100_after_300(world, django_capture_on_commit_callbacks):
    inventory = world.declare_restricted(15, django_capture_on_commit_callbacks)
    customs = APIClient()
    customs.force_authenticate(official("customs", username="reviewer-17"))
    alert = Alert.objects.get(inventory=inventory)
    with django_capture_on_commit_callbacks(execute=True):
        customs.post(f"/api/v1/alerts/{alert.pk}/reject/", {"reason": "无许可"})
    assert receipts_of(inventory) == ["2", "3", "120", "300", "100"]


# --- 10. sign-for only of released goods ----------------------------------------------------------------


def test_a_sign_for_of_goods_never_released_is_refused(world):
    docs = world.declaration(16)
    world.post("waybill", docs["waybill"])
    sign_for = {
        "guid": "D" * 36,
        "app_type": "1",
        "app_time": "20261125120000",
        "app_status": "2",
        "logistics_code": docs["waybill"]["logistics_code"],
        "logistics_name": docs["waybill"]["logistics_name"],
        "logistics_no": docs["waybill"]["logistics_no"],
        "logistics_status": "S",
        "logistics_time": "20261125120000",
    }
    body = ceb_message("CEB513", [sign_for], guid="E" * 36)
    answer = world.client("logistics").post("/api/v1/ceb/", body, content_type="application/xml")
    statuses = [e.text for e in etree.fromstring(answer.content).iter(f"{{{ceb.CEB_NS}}}returnStatus")]
    assert statuses == ["-505002"]
    assert Waybill.objects.get().logistics_status == ""


def test_a_strangers_receipt_of_payment_neither_blocks_nor_counts(world, django_capture_on_commit_callbacks):
    from declarations.models import ExportInventoryList
    from sharing.services import api_key_issue

    stranger = EnterpriseFactory(roles=["payment"], name_zh="别家支付")
    _key, plain = api_key_issue(enterprise=stranger, name="tests")
    squatter = APIClient()
    squatter.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    docs = world.export(17, trade_mode="9610")
    forged = dict(
        docs["receipt_of_payment"], pay_code=stranger.customs_code, pay_name=stranger.name_zh, charge="1.00"
    )
    with django_capture_on_commit_callbacks(execute=True):
        squatted = squatter.post("/api/v1/receipts-of-payment/", forged, format="json")
        assert squatted.status_code == 201
        # the exporter files its own receipt: accepted, not "another enterprise submitted this document"
        own = dict(docs["receipt_of_payment"], pay_code="", pay_name=world.seller.name_zh)
        assert (
            world.client("seller").post("/api/v1/receipts-of-payment/", own, format="json").status_code == 201
        )
        world.declare_export(docs, kinds=("export_order", "export_waybill", "export_inventory"))
    inventory = ExportInventoryList.objects.get(cop_no=docs["export_inventory"]["cop_no"])
    assert inventory.status == "released", inventory.status_reason
    assert inventory.receipt.submitted_by_id == world.seller.pk


def test_a_cancel_with_a_customs_district_not_in_the_table_is_refused_on_its_field(world):
    from declarations.services import amendment_for_list

    docs = world.declaration(18)
    world.post("inventory", docs["inventory"])
    body = dict(amendment_for_list(InventoryList.objects.get(), reason="买家取消"), customs_code="0000")
    answer = world.client("seller").post("/api/v1/inventory-cancels/", body, format="json")
    assert answer.status_code == 400 and "customs_code" in answer.json()["fields"]
    assert InventoryList.objects.get().status != "cancelled"


def test_a_held_list_is_cancelled_by_a_schema_valid_ceb623_naming_its_number(
    world, django_capture_on_commit_callbacks
):
    # 11: the list has its invt_no from 120, so a CEB623 that follows the XSD (invtNo required) names it
    from declarations.services import amendment_for_list

    inventory = world.declare_restricted(19, django_capture_on_commit_callbacks)
    assert inventory.status == "held" and inventory.invt_no
    cancel = amendment_for_list(inventory, reason="买家取消")
    assert cancel["invt_no"] == inventory.invt_no
    body = ceb_message("CEB623", [cancel], guid="F" * 36)
    with django_capture_on_commit_callbacks(execute=True):
        answer = world.client("seller").post("/api/v1/ceb/", body, content_type="application/xml")
    assert answer.status_code == 200, answer.content
    statuses = [e.text for e in etree.fromstring(answer.content).iter(f"{{{ceb.CEB_NS}}}returnStatus")]
    assert statuses == ["399"]
    inventory.refresh_from_db()
    assert inventory.status == "cancelled" and "800" not in receipts_of(inventory)


# --- 15. one language per message: a CEB receipt is Chinese whoever asks --------------------------------


def test_a_ceb_receipt_speaks_chinese_even_to_an_english_caller(world):
    order = world.declaration(20)["order"]
    order["buyer_id_number"] = "110105194912310021"  # a wrong check character
    body = ceb_message("CEB311", [order], guid="G" * 36)
    answer = world.client("platform").post(
        "/api/v1/ceb/", body, content_type="application/xml", HTTP_ACCEPT_LANGUAGE="en"
    )
    infos = [e.text for e in etree.fromstring(answer.content).iter(f"{{{ceb.CEB_NS}}}returnInfo")]
    assert len(infos) == 1 and "buyer_id_number" in infos[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in infos[0])  # Chinese
    assert "is not a valid" not in infos[0] and "This field" not in infos[0]
    # the same refusal through the JSON API speaks the caller's language
    as_json = world.client("platform").post(
        "/api/v1/orders/", order, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert as_json.status_code == 400
    assert "is not a valid resident ID number" in as_json.json()["receipt"]["errors"]["buyer_id_number"][0]


def test_a_sign_for_naming_the_carrier_by_its_uscc_closes_the_list(world, django_capture_on_commit_callbacks):
    docs = world.declaration(21)
    inventory = world.clear(docs, django_capture_on_commit_callbacks)
    sign_for = {
        "guid": "H" * 36,
        "app_type": "1",
        "app_time": "20261125120000",
        "app_status": "2",
        "logistics_code": world.logistics.uscc.lower(),
        "logistics_name": docs["waybill"]["logistics_name"],
        "logistics_no": docs["waybill"]["logistics_no"],
        "logistics_status": "S",
        "logistics_time": "20261125120000",
    }
    body = ceb_message("CEB513", [sign_for], guid="I" * 36)
    answer = world.client("logistics").post("/api/v1/ceb/", body, content_type="application/xml")
    statuses = [e.text for e in etree.fromstring(answer.content).iter(f"{{{ceb.CEB_NS}}}returnStatus")]
    assert statuses == ["120"]
    assert receipts_of(inventory)[-1] == "899"


def test_a_released_list_nobody_signed_for_is_closed_after_the_set_time(
    world, django_capture_on_commit_callbacks, settings
):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    settings.CLEARANCE_CLOSE_AFTER_DAYS = 45
    recent, old = (world.clear(world.declaration(n), django_capture_on_commit_callbacks) for n in (22, 23))
    InventoryList.objects.filter(pk=old.pk).update(final_at=timezone.now() - timedelta(days=46))
    call_command("clearance_sweep")
    assert receipts_of(old)[-2:] == ["800", "899"]
    assert InventoryList.objects.get(pk=old.pk).return_status == "899"
    assert receipts_of(recent)[-1] == "800"  # within the time: still open
