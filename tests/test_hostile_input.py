"""Hostile input on every endpoint of the API: bodies (invalid UTF-8, nesting the decoder cannot follow,
bodies over the size limit, an XML entity bomb where JSON is expected, wrong JSON types, SQL-looking
and over-long values, a JSON list or object where text is meant, times at years 1 and 9999 with
offsets past them, numbers of 21 digits) in every field of the request schema, and every query and
path parameter of the schema with the classes of value that answered 500 once. Each is answered
below 500, the malformed bodies with a 4xx in the error shape; nothing of the database is harmed.
The upload page gets hostile files. Page routes and their query strings: tests/test_fuzz_pages.py."""

import io

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from sharing.models import Enterprise
from sharing.services import api_key_issue

from .factories import MembershipFactory, official

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
HUGE = "9" * 21
# Set in every field at once: each class of value that once reached code unable to hold it.
FIELD_CLASSES = [
    SQL,
    "x" * 100_001,
    ["a list", "where text is meant"],
    {"an": "object where text is meant"},
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59-23:59",
    10**21,
    HUGE,
    "²³",
]
# Sent alone in each query parameter (a list: the parameter repeated).
QUERY_CLASSES = [HUGE, "0001-01-01T00:00:00+23:59", "9999-12-31", "²³", ["1", "a\r\nb"]]


def _spec() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _filled(path: str, operation: dict, value: str = "1") -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", value)
    return path


def _operations() -> list[tuple[str, str, dict]]:
    """(method, path with ids filled in, request schema) of every operation taking a body."""
    spec = _spec()
    components = spec["components"]["schemas"]
    found = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if method not in ("post", "put", "patch"):
                continue
            body = operation.get("requestBody", {}).get("content", {})
            schema = next(iter(body.values()), {}).get("schema", {})
            ref = schema.get("$ref", "")
            found.append((method, _filled(path, operation), components.get(ref.rsplit("/", 1)[-1], schema)))
    return found


def _fields(schema: dict, value) -> dict:
    """Every property of the request schema set to `value` (strings) or to a nested copy."""
    out = {}
    for name, prop in schema.get("properties", {}).items():
        out[name] = [{"gnum": 1, "qty": value}] if prop.get("type") == "array" else value
    return out or {"name": value}


@pytest.fixture
def callers(world):
    """A partner's key, and a customs official signed in (a session, as in a browser)."""
    _key, plain = api_key_issue(enterprise=world.seller, name="hostile")
    partner = APIClient()
    partner.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    officer = APIClient()
    officer.force_login(official("customs", "hostile-customs"))
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
                elif answer["Content-Type"] == "application/json" and not {"code", "detail"} <= set(
                    answer.json()
                ):  # refused, but not in the error shape
                    accepted_garbage.append(f"{who} {method.upper()} {path} {name}: {answer.json()}")
            for data in [*WRONG_TYPES, *(_fields(schema, value) for value in FIELD_CLASSES)]:
                answer = send(path, data, format="json")
                sent += 1
                if answer.status_code >= 500:
                    server_errors.append(
                        f"{who} {method.upper()} {path} {str(data)[:40]}: {answer.status_code}"
                    )
    assert server_errors == [], "\n".join(server_errors)
    assert accepted_garbage == [], "\n".join(accepted_garbage)
    assert sent > 1000
    assert Enterprise.objects.count() == enterprises  # the DROP TABLE stayed a string


@pytest.mark.parametrize("who", ["partner", "official"])
def test_a_body_over_the_size_limit_is_413_in_the_error_shape_everywhere(callers, who):
    over = MALFORMED["over the 16 MiB limit"][0]
    wrong, too_large = [], 0
    for method, path, _schema in _operations():
        answer = getattr(callers[who], method)(path, over, content_type="application/json")
        too_large += answer.status_code == 413
        # A caller refused the operation (or the object) is told so before the body is read.
        if answer.status_code not in (403, 404, 405, 413) or set(answer.json()) != {"code", "detail"}:
            wrong.append(f"{method.upper()} {path}: {answer.status_code} {answer.content[:80]!r}")
    assert wrong == [], "\n".join(wrong)
    assert too_large >= 8


def test_every_query_and_path_parameter_survives_hostile_values(callers):
    spec = _spec()
    server_errors, sent = [], 0
    for path, methods in spec["paths"].items():
        operation = methods.get("get")
        if operation is None:
            continue
        urls = [_filled(path, operation), _filled(path, operation, HUGE), _filled(path, operation, "²")]
        queries = [
            {parameter["name"]: value}
            for parameter in operation.get("parameters", [])
            if parameter["in"] == "query"
            for value in QUERY_CLASSES
        ]
        for who, client in callers.items():
            for url, query in [*((u, {}) for u in urls[1:]), *((urls[0], q) for q in queries)]:
                answer = client.get(url, query)
                sent += 1
                if answer.status_code >= 500:
                    server_errors.append(f"{who} GET {url} {query}: {answer.status_code}")
    assert server_errors == [], "\n".join(server_errors)
    assert sent > 2000


HOSTILE_FILES = {
    "a field over 128 KiB": ("orders.csv", b"order_no,note\nO1," + b"x" * (129 * 1024) + b"\n"),
    "a stray quote over 128 KiB": ("orders.csv", b'order_no,note\nO1,"' + b"x" * (129 * 1024)),
    "NUL bytes": ("orders.csv", b"order_no\x00,note\nO1\x00,\x00\n"),
    "invalid UTF-8": ("orders.csv", b"order_no,note\n\xff\xfe,\xc3\x28\n"),
    "a header only": ("orders.csv", b"order_no,note\n"),
    "nothing": ("orders.csv", b""),
    "an entity bomb": ("orders.xml", BILLION_LAUGHS),
    "an external entity": ("orders.xml", XXE),
    "21-digit numbers": ("orders.csv", b"order_no,goods_value,items.qty\n" + b",".join([HUGE.encode()] * 3)),
}


@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_the_upload_page_refuses_hostile_files_with_a_4xx(client, world, name):
    client.force_login(MembershipFactory(enterprise=world.platform).user)
    file_name, content = HOSTILE_FILES[name]
    upload = io.BytesIO(content)
    upload.name = file_name
    answer = client.post("/declarations/upload/", {"kind": "order", "file": upload})
    # Refused on the page (400), or taken and answered per document by the upload's own report (302).
    assert answer.status_code in (302, 400)
