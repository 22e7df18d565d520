import pytest


@pytest.fixture(autouse=True)
def no_random_inspection(db):
    """Pipeline tests assert exact outcomes: the random inspection draw is switched off (rate 0) here;
    tests of the draw set the rates they need."""
    from credit.models import CreditLevel

    CreditLevel.objects.update(inspection_rate=0)
