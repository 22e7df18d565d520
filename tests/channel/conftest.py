"""The partner channel's tests assert exact outcomes: no random inspection draw."""

import pytest


@pytest.fixture(autouse=True)
def exact_outcomes(no_random_inspection):
    """Exact outcomes: no random inspection draw."""
