"""Each role's main job, walked in the browser by the words a person reads, in Chinese and in English.

The walks find fields by their labels, buttons and links by their names and text by what it says,
never by a field's name or id. The words come from the catalogs, through the same sources the pages
use (`declarations/labels.py` for the document forms, the templates' msgids for the rest), so a
changed translation changes what the walk looks for, not the walk. axe-core runs on every page.
"""

import re

import pytest
from django.utils import translation

from declarations.choices import DocumentKind, InventoryStatus
from declarations.labels import FIELD_LABELS
from declarations.models import InventoryList
from risk.models import RiskRule
from sharing.choices import NotificationKind

from ..factories import ClearanceWorld, UserFactory, official
from .conftest import LANGUAGES, log_in, screenshot

pytestmark = pytest.mark.browser


def words(lang: str, text, **params) -> str:
    """`text` (a msgid or a lazy label) as the catalog of `lang` says it, with its parameters."""
    with translation.override(lang):
        said = translation.gettext(text) if isinstance(text, str) else str(text)
    return said % params if params else said


def label(lang: str, name: str) -> str:
    """The label the document forms show for the CEB field `name` (`items.<name>` for a line's)."""
    return words(lang, FIELD_LABELS[name].label)


def member(world_enterprise, username: str):
    from sharing.models import Membership

    user = UserFactory(username=username)
    Membership.objects.create(user=user, enterprise=world_enterprise, role="admin")
    return user


def inspection_rate(rate: int) -> None:
    """Every credit level's share of lists drawn for inspection: 0 for exact outcomes, 1 for all."""
    from credit.models import CreditLevel

    CreditLevel.objects.update(inspection_rate=rate)


def main_nav(page):
    return page.get_by_role("navigation", name=words(page.lang, "Main"))


# --- 1. the clerk files a list by the form ------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_clerk_files_a_list_fixes_an_error_from_the_summary_and_sees_it_released(walker, lang):
    page = walker
    inspection_rate(0)
    world = ClearanceWorld()
    docs = world.declaration(1, lines=2)
    # given the order, payment and waybill the other parties filed through the API
    for kind in ("order", "payment", "waybill"):
        assert world.post(kind, docs[kind]).status_code == 201
    member(world.seller, f"clerk-{lang}")
    inventory = docs["inventory"]
    first, second = inventory["items"]
    log_in(page, f"clerk-{lang}")

    # the clerk opens the form from the Documents area's navigation
    main_nav(page).get_by_role("link", name=words(lang, "Documents")).click()
    page.get_by_role("navigation", name=words(lang, "Documents")).get_by_role(
        "link", name=words(lang, "New inventory list")
    ).click()
    page.wait_for_url("**/declarations/new/inventory/")

    # and copies the list from its order: parties, buyer and lines
    copy = page.get_by_role("form", name=words(lang, "Copy from an order"))
    copy.get_by_label(words(lang, "Order number")).fill(inventory["order_no"])
    copy.get_by_role("button", name=words(lang, "Copy from order")).click()
    page.wait_for_url("**?order=*")
    form = page.locator("form[data-document-form]")
    assert form.get_by_label(label(lang, "buyer_name"), exact=True).input_value() == inventory["buyer_name"]

    # she fills the head by its labels
    for name in (
        "logistics_no",
        "logistics_code",
        "logistics_name",
        "cop_no",
        "port_code",
        "traf_mode",
        "country",
        "insured_fee",
        "gross_weight",
        "net_weight",
        "buyer_id_number",
        "buyer_telephone",
        "freight",
        "traf_no",
        "voyage_no",
        "bill_no",
    ):
        form.get_by_label(label(lang, name), exact=True).fill(str(inventory[name]))
    form.get_by_label(label(lang, "trade_mode"), exact=True).select_option(inventory["trade_mode"])
    # the customs district from its lookup: the code table's districts, named in her language
    district = form.get_by_label(label(lang, "customs_code"), exact=True)
    suggestions = page.locator(f"datalist#{district.get_attribute('list')} option")
    assert suggestions.count() > 1
    chosen = suggestions.and_(page.locator(f"[value='{inventory['customs_code']}']"))
    assert chosen.count() == 1 and chosen.inner_text().startswith(f"{inventory['customs_code']} ")
    district.fill(inventory["customs_code"])

    # the copied lines go; she keeps one, adds another with the button, and fills both
    def line(number: int):
        return form.get_by_role("group", name=words(lang, "Line %(number)s", number=number), exact=True)

    numbered = re.escape(words(lang, "Line %(number)s", number="#")).replace("\\#", r"\d+")
    lines = form.get_by_role("group", name=re.compile(f"^{numbered}$"))
    while lines.count() > 1:
        count = lines.count()
        line(count).get_by_role("button", name=words(lang, "Remove line %(number)s", number=count)).click()
    form.get_by_role("button", name=words(lang, "Add a line")).click()
    assert line(2).count() == 1
    for number, item in ((1, first), (2, second)):
        for name in (
            "gcode",
            "gname",
            "gmodel",
            "country",
            "currency",
            "qty",
            "unit",
            "qty1",
            "unit1",
            "price",
        ):
            line(number).get_by_label(label(lang, f"items.{name}"), exact=True).fill(str(item[name]))
        # the line's total is computed as she types
        total = line(number).get_by_label(label(lang, "items.total_price"), exact=True)
        assert float(total.input_value()) == pytest.approx(float(item["total_price"]), abs=0.01)
    # the unit comes from its lookup too
    unit = line(2).get_by_label(label(lang, "items.unit"), exact=True)
    assert (
        page.locator(f"datalist#{unit.get_attribute('list')} option[value='{second['unit']}']").count() == 1
    )

    # when she declares it with one mistake: an HS code of three digits
    hs_code = line(2).get_by_label(label(lang, "items.gcode"), exact=True)
    hs_code.fill("123")
    screenshot(page, f"walk-inventory-form-{lang}", mobile=True)
    # (from the keyboard: a click would only close the lookup's open suggestions)
    form.get_by_role("button", name=words(lang, "Declare"), exact=True).press("Enter")

    # then the summary at the top names the field; its link moves the focus to it
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", level=2))
    summary.wait_for()
    assert InventoryList.objects.count() == 0
    where = f"{words(lang, 'Line %(number)s', number=2)}: {label(lang, 'items.gcode')}"
    screenshot(page, f"walk-inventory-form-errors-{lang}", mobile=True)
    summary.get_by_role("link", name=where).click()
    hs_code = line(2).get_by_label(label(lang, "items.gcode"), exact=True)
    assert hs_code.evaluate("e => e === document.activeElement")

    # she fixes it and declares again
    hs_code.fill(second["gcode"])
    form.get_by_role("button", name=words(lang, "Declare"), exact=True).press("Enter")

    # and the pipeline (order, payment and waybill matched; risk; agencies) releases the list
    page.wait_for_url("**/declarations/inventories/*/")
    released = words(lang, InventoryStatus.RELEASED.label)
    assert released in page.get_by_role("heading", level=1).inner_text()
    listed = InventoryList.objects.get()
    assert listed.status == InventoryStatus.RELEASED and listed.items.count() == 2
    assert page.get_by_text(words(lang, "Release notice (PDF)")).is_visible()
    screenshot(page, f"walk-inventory-released-{lang}", mobile=True)


