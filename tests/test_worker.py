"""A task sent through a real Celery worker process over Redis, its effect seen in PostgreSQL.

Runs when DATABASE_URL points at PostgreSQL and REDIS_URL is set (as in .ci/run); skipped on the
embedded default, where Celery runs eagerly.
"""

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from sharing.models import Notification
from sharing.tasks import notify_enterprise

from .factories import EnterpriseFactory

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.worker,
    pytest.mark.skipif(
        not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith("postgres")),
        reason="needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)",
    ),
]


@pytest.fixture
def worker():
    """A `celery -A singlewindow worker` on the test database, stopped after the test."""
    db = settings.DATABASES["default"]
    host, port, name = db["HOST"] or "127.0.0.1", db["PORT"] or 5432, connection.settings_dict["NAME"]
    url = f"postgres://{db['USER']}@{host}:{port}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "singlewindow.settings.local"}
    from .conftest import reload_reference_data

    reload_reference_data()
    queue = f"test-{os.getpid()}"
    from singlewindow.celery import app

    # The pipeline publishes on the default queue and the agencies' queues, so the worker takes those;
    # nothing else publishes during the suite (other tests run eagerly), and leftovers of an earlier run
    # are purged.
    app.control.purge()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "singlewindow",
            "worker",
            "-P",
            "solo",
            "-Q",
            ",".join(["celery", *settings.AGENCY_QUEUES, queue]),
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield queue
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
    if "Traceback" in output:
        print(output[-3000:])  # shown when the test fails


