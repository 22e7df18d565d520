"""Lists drawn for inspection wait for customs' result; each result settles the ledgers exactly."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from credit.models import CreditEvent, CreditLevel
from declarations.models import InventoryList
from finance.models import BuyerQuota, QuotaUse, TaxBill, TaxGuarantee
from sharing.models import ForexPurchase

from ..factories import official

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspected(world, django_capture_on_commit_callbacks):
    CreditLevel.objects.update(inspection_rate=1)  # every list is drawn
    docs = world.declaration(1)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get()
    assert inventory.status == "inspection"
    guarantee = TaxGuarantee.objects.get()
    assert guarantee.reserved == inventory.tax_amount and guarantee.used == 0
    return world, inventory


def customs_client():
    client = APIClient()
    client.force_authenticate(official("customs", username="inspector"))
    return client


def test_passed_inspection_releases_with_ledgers(inspected, django_capture_on_commit_callbacks):
    world, inventory = inspected
    with django_capture_on_commit_callbacks(execute=True):
        answer = customs_client().post(
            f"/api/v1/inventories/{inventory.pk}/inspection-result/",
            {"passed": True, "reason": "货证相符"},
            format="json",
        )
    assert answer.status_code == 202
    inventory.refresh_from_db()
    assert inventory.status == "released" and len(inventory.invt_no) == 18
    assert TaxBill.objects.get(inventory=inventory).total == inventory.tax_amount
    guarantee = TaxGuarantee.objects.get()
    assert guarantee.used == inventory.tax_amount and guarantee.reserved == 0
    assert QuotaUse.objects.get(inventory=inventory).state == "used"


def test_failed_inspection_rejects_and_gives_everything_back(inspected, django_capture_on_commit_callbacks):
    world, inventory = inspected
    client = customs_client()
    assert (
        client.post(
            f"/api/v1/inventories/{inventory.pk}/inspection-result/", {"passed": False}, format="json"
        ).status_code
        == 400
    )  # a failure needs a reason
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/api/v1/inventories/{inventory.pk}/inspection-result/",
            {"passed": False, "reason": "货物与申报不符"},
            format="json",
        )
    inventory.refresh_from_db()
    assert inventory.status == "rejected" and "货物与申报不符" in inventory.status_reason
    guarantee = TaxGuarantee.objects.get()
    assert guarantee.used == 0 and guarantee.reserved == 0
    quota = BuyerQuota.objects.get()
    assert quota.used == 0 and quota.reserved == 0
    assert ForexPurchase.objects.get().usd_total == Decimal("0.00")
    assert CreditEvent.objects.filter(enterprise=world.seller, kind="inspection_failed").count() == 1
    again = client.post(
        f"/api/v1/inventories/{inventory.pk}/inspection-result/",
        {"passed": True, "reason": ""},
        format="json",
    )
    assert again.status_code == 409  # decided once


def test_only_customs_records_inspections(inspected):
    world, inventory = inspected
    assert (
        world.client("seller")
        .post(f"/api/v1/inventories/{inventory.pk}/inspection-result/", {"passed": True}, format="json")
        .status_code
        == 403
    )
    tax = APIClient()
    tax.force_authenticate(official("tax"))
    assert (
        tax.post(
            f"/api/v1/inventories/{inventory.pk}/inspection-result/", {"passed": True}, format="json"
        ).status_code
        == 403
    )
    inventory.refresh_from_db()
    assert inventory.status == "inspection"


def test_inspection_from_the_page(inspected, client, django_capture_on_commit_callbacks):
    world, inventory = inspected
    client.force_login(official("customs", username="inspector-page"))
    assert 'id="inspection-form"' in client.get(f"/declarations/inventories/{inventory.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/declarations/inventories/{inventory.pk}/inspection/", {"passed": "yes", "reason": ""})
    inventory.refresh_from_db()
    assert inventory.status == "released"
