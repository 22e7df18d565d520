"""Centralized taxation: a guarantor's monthly summary adds up to the tax ledger (bills and credits),
is exported as CSV, and is consolidated once into a payment form (bills 1 -> 2, CEB818). Guarantees
are topped up by tax officials and warn their guarantor under 20%. Forex statements of exports and
financing requests."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from declarations.models import InventoryList
from finance.models import FinancingRequest, TaxBill, TaxBillCredit, TaxConsolidation, TaxGuarantee
from sharing.models import Notification
from singlewindow.core.months import last_month

from ..conftest import assert_valid_ceb, key_client
from ..factories import EnterpriseFactory, official

pytestmark = pytest.mark.django_db


def officer(agency: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(official(agency, f"{agency}-officer"))
    return client


def _release(world, numbers, capture):
    docs = [world.declaration(n) for n in numbers]
    with capture(execute=True):
        for kind in ("order", "payment", "waybill", "inventory"):
            assert world.post(kind, [d[kind] for d in docs]).status_code == 201
    lists = list(InventoryList.objects.filter(cop_no__in=[d["inventory"]["cop_no"] for d in docs]))
    assert {i.status for i in lists} == {"released"}
    return lists


def test_monthly_summary_adds_up_to_the_ledger_and_is_consolidated_once(
    world, django_capture_on_commit_callbacks
):
    lists = _release(world, range(1, 7), django_capture_on_commit_callbacks)
    year, month = last_month()
    in_last_month = timezone.make_aware(timezone.datetime(year, month, 20, 9, 0))
    TaxBill.objects.update(created_at=in_last_month)
    # One bill gets a credit (a return) in the same month, by hand here: the return flow is tested
    # in tests/logistics/test_bonded_stock.py.
    bill = TaxBill.objects.first()
    from declarations.models import InventoryRefund

    refund = InventoryRefund.objects.create(
        inventory=bill.inventory,
        submitted_by=world.seller,
        goods_due_by=timezone.now(),
        invt_no=bill.invt_no,
        customs_code="2928",
        order_no="x",
        ebp_code="x",
        ebp_name="x",
        ebc_code="x",
        ebc_name="x",
        logistics_no="x",
        logistics_code="x",
        logistics_name="x",
        buyer_id_type="1",
        buyer_id_number="x",
        buyer_name="x",
        buyer_telephone="x",
        agent_code="x",
        agent_name="x",
        reason="x",
        app_time="x",
        guid="x",
    )
    TaxBillCredit.objects.create(
        bill=bill,
        refund=refund,
        customs_tax=0,
        value_added_tax=Decimal("10.00"),
        consumption_tax=0,
        assure_code=bill.assure_code,
    )
    TaxBillCredit.objects.update(created_at=in_last_month)

    code = world.seller.customs_code
    query = f"?year={year}&month={month}"
    summary = world.client("seller").get(f"/api/v1/tax-summary/{query}").json()
    ledger = sum(b.total for b in TaxBill.objects.filter(assure_code=code))
    assert Decimal(summary["tax_total"]) == ledger == sum(i.tax_amount for i in lists)
    assert Decimal(summary["credit_total"]) == Decimal("10.00")
    assert Decimal(summary["amount_due"]) == ledger - Decimal("10.00")
    assert sorted(row["invt_no"] for row in summary["bills"]) == sorted(i.invt_no for i in lists)
    assert sum(Decimal(row["total"]) for row in summary["bills"]) == ledger
    # The CSV is the same month: its rows add up to its totals.
    rows = list(
        csv.reader(
            io.StringIO(world.client("seller").get(f"/api/v1/tax-summary/csv/{query}").content.decode())
        )
    )
    bills = [r for r in rows if r[0] == "bill"]
    assert len(bills) == 6 and sum(Decimal(r[7]) for r in bills) == ledger
    assert next(r for r in rows if r[0] == "amount_due")[7] == str(ledger - Decimal("10.00"))
    # Another enterprise sees nothing of it; the month this month is empty.
    stranger = key_client(EnterpriseFactory())
    assert stranger.get(f"/api/v1/tax-summary/{query}&assure_code={code}").status_code == 404
    assert world.client("seller").get("/api/v1/tax-summary/?year=2026&month=13").status_code == 400

    # Only tax officials consolidate, once, a finished month.
    body = {"assure_code": code, "year": year, "month": month}
    assert world.client("seller").post("/api/v1/tax-consolidations/", body, format="json").status_code == 403
    tax = officer("tax")
    today = timezone.localdate()
    early = tax.post(
        "/api/v1/tax-consolidations/", {**body, "year": today.year, "month": today.month}, format="json"
    )
    assert early.status_code == 409
    done = tax.post("/api/v1/tax-consolidations/", body, format="json")
    assert done.status_code == 201, done.json()
    assert Decimal(done.json()["amount_due"]) == ledger - Decimal("10.00") and done.json()["bill_count"] == 6
    assert set(TaxBill.objects.values_list("status", flat=True)) == {"2"}
    assert set(TaxBill.objects.values_list("ent_duty_no", flat=True)) == {done.json()["ent_duty_no"]}
    again = tax.post("/api/v1/tax-consolidations/", body, format="json")
    assert again.status_code == 200 and TaxConsolidation.objects.count() == 1
    xml = tax.get(f"/api/v1/tax-consolidations/{done.json()['id']}/ceb818/")
    assert xml.status_code == 200 and xml.content.count(b"<ceb:status>2</ceb:status>") == 6
    assert_valid_ceb(xml.content)
    # the guarantor sees its consolidation; the summary now shows it
    assert world.client("seller").get("/api/v1/tax-consolidations/").json()["count"] == 1
    assert (
        world.client("seller").get(f"/api/v1/tax-summary/{query}").json()["consolidation"]["id"]
        == done.json()["id"]
    )


def test_guarantee_low_warning_and_top_up(world, django_capture_on_commit_callbacks):
    docs = world.declaration(1)
    tax_amount = Decimal(docs["order"]["tax_total"])
    # a guarantee that the first list takes below 20%
    TaxGuarantee.objects.filter(pk=world.guarantee.pk).update(
        amount=(tax_amount * Decimal("1.1")).quantize(Decimal("0.01"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    guarantee = TaxGuarantee.objects.get(pk=world.guarantee.pk)
    assert guarantee.used == tax_amount and guarantee.is_low and guarantee.low_warned_at is not None
    warning = Notification.objects.get(enterprise=world.seller, kind="guarantee_low")
    assert "20%" in warning.reason and "20%" in warning.reason_en
    # read in each reader's language
    assert warning.subject_en == "Tax guarantee running low" and warning.subject != warning.subject_en
    seen = world.client("seller").get("/api/v1/tax-guarantees/").json()["results"]
    assert seen[0]["is_low"] is True and Decimal(seen[0]["available"]) == guarantee.available
    # only tax officials top up; the same bank reference twice counts once
    url = f"/api/v1/tax-guarantees/{guarantee.pk}/top-ups/"
    assert (
        world.client("seller").post(url, {"amount": "1000", "reference": "BG-1"}, format="json").status_code
        == 403
    )
    tax = officer("tax")
    bad = tax.post(url, {"amount": "-5", "reference": "BG-1"}, format="json")
    assert bad.status_code == 400 and "amount" in bad.json()["fields"]
    for _attempt in range(2):
        answer = tax.post(url, {"amount": "1000.00", "reference": "BG-1"}, format="json")
        assert answer.status_code == 201
    guarantee.refresh_from_db()
    assert guarantee.amount == (tax_amount * Decimal("1.1")).quantize(Decimal("0.01")) + 1000
    assert not guarantee.is_low and guarantee.low_warned_at is None
    assert key_client(EnterpriseFactory()).get("/api/v1/tax-guarantees/").json()["count"] == 0


def test_forex_statement_of_an_exporter(world, django_capture_on_commit_callbacks):
    for number, currency in ((1, "502"), (2, "502"), (3, "300")):
        docs = world.export(number, trade_mode="9710", currency=currency)
        with django_capture_on_commit_callbacks(execute=True):
            world.declare_export(docs)
    today = timezone.localdate()
    statement = (
        world.client("seller").get(f"/api/v1/forex-statement/?year={today.year}&month={today.month}").json()
    )
    assert len(statement["settlements"]) == 3
    totals = {t["currency"]: t for t in statement["by_currency"]}
    assert set(totals) == {"300", "502"} and totals["502"]["lists"] == 2
    usd = sum(Decimal(s["amount"]) for s in statement["settlements"] if s["currency"] == "502")
    assert Decimal(totals["502"]["amount"]) == usd
    assert Decimal(totals["300"]["amount_cny"]) == (
        Decimal(totals["300"]["amount"]) * Decimal("7.7")
    ).quantize(Decimal("0.01"))
    csv_body = (
        world.client("seller")
        .get(f"/api/v1/forex-statement/csv/?year={today.year}&month={today.month}")
        .content.decode()
    )
    assert csv_body.count("\n") == 1 + 3 + 2
    other = key_client(EnterpriseFactory())
    assert (
        other.get(f"/api/v1/forex-statement/?year={today.year}&month={today.month}").json()["settlements"]
        == []
    )


def test_financing_request_is_judged_on_the_record(world, django_capture_on_commit_callbacks):
    _release(world, range(1, 4), django_capture_on_commit_callbacks)
    seller = world.client("seller")
    bad = seller.post(
        "/api/v1/financing-requests/",
        {"kind": "loan", "amount": "0", "term_months": 6, "purpose": "备货"},
        format="json",
    )
    assert bad.status_code == 400 and "amount" in bad.json()["fields"]
    applied = seller.post(
        "/api/v1/financing-requests/",
        {"kind": "loan", "amount": "100000", "term_months": 6, "purpose": "备货"},
        format="json",
    )
    assert applied.status_code == 201, applied.json()
    request = applied.json()
    assert request["status"] == "submitted" and request["lists_12m"] == 3
    assert Decimal(request["volume_12m"]) == sum(i.dutiable_value for i in InventoryList.objects.all())
    assert Decimal(request["suggested_limit"]) < Decimal("100000")  # three small parcels do not carry it
    # a second request of the same kind waits for the first
    again = seller.post(
        "/api/v1/financing-requests/",
        {"kind": "loan", "amount": "100", "term_months": 6, "purpose": "x"},
        format="json",
    )
    assert again.status_code == 409
    url = f"/api/v1/financing-requests/{request['id']}/decide/"
    assert seller.post(url, {"approve": True}, format="json").status_code == 403
    finance = officer("finance")
    above = finance.post(url, {"approve": True}, format="json")
    assert above.status_code == 400 and "note" in above.json()["fields"]
    decided = finance.post(url, {"approve": True, "note": "订单充足，由保险覆盖"}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert finance.post(url, {"approve": False}, format="json").status_code == 409
    decision = Notification.objects.get(enterprise=world.seller, kind="financing_decided")
    assert decision.subject_en == "Financing request approved" and decision.subject == "融资申请已批准"
    assert (
        key_client(EnterpriseFactory()).get(f"/api/v1/financing-requests/{request['id']}/").status_code == 404
    )
    assert FinancingRequest.objects.get().decided_at is not None


def test_an_enterprise_on_the_negative_list_is_not_financed(world):
    from credit.models import NegativeListEntry

    today = timezone.localdate()
    NegativeListEntry.objects.create(
        enterprise=world.seller, reason="走私", starts_on=today, ends_on=today + timezone.timedelta(days=30)
    )
    loan = {"kind": "insurance", "amount": "5000", "term_months": 12, "purpose": "出口信用保险"}
    request = world.client("seller").post("/api/v1/financing-requests/", loan, format="json").json()
    assert Decimal(request["suggested_limit"]) == 0
    finance = officer("finance")
    refused = finance.post(
        f"/api/v1/financing-requests/{request['id']}/decide/", {"approve": True, "note": "x"}, format="json"
    )
    assert refused.status_code == 400 and "approve" in refused.json()["fields"]
    declined = finance.post(
        f"/api/v1/financing-requests/{request['id']}/decide/", {"approve": False}, format="json"
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