def test_task_runs_in_a_real_worker_and_writes_postgres(worker):
    from singlewindow.celery import app

    assert app.conf.task_always_eager is False
    enterprise = EnterpriseFactory()
    notify_enterprise.apply_async(
        args=(enterprise.pk, "enterprise_approved", enterprise.name_zh, "审核通过", "test:worker"),
        queue=worker,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Notification.objects.filter(dedupe_key="test:worker").exists():
            break
        time.sleep(0.25)
    notification = Notification.objects.get(dedupe_key="test:worker")
    assert notification.enterprise_id == enterprise.pk and notification.reason == "审核通过"


def test_declarations_cleared_by_a_real_worker(worker):
    """The pipeline through a real worker over Redis: the tasks run in another process."""
    from credit.models import CreditLevel
    from declarations.models import InventoryList

    from .factories import ClearanceWorld

    CreditLevel.objects.update(inspection_rate=0)  # no random draw: every list must be released
    world = ClearanceWorld()
    documents = [world.declaration(n) for n in range(1, 21)]
    for kind in ("order", "payment", "waybill", "inventory"):
        assert world.post(kind, [d[kind] for d in documents]).status_code == 201
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if InventoryList.objects.filter(final_at__isnull=False).count() == 20:
            break
        time.sleep(0.5)
    assert sorted(set(InventoryList.objects.values_list("status", flat=True))) == ["released"]
    assert InventoryList.objects.count() == 20


@pytest.fixture
def two_workers():
    """Two `celery worker -P solo` processes taking small batches, so batches clear side by side."""
    db = settings.DATABASES["default"]
    host, port, name = db["HOST"] or "127.0.0.1", db["PORT"] or 5432, connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{host}:{port}/{name}",
        "DJANGO_SETTINGS_MODULE": "singlewindow.settings.local",
        "CLEARANCE_CLAIM_SIZE": "4",
    }
    from singlewindow.celery import app

    from .conftest import reload_reference_data

    reload_reference_data()
    app.control.purge()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "singlewindow",
                "worker",
                "-P",
                "solo",
                "-n",
                f"w{i}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for i in range(2)
    ]
    yield processes
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_two_workers_share_scarce_stock_and_a_small_guarantee_without_going_negative(two_workers):
    """1210 lists wanting more stock than the warehouse holds, under a guarantee that covers only part
    of their tax, cleared by two workers at once: every list ends released or rejected, the stock and
    the guarantee end exactly drawn by the released lists, and nothing goes negative."""
    from collections import defaultdict
    from decimal import Decimal

    from credit.models import CreditLevel
    from declarations.models import InventoryList
    from finance.models import TaxBill, TaxGuarantee
    from logistics.models import StockItem, StockMovement, Warehouse

    from .factories import ClearanceWorld

    CreditLevel.objects.update(inspection_rate=0)
    world = ClearanceWorld()
    documents = [world.declaration(n, trade_mode="1210", lines=1) for n in range(1, 25)]
    demand: dict[str, Decimal] = defaultdict(Decimal)
    for doc in documents:
        for item in doc["inventory"]["items"]:
            demand[item["item_record_no"], item["gcode"], item["gname"]] += Decimal(item["qty"])
    warehouse = Warehouse.objects.create(
        code="W2992001",
        name="综保区仓",
        kind="bonded",
        operator=world.warehouse,
        ems_no="T2992W000001",
        address="下沙",
        capacity=100000,
        status="approved",
    )
    for (record, gcode, gname), wanted in demand.items():
        StockItem.objects.create(
            warehouse=warehouse,
            item_record_no=record,
            owner_code="x",
            gcode=gcode,
            gname=gname,
            unit="007",
            quantity=(wanted * Decimal("0.6")).quantize(Decimal(1)),
        )
    total_tax = sum(Decimal(d["order"]["tax_total"]) for d in documents)
    TaxGuarantee.objects.filter(pk=world.guarantee.pk).update(
        amount=(total_tax * Decimal("0.7")).quantize(Decimal("0.01"))
    )
    for kind in ("order", "payment", "waybill"):
        assert world.post(kind, [d[kind] for d in documents]).status_code == 201
    for start in range(0, len(documents), 4):  # lists arrive in small batches
        assert (
            world.post("inventory", [d["inventory"] for d in documents[start : start + 4]]).status_code == 201
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if InventoryList.objects.filter(final_at__isnull=False).count() == len(documents):
            break
        time.sleep(0.5)
    lists = list(InventoryList.objects.prefetch_related("items"))
    assert {i.status for i in lists} <= {"released", "rejected"} and all(i.final_at for i in lists)
    released = [i for i in lists if i.status == "released"]
    rejected = [i for i in lists if i.status == "rejected"]
    assert released and rejected  # the scarcity bit
    assert all(i.return_status == "-621021" or "guarantee" in i.status_reason for i in rejected)
    taken: dict[str, Decimal] = defaultdict(Decimal)
    for inventory in released:
        for item in inventory.items.all():
            taken[item.item_record_no] += item.qty
    for row in StockItem.objects.all():
        assert row.quantity >= 0 and row.reserved == 0
        entered = (demand[row.item_record_no, row.gcode, row.gname] * Decimal("0.6")).quantize(Decimal(1))
        assert row.quantity == entered - taken[row.item_record_no]
    assert StockMovement.objects.filter(kind="release").count() == sum(len(i.items.all()) for i in released)
    guarantee = TaxGuarantee.objects.get(pk=world.guarantee.pk)
    assert guarantee.reserved == 0 and 0 <= guarantee.used <= guarantee.amount
    assert guarantee.used == sum(b.total for b in TaxBill.objects.all())
    assert TaxBill.objects.count() == len(released)


def test_worker_killed_mid_fan_out_loses_and_doubles_nothing():
    """SIGKILL the only worker while batches are with the agencies, twice, restart it, let the sweeper
    re-send what it held: every list ends final once, with every ledger entry exactly once."""
    import signal
    from datetime import timedelta

    from bench.crash import ledger_problems
    from clearance import sweeper
    from credit.models import CreditLevel
    from declarations.models import AgencyDispatch, InventoryList
    from logistics.models import StockItem, Warehouse

    from .conftest import reload_reference_data
    from .factories import ClearanceWorld

    reload_reference_data()
    CreditLevel.objects.update(inspection_rate=0)  # after the reload, which puts the rates back
    world = ClearanceWorld()
    documents = [world.declaration(n, trade_mode="1210" if n % 4 == 0 else "9610") for n in range(1, 41)]
    bonded = Warehouse.objects.create(
        code="W2992001",
        name="仓",
        kind="bonded",
        operator=world.warehouse,
        ems_no="T2992W000001",
        address="x",
        capacity=10**9,
        status="approved",
    )
    skus = {
        (i["item_record_no"], i["gcode"])
        for d in documents
        for i in d["inventory"]["items"]
        if i["item_record_no"]
    }
    StockItem.objects.bulk_create(
        StockItem(
            warehouse=bonded, item_record_no=r, owner_code="x", gcode=g, gname="x", unit="007", quantity=1000
        )
        for r, g in skus
    )
    db = settings.DATABASES["default"]
    host, port, name = db["HOST"] or "127.0.0.1", db["PORT"] or 5432, connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{host}:{port}/{name}",
        "DJANGO_SETTINGS_MODULE": "singlewindow.settings.local",
        "CLEARANCE_CLAIM_SIZE": "5",
        "ADAPTER_LATENCY_MS": "150",  # agencies slow enough that a kill lands mid-fan-out
    }
    from singlewindow.celery import app

    app.control.purge()

    def start_worker():
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "singlewindow",
                "worker",
                "-P",
                "solo",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    process = start_worker()
    kills = 0
    try:
        for kind in ("order", "payment", "waybill"):
            assert world.post(kind, [d[kind] for d in documents]).status_code == 201
        assert world.post("inventory", [d["inventory"] for d in documents]).status_code == 201
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            if kills < 2 and AgencyDispatch.objects.filter(state="answered").count() >= 4 * (kills + 1):
                os.killpg(process.pid, signal.SIGKILL)  # mid-fan-out: some dispatches answered, others not
                process.wait()
                kills += 1
                process = start_worker()
            if InventoryList.objects.filter(final_at__isnull=True).count() == 0:
                break
            sweeper.sweep(stale_after=timedelta(seconds=3))
            time.sleep(1)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    assert kills == 2
    summary, problems = ledger_problems()
    assert problems == [] and summary["lists"] == 40, (summary, problems)
    others = list(InventoryList.objects.exclude(status="released").values_list("status", "status_reason"))
    assert summary["released"] == 40 and summary["bonded_released"] == 10, others


