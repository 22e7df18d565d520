"""The logistics tests expect exact outcomes: no random inspection draw."""

import pytest


@pytest.fixture(autouse=True)
def exact_outcomes(no_random_inspection):
    """Tests of logistics assert exact outcomes: no random inspection draw here."""
