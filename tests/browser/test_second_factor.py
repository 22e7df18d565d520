"""In the browser: an official's first login enrols an authenticator app, shows the recovery codes once
and goes on to the page asked for; the next login asks for a code."""

import base64

import pytest
from django_otp.oath import TOTP

from ..factories import official
from .conftest import log_in, screenshot

pytestmark = pytest.mark.browser


def test_an_official_enrols_an_authenticator_app_at_first_login(page):
    official("customs", username="new-customs")
    page.goto(f"{page.base_url}/officials/alerts/")
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", "new-customs")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("main form button[type=submit]")

    # no device yet: the enrolment page, with the key to type into the app
    page.wait_for_url("**/accounts/otp/enrol/**")
    secret = page.inner_text("#otp-secret").strip()
    assert page.text_content("#otp-uri").startswith("otpauth://totp/")  # folded in a <details>
    screenshot(page, "otp-enrol")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_token", f"{TOTP(key).token():06d}")
    page.click("main form button[type=submit]")

    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.click("main >> text=Continue")
    page.wait_for_url("**/officials/alerts/")
    page.click("text=Log out")

    # the next login asks for a code
    log_in(page, "new-customs")
    assert "/accounts/otp/" not in page.url
    page.goto(f"{page.base_url}/officials/alerts/")
    assert page.url.endswith("/officials/alerts/")
