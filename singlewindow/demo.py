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
    batches.append(
        declaration(9, parties, rates=rates, limits=limits, rng=rng, prefix="DEMO", trade_mode="1210")
    )
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
