"""The ledger arithmetic the pipeline calls (finance.ledgers): holds never overdraw, settlement moves
exactly what was held."""

from decimal import Decimal

import pytest

from finance import ledgers
from finance.models import TaxGuarantee
from sharing.models import ForexPurchase

pytestmark = pytest.mark.django_db


def test_guarantee_holds_are_applied_in_turn_and_never_overdraw():
    TaxGuarantee.objects.create(assure_code="G1", amount=Decimal("1000.00"))
    held = ledgers.guarantees_hold(
        [(1, "G1", Decimal("600.00")), (2, "G1", Decimal("500.00")), (3, "G1", Decimal("400.00"))]
    )
    assert held == {1, 3}  # the second would overdraw; the third still fits
    guarantee = TaxGuarantee.objects.get()
    assert guarantee.reserved == Decimal("1000.00") and guarantee.available == 0


def test_a_claim_on_a_guarantor_without_a_guarantee_is_not_held():
    assert ledgers.guarantees_hold([(1, "NONE", Decimal("1.00"))]) == set()


def test_forex_holds_stop_at_the_yearly_limit_and_create_the_payers_row():
    held = ledgers.forex_allowances_hold(
        [(1, "P1", Decimal("30000")), (2, "P1", Decimal("25000")), (3, "P2", Decimal("49000"))],
        year=2026,
        limit=Decimal("50000"),
    )
    assert held == {1, 3}
    totals = dict(ForexPurchase.objects.filter(year=2026).values_list("payer_id_number", "usd_total"))
    assert totals == {"P1": Decimal("30000"), "P2": Decimal("49000")}


def test_settlement_draws_what_released_lists_held_and_gives_back_the_rest():
    TaxGuarantee.objects.create(assure_code="G1", amount=Decimal("1000.00"), reserved=Decimal("700.00"))
    ForexPurchase.objects.create(payer_id_number="P1", year=2026, usd_total=Decimal("300"))
    ledgers.holdings_settle(
        draw={"G1": Decimal("400.00")},
        give_back={"G1": Decimal("300.00")},
        usd_back={("P1", 2026): Decimal("100")},
    )
    guarantee = TaxGuarantee.objects.get()
    assert (guarantee.used, guarantee.reserved) == (Decimal("400.00"), Decimal("0.00"))
    assert ForexPurchase.objects.get().usd_total == Decimal("200")
