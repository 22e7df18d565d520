"""The declarations' tests expect exact outcomes: no random inspection draw."""

import pytest


@pytest.fixture(autouse=True)
def exact_outcomes(no_random_inspection):
    """The documents' tests assert exact outcomes: no random inspection draw here."""
