"""The statistics API's refusals, body and status exactly: a FilterError (a ServiceError) and an unknown
breakdown answer through the one exception handler, as the views' hand-built bodies did."""

import pytest

from stats.selectors import BREAKDOWNS

from ..conftest import key_client

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_bad_filter_and_an_unknown_breakdown(enterprise):
    client = key_client(enterprise)
    bad = client.get("/api/v1/stats/overview/?direction=X", **EN)
    message = "I (import), E (export) or empty for both."
    assert (bad.status_code, bad.json()) == (
        400,
        {"code": "invalid", "detail": f"direction: {message}", "fields": {"direction": [message]}},
    )
    unknown = client.get("/api/v1/stats/breakdown/colour/", **EN)
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"code": "not_found", "detail": f"by: one of {', '.join(BREAKDOWNS)}"},
    )
