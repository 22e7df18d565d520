"""Two transactions reserving the same bonded stock or the same tax guarantee at once, on PostgreSQL:
row locks make the second see what the first took, so neither balance can go negative.

(The same with two real Celery workers over Redis is in tests/test_worker.py.)"""

import os
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from clearance import settlement
from logistics import services as logistics_services
from logistics.models import StockItem, Warehouse
from sharing.adapters import Decision, DeclaredList

from ..factories import EnterpriseFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row-lock concurrency needs PostgreSQL (DATABASE_URL)",
    ),
]


def _race(work, n: int = 2) -> list:
    """Run `work(i)` in n threads started together, each in its own transaction and connection."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                results[i] = work(i)
        except Exception as exc:  # surfaced below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


def test_two_workers_cannot_both_take_the_last_stock():
    operator = EnterpriseFactory(roles=["warehouse"])
    warehouse = Warehouse.objects.create(
        code="W1",
        name="W1",
        kind="bonded",
        operator=operator,
        ems_no="T1",
        address="x",
        capacity=100,
        status="approved",
    )
    StockItem.objects.create(
        warehouse=warehouse,
        item_record_no="SKU1",
        owner_code="x",
        gcode="6109100021",
        gname="T恤",
        unit="007",
        quantity=10,
    )
    for _round in range(5):
        refused = _race(
            lambda i: logistics_services.stock_hold(
                [logistics_services.StockClaim(1000 + i, "T1", {"SKU1": Decimal(6)})]
            )
        )
        item = StockItem.objects.get()
        # exactly one of the two got its 6 pieces; the other was told why
        assert sorted(len(r) for r in refused) == [0, 1]
        assert item.reserved == 6 and item.quantity == 10
        StockItem.objects.update(reserved=0)


def _declared(pk: int, assure_code: str, tax: Decimal) -> DeclaredList:
    return DeclaredList(
        id=pk,
        cop_no=str(pk),
        pre_no="",
        trade_mode="9610",
        customs_code="2928",
        ebp_code="",
        ebc_code="",
        agent_code="",
        logistics_code="",
        assure_code=assure_code,
        area_code="",
        ems_no="",
        buyer_id_number="",
        freight=Decimal(0),
        insured_fee=Decimal(0),
        tax_amount=tax,
        order_tax_total=tax,
        pay_code="",
        payer_id_number="",
        amount_paid=Decimal(0),
    )


def test_two_workers_cannot_overdraw_one_guarantee():
    from finance.models import TaxGuarantee

    TaxGuarantee.objects.create(assure_code="G1", amount=Decimal("1000.00"))

    def hold(i: int):
        declared = _declared(2000 + i, "G1", Decimal("600.00"))
        decision = Decision(
            declared.id, "release", "399", "Tax guaranteed", amounts={"tax": declared.tax_amount}
        )
        return settlement.hold_import("tax", [decision], {declared.id: declared})

    for _round in range(5):
        outcomes = sorted(d[0].outcome for d in _race(hold))
        guarantee = TaxGuarantee.objects.get()
        assert outcomes == ["reject", "release"]
        assert guarantee.reserved == Decimal("600.00") and guarantee.available == Decimal("400.00")
        TaxGuarantee.objects.update(reserved=0)
