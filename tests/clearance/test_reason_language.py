"""A list's reasons in the reader's language (issue 16, 15): Chinese as in a CEB receipt, English on
asking for it, never a mix of the two."""

import re
from decimal import Decimal

import pytest

from sharing.models import PaymentLicence

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
    assert chinese["return_info"] == f"forex：支付企业 {pay_code} 未取得跨境支付许可"
    assert (
        english["return_info"]
        == f"forex: payment enterprise {pay_code} holds no cross-border payment licence"
    )
    # no English word left in the Chinese: only the agency's name and the firm's code are Latin
    assert not re.search("[A-Za-z]", chinese["return_info"].replace("forex", "").replace(pay_code, ""))

    chinese, english = _last_receipt(world, mismatched, "zh-hans"), _last_receipt(world, mismatched, "en")
    assert chinese["return_status"] == english["return_status"] == "-621019"
    assert "sum of inventory.items.total_price" in english["return_info"]
    assert "之和" in chinese["return_info"] and "sum of" not in chinese["return_info"]

    # the receipt queue says the same in the same language
    in_chinese, in_english = _queue(world, "zh-hans"), _queue(world, "en")
    assert any("未取得跨境支付许可" in info for info in in_chinese)
    assert not any("payment enterprise" in info or "sum of" in info for info in in_chinese)
    assert any("holds no cross-border payment licence" in info for info in in_english)