# --- 2. the payment firm sees only its documents ------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_payment_firm_sees_only_its_documents_and_is_refused_the_others_forms(walker, lang):
    page = walker
    inspection_rate(0)
    ours, theirs = ClearanceWorld(), ClearanceWorld()
    our_docs, their_docs = ours.declaration(11, lines=1), theirs.declaration(12, lines=1)
    for world, docs in ((ours, our_docs), (theirs, their_docs)):
        for kind in ("order", "payment"):
            assert world.post(kind, docs[kind]).status_code == 201
    member(ours.payment, f"payer-{lang}")
    log_in(page, f"payer-{lang}")

    # the Documents area opens on its payments, and offers no other list nor another role's form
    main_nav(page).get_by_role("link", name=words(lang, "Documents")).click()
    page.wait_for_url("**/documents/payments/")
    documents = page.get_by_role("navigation", name=words(lang, "Documents"))
    offered = documents.get_by_role("link").all_inner_texts()
    assert words(lang, "Payments") in offered and words(lang, "New payment") in offered
    for other in ("New order", "New waybill", "New inventory list", "Orders", "Waybills", "Inventory lists"):
        assert words(lang, other) not in offered, other
    table = page.get_by_role("table")
    assert table.get_by_text(our_docs["payment"]["pay_transaction_id"]).count() == 1
    assert table.get_by_text(their_docs["payment"]["pay_transaction_id"]).count() == 0
    assert table.get_by_text(their_docs["payment"]["order_no"]).count() == 0
    screenshot(page, f"walk-payments-{lang}", mobile=True)

    # a filing page of another role, opened by its address, is refused before any form is shown
    for kind in (DocumentKind.INVENTORY, DocumentKind.ORDER, DocumentKind.WAYBILL):
        answer = page.goto(f"{page.base_url}/declarations/new/{kind}/")
        assert answer.status == 403
        heading = words(lang, "You cannot file this document: %(kind)s", kind=words(lang, kind.label))
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert page.get_by_role("button", name=words(lang, "Declare")).count() == 0
        assert page.get_by_role("link", name=words(lang, "Your documents")).is_visible()
    screenshot(page, f"walk-filing-refused-{lang}")
    # nor, by its address, does the list of orders show it another firm's order
    page.goto(f"{page.base_url}/documents/orders/")
    assert page.get_by_text(their_docs["order"]["order_no"]).count() == 0


