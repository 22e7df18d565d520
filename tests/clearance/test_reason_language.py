"""A list's reasons in the reader's language (issue 16, 15): Chinese as in a CEB receipt, English on
asking for it, never a mix of the two."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from lxml import html

from declarations.models import InventoryList
from sharing.models import PaymentLicence
from tests.declarations.test_views import member

pytestmark = pytest.mark.django_db


def _last_receipt(world, inventory, language: str) -> dict:
    detail = world.client("seller").get(f"/api/v1/inventories/{inventory.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    return detail.json()["timeline"][-1]


def _queue(world, language: str) -> list[str]:
    answer = world.client("seller").get("/api/v1/receipts/?since=0", HTTP_ACCEPT_LANGUAGE=language)
    return [r["return_info"] for r in answer.json()["results"]]


def test_a_refusal_and_a_mismatch_read_in_chinese_or_english(world, django_capture_on_commit_callbacks):
    # given a list refused by forex (its payment firm has no licence) and one whose line differs from
    # the order's
    PaymentLicence.objects.all().delete()
    docs = world.declaration(31, lines=1)
    pay_code = docs["payment"]["pay_code"]
    refused = world.clear(docs, django_capture_on_commit_callbacks)
    docs = world.declaration(32, lines=1)
    line = docs["inventory"]["items"][0]
    line["price"] = f"{Decimal(line['price']) + 1:.2f}"
    line["total_price"] = f"{Decimal(line['price']) * Decimal(line['qty']):.2f}"
    mismatched = world.clear(docs, django_capture_on_commit_callbacks)
    assert (refused.status, mismatched.status) == ("rejected", "mismatch")

    # when the enterprise reads them in Chinese and in English, then each is in one language
    chinese, english = _last_receipt(world, refused, "zh-hans"), _last_receipt(world, refused, "en")
    assert chinese["return_status"] == english["return_status"] == "100" and chinese["source"] == "forex"
    assert chinese["return_info"] == f"外汇管理：支付企业 {pay_code} 未取得跨境支付许可"
    assert (
        english["return_info"]
        == f"forex: payment enterprise {pay_code} holds no cross-border payment licence"
    )
    # no English word left in the Chinese, not even the agency's code: only the firm's code is Latin
    assert not re.search("[A-Za-z]", chinese["return_info"].replace(pay_code, ""))

    chinese, english = _last_receipt(world, mismatched, "zh-hans"), _last_receipt(world, mismatched, "en")
    assert chinese["return_status"] == english["return_status"] == "-621019"
    assert "sum of inventory.items.total_price" in english["return_info"]
    assert "之和" in chinese["return_info"] and "sum of" not in chinese["return_info"]

    # the receipt queue says the same in the same language
    in_chinese, in_english = _queue(world, "zh-hans"), _queue(world, "en")
    assert any("未取得跨境支付许可" in info for info in in_chinese)
    assert not any("payment enterprise" in info or "sum of" in info for info in in_chinese)
    assert any("holds no cross-border payment licence" in info for info in in_english)


def _reason_on_page(world, inventory, language: str) -> str:
    client = Client()
    client.force_login(member(world.seller))
    page = client.get(f"/declarations/inventories/{inventory.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    return " ".join(html.fromstring(page.content).get_element_by_id("status-reason").text_content().split())


def test_a_list_waiting_or_held_says_why_in_the_readers_language(world, django_capture_on_commit_callbacks):
    # given a list waiting for its payment and waybill, and a list held for an officer
    docs = world.declaration(41, lines=1)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs, order=("order", "inventory"))
    waiting = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    held = world.declare_restricted(42, django_capture_on_commit_callbacks)
    assert (waiting.status, held.status) == ("received", "held")

    # then the enterprise reads each reason whole in its language; the API keeps the English
    firm = world.payment.customs_code
    assert waiting.status_reason == f"Waiting for: payment from {firm}, waybill"
    assert _reason_on_page(world, waiting, "en") == f"Waiting for: payment from {firm}, waybill"
    assert _reason_on_page(world, waiting, "zh-hans") == f"等待：来自 {firm} 的支付单, 运单"
    assert held.status_reason == "RISK-RESTRICTED_GOODS"
    chinese = _reason_on_page(world, held, "zh-hans")
    assert "人工审核" in chinese and "RISK-RESTRICTED_GOODS" in chinese
    assert not re.search("[a-z]{3,}", chinese.replace("RISK-RESTRICTED_GOODS", ""))
    assert "Held for review by a customs officer" in _reason_on_page(world, held, "en")


def test_each_code_on_the_timeline_says_what_it_means_and_what_to_do(
    world, django_capture_on_commit_callbacks
):
    released = world.clear(world.declaration(43, lines=1), django_capture_on_commit_callbacks)
    assert released.status == "released"
    client = Client()
    client.force_login(member(world.seller))
    for language, words in (
        ("en", "Released — The goods may be delivered to the buyer."),
        ("zh-hans", "已放行 — 货物可以交付买家。"),
    ):
        page = client.get(f"/declarations/inventories/{released.pk}/", HTTP_ACCEPT_LANGUAGE=language)
        meanings = [
            " ".join(e.text_content().split())
            for e in html.fromstring(page.content).find_class("code-meaning")
        ]
        assert words in meanings
