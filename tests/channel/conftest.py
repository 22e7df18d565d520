"""The partner channel's tests expect exact outcomes (no random inspection draw), and share the
signature fixtures."""

import pytest

from sharing.certificates import certificate_register

from .signing import SAMPLES


@pytest.fixture(autouse=True)
def exact_outcomes(no_random_inspection):
    """Lists are released, never drawn for inspection, so a test knows where they are."""


@pytest.fixture
def required(settings):
    settings.CEB_SIGNATURE_REQUIRED = True


@pytest.fixture
def portal_certificate(api) -> str:
    answer = api.get("/api/v1/ceb/certificate/")
    assert answer.status_code == 200
    return answer.json()["certificate"]


@pytest.fixture
def samples():
    if not SAMPLES.is_dir():
        pytest.skip("the shared CEB samples are not beside the repository")
    return SAMPLES


def register(enterprise, signer, **kwargs):
    pem = kwargs.pop("pem", None) or signer.pem
    return certificate_register(enterprise=enterprise, pem=pem, **kwargs)
