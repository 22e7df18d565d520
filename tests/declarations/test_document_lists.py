"""The Documents area: each role is offered its own documents and refused up front the forms it may not
file; the lists of orders, payments and waybills keep to the caller's documents and mask buyers per
agency; every list searches by part of a number and dates, says when nothing matched, sorts without
losing the filters, and exports what it shows to CSV and Excel (formulas neutralised), with no buyer
ID ever in a URL."""

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from declarations.models import InventoryList, Payment
from sharing.models import Membership

from ..factories import EnterpriseFactory, UserFactory, official

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_random_inspection")]

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def member(enterprise):
    user = UserFactory()
    Membership.objects.create(user=user, enterprise=enterprise, role="admin")
    return user


@pytest.fixture
def declared(world):
    """Two declarations of the world's parties, their documents stored."""
    for number in (1, 2):
        answers = world.declare(world.declaration(number))
        assert {answer.status_code for answer in answers.values()} == {201}
    return world


def nav_links(html: str) -> set[str]:
    nav = re.search(r'<nav class="subnav".*?</nav>', html, re.S)
    assert nav, html[:500]
    return set(re.findall(r'href="([^"]+)"', nav.group(0)))


@pytest.mark.parametrize(
    ("who", "offered", "not_offered"),
    [
        ("payment", {"/documents/payments/", "/declarations/new/payment/"}, {"order", "waybill", "inv"}),
        ("logistics", {"/documents/waybills/", "/declarations/new/waybill/"}, {"order", "payment", "new/i"}),
        ("platform", {"/documents/orders/", "/declarations/new/order/"}, {"waybill", "new/pay", "new/i"}),
        ("seller", {"/declarations/", "/declarations/new/inventory/"}, {"new/order", "payment", "waybill"}),
    ],
)
def test_the_nav_offers_each_role_its_own_documents(client, world, who, offered, not_offered):
    client.force_login(member(getattr(world, who)))
    links = nav_links(client.get("/documents/", follow=True, **EN).content.decode())
    assert offered <= links
    assert not [link for link in links for word in not_offered if word in link]


@pytest.mark.parametrize("kind", ["order", "waybill", "inventory"])
def test_a_payment_firm_is_refused_other_forms_before_filling_them(client, world, kind):
    client.force_login(member(world.payment))
    page = client.get(f"/declarations/new/{kind}/", **EN)
    html = page.content.decode()
    assert page.status_code == 403
    assert 'id="filing-refused"' in html and "roles do not include filing" in html
    assert "<input" not in html.split('id="filing-refused"')[1]  # no form to fill in
    # who may file it is named
    filer = {"order": "E-commerce platform", "waybill": "Logistics enterprise"}.get(kind, "Declaring agent")
    assert filer in html


@pytest.mark.parametrize("url", ["/documents/orders/", "/documents/waybills/", "/declarations/"])
def test_a_payment_firm_is_refused_the_lists_it_is_not_offered(client, declared, url):
    # It is named on the orders (pay_code), but the orders list is not its own: refused up front.
    client.force_login(member(declared.payment))
    assert client.get(url, **EN).status_code == 403
    assert client.get("/documents/payments/", **EN).status_code == 200


def test_a_pending_enterprise_is_told_it_waits_for_review(client, db):
    pending = EnterpriseFactory(status="pending", roles=["ecommerce"])
    client.force_login(member(pending))
    for url in ("/declarations/new/inventory/", "/declarations/upload/"):
        page = client.get(url, **EN)
        assert page.status_code == 403
        assert "waiting for review" in page.content.decode()
    assert client.get("/declarations/new/inventory/").status_code == 403  # Chinese UI too
    links = nav_links(client.get("/declarations/", **EN).content.decode())
    assert not [link for link in links if "/new/" in link or "/documents/" in link]


