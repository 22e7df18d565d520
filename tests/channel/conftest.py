"""The partner channel's tests expect exact outcomes: no random inspection draw."""

import pytest


@pytest.fixture(autouse=True)
def exact_outcomes(no_random_inspection):
    """Lists are released, never drawn for inspection, so a test knows where they are."""
