"""The API's refusals in finance, body and status exactly: the services raise and one exception handler
answers, as the views' hand-built bodies did (`fields` only where a field is at fault)."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from ..conftest import key_client
from ..factories import EnterpriseFactory, UserFactory, official

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def answer(response) -> tuple[int, dict]:
    return response.status_code, response.json()


def test_tax_summary_refusals():
    period = "year=2026&month=1"
    nobody = signed_in(UserFactory())  # signed in, of no enterprise nor agency
    assert answer(nobody.get(f"/api/v1/tax-summary/?{period}", **EN)) == (
        403,
        {"code": "permission_denied", "detail": "Sign in."},
    )
    stranger = key_client(EnterpriseFactory())
    assert answer(stranger.get(f"/api/v1/tax-summary/?{period}&assure_code=3301999999", **EN)) == (
        404,
        {"code": "not_found", "detail": "No such guarantor of yours."},
    )
    assert answer(signed_in(official("tax")).get(f"/api/v1/tax-summary/?{period}", **EN)) == (
        400,
        {
            "code": "invalid",
            "detail": "assure_code: name the guarantor.",
            "fields": {"assure_code": ["Required."]},
        },
    )


def test_consolidation_refusals():
    tax = signed_in(official("tax"))
    assert answer(
        tax.post("/api/v1/tax-consolidations/", {"year": 2026, "month": 1}, format="json", **EN)
    ) == (
        400,
        {
            "code": "invalid",
            "detail": "assure_code: name the guarantor.",
            "fields": {"assure_code": ["Required."]},
        },
    )
    today = timezone.localdate()
    early = {"assure_code": "3301999999", "year": today.year, "month": today.month}
    message = "Only a month that is over can be consolidated."
    assert answer(tax.post("/api/v1/tax-consolidations/", early, format="json", **EN)) == (
        409,
        {"code": "refused", "detail": f"month: {message}", "fields": {"month": [message]}},
    )


def test_forex_statement_and_financing_refusals():
    today = timezone.localdate()
    period = f"year={today.year}&month={today.month}"
    assert answer(signed_in(UserFactory()).get(f"/api/v1/forex-statement/?{period}", **EN)) == (
        403,
        {"code": "permission_denied", "detail": "Sign in."},
    )
    assert answer(signed_in(official("forex")).get(f"/api/v1/forex-statement/?{period}", **EN)) == (
        400,
        {"code": "invalid", "detail": "ebc_code: name the exporter.", "fields": {"ebc_code": ["Required."]}},
    )
    application = {"kind": "loan", "amount": "10000", "term_months": 6, "purpose": "stock"}
    assert answer(
        signed_in(official("finance")).post("/api/v1/financing-requests/", application, format="json", **EN)
    ) == (403, {"code": "permission_denied", "detail": "An enterprise applies for itself."})
