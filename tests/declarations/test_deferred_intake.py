"""Deferred intake (INTAKE_DEFERRED): a single document is checked in the request, committed and answered
202 with returnStatus 2; the intake processor stores what has gathered, and nothing answered 2 is lost."""

import pytest

from declarations.models import IntakeEntry, InventoryList, Order, Receipt
from declarations.services import deferred as deferred_module
from declarations.services import intake_process, rematch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("deferred_intake")]


def test_single_document_is_answered_2_and_stored_by_the_processor(world):
    docs = world.declaration(1)
    response = world.post("order", docs["order"])
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["outcome"] == "received" and body["return_status"] == "2"
    assert body["natural_key"]["order_no"] == docs["order"]["order_no"]
    assert not Order.objects.exists() and IntakeEntry.objects.count() == 1

    assert intake_process() == 1

    order = Order.objects.get(order_no=docs["order"]["order_no"])
    statuses = list(
        Receipt.objects.filter(kind="order", document_id=order.pk).values_list("return_status", flat=True)
    )
    assert statuses == ["2", "3", "120"]
    assert not IntakeEntry.objects.exists()


def test_field_errors_are_answered_at_once_and_nothing_is_kept(world):
    docs = world.declaration(1)
    docs["order"]["goods_value"] = "abc"
    response = world.post("order", docs["order"])
    assert response.status_code == 400
    assert "goods_value" in response.json()["fields"]
    assert not IntakeEntry.objects.exists()


def test_a_party_that_may_not_file_the_kind_is_refused_at_once(world):
    docs = world.declaration(1)
    response = world.client("payment").post("/api/v1/orders/", docs["order"], format="json")
    assert response.status_code == 403
    assert not IntakeEntry.objects.exists()


def test_a_document_in_another_enterprises_name_is_refused_at_once(world):
    docs = world.declaration(1)
    docs["inventory"]["ebc_code"] = world.platform.customs_code
    response = world.client("seller").post("/api/v1/inventories/", docs["inventory"], format="json")
    assert response.status_code == 400
    assert not IntakeEntry.objects.exists()


def test_batches_keep_the_synchronous_answer(world):
    docs = [world.declaration(n) for n in (1, 2)]
    response = world.post("order", [d["order"] for d in docs])
    assert response.status_code == 201
    assert response.json()["accepted"] == 2
    assert Order.objects.count() == 2 and not IntakeEntry.objects.exists()


def test_no_document_answered_2_is_lost_when_the_processor_fails(world, monkeypatch):
    docs = world.declaration(1)
    assert world.post("order", docs["order"]).status_code == 202

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    # A bug in a run: the group is rolled back, the entry kept and counted.
    monkeypatch.setattr(deferred_module, "store", broken)
    assert intake_process() == 0
    entry = IntakeEntry.objects.get()
    assert entry.attempts == 1 and "disk on fire" in entry.last_error
    assert not Order.objects.exists()

    # The process dies in the middle of the run (not an Exception: nothing catches it).
    def killed(**kwargs):
        raise SystemExit(137)

    monkeypatch.setattr(deferred_module, "store", killed)
    with pytest.raises(SystemExit):
        intake_process()
    assert IntakeEntry.objects.count() == 1 and not Order.objects.exists()

    monkeypatch.undo()
    assert intake_process() == 1
    assert Order.objects.filter(order_no=docs["order"]["order_no"]).count() == 1
    assert not IntakeEntry.objects.exists()


def test_each_entry_counts_its_own_failed_runs(world, monkeypatch):
    """An entry that failed before and one that just arrived fail together in one group: each counts
    its own runs, so the newcomer is not left aside early and the old one reaches the limit in time."""

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(deferred_module, "store", broken)
    assert world.post("order", world.declaration(1)["order"]).status_code == 202
    intake_process()
    assert world.post("order", world.declaration(2)["order"]).status_code == 202
    intake_process()

    def attempts() -> list[int]:
        return list(IntakeEntry.objects.order_by("id").values_list("attempts", flat=True))

    assert attempts() == [2, 1]
    for _ in range(3):
        intake_process()
    # The old entry is left aside at the limit; the newer one still has a run to go.
    assert attempts() == [deferred_module.MAX_ATTEMPTS, 4]
    intake_process()
    assert attempts() == [deferred_module.MAX_ATTEMPTS] * 2


