"""The hot queries stay on indexes as the zone's history grows (PostgreSQL only).

A history of released orders over a year is loaded with the loader the benchmark uses (real
statistics: the loader ANALYZEs, and nothing here forces the planner's hand), then the queries of the
hot paths are captured through Django (a batch cleared through the pipeline: matching, the quota and
stock lookups, the risk rules' windows; the partners' receipt queue; the dashboards, which aggregate a
month of a year) and each is EXPLAINed: a sequential scan of a table that grows with every order fails.

Two settings make a small history speak for a large one: the planner costs pages as the production
database does (random_page_cost 1.1 for SSD or memory, docs/benchmark.md), and a table of fewer than
SMALL pages is let be (one read of it costs what an index probe does, whatever its indexes).
"""

import json
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="query plans of PostgreSQL"
)

HISTORY = 5000
SMALL = 8  # pages (64 kB)
# Tables with rows for every order (or every batch of orders): a scan of one of them grows with the zone.
GROWING = re.compile(
    r"^(declarations_(?!upload)\w+|finance_(quotause|buyerquota|taxbill\w*|guaranteehold\w*)|"
    r"logistics_(stockmovement|trackingevent)|risk_(riskassessment|alert)|credit_creditevent|"
    r"sharing_(exchange|forexpurchase|auditevent)|stats_dailystat)$"
)
EXPLAINED = re.compile(r"^\s*(SELECT|WITH|UPDATE|DELETE)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    """Parties, a bonded warehouse and HISTORY released orders, loaded once for the module and
    flushed after it (the tests themselves run in transactions rolled back)."""
    from django.core.management import call_command

    from singlewindow import history as loader
    from singlewindow.generator import stocked_bonded_warehouse

    from .conftest import reload_reference_data
    from .factories import ClearanceWorld

    with django_db_blocker.unblock():
        world = ClearanceWorld(guarantee="100000000.00")
        stocked_bonded_warehouse(
            world.warehouse, world.seller.customs_code, code="WPLAN01", name="保税仓", quantity=10**6
        )
        loaded = loader.load(HISTORY, days=365, check_keys=True)
        yield world, loaded
        # Back to the database as migrated, content types with their ids: a flush that ran post_migrate
        # would create them anew under new ids, which the serialized rollback of the transactional
        # tests after this module could no longer restore.
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        serialized = getattr(connection, "_test_serialized_contents", None)
        if serialized:
            connection.creation.deserialize_db_from_string(serialized)
        else:
            call_command("flush", interactive=False, verbosity=0)
            reload_reference_data()


def scans_of_growing_tables(queries: list[dict]) -> list[str]:
    """Each captured query that reads a growing table whole, with the table and the query."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND relpages < %s", [SMALL])
        small = {name for (name,) in cursor.fetchall()}
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        for query in queries:
            sql = query["sql"]
            if not EXPLAINED.match(sql):
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            for node in _nodes(plan[0]["Plan"]):
                table = node.get("Relation Name", "")
                if node["Node Type"] == "Seq Scan" and GROWING.match(table) and table not in small:
                    found.append(f"{table}: {sql[:300]}")
    return found


def _nodes(node: dict):
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)


def captured(run) -> list[dict]:
    with CaptureQueriesContext(connection) as context:
        run()
    assert context.captured_queries, "nothing was captured"
    return context.captured_queries


@pytest.mark.django_db
def test_loaded_history_is_consistent(history):
    from django.core.management import call_command

    from declarations.models import InventoryList, Receipt
    from finance.models import BuyerQuota, QuotaUse, TaxBill

    _world, loaded = history
    lists = InventoryList.objects.filter(pk__gte=loaded.first_list_id, pk__lte=loaded.last_list_id)
    assert lists.count() == HISTORY == lists.filter(status="released").count()
    assert TaxBill.objects.filter(inventory__in=lists).count() == HISTORY
    assert Receipt.objects.filter(kind="inventory", return_status="800").count() == HISTORY
    # The quota rows hold what their uses add up to, and buyers come back (fewer buyers than orders).
    quota = BuyerQuota.objects.order_by("-used").first()
    assert sum(u.amount for u in QuotaUse.objects.filter(quota=quota)) == quota.used
    assert loaded.buyers < HISTORY
    # The dashboards' counters are what a rebuild from the lists gives (it fails on any difference).
    call_command("rebuild_stats", "--check", verbosity=0)
    # The sequences are past the loaded ids: the next list takes the next id.
    assert InventoryList.objects.order_by("-pk").first().pk == loaded.last_list_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('declarations_inventorylist', 'id'))")
        assert cursor.fetchone()[0] == loaded.last_list_id + 1


@pytest.mark.django_db
def test_pipeline_queries_stay_on_indexes(history, no_random_inspection, django_capture_on_commit_callbacks):
    """Intake, matching, the quota and stock lookups, the risk rules' windows, the fan-out and the
    release of a batch of new orders (a tenth of them bonded)."""
    from declarations.models import InventoryList

    world, _loaded = history

    def clear_a_batch():
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(1, 21):
                docs = world.declaration(900_000 + n, trade_mode="1210" if n % 10 == 0 else "9610")
                assert {r.status_code for r in world.declare(docs).values()} == {201}

    queries = captured(clear_a_batch)
    assert InventoryList.objects.filter(cop_no__startswith="C000000900").exclude(final_at=None).count() == 20
    # What is explained: the matching by natural keys, the quota by buyer and year, the bonded stock,
    # the risk rules' windows over the recent lists and payments.
    sql = [q["sql"] for q in queries]
    for needle in (
        'FROM "finance_buyerquota" WHERE',
        'FROM "logistics_stockitem"',
        '"declarations_inventorylist"."created_at" >=',
        '"declarations_payment"."payer_id_number" IN',
    ):
        assert any(needle in q for q in sql), needle
    assert scans_of_growing_tables(queries) == []


@pytest.mark.django_db
def test_a_scan_of_a_growing_table_is_caught(history):
    """The check itself: a filter no index serves is found, with its table."""
    from declarations.models import Receipt

    queries = captured(lambda: Receipt.objects.filter(return_info_en__contains="Released").count())
    assert [line.split(":")[0] for line in scans_of_growing_tables(queries)] == ["declarations_receipt"]


@pytest.mark.django_db
def test_receipt_queue_stays_on_indexes(history):
    world, _loaded = history
    client = world.client("seller")

    def pull():
        first = client.get("/api/v1/receipts/", {"since": 0, "limit": 500})
        assert first.status_code == 200 and first.json()["results"]
        later = client.get("/api/v1/receipts/", {"since": first.json()["next_cursor"], "limit": 500})
        assert later.status_code == 200

    assert scans_of_growing_tables(captured(pull)) == []


@pytest.mark.django_db
def test_dashboards_stay_on_indexes(history, client, commerce_user, customs_user):
    from .factories import MembershipFactory

    world, _loaded = history
    member = MembershipFactory(enterprise=world.seller).user

    def dashboards():
        client.force_login(commerce_user)
        for url in ("/dashboard/", "/dashboard/live/", "/api/v1/stats/overview/", "/api/v1/stats/trend/"):
            assert client.get(url).status_code == 200, url
        assert client.get("/api/v1/stats/breakdown/mode/").status_code in (200, 404)
        client.force_login(customs_user)
        assert client.get("/dashboard/agency/").status_code == 200
        client.force_login(member)
        assert client.get("/dashboard/enterprise/").status_code == 200

    assert scans_of_growing_tables(captured(dashboards)) == []
