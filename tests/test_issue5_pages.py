"""The browser pages of financial services (tax summary, guarantees, forex, financing), warehouses,
exports and summary declarations, and cancel / return on an import list's page."""

from decimal import Decimal

import pytest
from django.utils import timezone

from declarations.models import ExportInventoryList, InventoryList, InventoryRefund, SummaryDeclaration
from finance.models import FinancingRequest, TaxBill, TaxBillCredit, TaxConsolidation, TaxGuarantee
from logistics.models import StockItem, StockMovement, Warehouse
from sharing.models import Membership
from singlewindow.core.months import last_month

from .factories import EnterpriseFactory, UserFactory, official

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_random_inspection")]  # exact outcomes
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def member(enterprise):
    user = UserFactory()
    Membership.objects.create(user=user, enterprise=enterprise, role="admin")
    return user


def release(world, capture, number: int = 1, **kwargs) -> InventoryList:
    docs = world.declaration(number, **kwargs)
    with capture(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "released", inventory.status_reason
    return inventory


def release_export(world, capture, number: int = 1, trade_mode: str = "9710") -> ExportInventoryList:
    docs = world.export(number, trade_mode=trade_mode)
    with capture(execute=True):
        world.declare_export(docs)
    inventory = ExportInventoryList.objects.get(cop_no=docs["export_inventory"]["cop_no"])
    assert inventory.status == "released", inventory.status_reason
    return inventory


# --- tax summary ---------------------------------------------------------------------------------


def test_tax_summary_for_the_guarantor_and_consolidation_by_a_tax_official(
    client, world, django_capture_on_commit_callbacks
):
    inventory = release(world, django_capture_on_commit_callbacks)
    year, month = last_month()
    TaxBill.objects.update(created_at=timezone.make_aware(timezone.datetime(year, month, 20, 9, 0)))
    bill = TaxBill.objects.get()

    # the guarantor sees its own month (last month by default), with the CSV link
    client.force_login(member(world.seller))
    page = client.get("/finance/tax-summary/", **EN)
    html = page.content.decode()
    assert page.status_code == 200
    assert bill.tax_no in html and inventory.invt_no in html and "Not consolidated" in html
    assert 'id="consolidate-form"' not in html
    csv_url = (
        f"/api/v1/tax-summary/csv/?year={year}&amp;month={month}&amp;assure_code={world.seller.customs_code}"
    )
    assert csv_url in html
    csv = client.get(csv_url.replace("&amp;", "&"))
    assert csv.status_code == 200 and bill.tax_no in csv.content.decode()
    # another guarantor's code is not its business; an enterprise cannot consolidate
    assert client.get(f"/finance/tax-summary/?assure_code={world.platform.customs_code}").status_code == 404
    data = {"year": year, "month": month, "assure_code": world.seller.customs_code}
    assert client.post("/finance/tax-summary/", data).status_code == 403
    # a bad month is named on the form, and what was typed stays
    bad = client.get("/finance/tax-summary/?year=2026&month=13", **EN).content.decode()
    assert 'data-field="month"' in bad and 'value="13"' in bad

    # other agencies are refused; the public is asked to sign in
    client.force_login(official("forex"))
    assert client.get("/finance/tax-summary/").status_code == 403
    client.logout()
    assert client.get("/finance/tax-summary/").status_code == 302

    # a tax official names the guarantor and consolidates the finished month once
    client.force_login(official("tax"))
    assert "Name the guarantor" in client.get("/finance/tax-summary/", **EN).content.decode()
    query = f"?year={year}&month={month}&assure_code={world.seller.customs_code}"
    assert 'id="consolidate-form"' in client.get(f"/finance/tax-summary/{query}").content.decode()
    done = client.post("/finance/tax-summary/", data)
    assert done.status_code == 302
    consolidation = TaxConsolidation.objects.get()
    assert consolidation.amount_due == bill.total
    assert TaxBill.objects.get().status == TaxBill.Status.CONSOLIDATED
    after = client.get(f"/finance/tax-summary/{query}", **EN).content.decode()
    assert consolidation.ent_duty_no in after and 'id="consolidate-form"' not in after


# --- guarantees ----------------------------------------------------------------------------------


def test_guarantees_warn_when_low_and_a_tax_official_tops_them_up(client, world):
    guarantee = world.guarantee
    TaxGuarantee.objects.filter(pk=guarantee.pk).update(used=Decimal("90000"))
    client.force_login(member(world.seller))
    html = client.get("/finance/guarantees/", **EN).content.decode()
    assert guarantee.assure_code in html and "Running low" in html and "10,000.00" in html
    assert "Top up" not in html
    assert client.post("/finance/guarantees/", {"guarantee": guarantee.pk}).status_code == 403
    # another enterprise sees none of it
    client.force_login(member(world.platform))
    assert guarantee.assure_code not in client.get("/finance/guarantees/").content.decode()

    client.force_login(official("tax"))
    prefix = f"g{guarantee.pk}"
    bad = client.post(
        "/finance/guarantees/",
        {"guarantee": guarantee.pk, f"{prefix}-amount": "-5", f"{prefix}-reference": "BG-0001"},
        **EN,
    )
    html = bad.content.decode()
    assert bad.status_code == 200 and 'data-field="amount"' in html and 'value="BG-0001"' in html
    assert TaxGuarantee.objects.get(pk=guarantee.pk).amount == Decimal("100000")
    done = client.post(
        "/finance/guarantees/",
        {"guarantee": guarantee.pk, f"{prefix}-amount": "50000", f"{prefix}-reference": "BG-0001"},
    )
    assert done.status_code == 302
    raised = TaxGuarantee.objects.get(pk=guarantee.pk)
    assert raised.amount == Decimal("150000") and not raised.is_low
    assert "Running low" not in client.get("/finance/guarantees/", **EN).content.decode()


# --- exports, forex statement and summary declarations -------------------------------------------


def test_export_pages_forex_statement_and_summary(client, world, django_capture_on_commit_callbacks):
    inventory = release_export(world, django_capture_on_commit_callbacks)
    settlement = inventory.forex_settlement

    client.force_login(member(world.seller))
    listing = client.get("/exports/?supervision_mode=9710").content.decode()
    assert inventory.cop_no in listing
    assert inventory.cop_no not in client.get("/exports/?status=rejected").content.decode()
    detail = client.get(f"/exports/{inventory.pk}/", **EN)
    html = detail.content.decode()
    assert detail.status_code == 200
    assert 'id="vat-exemption"' in html and 'id="forex-settlement"' in html
    assert inventory.items.first().gname in html
    # the exporter's forex statement of this month (the default)
    forex = client.get("/finance/forex/", **EN).content.decode()
    assert inventory.invt_no in forex and f"{settlement.amount_cny:.2f}" in forex

    # another enterprise sees none of it
    client.force_login(member(EnterpriseFactory(roles=["ecommerce"])))
    assert client.get(f"/exports/{inventory.pk}/").status_code == 404
    assert inventory.cop_no not in client.get("/exports/").content.decode()
    assert inventory.invt_no not in client.get("/finance/forex/").content.decode()
    # an official reads the statement of the exporter it names; a signed-in stranger is refused
    client.force_login(official("forex"))
    assert "Name the exporter" in client.get("/finance/forex/", **EN).content.decode()
    named = client.get(f"/finance/forex/?ebc_code={world.seller.customs_code}").content.decode()
    assert inventory.invt_no in named
    assert client.get("/exports/").status_code == 403
    client.force_login(UserFactory())
    assert client.get("/finance/forex/").status_code == 403
    assert client.get("/exports/summaries/").status_code == 403
    client.logout()
    assert client.get("/exports/").status_code == 302

    # the exporter applies for last month's summary declaration
    year, month = last_month()
    ExportInventoryList.objects.filter(pk=inventory.pk).update(
        final_at=timezone.make_aware(timezone.datetime(year, month, 15, 10, 0))
    )
    client.force_login(member(world.seller))
    assert 'id="summary-form"' in client.get("/exports/summaries/").content.decode()
    today = timezone.localdate()
    form = {
        "year": today.year,
        "month": today.month,
        "trade_mode": "9710",
        "decl_agent_code": "3301980001",
        "decl_agent_name": "Hangzhou Customs Broker",
    }
    refused = client.post("/exports/summaries/", form, **EN)
    html = refused.content.decode()
    assert refused.status_code == 200 and 'data-field="month"' in html
    assert 'value="Hangzhou Customs Broker"' in html
    assert not SummaryDeclaration.objects.exists()
    done = client.post("/exports/summaries/", {**form, "year": year, "month": month})
    assert done.status_code == 302
    summary = SummaryDeclaration.objects.get()
    assert summary.list_count == 1 and summary.ebc_code == world.seller.customs_code
    assert summary.entry_id in client.get("/exports/summaries/").content.decode()
    # a customs official reads every summary but applies for none
    client.force_login(official("customs"))
    page = client.get("/exports/summaries/").content.decode()
    assert summary.entry_id in page and 'id="summary-form"' not in page


# --- financing -----------------------------------------------------------------------------------


def test_financing_applied_for_by_an_enterprise_and_decided_by_a_finance_officer(client, world):
    client.force_login(member(world.seller))
    assert client.get("/finance/financing/").status_code == 200
    application = {"kind": "loan", "amount": "5000", "term_months": "99", "purpose": "备货 stock for 11.11"}
    bad = client.post("/finance/financing/", application, **EN)
    html = bad.content.decode()
    assert bad.status_code == 200 and 'data-field="term_months"' in html and "备货 stock for 11.11" in html
    assert not FinancingRequest.objects.exists()
    assert client.post("/finance/financing/", {**application, "term_months": "12"}).status_code == 302
    financing = FinancingRequest.objects.get()
    assert financing.enterprise == world.seller and financing.status == "submitted"
    # the same kind again while one waits: named on the kind
    again = client.post("/finance/financing/", {**application, "term_months": "12"}, **EN)
    assert 'data-field="kind"' in again.content.decode() and FinancingRequest.objects.count() == 1
    # other officials are refused the queue
    client.force_login(official("customs"))
    assert client.get("/finance/financing/").status_code == 403

    # above the suggested limit, an approval must say why
    FinancingRequest.objects.filter(pk=financing.pk).update(suggested_limit=Decimal("1000"))
    client.force_login(official("finance"))
    queue = client.get("/finance/financing/", **EN).content.decode()
    assert world.seller.customs_code in queue and "1,000.00" in queue and "Above the limit" in queue
    prefix = f"r{financing.pk}"
    unsaid = client.post(
        "/finance/financing/", {"financing": financing.pk, "decision": "approve", f"{prefix}-note": ""}, **EN
    )
    assert unsaid.status_code == 200 and 'data-field="note"' in unsaid.content.decode()
    assert FinancingRequest.objects.get().status == "submitted"
    done = client.post(
        "/finance/financing/",
        {"financing": financing.pk, "decision": "approve", f"{prefix}-note": "Orders on hand cover it."},
    )
    assert done.status_code == 302
    decided = FinancingRequest.objects.get()
    assert decided.status == "approved" and decided.decision_note == "Orders on hand cover it."
    # the enterprise sees the decision
    client.force_login(member(world.seller))
    assert "Orders on hand cover it." in client.get("/finance/financing/").content.decode()


# --- warehouses ----------------------------------------------------------------------------------


def test_warehouse_registration_review_and_stock(client, world):
    operator = member(world.warehouse)
    client.force_login(operator)
    assert 'id="warehouse-form"' in client.get("/warehouses/").content.decode()
    registration = {
        "code": "bad code",
        "name": "Xiasha bonded warehouse 1",
        "kind": "bonded",
        "ems_no": "",
        "country": "142",
        "address": "Xiasha, Hangzhou",
        "capacity": "1000",
    }
    bad = client.post("/warehouses/", registration, **EN)
    html = bad.content.decode()
    assert bad.status_code == 200 and 'data-field="code"' in html
    assert 'value="Xiasha bonded warehouse 1"' in html and not Warehouse.objects.exists()
    no_book = client.post("/warehouses/", {**registration, "code": "W2992001"}, **EN).content.decode()
    assert 'data-field="ems_no"' in no_book
    done = client.post("/warehouses/", {**registration, "code": "W2992001", "ems_no": "T2992W000001"})
    warehouse = Warehouse.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/warehouses/{warehouse.pk}/"
    assert warehouse.status == "pending" and warehouse.operator == world.warehouse
    assert client.get(f"/warehouses/{warehouse.pk}/").status_code == 200
    # an operator does not review registrations
    assert client.post(f"/warehouses/{warehouse.pk}/decide/", {"decision": "approve"}).status_code == 403

    # another enterprise cannot open a pending warehouse, nor register without the role
    client.force_login(member(world.platform))
    assert client.get(f"/warehouses/{warehouse.pk}/").status_code == 404
    page = client.get("/warehouses/").content.decode()
    assert 'id="warehouse-form"' not in page and "W2992001" not in page
    assert client.post("/warehouses/", {**registration, "code": "W2992002"}).status_code == 403
    client.logout()
    assert client.get("/warehouses/").status_code == 302

    # customs approves it from the list
    client.force_login(official("customs"))
    assert f'action="/warehouses/{warehouse.pk}/decide/"' in client.get("/warehouses/").content.decode()
    assert client.post(f"/warehouses/{warehouse.pk}/decide/", {"decision": "approve"}).status_code == 302
    assert Warehouse.objects.get().status == "approved"

    # its stock: on hand, reserved and available, and the movements
    item = StockItem.objects.create(
        warehouse=warehouse,
        item_record_no="SKU-0001",
        owner_code=world.seller.customs_code,
        gcode="3304990099",
        gname="Face cream",
        unit="007",
        quantity=Decimal("10"),
        reserved=Decimal("2"),
    )
    StockMovement.objects.create(stock_item=item, kind="entry", qty=Decimal("10"), balance=Decimal("10"))
    client.force_login(operator)
    stock = client.get(f"/warehouses/{warehouse.pk}/").content.decode()
    assert "SKU-0001" in stock and ">8<" in stock and 'id="movement-table"' in stock
    # an approved warehouse is on the register, but another enterprise's stock is not shown
    client.force_login(member(world.platform))
    other = client.get(f"/warehouses/{warehouse.pk}/")
    assert other.status_code == 200 and "SKU-0001" not in other.content.decode()


# --- cancel and return of an import list ---------------------------------------------------------


def test_the_declarant_cancels_a_list_before_release(client, world, django_capture_on_commit_callbacks):
    docs = world.declaration(5)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs, order=("inventory",))  # the other documents never came
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status in ("received", "mismatch")
    url = f"/declarations/inventories/{inventory.pk}/"

    # the logistics firm sees the list but does not cancel it; an outsider does not see it
    client.force_login(member(world.logistics))
    assert 'id="cancel-form"' not in client.get(url).content.decode()
    assert client.post(f"{url}cancel/", {"reason": "x"}).status_code == 403
    client.force_login(member(EnterpriseFactory(roles=["ecommerce"])))
    assert client.post(f"{url}cancel/", {"reason": "x"}).status_code == 404

    client.force_login(member(world.seller))
    page = client.get(url).content.decode()
    assert 'id="cancel-form"' in page and f"<title>{inventory.cop_no} · " in page
    empty = client.post(f"{url}cancel/", {"reason": ""}, **EN)
    assert empty.status_code == 200 and 'data-field="reason"' in empty.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"{url}cancel/", {"reason": "The buyer changed their mind"})
    assert done.status_code == 302 and done["Location"] == url
    inventory.refresh_from_db()
    assert inventory.status == "cancelled" and "changed their mind" in inventory.status_reason
    assert 'id="cancel-form"' not in client.get(url).content.decode()


