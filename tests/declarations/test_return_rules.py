"""Who may cancel or return a list, until when, and who says a return's goods are back: the predicates
of `declarations.selectors` on their own, and the goods-received action through the page and the API.
(How the pipeline fixes the one enterprise the goods come back to: test_return_authority.py.)"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from declarations import selectors
from declarations.choices import RETURN_APPLY_DAYS
from declarations.models import InventoryList, InventoryRefund
from declarations.services import amendment_for_list
from sharing.choices import AgencyCode, EnterpriseStatus, MemberRole
from sharing.models import Agency, Membership
from sharing.principal import Principal

from ..conftest import key_client
from ..factories import EnterpriseFactory, UserFactory, official

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _list(**fields) -> InventoryList:
    return InventoryList(
        **{"trade_mode": "9610", "ebc_code": "", "agent_code": "", "area_code": "", **fields}
    )


def _refund(inventory: InventoryList, receiver=None, logistics_code: str = "") -> InventoryRefund:
    return InventoryRefund(inventory=inventory, goods_receiver=receiver, logistics_code=logistics_code)


def customs() -> Principal:
    return Principal(agency=Agency.objects.get(code=AgencyCode.CUSTOMS))


# --- is_declarant -----------------------------------------------------------------------------------


def test_the_ecommerce_enterprise_its_agent_and_the_submitter_declared_a_list(world):
    seller, agent, submitter = world.seller, EnterpriseFactory(roles=["agent"]), EnterpriseFactory()
    inventory = _list(ebc_code=seller.customs_code, agent_code=agent.uscc, submitted_by_id=submitter.pk)
    assert selectors.is_declarant(Principal(enterprise=seller), inventory)
    assert selectors.is_declarant(Principal(enterprise=agent), inventory)  # named by its USCC
    assert selectors.is_declarant(Principal(enterprise=submitter), inventory)


def test_a_stranger_an_unapproved_declarant_and_an_official_did_not(world):
    inventory = _list(ebc_code=world.seller.customs_code, submitted_by_id=world.seller.pk)
    assert not selectors.is_declarant(Principal(enterprise=world.logistics), inventory)
    assert not selectors.is_declarant(customs(), inventory)
    assert not selectors.is_declarant(Principal(is_superuser=True), inventory)
    world.seller.status = EnterpriseStatus.SUSPENDED
    assert not selectors.is_declarant(Principal(enterprise=world.seller), inventory)


def test_is_declarant_and_declared_by_are_one_rule(world):
    agent = EnterpriseFactory(roles=["agent"])
    world.post("inventory", world.declaration(1)["inventory"])
    lists = []
    for n, (ebc_code, agent_code, submitter) in enumerate(
        [
            (world.seller.customs_code, "", world.platform),
            ("3301999999", agent.customs_code, world.platform),
            ("3301999999", "", world.seller),
            ("3301999999", "", world.platform),
        ]
    ):
        inventory = InventoryList.objects.order_by("id").first()
        inventory.pk, inventory.cop_no, inventory.pre_no = None, f"COP-RULE-{n}", ""
        # one live list per order and per waybill
        inventory.order_no, inventory.logistics_no = f"ORDER-RULE-{n}", f"LN-RULE-{n}"
        inventory.ebc_code, inventory.agent_code, inventory.submitted_by = ebc_code, agent_code, submitter
        inventory.save()
        lists.append(inventory)
    for enterprise in (world.seller, agent, world.platform, world.logistics):
        queried = set(
            InventoryList.objects.filter(
                selectors.declared_by(enterprise), cop_no__startswith="COP-RULE-"
            ).values_list("pk", flat=True)
        )
        one_by_one = {i.pk for i in lists if selectors.is_declarant(Principal(enterprise=enterprise), i)}
        assert queried == one_by_one, enterprise


# --- return_window_open -----------------------------------------------------------------------------


def test_a_return_is_applied_for_within_30_days_of_release():
    now = timezone.now()
    assert not selectors.return_window_open(_list(final_at=None), now)
    assert selectors.return_window_open(_list(final_at=now), now)
    assert selectors.return_window_open(_list(final_at=now - timedelta(days=RETURN_APPLY_DAYS)), now)
    late = now - timedelta(days=RETURN_APPLY_DAYS, seconds=1)
    assert not selectors.return_window_open(_list(final_at=late), now)


# --- confirms_goods ---------------------------------------------------------------------------------


def test_only_the_enterprise_the_goods_come_back_to_confirms_them(world):
    # whatever the return's head names: the seller naming itself as carrier confirms nothing
    seller_code = world.seller.customs_code
    for trade_mode, receiver in (("9610", world.logistics), ("1210", world.warehouse)):
        inventory = _list(trade_mode=trade_mode, ebc_code=seller_code, area_code=world.warehouse.customs_code)
        refund = _refund(inventory, receiver, logistics_code=seller_code)
        assert selectors.confirms_goods(Principal(enterprise=receiver), refund), trade_mode
        for other in {world.logistics, world.warehouse, world.seller, world.platform} - {receiver}:
            assert not selectors.confirms_goods(Principal(enterprise=other), refund), (trade_mode, other)


def test_a_return_whose_receiver_is_unknown_is_confirmed_by_customs_alone(world):
    refund = _refund(_list(logistics_code=world.seller.customs_code), None, world.seller.customs_code)
    assert not selectors.confirms_goods(Principal(enterprise=world.seller), refund)
    assert selectors.confirms_goods(customs(), refund)


def test_a_receiver_no_longer_approved_confirms_nothing(world):
    refund = _refund(_list(), world.logistics)
    world.logistics.status = EnterpriseStatus.SUSPENDED
    assert not selectors.confirms_goods(Principal(enterprise=world.logistics), refund)


def test_customs_and_a_site_administrator_confirm_any_return_and_others_none(world):
    for trade_mode in ("9610", "1210"):
        refund = _refund(_list(trade_mode=trade_mode), world.logistics)
        assert selectors.confirms_goods(customs(), refund)
        assert selectors.confirms_goods(Principal(is_superuser=True), refund)
        assert not selectors.confirms_goods(Principal(agency=Agency.objects.get(code=AgencyCode.TAX)), refund)
        assert not selectors.confirms_goods(Principal(), refund)


# --- goods received, through the page and the API ----------------------------------------------------


@pytest.fixture
def returned(world, no_random_inspection, django_capture_on_commit_callbacks) -> InventoryRefund:
    """A released 9610 list whose buyer returns its one line: the return awaits its goods."""
    docs = world.declaration(31, lines=1)
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "released", inventory.status_reason
    item = inventory.items.get()
    body = {
        **amendment_for_list(inventory, reason="Wrong size"),
        "items": [
            {"gnum": 1, "gcode": item.gcode, "gname": item.gname, "qty": str(item.qty), "unit": item.unit}
        ],
    }
    answer = world.client("seller").post("/api/v1/inventory-returns/", body, format="json")
    assert answer.status_code == 201, answer.json()
    return InventoryRefund.objects.get(pk=answer.json()["id"])


def _page_client(client, user):
    client.force_login(user)
    return client


def _member(enterprise):
    user = UserFactory()
    Membership.objects.create(user=user, enterprise=enterprise, role="admin")
    return user


def test_the_api_refuses_with_403_whoever_sees_a_return_but_does_not_receive_its_goods(world, returned):
    url = f"/api/v1/inventory-returns/{returned.pk}/goods-received/"
    refused = world.client("seller").post(url)  # the declarant sees its return
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert "fields" not in refused.json()
    assert key_client(EnterpriseFactory(roles=["logistics"])).post(url).status_code == 404  # a stranger
    assert world.client("platform").post(url).status_code == 404
    returned.refresh_from_db()
    assert returned.state == InventoryRefund.State.AWAITING_GOODS


def test_the_page_refuses_with_403_the_declarant_and_shows_it_no_confirm_form(world, returned, client):
    page_client = _page_client(client, _member(world.seller))
    page = page_client.get(f"/declarations/inventories/{returned.inventory_id}/").content.decode()
    assert 'id="return-state"' in page and 'id="goods-received-form"' not in page
    answer = page_client.post(f"/declarations/returns/{returned.pk}/goods-received/")
    assert answer.status_code == 403
    returned.refresh_from_db()
    assert returned.state == InventoryRefund.State.AWAITING_GOODS


def test_customs_confirms_the_goods_through_the_api(world, returned):
    api = APIClient()
    api.force_authenticate(official(AgencyCode.CUSTOMS))
    back = api.post(f"/api/v1/inventory-returns/{returned.pk}/goods-received/")
    assert back.status_code == 200, back.json()
    assert back.json()["state"] == InventoryRefund.State.COMPLETED


def test_customs_confirms_the_goods_from_the_page(world, returned, client):
    answer = _page_client(client, official(AgencyCode.CUSTOMS)).post(
        f"/declarations/returns/{returned.pk}/goods-received/"
    )
    assert answer.status_code == 302
    returned.refresh_from_db()
    assert returned.state == InventoryRefund.State.COMPLETED


def test_the_logistics_firm_confirms_a_9610_return_through_the_api(world, returned):
    back = key_client(world.logistics).post(f"/api/v1/inventory-returns/{returned.pk}/goods-received/")
    assert back.status_code == 200, back.json()
    assert back.json()["state"] == InventoryRefund.State.COMPLETED


def test_returns_to_confirm_lists_what_confirms_goods_allows(world, returned):
    for receiver in (world.logistics, world.warehouse, None):
        InventoryRefund.objects.filter(pk=returned.pk).update(goods_receiver=receiver)
        refund = InventoryRefund.objects.select_related("inventory").get(pk=returned.pk)
        listed = set()
        for enterprise in (world.logistics, world.warehouse, world.seller, world.platform):
            principal = Principal(enterprise=enterprise)
            if selectors.returns_to_confirm(principal=principal).filter(pk=refund.pk).exists():
                listed.add(enterprise)
            assert selectors.confirms_goods(principal, refund) == (enterprise in listed), receiver
        assert listed == ({receiver} if receiver else set())


# --- the answers of the cancel and return API, as they were before the refusals became ServiceErrors --


def test_cancel_and_return_refusals_keep_their_bodies(world, returned):
    inventory = returned.inventory
    seller = world.client("seller")
    cancel = amendment_for_list(inventory, reason="x")

    refused = seller.post("/api/v1/inventory-cancels/", cancel, format="json", **EN)
    message = "A released list is not cancelled; apply for a return (CEB625) instead."
    assert refused.status_code == 409
    assert refused.json() == {
        "code": "refused",
        "detail": f"invt_no: {message}",
        "fields": {"invt_no": [message]},
        "return_status": "-623003",
    }

    unknown = seller.post(
        "/api/v1/inventory-cancels/", {**cancel, "cop_no": "NO-SUCH-LIST"}, format="json", **EN
    )
    message = "None of your lists has this number."
    assert unknown.status_code == 404
    assert unknown.json() == {
        "code": "not_found",
        "detail": f"invt_no: {message}",
        "fields": {"invt_no": [message]},
    }

    # a return without its lines
    invalid = seller.post("/api/v1/inventory-returns/", cancel, format="json", **EN)
    assert invalid.status_code == 400 and invalid.json()["code"] == "invalid"
    assert "return_status" not in invalid.json()
    field, messages = next(iter(invalid.json()["fields"].items()))
    assert invalid.json()["detail"] == f"{field}: {messages[0]}"

    official_api = APIClient()
    official_api.force_authenticate(official(AgencyCode.CUSTOMS))  # no enterprise: may not submit
    forbidden = official_api.post("/api/v1/inventory-cancels/", cancel, format="json", **EN)
    assert forbidden.status_code == 403
    assert forbidden.json() == {
        "code": "permission_denied",
        "detail": "Only an approved enterprise may submit documents.",
    }


def test_a_summary_of_a_month_not_over_is_refused_on_its_field(world):
    today = timezone.localdate()
    answer = world.client("seller").post(
        "/api/v1/summary-declarations/",
        {
            "year": today.year,
            "month": today.month,
            "trade_mode": "9610",
            "decl_agent_code": "3301980001",
            "decl_agent_name": "x",
        },
        format="json",
        **EN,
    )
    message = "A month is summarised once it is over."
    assert answer.status_code == 409
    assert answer.json() == {"code": "refused", "detail": f"month: {message}", "fields": {"month": [message]}}


def test_a_caller_who_may_not_submit_is_answered_403_without_fields(world):
    from .test_intake import to_ceb

    order = world.declaration(1)["order"]
    not_a_platform = world.client("seller")
    roles = {
        "code": "permission_denied",
        "detail": "Your enterprise's roles do not include submitting this document.",
    }
    answer = not_a_platform.post("/api/v1/orders/", order, format="json", **EN)
    assert (answer.status_code, answer.json()) == (403, roles)
    answer = not_a_platform.post(
        "/api/v1/ceb/", to_ceb("order", [order]), content_type="application/xml", **EN
    )
    assert (answer.status_code, answer.json()) == (403, roles)

    official_api = APIClient()
    official_api.force_authenticate(official(AgencyCode.TAX))
    today = timezone.localdate()
    summary = {
        "year": today.year,
        "month": today.month,
        "trade_mode": "9610",
        "decl_agent_code": "x",
        "decl_agent_name": "x",
    }
    answer = official_api.post("/api/v1/summary-declarations/", summary, format="json", **EN)
    assert (answer.status_code, answer.json()) == (
        403,
        {"code": "permission_denied", "detail": "An exporter applies for its own summary declaration."},
    )


def test_the_inspection_and_goods_received_refusals_keep_their_bodies(world, returned):
    customs_api, tax_api, supervisor_api = APIClient(), APIClient(), APIClient()
    customs_api.force_authenticate(official(AgencyCode.CUSTOMS))
    tax_api.force_authenticate(official(AgencyCode.TAX))
    supervisor = official(AgencyCode.CUSTOMS, "customs-supervisor")
    Membership.objects.filter(user=supervisor).update(role=MemberRole.ADMIN)
    supervisor_api.force_authenticate(get_user_model().objects.get(pk=supervisor.pk))
    result = {"passed": True, "reason": ""}

    url = f"/api/v1/inventories/{returned.inventory_id}/inspection-result/"
    answer = tax_api.post(url, result, format="json", **EN)
    assert (answer.status_code, answer.json()) == (
        403,
        {"code": "permission_denied", "detail": "Only customs records inspections."},
    )
    answer = customs_api.post(url, result, format="json", **EN)  # not the drawn inspector
    assert (answer.status_code, answer.json()) == (
        403,
        {
            "code": "permission_denied",
            "detail": "Only the drawn inspector or a customs supervisor records this list's inspection.",
        },
    )
    answer = supervisor_api.post(url, result, format="json", **EN)  # released, not under inspection
    assert (answer.status_code, answer.json()) == (
        409,
        {"code": "conflict", "detail": "This list is not waiting for an inspection."},
    )
    answer = tax_api.post("/api/v1/export-inventories/1/inspection-result/", result, format="json", **EN)
    assert (answer.status_code, answer.json()) == (
        403,
        {"code": "permission_denied", "detail": "Only inspection or customs records inspections."},
    )

    url = f"/api/v1/inventory-returns/{returned.pk}/goods-received/"
    answer = world.client("seller").post(url, **EN)
    assert (answer.status_code, answer.json()) == (
        403,
        {
            "code": "permission_denied",
            "detail": "The bonded warehouse (1210) or the logistics enterprise (9610) confirms "
            "the goods are back.",
        },
    )
    due = timezone.now() - timedelta(days=1)
    InventoryRefund.objects.filter(pk=returned.pk).update(goods_due_by=due)
    answer = key_client(world.logistics).post(url, **EN)
    assert (answer.status_code, answer.json()) == (
        409,
        {"code": "expired", "detail": f"The goods were due back by {due:%Y-%m-%d}; the return expired."},
    )


def test_a_request_of_the_wrong_shape_keeps_its_body(world):
    platform = world.client("platform")

    def answer(body, url="/api/v1/orders/", **kwargs):
        response = platform.post(url, body, **{"format": "json", **kwargs}, **EN)
        return response.status_code, response.json()

    assert answer("x") == (
        400,
        {"code": "invalid", "detail": "Send one document (an object) or a list of documents."},
    )
    assert answer([]) == (400, {"code": "invalid", "detail": "The list of documents is empty."})
    assert answer([{}] * 1001) == (
        413,
        {"code": "too_many", "detail": "A batch has at most 1000 documents; this one has 1001."},
    )
    code, body = answer(b"<broken", url="/api/v1/ceb/", format=None, content_type="application/xml")
    assert code == 400 and set(body) == {"code", "detail"} and body["code"] == "0001"
    code, body = answer(
        b"<" + b"x" * (11 * 1024 * 1024) + b"/>",
        url="/api/v1/ceb/",
        format=None,
        content_type="application/xml",
    )
    assert code == 413 and set(body) == {"code", "detail"} and body["code"] == "0001"