@pytest.mark.parametrize(
    ("url", "owner", "number_of"),
    [
        ("/documents/orders/", "platform", "order_no"),
        ("/documents/payments/", "payment", "pay_transaction_id"),
        ("/documents/waybills/", "logistics", "logistics_no"),
    ],
)
def test_each_list_shows_its_party_its_documents_and_no_one_else(client, declared, url, owner, number_of):
    docs = declared.declaration(1)
    kind = {"order_no": "order", "pay_transaction_id": "payment", "logistics_no": "waybill"}[number_of]
    number = docs[kind][number_of]
    client.force_login(member(getattr(declared, owner)))
    assert number in client.get(url).content.decode()
    # a stranger of the same role sees none of them
    stranger = EnterpriseFactory(roles=list(getattr(declared, owner).roles))
    client.force_login(member(stranger))
    page = client.get(url, **EN)
    assert page.status_code == 200 and number not in page.content.decode()
    assert "No documents of this kind yet" in page.content.decode()
    # nor in its export
    assert number not in client.get(url, {"export": "csv"}).getvalue().decode()


def test_officials_read_payers_masked_unless_customs(client, declared):
    payment = Payment.objects.order_by("id").first()
    client.force_login(official("tax"))
    html = client.get("/documents/payments/").content.decode()
    assert payment.pay_transaction_id in html and payment.payer_name not in html
    assert payment.payer_name[:1] + "*" in html
    client.force_login(official("customs"))
    assert payment.payer_name in client.get("/documents/payments/").content.decode()


def _part_only_in(first, second, field: str = "cop_no") -> str:
    """A part (at least 4 characters) of the first document's number that none of the second's
    numbers contains: which part depends on the ids the database hands out."""
    fields = ("cop_no", "pre_no", "invt_no", "order_no", "logistics_no")
    numbers = [str(getattr(second, f, "") or "").lower() for f in fields]
    number = getattr(first, field)
    for start in range(len(number) - 4, -1, -1):
        part = number[start:].lower()
        if not any(part in other for other in numbers):
            return part
    raise AssertionError("the two lists' numbers overlap")


def test_search_by_part_of_a_number_and_dates_and_the_empty_result(client, declared):
    client.force_login(member(declared.seller))
    first, second = InventoryList.objects.order_by("id")
    part = _part_only_in(first, second)  # lower case: case does not matter
    html = client.get("/declarations/", {"number": part}, **EN).content.decode()
    assert first.cop_no in html and second.cop_no not in html
    html = client.get("/declarations/", {"waybill": first.logistics_no[-3:]}, **EN).content.decode()
    assert first.cop_no in html and second.cop_no not in html
    today = timezone.localdate()
    one_day = {"date_from": str(today), "date_to": str(today)}
    html = client.get("/declarations/", one_day, **EN).content.decode()
    assert first.cop_no in html and second.cop_no in html
    tomorrow = today + timedelta(days=1)
    html = client.get("/declarations/", {"date_from": str(tomorrow)}, **EN).content.decode()
    assert first.cop_no not in html
    assert "Nothing matched these filters." in html and "No inventory list yet" not in html
    assert 'href="/declarations/">Clear filters' in html
    # the sorting links keep the filters
    html = client.get("/declarations/", {"number": part, "status": first.status}, **EN).content.decode()
    sort_links = re.findall(r'href="(\?[^"]*sort=[^"]*)"', html)
    assert sort_links and all(f"number={part}" in link and "status=" in link for link in sort_links)


def test_a_new_enterprise_reads_no_documents_yet(client, world):
    client.force_login(member(world.seller))
    html = client.get("/declarations/", **EN).content.decode()
    assert "No inventory list yet" in html and "Nothing matched" not in html


def test_a_bad_date_is_a_400_naming_the_field(client, declared):
    client.force_login(member(declared.seller))
    page = client.get("/declarations/", {"date_from": "2026-13-45"}, **EN)
    assert page.status_code == 400 and 'data-field="date_from"' in page.content.decode()


