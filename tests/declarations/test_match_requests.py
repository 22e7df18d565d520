"""Marking lists for a match locks them in id order (PostgreSQL): an order batch, its payments and its
waybills sent at once mark the same lists, each through its own index, and two UPDATEs that locked the
rows in their indexes' orders deadlocked (one batch answered 500 in the open-loop benchmark)."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from declarations.models import InventoryList
from declarations.services import rematch

from ..factories import ClearanceWorld

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="row locks of PostgreSQL"
    ),
]


def test_lists_marked_by_waybill_are_locked_in_id_order_before_the_update():
    world = ClearanceWorld()
    batches = [world.declaration(n) for n in (1, 2, 3)]
    world.post("inventory", [docs["inventory"] for docs in batches])
    InventoryList.objects.update(match_requested_at=None)
    with CaptureQueriesContext(connection) as queries:
        marked = rematch.request_match("waybill", [docs["waybill"] for docs in batches])
    assert marked == 3
    assert InventoryList.objects.filter(match_requested_at__isnull=False).count() == 3
    statements = [q["sql"] for q in queries.captured_queries if "declarations_inventorylist" in q["sql"]]
    lock = next(i for i, sql in enumerate(statements) if sql.rstrip().endswith("FOR UPDATE"))
    update = next(i for i, sql in enumerate(statements) if sql.startswith("UPDATE"))
    # ORDER BY the id (selected as "pk", so column 1) before FOR UPDATE: the rows are locked in id order
    in_id_order = r'ORDER BY (1|"declarations_inventorylist"\."id") ASC FOR UPDATE$'
    assert re.search(in_id_order, statements[lock].rstrip())
    assert lock < update
