"""The API's refusals in logistics, body and status exactly: the services raise (a PermissionError, a
StockRefused) and one exception handler answers, as the views' hand-built bodies did."""

import pytest
from rest_framework.test import APIClient

from ..conftest import key_client
from ..factories import official

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
BONDED = {"code": "W2992009", "name": "综保区 9 号仓", "kind": "bonded", "address": "下沙", "capacity": 1000}


def answer(response) -> tuple[int, dict]:
    return response.status_code, response.json()


def test_warehouse_refusals(world):
    operator = key_client(world.warehouse)
    status, body = answer(operator.post("/api/v1/warehouses/", BONDED, format="json", **EN))
    assert (status, body["code"], set(body["fields"])) == (400, "invalid", {"ems_no"})
    assert body["detail"] == f"ems_no: {body['fields']['ems_no'][0]}"
    assert answer(
        key_client(world.seller).post(
            "/api/v1/warehouses/", {**BONDED, "ems_no": "T2992W000009"}, format="json", **EN
        )
    ) == (
        403,
        {
            "code": "permission_denied",
            "detail": "Only an approved enterprise with the role warehouse may do this.",
        },
    )
    registered = operator.post("/api/v1/warehouses/", {**BONDED, "ems_no": "T2992W000009"}, format="json")
    assert registered.status_code == 201, registered.json()
    customs = APIClient()
    customs.force_authenticate(official("customs"))
    url = f"/api/v1/warehouses/{registered.json()['id']}/decide/"
    assert customs.post(url, {"approve": True}, format="json").status_code == 200
    decided = "This registration was already decided."
    assert answer(customs.post(url, {"approve": False}, format="json", **EN)) == (
        409,
        {"code": "invalid", "detail": f"status: {decided}", "fields": {"status": [decided]}},
    )


def test_tracking_refusals(world):
    event = {"logistics_no": "NO-SUCH", "code": "picked_up", "occurred_at": "2026-01-01T00:00:00+08:00"}
    assert answer(
        key_client(world.seller).post("/api/v1/tracking-events/", [event], format="json", **EN)
    ) == (
        403,
        {
            "code": "permission_denied",
            "detail": "Only an approved logistics enterprise reports tracking events.",
        },
    )
    assert answer(APIClient().get("/api/v1/tracking/NO-SUCH-PARCEL/", **EN)) == (
        404,
        {"code": "not_found", "detail": "No parcel with this number has been tracked."},
    )


def test_a_batch_of_events_neither_empty_nor_too_large(world):
    carrier = key_client(world.logistics)
    assert answer(carrier.post("/api/v1/tracking-events/", [], format="json", **EN)) == (
        400,
        {"code": "invalid", "detail": "Send one event or a list of events."},
    )
    too_many = [{"logistics_no": f"N{n}"} for n in range(1001)]
    assert answer(carrier.post("/api/v1/tracking-events/", too_many, format="json", **EN)) == (
        413,
        {"code": "too_many", "detail": "At most 1000 events at once."},
    )
