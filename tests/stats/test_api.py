"""/api/v1/stats/: the same figures as the dashboards, filtered, and scoped to the caller."""

import pytest
from rest_framework.test import APIClient

from declarations.models import InventoryList

from ..conftest import key_client
from ..factories import EnterpriseFactory, official

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_random_inspection")]  # exact outcomes


@pytest.fixture
def world(world, django_capture_on_commit_callbacks):
    """The shared world with three lists released and one refused."""
    with django_capture_on_commit_callbacks(execute=True):
        for n in (1, 2, 3):
            world.declare(world.declaration(n))
        bonded = world.declaration(4, trade_mode="1210")  # no bonded warehouse: refused by customs
        world.declare(bonded)
    return world


def test_overview_trend_breakdown_and_rejections(world):
    officer = APIClient()
    officer.force_authenticate(official("commerce", "stats-api"))
    overview = officer.get("/api/v1/stats/overview/").json()
    assert (overview["released"], overview["rejected"], overview["lists"]) == (3, 1, 4)
    assert overview["release_rate"] == 0.75 and overview["clearance_p50_s"] is not None
    trend = officer.get("/api/v1/stats/trend/").json()
    assert len(trend) == 30 and trend[-1]["released"] == 3
    flows = {row["key"]: row for row in officer.get("/api/v1/stats/breakdown/flow/").json()}
    assert flows["direct_import"]["released"] == 3 and flows["bonded_import"]["rejected"] == 1
    reasons = officer.get("/api/v1/stats/rejections/").json()
    # grouped by reason code; the newest list's whole reason, in English
    assert set(reasons[0]) == {"code", "reason", "lists"} and reasons[0]["lists"] == 1
    assert reasons[0]["reason"].startswith("customs: account book ")
    assert reasons[0]["reason"].endswith(" is not an approved bonded warehouse")
    assert reasons[0]["code"] == InventoryList.objects.get(status="rejected").return_status
    only_bonded = officer.get("/api/v1/stats/overview/?trade_mode=1210").json()
    assert (only_bonded["released"], only_bonded["rejected"]) == (0, 1)


def test_an_enterprise_gets_its_own_figures_only(world):
    assert world.client("seller").get("/api/v1/stats/overview/").json()["released"] == 3
    stranger = key_client(EnterpriseFactory())
    assert stranger.get("/api/v1/stats/overview/").json()["lists"] == 0
    assert stranger.get("/api/v1/stats/breakdown/enterprise/").json() == []
    assert APIClient().get("/api/v1/stats/overview/").status_code in (401, 403)


@pytest.mark.parametrize(
    "query, field",
    [
        ("date_from=2026-13-01", "date_from"),
        ("date_from=2026-02-01&date_to=2026-01-01", "date_from"),
        ("direction=X", "direction"),
        ("trade_mode=0110", "trade_mode"),
        ("park=abc", "park"),
        ("date_from=2020-01-01&date_to=2026-01-01", "date_from"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(world, query, field):
    answer = world.client("seller").get(f"/api/v1/stats/overview/?{query}")
    assert answer.status_code == 400 and field in answer.json()["fields"]


def test_unknown_breakdown_is_404(world):
    assert world.client("seller").get("/api/v1/stats/breakdown/colour/").status_code == 404
