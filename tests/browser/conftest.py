"""Browser tests: Playwright drives Debian's /usr/bin/chromium headless against a live server."""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# axe-core, vendored (never from a CDN): the accessibility rules every page the tests visit must pass.
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_IMPACTS = ("critical", "serious")
LANGUAGES = ["zh-hans", "en"]
# The browser's language asks for the page's: Django's LocaleMiddleware reads Accept-Language.
BROWSER_LOCALE = {"zh-hans": "zh-CN", "en": "en-US"}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is required in CI (make test installs it)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    from ..conftest import reload_reference_data

    reload_reference_data()
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    page.axe_violations = []
    page.on("load", axe_check)  # every page the test reaches, by a link, a form or a goto
    yield page
    violations = page.axe_violations
    context.close()
    assert not violations, "accessibility (axe-core):\n" + "\n".join(violations)


@pytest.fixture
def walker(browser, live_server, request):
    """A page in the language of the test's `lang` parameter (`page.lang`), checked by axe-core on
    each load like `page`, and failing the test on any script error."""
    from ..conftest import reload_reference_data

    lang = request.node.callspec.params["lang"]
    reload_reference_data()
    context = browser.new_context(locale=BROWSER_LOCALE[lang], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    page.lang = lang
    page.axe_violations = []
    page.script_errors = []
    page.on("load", axe_check)
    page.on("pageerror", lambda exc: page.script_errors.append(str(exc)))
    yield page
    violations, errors = page.axe_violations, page.script_errors
    context.close()
    assert not violations, "accessibility (axe-core):\n" + "\n".join(violations)
    assert not errors, "script errors:\n" + "\n".join(errors)


def axe_check(page) -> list[str]:
    """Run axe-core on the page as it stands and keep its critical and serious violations on
    `page.axe_violations` (the page fixture fails the test on any). Runs by itself after each
    navigation; call it after a change made without one (an htmx swap, an opened menu)."""
    from playwright.sync_api import Error

    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
    source = axe_source()
    try:
        page.evaluate(source + "\n;0")
        found = page.evaluate(
            """async (impacts) => {
              const result = await axe.run(document, {resultTypes: ["violations"]});
              return result.violations.filter(v => impacts.includes(v.impact)).map(v =>
                `${v.impact} ${v.id}: ${v.help} at ${location.pathname} ` +
                v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
            }""",
            list(AXE_IMPACTS),
        )
    except Error:  # the page moved on before axe finished: the next page is checked on its load
        return []
    page.axe_violations.extend(found)
    return found


def axe_source() -> str:
    if not hasattr(axe_source, "text"):
        axe_source.text = AXE.read_text(encoding="utf-8")
    return axe_source.text


def screenshot(page, name: str, *, mobile: bool = False, palette: bool = False) -> None:
    """docs/screenshots/<name>.png at the page's size; with `mobile`, also <name>-390.png as a phone
    (390 px wide) shows it. With `palette`, stored with 256 colours whatever its size."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    shrink(SCREENSHOTS / f"{name}.png", always=palette)
    if mobile:
        size = page.viewport_size
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-390.png"), full_page=True)
        shrink(SCREENSHOTS / f"{name}-390.png", always=palette)
        page.set_viewport_size(size)


SCREENSHOT_MAX_BYTES = 300_000


def shrink(path: Path, *, always: bool = False) -> None:
    """Keep the repository light: a screenshot over 300 KB (a long form, full page) is stored with a
    palette of 256 colours, which a page of text and flat colours barely shows."""
    if not always and path.stat().st_size <= SCREENSHOT_MAX_BYTES:
        return
    from PIL import Image  # weasyprint's dependency, present wherever the PDFs are made

    with Image.open(path) as image:
        paletted = image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    paletted.save(path, format="PNG", optimize=True)


def log_in(page, username: str, password: str = "pw-for-tests-1") -> None:
    """Log in through the form, as a person does; an official (or anyone who must give a second factor)
    then types the code an authenticator app with their device's key would show."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sharing.otp import otp_required
    from sharing.principal import principal_for_user

    user = get_user_model().objects.get(username=username)
    device = None
    if otp_required(principal_for_user(user)):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    if device is not None:
        page.wait_for_url("**/accounts/otp/verify/**")
        page.fill("#id_token", totp_code(device))
        page.click("main form button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/otp/" not in url)


def totp_code(device) -> str:
    """The device's next code not used yet: a code opens one session only, and a test may log the same
    official in twice within its 30 seconds (the device accepts one step ahead)."""
    import time

    from sharing.otp import current_code

    device.refresh_from_db()
    now = time.time()
    step = int((now - device.t0) // device.step)
    ahead = 1 if device.last_t >= step else 0
    return current_code(device, at=now + ahead * device.step)