def test_a_resend_and_a_change_in_one_micro_batch_are_stored_in_order(world):
    docs = world.declaration(1)
    order = docs["order"]
    assert world.post("order", order).status_code == 202
    assert world.post("order", order).status_code == 202  # a resend
    changed = {**order, "app_type": "2", "note": "changed"}
    assert world.post("order", changed).status_code == 202

    assert intake_process() == 3

    stored = Order.objects.get(order_no=order["order_no"])
    assert stored.app_type == "2" and stored.version == 2
    statuses = list(
        Receipt.objects.filter(kind="order", document_id=stored.pk).values_list("return_status", flat=True)
    )
    assert statuses == ["2", "3", "120", "2", "3", "120"]  # the resend wrote nothing


def test_a_refusal_by_a_stored_document_reaches_the_receipts_queue(world):
    docs = world.declaration(1)
    assert world.post("order", docs["order"]).status_code == 202
    intake_process()
    # other content under the same number without app_type 2: -301010, known only once stored
    other = {**docs["order"], "note": "other content"}
    assert world.post("order", other).status_code == 202
    intake_process()

    refusal = Receipt.objects.filter(kind="order", return_status="-301010").get()
    assert refusal.enterprise_id == world.platform.pk
    assert refusal.natural_key.endswith(docs["order"]["order_no"])
    queue = world.client("platform").get("/api/v1/receipts/?since=0").json()["results"]
    assert "-301010" in [row["return_status"] for row in queue]


def test_a_suspended_enterprise_s_received_documents_are_refused_with_a_receipt(world):
    docs = world.declaration(1)
    assert world.post("order", docs["order"]).status_code == 202
    type(world.platform).objects.filter(pk=world.platform.pk).update(status="suspended")
    assert intake_process() == 1
    assert not Order.objects.exists() and not IntakeEntry.objects.exists()
    assert Receipt.objects.filter(enterprise=world.platform, return_status="100").exists()


def test_a_single_list_goes_through_on_its_own_wakes(world, django_capture_on_commit_callbacks):
    """Eager mode: each request's wake runs the processors in place, nothing else is called. (Through a
    real worker, with the debounce window, tests/test_worker.py times it: within a second.)"""
    docs = world.declaration(1)
    with django_capture_on_commit_callbacks(execute=True):
        for kind in ("order", "payment", "waybill", "inventory"):
            assert world.post(kind, docs[kind]).status_code == 202
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "released"
    assert not IntakeEntry.objects.exists()


KINDS = ("order", "payment", "waybill", "inventory")


def test_an_intake_run_claims_the_lists_it_completed_itself(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """The run that stored a list's last document claims the list at once (here the agencies answer
    eagerly after that claim commits): no clearance wake, so no second window and no second task."""
    woken = []
    monkeypatch.setattr(rematch, "wake", lambda task, **kwargs: woken.append(task))
    monkeypatch.setattr(rematch, "send_named", lambda task, *args, **kwargs: woken.append(task))
    docs = world.declaration(1)
    for kind in KINDS:
        assert world.post(kind, docs[kind]).status_code == 202
    with django_capture_on_commit_callbacks(execute=True):
        assert intake_process() == 4
    assert InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"]).status == "released"
    assert woken == []


def test_a_claim_that_fails_after_the_run_leaves_it_to_the_clearance_task(world, monkeypatch):
    sent = []
    monkeypatch.setattr(deferred_module, "send_named", lambda task, *args, **kwargs: sent.append(task))

    def broken(task, **kwargs):
        raise RuntimeError("claim failed")

    monkeypatch.setattr(deferred_module, "run_named", broken)
    docs = world.declaration(1)
    for kind in KINDS:
        assert world.post(kind, docs[kind]).status_code == 202
    assert intake_process() == 4  # the documents are stored all the same
    assert not IntakeEntry.objects.exists()
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "received" and inventory.match_requested_at is not None
    assert sent == ["clearance.process_pending_lists"]


def test_the_sweeper_wakes_the_processor_for_entries_left_behind(world, monkeypatch):
    from datetime import timedelta

    from clearance import sweeper

    docs = world.declaration(1)
    assert world.post("order", docs["order"]).status_code == 202  # its wake was lost
    assert sweeper.sweep(stale_after=timedelta(seconds=-1))["received"] == 1
    assert Order.objects.filter(order_no=docs["order"]["order_no"]).exists()  # eager: run in place
    assert sweeper.sweep(stale_after=timedelta(seconds=-1))["received"] == 0


def test_a_received_document_costs_one_query(world, django_assert_num_queries):
    """The key remembered, its last use recorded a moment ago: the request's one query is its INSERT."""
    first, second = world.declaration(1), world.declaration(2)
    client = world.client("platform")
    assert client.post("/api/v1/orders/", first["order"], format="json").status_code == 202
    with django_assert_num_queries(1):
        assert client.post("/api/v1/orders/", second["order"], format="json").status_code == 202
