"""Demo declarations for a newcomer's first run: lists in every status, cleared by the real pipeline
(eagerly in the embedded mode, by the workers otherwise). Idempotent: nothing is added twice."""

import random
from datetime import date
from decimal import Decimal

from django.utils import timezone

from declarations.models import InventoryList
from declarations.services import submit
from finance import selectors as finance_selectors
from finance.models import TaxGuarantee
from sharing.models import Enterprise, PaymentLicence
from sharing.principal import Principal

from .generator import Parties, declaration

KINDS = ("order", "payment", "waybill", "inventory")
POSTERS = {"order": "3301960001", "payment": "3301960004", "waybill": "3301960003", "inventory": "3301960002"}


def stock_bonded_warehouse(operator: Enterprise, inventory: dict) -> None:
    """The demo's bonded warehouse (the generator's account book) with goods for its 1210 lists."""
    from logistics.models import Warehouse
    from logistics.services import warehouse_entry_submit

    warehouse, _created = Warehouse.objects.get_or_create(
        code="W3301960005",
        defaults={
            "name": "下沙保税仓 1号库",
            "kind": Warehouse.Kind.BONDED,
            "operator": operator,
            "ems_no": inventory["ems_no"],
            "address": "杭州市钱塘区下沙综合保税区 1 号",
            "capacity": 1_000_000,
            "status": Warehouse.Status.APPROVED,
        },
    )
    now = timezone.now()
    warehouse_entry_submit(
        data={
            "guid": "DEMO0711-0000-4000-8000-000000000001",
            "app_type": "1",
            "app_time": f"{now:%Y%m%d%H%M%S}",
            "app_status": "2",
            "customs_code": inventory["customs_code"],
            "cop_no": "DEMO-RK-0001",
            "operator_code": operator.customs_code,
            "operator_name": operator.name_zh,
            "ie_flag": "I",
            "traf_mode": "2",
            "traf_no": "COSCO HANGZHOU",
            "voyage_no": "V2026A",
            "bill_no": "COSU2026000001",
            "logistics_code": inventory["logistics_code"],
            "logistics_name": inventory["logistics_name"],
            "unload_location": "",
            "note": "",
            "warehouse_code": warehouse.code,
            "lines": [
                {
                    "gnum": item["gnum"],
                    "logistics_no": f"DEMO-IN-{item['gnum']:03d}",
                    "item_record_no": item["item_record_no"],
                    "gcode": item["gcode"],
                    "gname": item["gname"],
                    "unit": item["unit"],
                    "qty": Decimal(item["qty"]) * 100,
                    "note": "",
                }
                for item in inventory["items"]
            ],
        },
        by=Principal(enterprise=operator),
    )


