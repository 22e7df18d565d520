"""A list and its order stored at the same moment by two transactions (PostgreSQL, two connections).

The order's transaction marks the lists it belongs to before the list is committed, and the list's
claim runs before the order is committed: each misses the other, and the list waited for an order that
was there (one batch of 250 in an open-loop benchmark run). The order's commit marks them again.
"""

import os
import threading

import pytest
from django.db import connection, transaction

from declarations.models import InventoryList

from ..conftest import reload_reference_data
from ..factories import ClearanceWorld

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="two transactions at once need PostgreSQL (DATABASE_URL)",
    ),
]


def _in_another_connection(work) -> None:
    """Run `work()` in a thread of its own (its own connection, autocommit) and wait for it."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # surfaced below
            failures.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    if failures:
        raise failures[0]


@pytest.mark.parametrize("racing", ["order", "payment", "waybill"])
def test_a_list_claimed_while_its_document_commits_is_matched_once_it_has(racing):
    reload_reference_data()  # an earlier transactional test flushed the database
    from credit.models import CreditLevel

    CreditLevel.objects.update(inspection_rate=0)
    world = ClearanceWorld()
    docs = world.declaration(1)
    for kind in ("order", "payment", "waybill"):
        if kind != racing:
            assert world.post(kind, docs[kind]).status_code == 201
    cop_no = docs["inventory"]["cop_no"]

    def list_stored_and_claimed() -> None:
        # Committed, then claimed at once (tasks run eagerly): the racing document is not committed.
        assert world.post("inventory", docs["inventory"]).status_code == 201
        waiting = InventoryList.objects.get(cop_no=cop_no)
        assert waiting.status == "received" and waiting.match_requested_at is None
        assert waiting.status_reason.startswith("Waiting for")

    with transaction.atomic():
        # The racing document's transaction: stored and its lists marked (none yet), not committed.
        assert world.post(racing, docs[racing]).status_code == 201
        _in_another_connection(list_stored_and_claimed)
        assert InventoryList.objects.get(cop_no=cop_no).status == "received"
    # Committed: the list is marked again and claimed, and goes through to its final status.
    inventory = InventoryList.objects.get(cop_no=cop_no)
    assert inventory.status == "released", inventory.status_reason
    assert (inventory.order_id, inventory.payment_id, inventory.waybill_id) != (None, None, None)