def test_export_csv_and_xlsx_keep_the_filters_and_neutralise_formulas(client, declared):
    client.force_login(member(declared.seller))
    first, second = InventoryList.objects.order_by("id")
    InventoryList.objects.filter(pk=first.pk).update(status_reason='=HYPERLINK("http://x.example/")')
    answer = client.get("/declarations/", {"number": _part_only_in(first, second), "export": "csv"}, **EN)
    assert answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "List number" and [row[0] for row in rows[1:]] == [first.cop_no]
    assert rows[1][rows[0].index("Reason")] == "'" + '=HYPERLINK("http://x.example/")'

    answer = client.get("/declarations/", {"number": _part_only_in(first, second), "export": "xlsx"}, **EN)
    assert answer["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert first.cop_no in sheet and second.cop_no not in sheet
    assert "<f>" not in sheet and "HYPERLINK" in sheet  # the text is there, never as a formula


def test_the_buyer_is_searched_and_exported_by_post_never_in_a_url(client, declared):
    client.force_login(member(declared.platform))
    order = declared.declaration(1)["order"]
    id_number = order["buyer_id_number"]
    refused = client.get("/documents/orders/", {"buyer_id_number": id_number}, **EN)
    assert refused.status_code == 400 and order["order_no"] not in refused.content.decode()
    found = client.post("/documents/orders/", {"buyer_id_number": id_number}, **EN)
    html = found.content.decode()
    assert found.status_code == 200 and order["order_no"] in html
    assert not [href for href in re.findall(r'href="([^"]*)"', html) if id_number in href]
    exported = client.post("/documents/orders/", {"buyer_id_number": id_number, "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [order["order_no"]]
    # a list without a buyer ID (waybills) takes no search by post
    client.force_login(member(declared.logistics))
    assert client.post("/documents/waybills/", {"buyer_id_number": id_number}).status_code == 404


def test_receipts_search_by_key_and_kind_and_export_what_is_shown(client, declared):
    client.force_login(member(declared.seller))
    first, second = InventoryList.objects.order_by("id")
    wanted = {"number": first.cop_no[-5:], "kind": "inventory"}
    html = client.get("/declarations/receipts/", wanted, **EN).content.decode()
    assert first.cop_no in html and second.cop_no not in html
    nothing = client.get("/declarations/receipts/", {"number": "no-such-key"}, **EN).content.decode()
    assert "Nothing matched these filters." in nothing
    book = zipfile.ZipFile(
        io.BytesIO(
            b"".join(client.get("/declarations/receipts/", wanted | {"export": "xlsx"}).streaming_content)
        )
    )
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert first.cop_no in sheet and second.cop_no not in sheet
    # another enterprise's receipts never appear, filtered or not
    client.force_login(member(EnterpriseFactory(roles=["ecommerce"])))
    assert first.cop_no not in client.get("/declarations/receipts/", {"export": "csv"}).getvalue().decode()


def refund_of(inventory: InventoryList, **fields):
    from declarations.models import InventoryRefund
    from declarations.models.amendments import LIST_HEAD_FIELDS

    head = {name: getattr(inventory, name) for name in LIST_HEAD_FIELDS}
    return InventoryRefund.objects.create(
        **head,
        inventory=inventory,
        reason="尺码不合适",
        submitted_by=inventory.submitted_by,
        lines_key=str(inventory.pk),
        goods_due_by=timezone.now(),
        guid=f"G{inventory.pk}",
        app_time="20261201000000",
        **fields,
    )


def test_returns_list_its_declarant_searches_by_state_and_exports(client, declared):
    first, second = InventoryList.objects.order_by("id")
    first_return = refund_of(first)
    second_return = refund_of(second, state="completed")
    client.force_login(member(declared.seller))
    assert "/documents/returns/" in nav_links(client.get("/documents/returns/", **EN).content.decode())
    html = client.get("/documents/returns/", {"state": "completed"}, **EN).content.decode()
    assert second.order_no in html and first.order_no not in html
    html = client.get(
        "/documents/returns/", {"number": _part_only_in(first_return, second_return, "order_no")}, **EN
    ).content.decode()
    assert first.order_no in html and second.order_no not in html
    answer = client.get("/documents/returns/", {"state": "awaiting", "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == [first.order_no]
    # neither a stranger nor the payment firm sees the returns
    for enterprise in (EnterpriseFactory(roles=["ecommerce"]), declared.payment):
        client.force_login(member(enterprise))
        assert first.order_no not in client.get("/documents/returns/").content.decode()
