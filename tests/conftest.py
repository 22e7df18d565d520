"""Fixtures shared by every test: eager Celery (but for `worker` tests), test clients whose logins pass
the second factor (but for `unverified_login` tests), API clients, enterprises and officials, the `world`
of approved parties a declaration needs (and `dispatched`, two of its lists dispatched), the switch that
turns the random inspection draw off; helpers to put back the reference rows and to check CEB XML
against its schema."""

import pytest
from rest_framework.test import APIClient

from sharing.principal import principal_for_user
from sharing.services import api_key_issue

from .factories import ClearanceWorld, EnterpriseFactory, MembershipFactory, official


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database lets the audit tables be truncated: transactional tests are flushed with
    TRUNCATE, which PostgreSQL's triggers refuse (tests/sharing/test_audit_postgresql.py turns them on)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(ALLOW_AUDIT_TRUNCATE)


ALLOW_AUDIT_TRUNCATE = """
ALTER TABLE sharing_auditevent DISABLE TRIGGER sharing_audit_no_truncate;
ALTER TABLE sharing_audithead DISABLE TRIGGER sharing_audithead_no_truncate;
"""


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Tasks run in-process in tests, even with REDIS_URL set; the `worker` tests use a real worker."""
    from singlewindow.celery import app

    eager = request.node.get_closest_marker("worker") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def fresh_rate_leases():
    """Each test starts without the rate-limit counts an earlier one reserved in this process: tests
    clear the cache (Redis) mid-window, which the process's leases outlive (in production a lease ends
    with its window, and a Redis that lost its counters refuses a caller early by a lease at most)."""
    from singlewindow.core import throttling

    throttling._leases.clear()


@pytest.fixture(autouse=True)
def verified_logins(request, monkeypatch):
    """`client.force_login(user)` and `client.login(...)` (Django's and DRF's test clients) sign in as a
    person who has also passed the second factor: whoever must give a TOTP code (officials, site
    administrators, see sharing.otp.otp_required) gets a confirmed TOTP device, and the session is
    marked verified by it, as the verification page would. Tests of the second factor itself opt out
    with the `unverified_login` fixture or marker: their logins are password-only, as in real life."""
    if request.node.get_closest_marker("unverified_login") or "unverified_login" in request.fixturenames:
        yield
        return
    from django.test import Client

    force_login, login = Client.force_login, Client.login

    def verified_force_login(self, user, backend=None):
        force_login(self, user, backend)
        verify_session(self, user)

    def verified_login(self, **credentials):
        if not login(self, **credentials):
            return False
        from django.contrib.auth import SESSION_KEY, get_user_model

        verify_session(self, get_user_model().objects.get(pk=self.session[SESSION_KEY]))
        return True

    monkeypatch.setattr(Client, "force_login", verified_force_login)
    monkeypatch.setattr(Client, "login", verified_login)
    yield


@pytest.fixture
def unverified_login():
    """Logins in this test are password-only: the second factor is still owed (see verified_logins)."""


def verify_session(client, user) -> None:
    """Mark the client's session verified by a TOTP device of `user`, if the user must give one."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sharing.otp import otp_required

    if not otp_required(principal_for_user(user)):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="tests", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def enterprise(db):
    return EnterpriseFactory()


@pytest.fixture
def other_enterprise(db):
    return EnterpriseFactory()


@pytest.fixture
def enterprise_admin(enterprise):
    return MembershipFactory(enterprise=enterprise).user


@pytest.fixture
def commerce_user(db):
    return official("commerce")


@pytest.fixture
def customs_user(db):
    return official("customs")


@pytest.fixture
def commerce(commerce_user):
    return principal_for_user(commerce_user)


@pytest.fixture
def no_random_inspection(db):
    """Tests that assert exact outcomes switch the random inspection draw off (rate 0): the pipeline's
    directories by their conftest, other modules by `pytest.mark.usefixtures`. Tests of the draw set
    the rates they need."""
    from credit.models import CreditLevel

    CreditLevel.objects.update(inspection_rate=0)


@pytest.fixture
def world(db) -> ClearanceWorld:
    """Approved parties of every role with keys, a payment licence and a guarantee (tests/factories.py)."""
    return ClearanceWorld()


@pytest.fixture
def dispatched(world, no_random_inspection) -> ClearanceWorld:
    """The world with two lists matched and dispatched, the agencies not yet asked."""
    from clearance import claim
    from declarations.models import InventoryList

    for n in (1, 2):
        assert {r.status_code for r in world.declare(world.declaration(n)).values()} == {201}
    assert claim.process_pending_lists() == 2
    assert set(InventoryList.objects.values_list("status", flat=True)) == {"dispatched"}
    return world


def key_client(enterprise) -> APIClient:
    """An API client acting with a fresh partner key of `enterprise`."""
    _key, plain = api_key_issue(enterprise=enterprise, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return client


@pytest.fixture
def enterprise_api(enterprise):
    return key_client(enterprise)


@pytest.fixture
def commerce_api(commerce_user):
    client = APIClient()
    client.force_authenticate(commerce_user)
    return client


def reload_reference_data() -> None:
    """Transactional tests (live server, real worker) run in databases that an earlier such test flushed:
    put back the reference rows the data migrations ship (idempotent)."""
    from django.apps import apps

    from credit import reference as credit_reference
    from finance import reference as finance_reference
    from parks import reference as parks_reference
    from risk import reference as risk_reference
    from sharing import code_tables
    from sharing import reference as sharing_reference
    from sharing.selectors import code_cache_clear

    parks_reference.load(apps)
    sharing_reference.load(apps)
    sharing_reference.load_registers(apps)
    code_tables.load(apps)
    code_cache_clear()
    finance_reference.load(apps)
    finance_reference.load_tolerances(apps)
    credit_reference.load(apps)
    risk_reference.load(apps)


def assert_valid_ceb(xml: bytes) -> None:
    """The message validates against the official CEB schema (../shared/ceb beside the repository).

    In CI the schemas must be there. A newcomer's clone without them still runs the test's other
    assertions, with a warning that this check was not made.
    """
    import os
    import warnings

    from declarations import ceb

    try:
        errors = ceb.schema_errors(xml)
    except FileNotFoundError:
        if os.environ.get("CI"):
            raise
        warnings.warn(
            "the official CEB schemas are not beside the repository: schema check skipped", stacklevel=2
        )
        return
    assert errors == []
