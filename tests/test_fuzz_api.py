"""Schemathesis over the whole OpenAPI schema, in-process against the test database: every operation,
as a partner key and as a customs official, with generated input. No answer may be a server error, and
every documented answer must match its schema and content type.

Bounded: a few examples per operation (FUZZ_EXAMPLES, default 5), so CI stays quick; run more by hand
with `FUZZ_EXAMPLES=100 .venv/bin/pytest tests/test_fuzz_api.py`.
"""

import os

import pytest
import schemathesis
from django.db import transaction
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from sharing.services import api_key_issue

from .factories import official

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [checks.not_a_server_error, checks.response_schema_conformance, checks.content_type_conformance]


def _fuzz(headers: dict[str, str]) -> tuple[int, int, list[str]]:
    """Run every operation of the schema; returns (operations, cases, failures)."""
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    # As Django's test client does: the handler must not close the test's connection (and with it the
    # transaction the test runs in) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        return _run_all(headers, get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run_all(headers: dict[str, str], application) -> tuple[int, int, list[str]]:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    operations, cases, failures = 0, 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def run(case):
            nonlocal cases
            cases += 1
            # Each case in a savepoint rolled back after it: cases stay independent, as requests are.
            savepoint = transaction.savepoint()
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            finally:
                transaction.savepoint_rollback(savepoint)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failures, reported together
            found = getattr(exc, "exceptions", None) or [exc]
            for failure in found:
                text = " ".join(str(failure).split())
                failures.append(f"{operation.method.upper()} {operation.path}: {text[:400]}")
    print(f"schemathesis: {operations} operations, {cases} cases, {len(failures)} failures")  # shown with -s
    return operations, cases, failures


def test_a_partner_gets_no_server_error_and_schema_true_answers(world):
    _key, plain = api_key_issue(enterprise=world.seller, name="fuzz")
    operations, cases, failures = _fuzz({"Authorization": f"Api-Key {plain}"})
    assert operations > 80 and cases >= operations
    assert failures == [], "\n\n".join(failures)


def test_an_official_gets_no_server_error_and_schema_true_answers(settings):
    # A browser session that passed the second factor (the test client's login, see conftest), with
    # the CSRF cookie and header a browser sends on unsafe methods.
    client = Client()
    client.force_login(official("customs", "fuzz-customs"))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = get_random_string(32)
    headers = {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
    }
    operations, cases, failures = _fuzz(headers)
    assert operations > 80 and cases >= operations
    assert failures == [], "\n\n".join(failures)
