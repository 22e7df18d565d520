"""Schemathesis over the whole OpenAPI schema, in-process against the test database: every operation in
its coverage phase (each parameter's and body field's boundaries, wrong types, missing and extra
values, positive and negative) and its fuzzing phase (hypothesis-generated cases, positive and
negative), as a partner key and as a customs official's signed-in session. No answer may be a server
error, and every documented answer must match its schema and content type.

Bounded: the coverage phase's cases are fixed by the schema (about 110 an operation, 12,000 in all);
FUZZ_EXAMPLES (default 5) fuzzed cases per operation on top; an operation that refused the caller five
times in a row from its first case is not sent the rest (9,000 cases as the partner, 5,500 as the
official). Run more by hand with `FUZZ_EXAMPLES=100 .venv/bin/pytest tests/test_fuzz_api.py`, or only
the fuzzing phase with `FUZZ_PHASES=fuzzing`.
"""

import os

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode, checks

from sharing.services import api_key_issue
from singlewindow.core.throttling import PartnerRateThrottle

from .factories import official

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
PHASES = os.environ.get("FUZZ_PHASES", "coverage,fuzzing").split(",")
REFUSALS = 5
CHECKS = [checks.not_a_server_error, checks.response_schema_conformance, checks.content_type_conformance]
# A CSRF secret of the cookie's form, sent back in the header as a browser's script does.
CSRF = "fuzzcsrf" * 4


@pytest.fixture
def wsgi():
    """The portal's WSGI application, leaving the test's connection (and the transaction the test runs
    in) open at the end of each request, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema(application, headers: dict[str, str]):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    assert len(list(schema.get_all_operations())) > 80
    schema.config.phases.update(phases=PHASES)
    # The caller's credentials are the test's; the schema's security schemes are not generated over.
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], with_security_parameters=False
    )
    schema.config.update(headers=headers)
    return schema


@pytest.fixture
def unthrottled(monkeypatch):
    # Thousands of cases a minute would meet the partner rate (429s that test nothing); the cache the
    # throttle fills is emptied before and after, so no other test meets this one's counts.
    cache.clear()
    monkeypatch.setattr(PartnerRateThrottle, "THROTTLE_RATES", {"partner": "1000000/s", "anon": "1000000/s"})
    yield
    cache.clear()


@pytest.fixture
def partner_schema(wsgi, world, unthrottled):
    _key, plain = api_key_issue(enterprise=world.seller, name="fuzz")
    return _schema(wsgi, {"Authorization": f"Api-Key {plain}"}), {}


@pytest.fixture
def official_schema(wsgi, world, unthrottled):
    """A customs official signed in in a browser: the session cookie, and the CSRF cookie and header an
    unsafe method needs with a session."""
    browser = Client()
    browser.force_login(official("customs", "fuzz-customs"))
    session = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    cookies = {django_settings.SESSION_COOKIE_NAME: session, django_settings.CSRF_COOKIE_NAME: CSRF}
    return _schema(wsgi, {"X-CSRFToken": CSRF}), cookies


def _run_all(schema, cookies: dict[str, str]) -> tuple[int, int, list[str]]:
    """Every operation's coverage and fuzzing cases, each in a savepoint rolled back after it (cases stay
    independent, as requests are); returns (operations, cases, failures).

    The tests are built as schemathesis's own pytest integration builds them (`get_all_tests`: the
    configured phases, generation modes, headers and a seed per operation); its lazy loader, which would
    do this, does not run under pytest 9."""
    from schemathesis.pytest.lazy import get_all_tests

    operations, cases, failures = 0, 0, []
    failing: dict[str, str] = {}  # operation -> how to send its last failing case again
    # How many times in a row, from its first case, each operation refused this caller (401/403); -1
    # once it answered otherwise. A caller refused before its input is read learns nothing from the
    # next thousand inputs: after REFUSALS refusals in a row the operation's other cases are skipped for
    # this caller (the other caller, and the hostile-input sweep, send them where they are read).
    refusals: dict[str, int] = {}
    skipped = 0

    def call(case) -> None:
        nonlocal cases, skipped
        label = case.operation.label
        streak = refusals.get(label, 0)
        if streak >= REFUSALS:
            skipped += 1
            return
        cases += 1
        savepoint = transaction.savepoint()
        try:
            answer = case.call_and_validate(checks=CHECKS, cookies=cookies)
        except (Exception, BaseExceptionGroup):
            failing[label] = case.as_curl_command(base_url="http://testserver")[:800]
            raise
        finally:
            transaction.savepoint_rollback(savepoint)
        if streak >= 0:
            refusals[label] = streak + 1 if answer.status_code in (401, 403) else -1

    for result in get_all_tests(schema=schema, test_func=call, settings=BOUNDED, given_kwargs=None):
        operation, test = result.ok()
        operations += 1
        try:
            test()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failures, reported together
            for failure in getattr(exc, "exceptions", None) or [exc]:
                text = " ".join(str(failure).split())
                again = failing.get(operation.label, "")
                failures.append(f"{operation.method.upper()} {operation.path}: {text[:600]}\n  {again}")
    print(  # shown with -s
        f"schemathesis: {operations} operations, {cases} cases ({skipped} skipped: the caller was refused), "
        f"{len(failures)} failures"
    )
    return operations, cases, failures


BOUNDED = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


def test_a_partner_gets_no_server_error_and_schema_true_answers(partner_schema):
    operations, cases, failures = _run_all(*partner_schema)
    assert operations > 80 and cases >= operations
    assert failures == [], "\n\n".join(failures)


def test_an_official_gets_no_server_error_and_schema_true_answers(official_schema):
    operations, cases, failures = _run_all(*official_schema)
    assert operations > 80 and cases >= operations
    assert failures == [], "\n\n".join(failures)
