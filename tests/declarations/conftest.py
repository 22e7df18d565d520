import pytest


@pytest.fixture(autouse=True)
def no_random_inspection(db):
    """Pipeline tests assert exact outcomes: the random inspection draw is switched off (rate 0) here;
    tests of the draw set the rates they need."""
    from credit.models import CreditLevel

    CreditLevel.objects.update(inspection_rate=0)


@pytest.fixture
def dispatched():
    """Two lists matched and dispatched, with the agencies not yet asked."""
    from clearance import claim
    from declarations.models import InventoryList

    from ..factories import ClearanceWorld

    world = ClearanceWorld()
    for n in (1, 2):
        assert {r.status_code for r in world.declare(world.declaration(n)).values()} == {201}
    assert claim.process_pending_lists() == 2
    assert set(InventoryList.objects.values_list("status", flat=True)) == {"dispatched"}
    return world
