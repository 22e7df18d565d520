"""Outages and re-deliveries: retried calls never lose or duplicate a receipt or a side effect."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clearance import answer, fan_in, sweeper
from declarations.models import AgencyDecision, AgencyDispatch, DispatchBatch, InventoryList, Receipt
from declarations.selectors import waiting_for
from finance.models import BuyerQuota, TaxBill
from sharing.adapters import AgencyUnavailable
from sharing.models import Exchange

pytestmark = pytest.mark.django_db


def test_outage_is_retried_then_completes_once(dispatched, settings):
    customs = AgencyDispatch.objects.get(agency="customs")
    settings.SINGLEWINDOW_ADAPTERS = {"customs": {"failure_rate": 1.0}}
    with pytest.raises(AgencyUnavailable):
        answer.dispatch_to_agency(dispatch_id=customs.pk)
    customs.refresh_from_db()
    assert customs.attempts == 1 and customs.state != "answered"
    assert Exchange.objects.filter(agency="customs", status="failed").count() == 1
    # the other agencies answer meanwhile; the lists wait for customs
    for dispatch in AgencyDispatch.objects.exclude(agency="customs"):
        answer.dispatch_to_agency(dispatch_id=dispatch.pk)
    inventory = InventoryList.objects.first()
    assert inventory.status == "dispatched" and waiting_for(inventory) == ["customs"]
    # customs comes back; the same task delivered twice changes nothing the second time
    settings.SINGLEWINDOW_ADAPTERS = {}
    answer.dispatch_to_agency(dispatch_id=customs.pk)
    answer.dispatch_to_agency(dispatch_id=customs.pk)
    assert set(InventoryList.objects.values_list("status", flat=True)) == {"released"}
    assert AgencyDecision.objects.count() == 8  # 2 lists x 4 agencies
    assert Receipt.objects.filter(source="customs", return_status="800").count() == 2
    assert TaxBill.objects.count() == 2
    assert BuyerQuota.objects.filter(reserved=0).count() == BuyerQuota.objects.count()


def test_finalizing_twice_is_harmless(dispatched):
    for dispatch in AgencyDispatch.objects.all():
        answer.dispatch_to_agency(dispatch_id=dispatch.pk)
    batch_id = AgencyDispatch.objects.first().batch_id
    assert fan_in.finalize_if_complete(batch_id=batch_id) is False
    assert TaxBill.objects.count() == 2
    used = sorted(BuyerQuota.objects.values_list("used", flat=True))
    assert all(u > 0 for u in used)


def _answer_all_but_the_fan_in(monkeypatch):
    """Every agency answers; the process dies after the last answer's commit, before the fan-in."""
    real = fan_in.finalize_if_complete
    dispatches = list(AgencyDispatch.objects.order_by("id"))
    for dispatch in dispatches[:-1]:
        answer.dispatch_to_agency(dispatch_id=dispatch.pk)

    def crash(**kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(answer, "finalize_if_complete", crash)
    with pytest.raises(SystemExit):
        answer.dispatch_to_agency(dispatch_id=dispatches[-1].pk)
    monkeypatch.setattr(answer, "finalize_if_complete", real)
    assert set(AgencyDispatch.objects.values_list("state", flat=True)) == {"answered"}  # the answer is kept
    assert set(InventoryList.objects.values_list("status", flat=True)) == {"dispatched"}
    return dispatches[-1]


def test_a_fan_in_cut_off_by_a_crash_is_done_by_the_redelivered_task(dispatched, monkeypatch):
    last = _answer_all_but_the_fan_in(monkeypatch)
    answer.dispatch_to_agency(dispatch_id=last.pk)  # acks_late: the broker delivers it again
    assert set(InventoryList.objects.values_list("status", flat=True)) == {"released"}
    assert TaxBill.objects.count() == 2 and AgencyDecision.objects.count() == 8


def test_a_fan_in_cut_off_by_a_crash_is_done_by_the_sweeper(dispatched, monkeypatch):
    _answer_all_but_the_fan_in(monkeypatch)
    assert sweeper.sweep()["batches_finalized"] == 0  # not yet stale: a worker may be on it
    DispatchBatch.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert sweeper.sweep()["batches_finalized"] == 1
    assert set(InventoryList.objects.values_list("status", flat=True)) == {"released"}
    assert TaxBill.objects.count() == 2
    assert sweeper.sweep()["batches_finalized"] == 0


def test_the_sweeper_leaves_a_batch_an_agency_has_not_answered(dispatched):
    first = AgencyDispatch.objects.order_by("id").first()
    answer.dispatch_to_agency(dispatch_id=first.pk)
    DispatchBatch.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert sweeper.sweep()["batches_finalized"] == 0
    assert set(InventoryList.objects.values_list("status", flat=True)) == {"dispatched"}


def test_sweeper_resends_what_a_crash_left(dispatched):
    # as if the process died between commit and publish: the dispatches are still pending
    AgencyDispatch.objects.update(
        state="pending", published_at=None, created_at=timezone.now() - timedelta(minutes=5)
    )
    result = sweeper.sweep()
    assert result["dispatches"] == 4
    assert set(InventoryList.objects.values_list("status", flat=True)) == {"released"}
    assert sweeper.sweep()["dispatches"] == 0


def test_parked_dispatch_is_redriven(dispatched):
    customs = AgencyDispatch.objects.get(agency="customs")
    answer.dispatch_failed(dispatch_id=customs.pk)
    customs.refresh_from_db()
    assert customs.state == "failed"
    for dispatch in AgencyDispatch.objects.exclude(agency="customs"):
        answer.dispatch_to_agency(dispatch_id=dispatch.pk)
    answer.redrive(dispatch_id=customs.pk)
    assert set(InventoryList.objects.values_list("status", flat=True)) == {"released"}


def test_parked_dispatch_is_listed_and_redriven_from_the_browser(dispatched, client):
    from ..factories import official

    customs = AgencyDispatch.objects.get(agency="customs")
    answer.dispatch_failed(dispatch_id=customs.pk)
    for dispatch in AgencyDispatch.objects.exclude(agency="customs"):
        answer.dispatch_to_agency(dispatch_id=dispatch.pk)
    client.force_login(official("forex"))  # another agency's official may not re-drive customs' dispatch
    assert client.post(f"/officials/dispatches/{customs.pk}/redrive/").status_code == 404
    client.force_login(official("customs"))
    page = client.get("/officials/receipts/").content.decode()
    assert 'id="dead-letters"' in page
    assert client.post(f"/officials/dispatches/{customs.pk}/redrive/").status_code == 302
    assert set(InventoryList.objects.values_list("status", flat=True)) == {"released"}
    assert client.post("/officials/dispatches/999999/redrive/").status_code == 404


def test_a_list_left_waiting_for_documents_stored_meanwhile_is_matched_by_the_sweeper(
    world, no_random_inspection, monkeypatch, django_capture_on_commit_callbacks
):
    from clearance import claim
    from declarations.services import rematch

    first, second = world.declaration(1), world.declaration(2)
    for docs in (first, second):
        assert world.post("inventory", docs["inventory"]).status_code == 201
    claim.process_pending_lists()
    # The first list's documents come, and their marking of it is lost (the process died between
    # their commit and it); the second list's payment never comes.
    with monkeypatch.context() as lost:
        lost.setattr(rematch, "_mark_for_match", lambda lists, **kwargs: [])
        for kind in ("order", "payment", "waybill"):
            assert world.post(kind, first[kind]).status_code == 201
        for kind in ("order", "waybill"):
            assert world.post(kind, second[kind]).status_code == 201
    waiting = InventoryList.objects.filter(status="received", match_requested_at__isnull=True)
    assert waiting.count() == 2
    assert sweeper.sweep()["waiting_rematched"] == 0  # not yet stale: its claim may be on its way
    InventoryList.objects.update(created_at=timezone.now() - timedelta(seconds=90))
    with django_capture_on_commit_callbacks(execute=True):  # the agencies' tasks, sent on commit
        assert sweeper.sweep()["waiting_rematched"] == 1
    assert InventoryList.objects.get(cop_no=first["inventory"]["cop_no"]).status == "released"
    left = InventoryList.objects.get(cop_no=second["inventory"]["cop_no"])
    assert left.status == "received" and left.match_requested_at is None  # its payment is not there
    # Looked at only while a minute old: a list waiting longer is not claimed again by every sweep.
    InventoryList.objects.update(created_at=timezone.now() - timedelta(seconds=200))
    assert sweeper.sweep()["waiting_rematched"] == 0