def test_the_declarant_returns_goods_and_the_logistics_firm_confirms_they_are_back(
    client, world, django_capture_on_commit_callbacks
):
    inventory = release(world, django_capture_on_commit_callbacks, number=6, lines=2)
    items = list(inventory.items.order_by("gnum"))
    url = f"/declarations/inventories/{inventory.pk}/"
    seller = member(world.seller)
    client.force_login(seller)
    page = client.get(url).content.decode()
    assert 'id="return-form"' in page and 'id="cancel-form"' not in page
    assert f'name="qty-{items[0].gnum}"' in page

    # more than was released is named on the line, and the reason stays
    too_many = {"reason": "Wrong size", "qty-1": str(items[0].qty + 5), "qty-2": str(items[1].qty)}
    refused = client.post(f"{url}return/", too_many, **EN)
    html = refused.content.decode()
    assert refused.status_code == 200 and 'data-field="qty-1"' in html and "Wrong size" in html
    nothing = client.post(f"{url}return/", {"reason": "Wrong size", "qty-1": "0", "qty-2": ""}, **EN)
    assert "Return at least one line" in nothing.content.decode()
    assert not InventoryRefund.objects.exists()

    done = client.post(f"{url}return/", {"reason": "Wrong size", "qty-1": str(items[0].qty), "qty-2": "0"})
    assert done.status_code == 302
    refund = InventoryRefund.objects.get()
    assert refund.state == "awaiting" and [line.gnum for line in refund.lines.all()] == [1]
    page = client.get(url, **EN).content.decode()
    assert 'id="return-state"' in page and 'id="return-form"' not in page
    assert 'id="goods-received-form"' not in page  # the declarant does not confirm its own return
    assert client.post(f"/declarations/returns/{refund.pk}/goods-received/").status_code == 403
    client.force_login(member(EnterpriseFactory(roles=["logistics"])))
    assert client.post(f"/declarations/returns/{refund.pk}/goods-received/").status_code == 404

    # the logistics enterprise of the 9610 parcel says the goods are back
    client.force_login(member(world.logistics))
    assert 'id="goods-received-form"' in client.get(url).content.decode()
    back = client.post(f"/declarations/returns/{refund.pk}/goods-received/")
    assert back.status_code == 302 and back["Location"] == url
    refund.refresh_from_db()
    assert refund.state == "completed" and refund.tax_returned > 0
    assert TaxBillCredit.objects.get(refund=refund).total == refund.tax_returned
    assert 'id="goods-received-form"' not in client.get(url).content.decode()
