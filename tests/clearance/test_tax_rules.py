"""Customs' check of the tax a platform pre-collected (CEB311 taxTotal, DOMAIN 6.5): 0 is accepted, any
other amount must be customs' tax within the tolerance of the dated row in force (DOMAIN 5.3 R12)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from declarations.models import AgencyDecision, Receipt
from finance.models import TaxGuarantee, TaxTotalTolerance

pytestmark = pytest.mark.django_db


def pre_collected(docs: dict[str, dict], tax_total: Decimal) -> dict[str, dict]:
    """The order with another pre-collected tax, and its paid amount and payment to match (R1, R2)."""
    order = docs["order"]
    paid = Decimal(order["goods_value"]) + Decimal(order["freight"]) + tax_total - Decimal(order["discount"])
    order["tax_total"], order["actual_paid"] = f"{tax_total:.2f}", f"{paid:.2f}"
    docs["payment"]["amount_paid"] = f"{paid:.2f}"
    return docs


def computed_tax(docs: dict[str, dict]) -> Decimal:
    """Customs' tax of the declaration: the generator pre-collects exactly what customs computes."""
    return Decimal(docs["order"]["tax_total"])


def test_nothing_pre_collected_is_released(world, django_capture_on_commit_callbacks):
    docs = world.declaration(1, lines=2)
    assert computed_tax(docs) > 0

    inventory = world.clear(pre_collected(docs, Decimal(0)), django_capture_on_commit_callbacks)

    assert inventory.status == "released", inventory.status_reason
    assert inventory.tax_amount == computed_tax(world.declaration(1, lines=2))  # the bill still has the tax


def test_tax_far_from_customs_is_rejected_with_its_code(world, django_capture_on_commit_callbacks):
    docs = world.declaration(2, lines=2)
    tax = computed_tax(docs)
    TaxGuarantee.objects.filter(pk=world.guarantee.pk).update(amount=Decimal("0.01"))

    inventory = world.clear(pre_collected(docs, tax * 2), django_capture_on_commit_callbacks)

    assert inventory.status == "rejected"
    assert inventory.return_status == "-621030" and "order.tax_total" in inventory.status_reason
    assert "5%" in inventory.status_reason and "R12" in inventory.status_reason
    # customs answers with the business code itself as its status, not 100 (DOMAIN 4.1) ...
    answers = {d.agency: d for d in AgencyDecision.objects.filter(inventory=inventory)}
    assert answers["customs"].return_status == "-621030"
    assert f"{tax * 2:.2f}" in answers["customs"].return_info
    assert Receipt.objects.filter(document_id=inventory.pk, return_status="-621030").exists()
    # ... and a refusal with no business code (the guarantee is short) is still 100
    assert answers["tax"].outcome == "reject" and answers["tax"].return_status == "100"


def test_a_new_tolerance_row_changes_the_outcome(world, django_capture_on_commit_callbacks):
    first, second = world.declaration(3, lines=1), world.declaration(4, lines=1)
    # 8% over customs' tax: outside the 5% of the seeded row
    strict = world.clear(
        pre_collected(first, (computed_tax(first) * Decimal("1.08")).quantize(Decimal("0.01"))),
        django_capture_on_commit_callbacks,
    )
    assert strict.status == "rejected" and strict.return_status == "-621030"

    # an official records a wider tolerance from today on
    TaxTotalTolerance.objects.create(
        share=Decimal("0.10"), source="local customs guidance", valid_from=timezone.localdate()
    )
    lenient = world.clear(
        pre_collected(second, (computed_tax(second) * Decimal("1.08")).quantize(Decimal("0.01"))),
        django_capture_on_commit_callbacks,
    )
    assert lenient.status == "released", lenient.status_reason


def test_the_seeded_tolerance_names_its_source():
    row = TaxTotalTolerance.objects.filter(valid_from__lte=datetime.date.today()).latest("valid_from")
    assert row.share == Decimal("0.05")
    assert row.source == "R12, industry checklist https://www.so.plus/20210515/827.html, unverified"