def test_a_single_list_sent_one_document_at_a_time_clears_within_a_second(worker, settings):
    """Low load, deferred intake: each document answered 2 at once; the debounced wakes (intake, then
    clearance) take the list through a real worker within a second of its last document."""
    from django.utils import timezone

    from credit.models import CreditLevel
    from declarations.models import IntakeEntry, InventoryList

    from .factories import ClearanceWorld

    settings.INTAKE_DEFERRED = True
    CreditLevel.objects.update(inspection_rate=0)
    world = ClearanceWorld()
    docs = world.declaration(1)
    from singlewindow.celery import app

    started = time.monotonic()
    while not app.control.ping(timeout=0.5) and time.monotonic() - started < 60:
        pass  # the worker is up and listening before the clock starts
    for kind in ("order", "payment", "waybill", "inventory"):
        response = world.post(kind, docs[kind])
        assert response.status_code == 202, response.json()
    answered = timezone.now()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        inventory = InventoryList.objects.filter(cop_no=docs["inventory"]["cop_no"]).first()
        if inventory is not None and inventory.final_at is not None:
            break
        time.sleep(0.05)
    assert inventory is not None and inventory.status == "released"
    took = (inventory.final_at - answered).total_seconds()
    print(f"cleared {took:.3f} s after its last document")
    assert took < 1.0
    assert not IntakeEntry.objects.exists()
