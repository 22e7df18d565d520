"""Lists drawn for inspection wait for the drawn inspector's result (or a customs supervisor's); each
result settles the ledgers exactly, and nobody else may record one."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from credit.models import CreditEvent, CreditLevel
from declarations.models import InventoryList
from finance.models import BuyerQuota, QuotaUse, TaxBill, TaxGuarantee
from risk.models import RiskAssessment
from sharing.choices import MemberRole
from sharing.models import ForexPurchase, Membership

from ..factories import official

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspected(world, django_capture_on_commit_callbacks):
    CreditLevel.objects.update(inspection_rate=1)  # every list is drawn
    # The only customs official at the draw, so the "double random" draw names this one.
    drawn = official("customs", username="inspector")
    docs = world.declaration(1)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get()
    assert inventory.status == "inspection"
    guarantee = TaxGuarantee.objects.get()
    assert guarantee.reserved == inventory.tax_amount and guarantee.used == 0
    assert RiskAssessment.objects.get(inventory=inventory).inspector == drawn
    return world, inventory


def api_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def drawn_inspector():
    return get_user_model().objects.get(username="inspector")


def customs_client():
    """The drawn inspector's client."""
    return api_client(drawn_inspector())


def supervisor(username: str):
    """A customs official with the administrator role: a supervisor."""
    user = official("customs", username=username)
    Membership.objects.filter(user=user).update(role=MemberRole.ADMIN)
    return get_user_model().objects.get(pk=user.pk)


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


def result_url(inventory) -> str:
    return f"/api/v1/inventories/{inventory.pk}/inspection-result/"


@pytest.mark.parametrize("agency", ["customs", "inspection", "tax", "forex", "commerce", "finance"])
def test_only_the_drawn_inspector_or_a_supervisor_records_it(inspected, agency):
    """Another customs official (not drawn) and every other agency's official are refused, the list
    untouched; only the drawn inspector or a customs supervisor may record the result."""
    world, inventory = inspected
    other = api_client(official(agency, username=f"other-{agency}"))
    answer = other.post(result_url(inventory), {"passed": True, "reason": "ok"}, format="json")
    assert answer.status_code == 403
    assert answer.json()["code"] == "permission_denied"
    inventory.refresh_from_db()
    assert inventory.status == "inspection"
    assert not TaxBill.objects.filter(inventory=inventory).exists()


def test_a_customs_supervisor_records_any_inspection(inspected, django_capture_on_commit_callbacks):
    world, inventory = inspected
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_client(supervisor("chief")).post(
            result_url(inventory), {"passed": True, "reason": "复核"}, format="json"
        )
    assert answer.status_code == 202
    inventory.refresh_from_db()
    assert inventory.status == "released"


def test_a_supervisor_of_another_agency_is_no_customs_supervisor(inspected):
    world, inventory = inspected
    chief = official("inspection", username="inspection-chief")
    Membership.objects.filter(user=chief).update(role=MemberRole.ADMIN)
    chief = get_user_model().objects.get(pk=chief.pk)
    answer = api_client(chief).post(result_url(inventory), {"passed": True}, format="json")
    assert answer.status_code == 403
    inventory.refresh_from_db()
    assert inventory.status == "inspection"


def test_the_page_offers_and_takes_the_result_only_from_the_drawn_inspector(
    inspected, client, django_capture_on_commit_callbacks
):
    world, inventory = inspected
    page = f"/declarations/inventories/{inventory.pk}/"
    post = f"/declarations/inventories/{inventory.pk}/inspection/"
    for agency in ("customs", "tax"):
        client.force_login(official(agency, username=f"page-{agency}"))
        assert 'id="inspection-form"' not in client.get(page).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(post, {"passed": "yes", "reason": ""}).status_code == 403
        inventory.refresh_from_db()
        assert inventory.status == "inspection"
    client.force_login(drawn_inspector())
    assert 'id="inspection-form"' in client.get(page).content.decode()


def test_a_supervisor_records_it_from_the_page(inspected, client, django_capture_on_commit_callbacks):
    world, inventory = inspected
    client.force_login(supervisor("chief-page"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/declarations/inventories/{inventory.pk}/inspection/", {"passed": "no", "reason": "不符"}
        )
    inventory.refresh_from_db()
    assert inventory.status == "rejected"


def test_inspection_from_the_page(inspected, client, django_capture_on_commit_callbacks):
    world, inventory = inspected
    client.force_login(drawn_inspector())
    assert 'id="inspection-form"' in client.get(f"/declarations/inventories/{inventory.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/declarations/inventories/{inventory.pk}/inspection/", {"passed": "yes", "reason": ""})
    inventory.refresh_from_db()
    assert inventory.status == "released"
