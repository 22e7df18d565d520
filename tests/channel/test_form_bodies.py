"""A form-encoded body (an immutable QueryDict, not a JSON object) is refused with a 4xx on every
intake endpoint and on the dry run, whatever field it names: never a 500."""

import pytest

from declarations.scenarios import FIELD


@pytest.mark.parametrize("path", ["/api/v1/orders/", "/api/v1/payments/", "/api/v1/inventories/"])
def test_a_form_body_is_refused_not_crashed(world, path):
    answer = world.client("platform").post(path, {FIELD: "inspect", "order_no": "X1"}, format="multipart")
    assert 400 <= answer.status_code < 500, answer.content[:300]


def test_a_form_body_on_the_check_is_refused(world):
    client = world.client("platform")
    answer = client.post("/api/v1/check/?kind=order", {"order_no": "X1"}, format="multipart")
    assert 400 <= answer.status_code < 500, answer.content[:300]