# --- 3. customs works the inspection worklist ---------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_customs_records_an_inspection_result_and_the_list_leaves_the_worklist(walker, lang):
    page = walker
    inspection_rate(1)  # every list is drawn for inspection
    # the only customs official at the draw: the "double random" draw names this one
    official("customs", username=f"inspector-{lang}")
    world = ClearanceWorld()
    docs = world.declaration(21, lines=1)
    for kind in ("order", "payment", "waybill", "inventory"):
        assert world.post(kind, docs[kind]).status_code == 201
    inventory = InventoryList.objects.get()
    assert inventory.status == InventoryStatus.INSPECTION

    # the official logs in with the second factor and opens the worklist's inspection queue
    log_in(page, f"inspector-{lang}")
    main_nav(page).get_by_role("link", name=words(lang, "Worklist")).click()
    page.wait_for_url("**/officials/worklist/")
    queues = page.get_by_role("navigation", name=words(lang, "Queues"))
    queues.get_by_role("link", name=words(lang, "Waiting for an inspection result")).click()
    page.wait_for_url("**queue=inspection*")
    worklist = page.get_by_role("table")
    row = worklist.get_by_role("row").filter(has_text=inventory.cop_no)
    assert row.count() == 1
    assert words(lang, "You") in row.inner_text()  # the draw named this official
    screenshot(page, f"walk-inspection-worklist-{lang}", mobile=True)

    # when they open the list and record that the inspection passed
    row.get_by_role("link", name=inventory.cop_no).click()
    page.wait_for_url(f"**/declarations/inventories/{inventory.pk}/")
    page.get_by_label(words(lang, "Reason"), exact=True).fill("货证相符")
    page.get_by_role("button", name=words(lang, "Passed: release")).click()
    page.wait_for_url(f"**/declarations/inventories/{inventory.pk}/")
    assert page.get_by_text(words(lang, "Inspection result recorded.")).is_visible()
    inventory.refresh_from_db()
    assert inventory.status == InventoryStatus.RELEASED

    # then the list has left the worklist
    page.goto(f"{page.base_url}/officials/worklist/?queue=inspection")
    assert page.get_by_text(words(lang, "Nothing waits in this queue.")).is_visible()
    assert page.get_by_role("link", name=inventory.cop_no).count() == 0


# --- 4. the enterprise hears of its list and downloads its PDF ----------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_enterprise_is_notified_of_a_held_and_an_inspected_list_and_downloads_the_pdf(walker, lang):
    page = walker
    world = ClearanceWorld()
    # one list held by the watch list of goods, then one drawn for inspection
    inspection_rate(0)
    RiskRule.objects.filter(code="RESTRICTED_GOODS", current=True).update(
        parameters={"prefixes": ["33", "04", "19", "42", "61", "64", "85", "95", "96"]}
    )
    held_docs = world.declaration(31, lines=1)
    for kind in ("order", "payment", "waybill", "inventory"):
        assert world.post(kind, held_docs[kind]).status_code == 201
    RiskRule.objects.filter(code="RESTRICTED_GOODS", current=True).update(parameters={"prefixes": ["0000"]})
    inspection_rate(1)
    official("customs", username=f"drawn-{lang}")
    inspected_docs = world.declaration(32, lines=1)
    for kind in ("order", "payment", "waybill", "inventory"):
        assert world.post(kind, inspected_docs[kind]).status_code == 201
    held = InventoryList.objects.get(cop_no=held_docs["inventory"]["cop_no"])
    inspected = InventoryList.objects.get(cop_no=inspected_docs["inventory"]["cop_no"])
    assert (held.status, inspected.status) == (InventoryStatus.HELD, InventoryStatus.INSPECTION)
    member(world.seller, f"notified-{lang}")
    log_in(page, f"notified-{lang}")

    # the header counts two unread notifications
    page.goto(f"{page.base_url}/")
    notifications = page.get_by_role("banner").get_by_role(
        "link", name=re.compile(words(lang, "Notifications"))
    )
    assert re.search(r"\b2\b", notifications.inner_text())
    notifications.click()
    page.wait_for_url("**/notifications/")
    from clearance.notices import SUBJECTS

    entries = page.get_by_role("listitem")
    held_entry = entries.filter(
        has_text=words(lang, SUBJECTS[NotificationKind.LIST_HELD], cop_no=held.cop_no)
    )
    inspected_entry = entries.filter(
        has_text=words(lang, SUBJECTS[NotificationKind.LIST_INSPECTION], cop_no=inspected.cop_no)
    )
    assert held_entry.count() == 1 and inspected_entry.count() == 1
    assert words(lang, NotificationKind.LIST_HELD.label) in held_entry.inner_text()
    screenshot(page, f"walk-notifications-{lang}", mobile=True)

    # she opens the held list's notification: the list's page, which says why it is held
    held_entry.get_by_role("link", name=words(lang, "Open it")).click()
    page.wait_for_url(f"**/declarations/inventories/{held.pk}/")
    assert words(lang, InventoryStatus.HELD.label) in page.get_by_role("heading", level=1).inner_text()

    # and downloads the list with its receipts as a PDF
    pdf_link = page.get_by_role("link", name=words(lang, "The list and its receipts (PDF)"))
    answer = page.request.get(page.base_url + pdf_link.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")
    with page.expect_download() as download:
        pdf_link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    # opening a notification's list does not read it for her: she marks it read, the count drops
    page.goto(f"{page.base_url}/notifications/")
    held_entry.get_by_role("button", name=words(lang, "Mark read")).click()
    page.wait_for_url("**/notifications/**")
    assert re.search(r"\b1\b", notifications.inner_text())
