"""The broker (Redis) down: intake keeps answering and storing, nothing is lost, and the sweeper sends
the work on once the broker is back. The rate-limit counters (in the cache) fail open."""

from datetime import timedelta

import pytest
from kombu.exceptions import OperationalError

from clearance import sweeper, tasks
from declarations.models import AgencyDispatch, InventoryList

pytestmark = pytest.mark.django_db


def test_intake_while_the_broker_is_down_then_the_sweeper_catches_up(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    docs = world.declaration(1)

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for task in (tasks.process_pending_lists, tasks.dispatch_to_agency):
        monkeypatch.setattr(task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        answers = world.declare(docs)
    assert [a.status_code for a in answers.values()] == [201, 201, 201, 201]
    inventory = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert inventory.status == "received" and inventory.match_requested_at is not None

    # Back up: the sweeper finds the waiting list and the unsent dispatches.
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        sweeper.sweep(stale_after=timedelta(0))
    inventory.refresh_from_db()
    assert inventory.status == "released", inventory.status_reason
    assert AgencyDispatch.objects.filter(state="answered").count() == 4


def test_dispatches_not_sent_stay_pending_for_the_sweeper(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    docs = world.declaration(2)
    monkeypatch.setattr(
        tasks.dispatch_to_agency,
        "apply_async",
        lambda *a, **k: (_ for _ in ()).throw(OperationalError("down")),
    )
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs)
    assert set(AgencyDispatch.objects.values_list("state", flat=True)) == {"pending"}
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        sweeper.sweep(stale_after=timedelta(0))
    assert InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"]).status == "released"


def test_rate_limit_fails_open_when_the_cache_is_down(world, monkeypatch):
    from django.core.cache import cache

    def cache_down(*args, **kwargs):
        raise ConnectionError("cache unavailable")

    monkeypatch.setattr(cache, "get", cache_down)
    answer = world.client("platform").get("/api/v1/orders/")
    assert answer.status_code == 200
