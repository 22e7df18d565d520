"""The filing forms as a clerk uses them: labels in the reader's language, lookups, lines added and
removed, drafts declared later, a list copied from an order, and every error in one summary."""

import re

import pytest

from declarations.models import InventoryList, Order, Payment
from declarations.services import may_file

from ..factories import EnterpriseFactory
from .test_views import form_data, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["电商企业代码", "订购人证件号码", "商品编码", "申报日期", "暂存草稿", "添加一项"]),
        (
            "en",
            ["E-commerce enterprise code", "Buyer's ID number", "HS code", "Declaration date", "Save draft"],
        ),
    ],
)
def test_list_form_speaks_the_readers_language_in_fieldsets(client, world, language, words):
    client.force_login(member(world.seller))
    html = client.get("/declarations/new/inventory/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for word in words:
        assert word.replace("'", "&#x27;") in html
    assert html.count("<legend>") >= 5 and "<code>" not in html
    # code lookups from the tables, dates with the browser's picker
    assert 'list="lookup-customs_district"' in html and '<datalist id="lookup-currency">' in html
    assert 'type="date"' in html and 'name="items-TOTAL_FORMS"' in html


def test_every_line_input_has_a_label(client, world):
    client.force_login(member(world.seller))
    html = client.get("/declarations/new/inventory/").content.decode()
    inputs = re.findall(r'<(?:input|select)[^>]*id="(id_items-0-[\w-]+)"', html)
    assert inputs
    for input_id in inputs:
        assert f'for="{input_id}"' in html


def test_lines_are_added_and_removed_by_the_formset(client, world):
    client.force_login(member(world.platform))
    order = world.declaration(1, lines=1)["order"]
    line = order["items"][0]
    # four lines (more than the three rows the page once had), numbered by their order on the page
    four = {**order, "items": [{**line, "gnum": n} for n in range(1, 5)]}
    four["goods_value"] = str(4 * float(line["total_price"]))
    four["actual_paid"] = str(float(order["actual_paid"]) + 3 * float(line["total_price"]))
    data = form_data(four)
    # a fifth row added on the page and left empty is not a line
    data["items-TOTAL_FORMS"] = 5
    answer = client.post("/declarations/new/order/", data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert list(Order.objects.get().items.values_list("gnum", flat=True).order_by("gnum")) == [1, 2, 3, 4]


def test_service_errors_and_form_errors_in_one_summary(client, world):
    client.force_login(member(world.platform))
    order = world.declaration(1, lines=1)["order"]
    # given a form error (a negative freight) and a schema error (no buyer name) in one submit
    data = form_data(order) | {"freight": "-5", "buyer_name": "", "items-0-gmodel": ""}
    html = client.post("/declarations/new/order/", data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    assert 'role="alert"' in html
    assert 'href="#id_freight"' in summary and 'href="#id_buyer_name"' in summary
    assert 'href="#id_items-0-gmodel"' in summary
    # a negative number gets one message, not the form's and the schema's
    assert summary.count('href="#id_freight"') == 1 and html.count('data-field="freight"') == 1
    assert not Order.objects.exists()


def test_service_error_is_shown_when_the_form_is_valid(client, world):
    client.force_login(member(world.platform))
    order = world.declaration(1, lines=1)["order"]
    data = form_data(order) | {"actual_paid": "1.00"}
    html = client.post("/declarations/new/order/", data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="#id_actual_paid"' in html


def test_draft_is_saved_then_declared(client, world):
    client.force_login(member(world.payment))
    payment = world.declaration(1)["payment"]
    # when the clerk saves a draft
    saved = client.post("/declarations/new/payment/", form_data(payment) | {"action": "draft"})
    stored = Payment.objects.get()
    assert stored.app_status == "1"
    assert saved.status_code == 302 and saved["Location"].endswith(f"?draft={stored.pk}")
    # then the draft opens in the form, filled in, and is declared from there
    page = client.get(saved["Location"]).content.decode()
    assert f'value="{payment["pay_transaction_id"]}"' in page
    declared = client.post("/declarations/new/payment/", form_data(payment) | {"action": "declare"})
    assert declared.status_code == 302
    stored.refresh_from_db()
    assert stored.app_status == "2" and Payment.objects.count() == 1


def test_another_enterprises_draft_is_not_opened(client, world):
    client.force_login(member(world.payment))
    client.post(
        "/declarations/new/payment/", form_data(world.declaration(1)["payment"]) | {"action": "draft"}
    )
    draft = Payment.objects.get()
    # Another payment firm (one that may file payments, so the page is not refused up front).
    client.force_login(member(EnterpriseFactory(roles=["payment"])))
    assert client.get(f"/declarations/new/payment/?draft={draft.pk}").status_code == 404
    for bad in ("abc", "9" * 30, "-1", "１"):
        assert client.get(f"/declarations/new/payment/?draft={bad}").status_code == 404


def test_list_is_copied_from_an_order(client, world):
    docs = world.declaration(1, lines=1)
    assert world.post("order", docs["order"]).status_code == 201
    client.force_login(member(world.seller))
    html = client.get(f"/declarations/new/inventory/?order={docs['order']['order_no']}").content.decode()
    assert f'value="{docs["order"]["order_no"]}"' in html
    assert f'value="{docs["order"]["buyer_name"]}"' in html
    assert f'value="{docs["order"]["items"][0]["item_name"]}"' in html
    # an order of no concern to the enterprise fills nothing
    client.force_login(member(world.payment))
    other = client.get(f"/declarations/new/inventory/?order={docs['order']['order_no']}").content.decode()
    assert f'value="{docs["order"]["buyer_name"]}"' not in other


def test_list_filed_with_dates_from_the_picker(client, world):
    docs = world.declaration(1, lines=1)
    client.force_login(member(world.seller))
    inventory = docs["inventory"]
    decl = inventory["decl_time"]
    data = form_data(inventory) | {"decl_time": f"{decl[:4]}-{decl[4:6]}-{decl[6:]}"}
    answer = client.post("/declarations/new/inventory/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert InventoryList.objects.get().decl_time == decl


@pytest.mark.parametrize(
    "kind",
    [
        "order",
        "payment",
        "waybill",
        "inventory",
        "export-order",
        "receipt-of-payment",
        "export-waybill",
        "export-inventory",
    ],
)
def test_every_form_names_every_field_in_both_languages(client, world, kind):
    from declarations.forms import document_form_class
    from declarations.labels import FIELD_LABELS
    from declarations.views import FORM_KINDS

    form_class = document_form_class(FORM_KINDS[kind])
    names = list(form_class.head_names)
    if form_class.line_formset is not None:
        names += [f"items.{name}" for name in form_class.line_formset.form.names]
    # every field is in the one label table (none falls back to its CEB name)
    assert [name for name in names if name not in FIELD_LABELS] == []
    # A party whose roles file this kind of document (others are refused before the form).
    parties = (world.seller, world.platform, world.payment, world.logistics)
    client.force_login(member(next(e for e in parties if may_file(e, FORM_KINDS[kind]))))
    chinese = client.get(f"/declarations/new/{kind}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 200 and "申报" in chinese.content.decode()


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59", "0001-01-01", "20261301000000"])
def test_a_payment_time_out_of_range_is_refused_naming_it(client, world, when):
    client.force_login(member(world.payment))
    payment = world.declaration(1)["payment"]
    answer = client.post("/declarations/new/payment/", form_data(payment) | {"pay_time": when})
    assert answer.status_code == 400 and 'href="#id_pay_time"' in answer.content.decode()
    assert not Payment.objects.exists()
