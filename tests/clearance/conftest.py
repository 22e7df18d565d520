"""The pipeline's tests expect exact outcomes: no random inspection draw."""

import pytest


@pytest.fixture(autouse=True)
def exact_outcomes(no_random_inspection):
    """The pipeline's tests assert exact outcomes: no random inspection draw here; tests of the
    draw set the rates they need."""
