import pytest
from rest_framework.test import APIClient

from sharing.principal import principal_for_user
from sharing.services import api_key_issue

from .factories import EnterpriseFactory, MembershipFactory, official


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Tasks run in-process in tests, even with REDIS_URL set; the `worker` tests use a real worker."""
    from singlewindow.celery import app

    eager = request.node.get_closest_marker("worker") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


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
