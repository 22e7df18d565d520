"""In the browser: sign up (confirmed by mail), onboarding, approval (by an official past the second
factor) and an API key."""

import json
import re
import urllib.request

import pytest
from django.core import mail

from sharing.models import Enterprise

from ..factories import official
from .conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def log_out(page) -> None:
    page.click("text=Log out")


def test_sign_up_onboard_approve_and_use_an_api_key(page):
    official("commerce", username="commerce-officer")  # password: pw-for-tests-1

    # a person signs up and files the enterprise
    page.goto(f"{page.base_url}/accounts/signup/")
    page.fill("#id_username", "hz-trader")
    page.fill("#id_email", "ops@hz-trader.example.com")
    page.fill("#id_password1", "trader-pass-phrase-7")
    page.fill("#id_password2", "trader-pass-phrase-7")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/signup/done/")
    # the address is confirmed by the link mailed to it
    link = re.search(r"https?://\S+/accounts/activate/\S+/", mail.outbox[-1].body).group(0)
    assert mail.outbox[-1].to == ["ops@hz-trader.example.com"]
    page.goto(link)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/onboarding/")
    page.fill("#id_uscc", "91110000600037341M")  # wrong check character first
    page.fill("#id_customs_code", "3301960777")
    page.fill("#id_name_zh", "杭州浏览器测试贸易有限公司")
    page.fill("#id_name_en", "Hangzhou Browser Test Trading Co.")
    page.check("input[name=roles][value=ecommerce]")
    page.click("main form button[type=submit]")
    error = page.locator('p.error[data-field="uscc"]')
    assert "check character" in error.inner_text()
    assert page.input_value("#id_name_zh") == "杭州浏览器测试贸易有限公司"  # input kept
    screenshot(page, "onboarding-error")
    page.fill("#id_uscc", "91110000600037341L")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/enterprise/")
    assert page.inner_text("#enterprise-status") == "Pending review"
    log_out(page)

    # a commerce official approves it
    log_in(page, "commerce-officer", "pw-for-tests-1")
    page.click("nav >> text=Enterprise review")
    screenshot(page, "enterprise-review-queue")
    page.click("text=Hangzhou Browser Test Trading Co.")
    page.click("button[value=approve]")
    page.wait_for_url("**/officials/enterprises/")
    assert Enterprise.objects.get(customs_code="3301960777").status == "approved"
    log_out(page)

    # the applicant creates a key and uses it against the API
    log_in(page, "hz-trader", "trader-pass-phrase-7")
    page.goto(f"{page.base_url}/enterprise/")
    assert page.inner_text("#enterprise-status") == "Approved"
    assert "Enterprise approved" in page.inner_text("main")  # the message written by the background task
    page.click("nav >> text=API keys")
    page.fill("#id_name", "order gateway")
    page.click("main form button[type=submit]")
    plain = page.inner_text("#new-api-key").strip()
    screenshot(page, "api-keys")
    request = urllib.request.Request(
        f"{page.base_url}/api/v1/enterprises/", headers={"Authorization": f"Api-Key {plain}"}
    )
    with urllib.request.urlopen(request) as response:
        body = json.loads(response.read())
    assert [row["customs_code"] for row in body["results"]] == ["3301960777"]
    page.goto(f"{page.base_url}/enterprise/api-keys/")
    assert page.inner_text("#api-key-table .last-used") != "never"


def test_language_switch_changes_the_page(page):
    page.goto(f"{page.base_url}/zones/")
    assert "Batch 1" in page.inner_text("main")
    with page.expect_navigation():
        page.select_option("#language", "zh-hans")
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert "第 1 批" in page.inner_text("main")
    screenshot(page, "zones-zh")
