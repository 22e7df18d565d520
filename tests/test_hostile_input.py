"""Hostile input on every endpoint that takes a body: invalid UTF-8, nesting the decoder cannot follow,
bodies over the size limit, an XML entity bomb where JSON is expected, wrong JSON types, SQL-looking
strings and over-long values in every field of the request schema. Each is answered below 500, and
the malformed ones with a 4xx; nothing of the database is harmed."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from sharing.models import Enterprise
from sharing.services import api_key_issue

from .factories import ClearanceWorld, official

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>'
)
XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
MALFORMED = {
    "invalid UTF-8": (b'{"name": "\xff\xfe\xfd", "reason": "\xc3\x28"}', "application/json"),
    "nested 50,000 deep": (b"[" * 50_000 + b"]" * 50_000, "application/json"),
    "over the 16 MiB limit": (b'{"a": "' + b"x" * (17 * 1024 * 1024) + b'"}', "application/json"),
    "entity bomb as XML": (BILLION_LAUGHS, "application/xml"),
    "external entity as XML": (XXE, "application/xml"),
    "not JSON": (b"{'single': quotes,}", "application/json"),
}
WRONG_TYPES = [[1, 2, 3], None, "text", 12, {"": {"": {"": []}}}]
SQL = "' OR '1'='1'; DROP TABLE sharing_enterprise; --"


def _operations() -> list[tuple[str, str, dict]]:
    """(method, path with ids filled in, request schema) of every operation taking a body."""
    spec = SchemaGenerator().get_schema(request=None, public=True)
    components = spec["components"]["schemas"]
    found = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if method not in ("post", "put", "patch"):
                continue
            filled = path
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    filled = filled.replace("{" + parameter["name"] + "}", "1")
            body = operation.get("requestBody", {}).get("content", {})
            schema = next(iter(body.values()), {}).get("schema", {})
            ref = schema.get("$ref", "")
            found.append((method, filled, components.get(ref.rsplit("/", 1)[-1], schema)))
    return found


def _fields(schema: dict, value: str) -> dict:
    """Every property of the request schema set to `value` (strings) or to a nested copy."""
    out = {}
    for name, prop in schema.get("properties", {}).items():
        out[name] = [{"gnum": 1, "qty": value}] if prop.get("type") == "array" else value
    return out or {"name": value}


@pytest.fixture
def callers():
    world = ClearanceWorld()
    _key, plain = api_key_issue(enterprise=world.seller, name="hostile")
    partner = APIClient()
    partner.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    officer = APIClient()
    officer.force_login(official("customs", "hostile-customs"))  # a session past the second factor
    return {"partner": partner, "official": officer}


def test_every_body_taking_endpoint_survives_hostile_input(callers):
    operations = _operations()
    assert len(operations) > 35
    enterprises = Enterprise.objects.count()
    server_errors, accepted_garbage, sent = [], [], 0
    for who, client in callers.items():
        for method, path, schema in operations:
            send = getattr(client, method)
            for name, (body, content_type) in MALFORMED.items():
                answer = send(path, body, content_type=content_type)
                sent += 1
                if answer.status_code >= 500:
                    server_errors.append(f"{who} {method.upper()} {path} {name}: {answer.status_code}")
                elif answer.status_code < 400:
                    accepted_garbage.append(f"{who} {method.upper()} {path} {name}: {answer.status_code}")
            for data in [*WRONG_TYPES, _fields(schema, SQL), _fields(schema, "x" * 100_001)]:
                answer = send(path, data, format="json")
                sent += 1
                if answer.status_code >= 500:
                    server_errors.append(
                        f"{who} {method.upper()} {path} {str(data)[:40]}: {answer.status_code}"
                    )
    assert server_errors == [], "\n".join(server_errors)
    assert accepted_garbage == [], "\n".join(accepted_garbage)
    assert sent > 500
    assert Enterprise.objects.count() == enterprises  # the DROP TABLE stayed a string