def seed_declarations() -> int:
    """About a dozen declarations: released, inspected, mismatched, held for review, rejected over the
    limit, bonded (1210), and one still waiting for its documents."""
    if InventoryList.objects.exists():
        return 0
    enterprises = {
        e.customs_code: e
        for e in Enterprise.objects.filter(customs_code__in=list(POSTERS.values()) + ["3301960005"])
    }
    if len(enterprises) < 5:
        return 0
    PaymentLicence.objects.get_or_create(
        pay_code="3301960004", defaults={"licence_no": "Z2026-0004", "valid_until": date(2030, 12, 31)}
    )
    TaxGuarantee.objects.get_or_create(assure_code="3301960002", defaults={"amount": Decimal("500000.00")})
    parties = Parties(
        *[
            (code, enterprises[code].name_zh)
            for code in ("3301960001", "3301960002", "3301960003", "3301960004", "3301960005")
        ]
    )
    today = timezone.localdate()
    rates, limits = finance_selectors.rates_in_force(today), finance_selectors.limits_in_force(today)
    rng = random.Random(2026)
    batches = []
    for number in range(1, 9):
        batches.append(declaration(number, parties, rates=rates, limits=limits, rng=rng, prefix="DEMO"))
    bonded = declaration(9, parties, rates=rates, limits=limits, rng=rng, prefix="DEMO", trade_mode="1210")
    batches.append(bonded)
    stock_bonded_warehouse(enterprises["3301960005"], bonded["inventory"])
    mismatch = declaration(10, parties, rates=rates, limits=limits, rng=rng, prefix="DEMO")
    mismatch["payment"]["amount_paid"] = str(Decimal(mismatch["payment"]["amount_paid"]) - 5)
    batches.append(mismatch)
    held = declaration(11, parties, rates=rates, limits=limits, rng=rng, prefix="DEMO", lines=1)
    held["inventory"]["items"][0]["gcode"] = "3004900000"  # medicines are on the risk watch list
    batches.append(held)
    over = declaration(12, parties, rates=rates, limits=limits, rng=rng, prefix="DEMO", lines=2)
    for kind in ("order", "inventory"):
        for item in over[kind]["items"]:
            item.update(qty="2", price="1500.00", total_price="3000.00")
            if kind == "inventory":
                item["qty1"] = "2"
    over["order"].update(goods_value="6000.00", tax_total="0.00", actual_paid="6012.00")
    over["payment"]["amount_paid"] = "6012.00"
    batches.append(over)
    waiting = declaration(13, parties, rates=rates, limits=limits, rng=rng, prefix="DEMO")
    for kind in KINDS:
        documents = [b[kind] for b in batches]
        submit(kind=kind, documents=documents, by=Principal(enterprise=enterprises[POSTERS[kind]]))
    submit(
        kind="inventory",
        documents=[waiting["inventory"]],
        by=Principal(enterprise=enterprises[POSTERS["inventory"]]),
    )
    return len(batches) + 1


def seed_exports() -> int:
    """Demo exports: a B2C 9610 parcel from the platform, a B2B 9710 shipment and a 9810 shipment to the
    seller's registered overseas warehouse in Los Angeles, cleared by the pipeline; and a pending
    financing request for the finance office's queue."""
    from declarations.models import ExportInventoryList
    from finance.models import FinancingRequest
    from finance.services import financing_apply
    from logistics.models import Warehouse

    from .generator import export_declaration

    if ExportInventoryList.objects.exists():
        return 0
    codes = ("3301960001", "3301960002", "3301960003", "3301960004", "3301960005")
    enterprises = {e.customs_code: e for e in Enterprise.objects.filter(customs_code__in=codes)}
    if len(enterprises) < 5:
        return 0
    seller = enterprises["3301960002"]
    Warehouse.objects.get_or_create(
        code="OWUSLAX01",
        defaults={
            "name": "Los Angeles overseas warehouse",
            "kind": Warehouse.Kind.OVERSEAS,
            "operator": seller,
            "country": "502",
            "address": "1 Harbor Way, Los Angeles, CA",
            "capacity": 200_000,
            "status": Warehouse.Status.APPROVED,
        },
    )
    parties = Parties(*[(code, enterprises[code].name_zh) for code in codes])
    declarations = [
        export_declaration(1, parties, trade_mode="9610", prefix="DEMOEX"),
        export_declaration(2, parties, trade_mode="9710", lines=3, qty=20, prefix="DEMOEX"),
        export_declaration(
            3, parties, trade_mode="9810", lines=2, qty=50, warehouse_code="OWUSLAX01", prefix="DEMOEX"
        ),
    ]
    declarations[2].pop("receipt_of_payment")  # sold abroad later: settled when its receipt comes
    posters = {
        "receipt_of_payment": "3301960004",
        "export_waybill": "3301960003",
        "export_inventory": "3301960002",
    }
    for kind in ("export_order", "receipt_of_payment", "export_waybill", "export_inventory"):
        for docs in declarations:
            if kind not in docs:
                continue
            poster = posters.get(kind) or ("3301960001" if docs[kind]["order_type"] == "E" else "3301960002")
            submit(kind=kind, documents=[docs[kind]], by=Principal(enterprise=enterprises[poster]))
    if not FinancingRequest.objects.filter(enterprise=seller).exists():
        financing_apply(
            enterprise=seller,
            kind=FinancingRequest.Kind.LOAN,
            amount=Decimal("200000.00"),
            term_months=6,
            purpose="双十一备货：保税仓补货",
            by=Principal(enterprise=seller),
        )
    return len(declarations)
