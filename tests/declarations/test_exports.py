"""Exports end to end (Celery eager): CEB303 + 403 + 505 + 603 through the same match and fan-out,
released with forex settlement and VAT exemption, then summarised monthly (CEB701 -> CEB792)."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from declarations.models import AgencyDecision, ExportInventoryList, Receipt, SummaryDeclaration
from finance.models import ForexSettlement, VatExemption
from logistics.models import Warehouse
from singlewindow.core.months import last_month

from ..conftest import assert_valid_ceb, key_client
from ..factories import EnterpriseFactory, official

pytestmark = pytest.mark.django_db


def _declare(world, docs, capture):
    with capture(execute=True):
        answers = world.declare_export(docs)
    assert {k: a.status_code for k, a in answers.items()} == dict.fromkeys(answers, 201), {
        k: a.json() for k, a in answers.items() if a.status_code != 201
    }
    return ExportInventoryList.objects.get(cop_no=docs["export_inventory"]["cop_no"])


def _into_last_month(*lists):
    year, month = last_month()
    moved = timezone.make_aware(timezone.datetime(year, month, 15, 10, 0))
    ExportInventoryList.objects.filter(pk__in=[i.pk for i in lists]).update(final_at=moved)
    return year, month


def test_9710_b2b_export_is_released_settled_and_summarised(world, django_capture_on_commit_callbacks):
    docs = world.export(1, trade_mode="9710", lines=3, qty=10)
    inventory = _declare(world, docs, django_capture_on_commit_callbacks)
    assert inventory.status == "released", inventory.status_reason
    assert inventory.return_status == "800" and inventory.invt_no.startswith("2928")
    assert len(inventory.invt_no) <= 20 and "E" in inventory.invt_no
    assert set(AgencyDecision.objects.filter(export_list=inventory).values_list("agency", flat=True)) == {
        "customs",
        "inspection",
        "tax",
        "forex",
    }
    # value in CNY at the day's USD rate
    usd = sum(Decimal(i["total_price"]) for i in docs["export_inventory"]["items"])
    assert inventory.fob_value_cny == (usd * Decimal("7.1")).quantize(Decimal("0.01"))
    settlement = ForexSettlement.objects.get(export_list=inventory)
    assert settlement.currency == "502" and settlement.amount == Decimal(docs["receipt_of_payment"]["charge"])
    assert settlement.amount_cny == (settlement.amount * Decimal("7.1")).quantize(Decimal("0.01"))
    exemption = VatExemption.objects.get(export_list=inventory)
    assert exemption.value_cny == inventory.fob_value_cny and "9710" in exemption.basis
    # receipts reach the exporter: portal, customs 120/399 and the 800 release
    statuses = set(
        Receipt.objects.filter(kind="export_inventory", document_id=inventory.pk).values_list(
            "return_status", flat=True
        )
    )
    assert {"2", "120", "800"} <= statuses

    year, month = _into_last_month(inventory)
    body = {
        "year": year,
        "month": month,
        "trade_mode": "9710",
        "decl_agent_code": "3301980001",
        "decl_agent_name": "杭州报关行",
    }
    answer = world.client("seller").post("/api/v1/summary-declarations/", body, format="json")
    assert answer.status_code == 201, answer.json()
    summary = answer.json()
    assert summary["status"] == "concluded" and summary["list_count"] == 1
    assert len(summary["sum_no"]) == 18 and len(summary["entry_id"]) == 18
    assert [row["invt_no"] for row in summary["lists"]] == [inventory.invt_no]
    assert Decimal(summary["total_value_cny"]) == inventory.fob_value_cny
    # idempotent: the same month and mode again answers the same declaration
    again = world.client("seller").post("/api/v1/summary-declarations/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == summary["id"]
    assert SummaryDeclaration.objects.count() == 1
    # a summary concludes with 399 (DOMAIN 4.1): 800 is a list's release only
    assert list(
        Receipt.objects.filter(kind="summary", document_id=summary["id"]).values_list(
            "return_status", flat=True
        )
    ) == ["399"]
    # the CEB701 application and the CEB792 result validate against the export schema
    for message in ("701", "792"):
        xml = world.client("seller").get(
            f"/api/v1/summary-declarations/{summary['id']}/ceb/?message={message}"
        )
        assert xml.status_code == 200
        assert_valid_ceb(xml.content)
    result = world.client("seller").get(f"/api/v1/summary-declarations/{summary['id']}/ceb/").content
    assert result.count(b"<ceb:SummaryResultList>") == 3  # one per line of the list
    assert inventory.invt_no.encode() in result
    other = world.client("seller").get(
        f"/api/v1/summary-declarations/{summary['id']}/ceb/?message=999", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert (other.status_code, other.json()) == (400, {"code": "invalid", "detail": "message is 701 or 792."})


def test_9810_needs_a_registered_overseas_warehouse_and_settles_when_paid(
    world, django_capture_on_commit_callbacks
):
    # A booking to a warehouse nobody registered: customs refuses the list.
    docs = world.export(2, trade_mode="9810", warehouse_code="OWLAX001")
    docs.pop("receipt_of_payment")  # sold abroad later
    inventory = _declare(world, docs, django_capture_on_commit_callbacks)
    assert inventory.status == "rejected"
    assert inventory.return_status == "-603030" and "OWLAX001" in inventory.status_reason

    # The exporter registers its warehouse in the USA; customs approves it.
    seller = world.client("seller")
    registration = seller.post(
        "/api/v1/warehouses/",
        {
            "code": "OWLAX002",
            "name": "LA overseas warehouse",
            "kind": "overseas",
            "country": "502",
            "address": "1 Harbor Way, Los Angeles",
            "capacity": 50000,
        },
        format="json",
    )
    assert registration.status_code == 201 and registration.json()["status"] == "pending"
    officer = APIClient()
    officer.force_authenticate(official("customs"))
    decided = officer.post(
        f"/api/v1/warehouses/{registration.json()['id']}/decide/", {"approve": True}, format="json"
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"

    docs = world.export(3, trade_mode="9810", warehouse_code="OWLAX002")
    receipt = docs.pop("receipt_of_payment")
    inventory = _declare(world, docs, django_capture_on_commit_callbacks)
    assert inventory.status == "released", inventory.status_reason
    assert not ForexSettlement.objects.filter(export_list=inventory).exists()
    # The goods sold: the receipt of payment settles the released list.
    with django_capture_on_commit_callbacks(execute=True):
        posted = world.client("payment").post("/api/v1/receipts-of-payment/", receipt, format="json")
    assert posted.status_code == 201
    assert ForexSettlement.objects.get(export_list=inventory).amount == Decimal(receipt["charge"])

    year, month = _into_last_month(inventory)
    answer = seller.post(
        "/api/v1/summary-declarations/",
        {
            "year": year,
            "month": month,
            "trade_mode": "9810",
            "decl_agent_code": "3301980001",
            "decl_agent_name": "杭州报关行",
        },
        format="json",
    )
    assert answer.status_code == 201 and answer.json()["list_count"] == 1
    inventory.refresh_from_db()
    assert inventory.summary_id == answer.json()["id"]


def test_warehouse_in_another_country_or_of_another_exporter_is_refused(
    world, django_capture_on_commit_callbacks
):
    other = EnterpriseFactory(roles=["ecommerce"])
    Warehouse.objects.create(
        code="OWFRA001",
        name="Paris",
        kind="overseas",
        operator=other,
        country="305",
        address="Paris",
        capacity=10,
        status="approved",
    )
    Warehouse.objects.create(
        code="OWDE0001",
        name="Hamburg",
        kind="overseas",
        operator=world.seller,
        country="304",
        address="Hamburg",
        capacity=10,
        status="approved",
    )
    refused = _declare(
        world,
        world.export(4, trade_mode="9810", warehouse_code="OWFRA001", country="305"),
        django_capture_on_commit_callbacks,
    )
    assert refused.return_status == "-603031"
    elsewhere = _declare(
        world,
        world.export(5, trade_mode="9810", warehouse_code="OWDE0001", country="305"),
        django_capture_on_commit_callbacks,
    )
    assert elsewhere.return_status == "-603032"


def test_9610_b2c_export_by_platform_order_matches_field_by_field(world, django_capture_on_commit_callbacks):
    docs = world.export(6, trade_mode="9610")
    docs["receipt_of_payment"]["charge"] = str(Decimal(docs["receipt_of_payment"]["charge"]) - 1)
    inventory = _declare(world, docs, django_capture_on_commit_callbacks)
    assert inventory.status == "mismatch"
    assert "receipt.charge" in inventory.status_reason
    assert "order.goods_value + order.freight" in inventory.status_reason
    # The payment firm corrects its receipt: the list is matched again and released.
    fixed = dict(world.export(6, trade_mode="9610")["receipt_of_payment"], app_type="2")
    with django_capture_on_commit_callbacks(execute=True):
        answer = world.client("payment").post("/api/v1/receipts-of-payment/", fixed, format="json")
    assert answer.status_code == 201
    inventory.refresh_from_db()
    assert inventory.status == "released", inventory.status_reason


def test_b2b_over_5000_cny_cannot_be_simplified(world, django_capture_on_commit_callbacks):
    docs = world.export(7, trade_mode="9710", lines=2, qty=100, statistics_flag="A")
    inventory = _declare(world, docs, django_capture_on_commit_callbacks)
    assert inventory.status == "rejected" and inventory.return_status == "-603020"


@pytest.mark.parametrize(
    "field, value, named",
    [
        ("trade_mode", "1210", "trade_mode"),
        ("country", "142", "country"),
        ("statistics_flag", "C", "statistics_flag"),
        ("pod", "L", "pod"),
        ("ie_date", "20261340", "ie_date"),
        ("cop_no", "x" * 31, "cop_no"),
    ],
)
def test_bad_export_list_is_refused_naming_the_field(world, field, value, named):
    docs = world.export(8, trade_mode="9710")
    docs["export_inventory"][field] = value
    answer = world.client("seller").post(
        "/api/v1/export-inventories/", docs["export_inventory"], format="json"
    )
    assert answer.status_code == 400
    assert named in answer.json()["fields"]
    assert not ExportInventoryList.objects.exists()


def test_a_wrong_line_total_is_refused_and_a_9810_list_defaults_to_the_booked_warehouse(world):
    docs = world.export(9, trade_mode="9810")
    docs["export_inventory"]["items"][0]["total_price"] = "999.00"
    answer = world.client("seller").post(
        "/api/v1/export-inventories/", docs["export_inventory"], format="json"
    )
    assert answer.status_code == 400
    assert set(answer.json()["fields"]) == {"items[1].total_price"}
    docs = world.export(10, trade_mode="9810")
    answer = world.client("seller").post(
        "/api/v1/export-inventories/", docs["export_inventory"], format="json"
    )
    assert answer.status_code == 201
    # the booking (order type W) names the overseas warehouse as its ebp
    assert ExportInventoryList.objects.get().warehouse_code == docs["export_inventory"]["ebp_code"]


def test_export_documents_are_idempotent_and_private(world, django_capture_on_commit_callbacks):
    docs = world.export(20, trade_mode="9710")
    inventory = _declare(world, docs, django_capture_on_commit_callbacks)
    again = world.client("seller").post(
        "/api/v1/export-inventories/", docs["export_inventory"], format="json"
    )
    assert again.status_code == 200 and again.json()["id"] == inventory.pk
    assert ExportInventoryList.objects.count() == 1
    stranger = key_client(EnterpriseFactory(roles=["ecommerce"]))
    assert stranger.get(f"/api/v1/export-inventories/{inventory.pk}/").status_code == 404
    assert stranger.get("/api/v1/export-inventories/").json()["count"] == 0
    # nor can it file a list in the exporter's name
    docs2 = world.export(11, trade_mode="9710")
    refused = stranger.post("/api/v1/export-inventories/", docs2["export_inventory"], format="json")
    assert refused.status_code == 400 and "ebc_code" in refused.json()["fields"]


def test_summary_only_for_a_finished_month_and_only_for_the_exporter(
    world, django_capture_on_commit_callbacks
):
    inventory = _declare(world, world.export(12, trade_mode="9710"), django_capture_on_commit_callbacks)
    today = timezone.localdate()
    body = {
        "year": today.year,
        "month": today.month,
        "trade_mode": "9710",
        "decl_agent_code": "X",
        "decl_agent_name": "X",
    }
    assert (
        world.client("seller").post("/api/v1/summary-declarations/", body, format="json").status_code == 409
    )
    year, month = _into_last_month(inventory)
    stranger = key_client(EnterpriseFactory(roles=["ecommerce"]))
    body.update(year=year, month=month, ebc_code=world.seller.customs_code)
    assert stranger.post("/api/v1/summary-declarations/", body, format="json").status_code == 403
    assert ExportInventoryList.objects.get(pk=inventory.pk).summary_id is None


def test_the_monthly_run_summarises_every_exporter_and_mode_once(world, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    lists = [
        _declare(world, world.export(n, trade_mode=mode), django_capture_on_commit_callbacks)
        for n, mode in ((30, "9710"), (31, "9710"), (32, "9610"))
    ]
    simplified = _declare(
        world, world.export(33, trade_mode="9610", statistics_flag="A"), django_capture_on_commit_callbacks
    )
    assert {i.status for i in [*lists, simplified]} == {"released"}
    year, month = _into_last_month(*lists, simplified)
    out = io.StringIO()
    call_command("summarise_exports", stdout=out)
    assert "2 summary declarations" in out.getvalue()
    summaries = {s.trade_mode: s for s in SummaryDeclaration.objects.all()}
    assert summaries["9710"].list_count == 2 and summaries["9610"].list_count == 1
    assert ExportInventoryList.objects.get(pk=simplified.pk).summary_id is None  # A lists are not summarised
    call_command("summarise_exports", year=year, month=month, stdout=io.StringIO())
    assert SummaryDeclaration.objects.count() == 2


def test_the_export_list_page_sorts_and_keeps_to_the_exporter(
    world, client, django_capture_on_commit_callbacks
):
    from ..factories import MembershipFactory

    first = _declare(world, world.export(40, trade_mode="9710"), django_capture_on_commit_callbacks)
    second = _declare(world, world.export(41, trade_mode="9610"), django_capture_on_commit_callbacks)
    client.force_login(MembershipFactory(enterprise=world.seller).user)
    low, high = sorted([first.cop_no, second.cop_no])
    ascending = client.get("/exports/?sort=cop_no").content.decode()
    assert ascending.index(low) < ascending.index(high)
    descending = client.get("/exports/?sort=-cop_no").content.decode()
    assert descending.index(high) < descending.index(low)
    assert client.get("/exports/?sort=password").status_code == 200  # unknown keys fall back to newest first
    # The platform is a party of the B2C list filed on it, not of the exporter's own B2B one.
    client.force_login(MembershipFactory(enterprise=world.platform).user)
    page = client.get("/exports/").content.decode()
    assert second.cop_no in page and first.cop_no not in page


def test_animal_products_wait_for_quarantine_then_leave(world, django_capture_on_commit_callbacks):
    """Chapter 01-05 goods are held by inspection (500) until it records the quarantine result."""
    docs = world.export(50, trade_mode="9710", lines=1)
    docs["export_inventory"]["items"][0]["gcode"] = "0402210000"
    inventory = _declare(world, docs, django_capture_on_commit_callbacks)
    assert inventory.status == "inspection" and inventory.final_at is not None
    assert "quarantine" in inventory.status_reason
    assert Receipt.objects.filter(
        document_id=inventory.pk, kind="export_inventory", source="inspection", return_status="500"
    ).exists()
    assert not ForexSettlement.objects.filter(export_list=inventory).exists()
    url = f"/api/v1/export-inventories/{inventory.pk}/inspection-result/"
    assert (
        world.client("seller").post(url, {"passed": True, "reason": "ok"}, format="json").status_code == 403
    )
    officer = APIClient()
    officer.force_authenticate(official("inspection", "quarantine-officer"))
    answer = officer.post(url, {"passed": True, "reason": "检疫合格"}, format="json")
    assert answer.status_code == 202
    inventory.refresh_from_db()
    assert inventory.status == "released" and inventory.invt_no
    assert ForexSettlement.objects.filter(export_list=inventory).exists()
    assert officer.post(url, {"passed": True, "reason": "again"}, format="json").status_code == 409


def test_a_quarantine_is_recorded_by_inspection_or_a_customs_supervisor_only(
    world, django_capture_on_commit_callbacks
):
    """No draw names an inspector for an export quarantine: customs staff are refused, a customs
    supervisor (administrator role) may record it."""
    from django.contrib.auth import get_user_model

    from sharing.models import Membership

    docs = world.export(51, trade_mode="9710", lines=1)
    docs["export_inventory"]["items"][0]["gcode"] = "0402210000"
    inventory = _declare(world, docs, django_capture_on_commit_callbacks)
    url = f"/api/v1/export-inventories/{inventory.pk}/inspection-result/"
    staff = APIClient()
    staff.force_authenticate(official("customs", "customs-staff"))
    assert staff.post(url, {"passed": True, "reason": "ok"}, format="json").status_code == 403
    inventory.refresh_from_db()
    assert inventory.status == "inspection"
    chief = official("customs", "customs-chief")
    Membership.objects.filter(user=chief).update(role="admin")
    supervisor = APIClient()
    supervisor.force_authenticate(get_user_model().objects.get(pk=chief.pk))
    with django_capture_on_commit_callbacks(execute=True):
        assert supervisor.post(url, {"passed": True, "reason": "检疫合格"}, format="json").status_code == 202
    inventory.refresh_from_db()
    assert inventory.status == "released"
