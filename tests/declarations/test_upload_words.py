"""Uploads and the filing forms speak the reader's language (issue 18): a CEB file the schema refuses
is explained line by line with the field's label, the technical detail kept; the problems of an
upload's documents and the services' refusals on the forms read in Chinese or English."""

import csv
import io
import re

import pytest
from lxml import etree

from declarations import ceb, ceb_words
from declarations.ceb_schema import SchemaProblem
from declarations.models import Upload

from .test_intake import to_ceb
from .test_views import form_data, member

pytestmark = pytest.mark.django_db


def _errors(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", e) for e in re.findall(r'class="error"[^>]*>([^<]*)', html)]


def _upload(client, name: str, body: bytes, language: str, kind: str = "order"):
    file = io.BytesIO(body)
    file.name = name
    return client.post("/declarations/upload/", {"kind": kind, "file": file}, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize(
    ("language", "frame", "sentence", "label"),
    [
        ("zh-hans", "第 ", "此处不应出现", "订单编号"),
        ("en", "Line ", "is not expected here", "Order number"),
    ],
)
def test_schema_refusal_of_an_uploaded_xml_is_in_the_readers_language(
    client, world, language, frame, sentence, label
):
    client.force_login(member(world.platform))
    body = to_ceb("order", [world.declaration(1)["order"]])
    # a stray element before the order number, which the schema expects first
    body = body.replace(b"<ceb:orderNo>", b"<ceb:stray>1</ceb:stray><ceb:orderNo>", 1)
    page = _upload(client, "CEB311.xml", body, language)
    assert page.status_code == 400
    errors = _errors(page.content.decode())
    problem = next(e for e in errors if e.startswith(frame))
    assert sentence in problem and label in problem
    # libxml2's own words stay as the technical detail
    assert "This element is not expected. Expected is ( ceb:orderNo )." in problem.replace("&#x27;", "'")
    assert not Upload.objects.exists()


def test_value_too_long_names_the_field_and_its_limit(client, world):
    client.force_login(member(world.platform))
    order = world.declaration(1)["order"]
    body = to_ceb("order", [order]).replace(order["order_no"].encode(), b"A" * 80, 1)
    errors = _errors(_upload(client, "CEB311.xml", body, "zh-hans").content.decode())
    assert any("订单编号" in e and "过长：80 个字符，最多 60 个" in e for e in errors), errors


@pytest.mark.parametrize(
    ("reason", "english"),
    [
        ("Missing child element(s). Expected is ( ceb:currency ).", "lacks a required element: Currency"),
        (
            "[facet 'minLength'] The value has a length of '0'; this underruns the allowed minimum length of '1'.",  # noqa: E501
            "is empty",
        ),
        (
            "[facet 'length'] The value has a length of '4'; this differs from the allowed length of '14'.",
            "exactly 14",
        ),
        (
            "[facet 'pattern'] The value 'x' is not accepted by the pattern '[0-9]{3}'.",
            "not in the required format",
        ),
        ("'abc' is not a valid value of the local atomic type.", "does not hold a value of its type"),
        (
            "[facet 'fractionDigits'] The value '1.123456' has more fractional digits than are allowed ('5').",  # noqa: E501
            "more than 5 decimal",
        ),
        ("Something libxml2 says rarely.", "is not valid against the CEB schema"),
    ],
)
def test_each_kind_of_schema_problem_has_a_sentence(reason, english):
    from django.utils import translation

    problem = SchemaProblem(7, "ceb:freight", reason)
    with translation.override("en"):
        text = ceb_words.problem_sentence(problem)
    assert text.startswith("Line 7: Freight (ceb:freight)") and english in text and reason in text
    with translation.override("zh-hans"):
        chinese = ceb_words.problem_sentence(problem)
    assert chinese.startswith("第 7 行：运费（ceb:freight）") and reason in chinese


@pytest.mark.parametrize(
    ("body", "chinese"),
    [
        (b"", "文件为空"),
        (b"not xml at all", "文件不是 XML"),
        (b"<a><b></a>", "不是格式正确的 XML"),
        (b"\xff\xfe<a/>", "不是 UTF-8"),
    ],
)
def test_unreadable_xml_is_refused_in_chinese(body, chinese):
    from django.utils import translation

    with pytest.raises(ceb.CebError) as refused:
        ceb.parse_message(body)
    with translation.override("zh-hans"):
        messages = ceb_words.refusal_messages(refused.value)
    assert chinese in messages[0]


def test_the_partners_answer_keeps_the_english_of_the_contract():
    # The API and the CEB900 read CebError.message: unchanged.
    with pytest.raises(ceb.CebError) as refused:
        ceb.parse_message(b"<a><b></a>")
    assert refused.value.message.startswith("message is not well-formed XML")
    root = etree.fromstring(b"<x/>")
    assert root is not None


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "实际支付金额"), ("en", "actual_paid")])
def test_upload_problems_read_in_the_readers_language(
    client, world, django_capture_on_commit_callbacks, language, words
):
    client.force_login(member(world.platform))
    order = world.declaration(1)["order"]
    order["actual_paid"] = "0.01"
    head = [k for k in order if k != "items"]
    lines = list(order["items"][0])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(head + [f"items.{k}" for k in lines])
    for item in order["items"]:
        writer.writerow([order[k] for k in head] + [item[k] for k in lines])
    with django_capture_on_commit_callbacks(execute=True):
        answer = _upload(client, "orders.csv", buffer.getvalue().encode(), language)
    assert answer.status_code == 302
    record = Upload.objects.get()
    assert record.rejected == 1
    # kept as the API words it, whatever language the processing ran in
    assert record.problems[0]["errors"]["actual_paid"][0].startswith(
        "[R1] order.actual_paid 0.01 != goods_value"
    )
    page = client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE=language).content.decode()
    problems = page[page.index('class="problems"') :]
    assert words in problems
    if language == "zh-hans":
        assert "不等于" in problems and "!= goods_value" not in problems


@pytest.mark.parametrize(
    ("language", "expected", "foreign"),
    [
        ("zh-hans", "实际支付金额 1.00 不等于 商品价格", "!= goods_value"),
        ("en", "order.actual_paid 1.00 != goods_value", "不等于"),
    ],
)
def test_service_refusal_on_the_form_is_in_the_readers_language(client, world, language, expected, foreign):
    client.force_login(member(world.platform))
    order = world.declaration(1, lines=1)["order"]
    html = client.post(
        "/declarations/new/order/", form_data(order) | {"actual_paid": "1.00"}, HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    summary = html[html.index('id="error-summary"') :]
    assert expected in summary and foreign not in summary


def test_currency_mismatch_on_the_list_form_is_in_chinese(client, world):
    client.force_login(member(world.seller))
    inventory = world.declaration(2, lines=1)["inventory"]
    html = client.post(
        "/declarations/new/inventory/",
        form_data(inventory) | {"currency": "502"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "应为 &#x27;142&#x27;（人民币）" in html
