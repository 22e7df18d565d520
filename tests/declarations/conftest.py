"""The declarations' tests expect exact outcomes: no random inspection draw."""

import pytest


@pytest.fixture(autouse=True)
def exact_outcomes(no_random_inspection):
    """The documents' tests assert exact outcomes: no random inspection draw here."""


@pytest.fixture
def deferred_intake(settings):
    """Single documents answered 202 and stored by the intake processor (INTAKE_DEFERRED)."""
    settings.INTAKE_DEFERRED = True
