"""The dashboards as their users see them: who may open which page, what the figures say, the CSV behind
each chart, the filter's errors and the live fragment."""

import csv
import datetime
import io
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from credit import selectors as credit_selectors
from declarations.models import InventoryList
from parks.models import Park
from risk.models import Alert
from risk.services import alert_decide
from sharing.principal import principal_for_user
from stats import selectors
from stats.views import DIMENSIONS

from ..factories import ClearanceWorld, MembershipFactory, UserFactory, official

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_random_inspection")]  # exact outcomes

PAGES = ["/dashboard/", "/dashboard/enterprise/", "/dashboard/agency/", "/dashboard/csv/trend/"]


@pytest.fixture
def declare(django_capture_on_commit_callbacks):
    """Files a declaration's four documents through the API and runs the pipeline (eager Celery)."""

    def declare(world: ClearanceWorld, number: int, *, gcode: str = "") -> InventoryList:
        docs = world.declaration(number, lines=1)
        if gcode:
            docs["inventory"]["items"][0]["gcode"] = gcode
        with django_capture_on_commit_callbacks(execute=True):
            answers = world.declare(docs)
        assert [a.status_code for a in answers.values()] == [201] * 4
        return InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])

    return declare


@pytest.fixture
def reject(django_capture_on_commit_callbacks):
    """A customs official rejects a held list after review."""

    def reject(inventory: InventoryList, reason: str) -> None:
        customs = principal_for_user(official("customs", username="customs-rejecter"))
        with django_capture_on_commit_callbacks(execute=True):
            alert_decide(
                alert=Alert.objects.get(inventory=inventory), outcome="reject", reason=reason, by=customs
            )
        inventory.refresh_from_db()
        assert inventory.status == "rejected"

    return reject


def member_client(client, enterprise):
    client.force_login(MembershipFactory(enterprise=enterprise).user)
    return client


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("url", [*PAGES, "/dashboard/live/", "/parks/hangzhou-xiacheng/dashboard/"])
def test_anonymous_is_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_live_fragment_sends_an_expired_session_to_the_login_page(client):
    response = client.get("/dashboard/live/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith("/accounts/login/?next=/dashboard/")


def test_official_sees_the_zone_at_a_glance(client, world, declare):
    # given a list released today
    declare(world, 1)
    client.force_login(official("customs"))
    # when
    response = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert '<strong class="kpi-value" id="kpi-today">1</strong>' in page
    assert '<strong class="kpi-value" id="kpi-released">1</strong>' in page
    assert 'id="kpi-release-rate">100.0 %</strong>' in page
    # the KPI cards poll their fragment every 15 s and replace themselves
    assert 'hx-get="/dashboard/live/?date_from=' in page
    assert 'hx-trigger="every 15s" hx-swap="outerHTML"' in page
    # each chart: its canvas, its figures for Chart.js, its table and its CSV link
    for name in ("trend", "flow", "trade_mode", "park"):
        assert f'<canvas data-chart="chart-{name}-data"' in page
        assert f'<script id="chart-{name}-data" type="application/json">' in page
        assert f'id="table-{name}"' in page
        assert f'href="/dashboard/csv/{name}/?date_from=' in page
    assert "Direct-mail import (9610)" in page  # the import/export split
    assert "vendor/chartjs/chart.umd.min.js" in page and "js/dashboard.js" in page
    assert 'href="/dashboard/" aria-current="page"' in page  # the navigation shows where one is


def test_empty_zone_says_what_to_do(client):
    client.force_login(official("tax"))
    page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    today = timezone.localdate()
    # the form shows the range in force: the last 30 days
    assert f'name="date_to" value="{today.isoformat()}"' in page
    assert f'name="date_from" value="{(today - datetime.timedelta(days=29)).isoformat()}"' in page
    assert "Widen the date range or clear the filters" in page
    assert "<canvas" not in page
    assert "No list was rejected in this period." in page


def test_enterprise_is_sent_to_its_own_dashboard(client, world):
    member_client(client, world.seller)
    response = client.get("/dashboard/?trade_mode=9610")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/enterprise/?trade_mode=9610"


def test_enterprise_sees_its_volumes_rejections_tax_and_credit_level(client, world, declare, reject):
    # given one list released and one rejected after review
    released = declare(world, 1)
    held = declare(world, 2, gcode="3004900000")
    reject(held, "药品不得以个人物品进境")
    member_client(client, world.seller)
    # when
    response = client.get("/dashboard/enterprise/", HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="kpi-released">1</strong>' in page
    assert 'id="kpi-rejected">1</strong>' in page
    assert f'id="kpi-tax">{released.tax_amount:,.2f}</strong>' in page
    level = credit_selectors.levels_for([world.seller.pk], on=timezone.localdate())[world.seller.pk]
    assert f'id="kpi-credit">{escape(level.name)}</strong>' in page
    assert "药品不得以个人物品进境" in page  # the reason, in the table of rejections
    assert f'href="{reverse("inventory-list")}?status=rejected"' in page
    for name in ("trend", "trade_mode", "country"):
        assert f'<canvas data-chart="chart-{name}-data"' in page
    assert 'href="/dashboard/enterprise/" aria-current="page"' in page


def test_enterprise_csv_holds_only_its_own_lists(client, world, declare):
    # given a list released for this enterprise and one for another
    declare(world, 1)
    other = ClearanceWorld()
    declare(other, 2)
    member_client(client, other.seller)
    # when
    rows = read_csv(client.get("/dashboard/csv/enterprise/", HTTP_ACCEPT_LANGUAGE="en"))
    # then
    assert [row["Group code"] for row in rows] == [other.seller.customs_code]
    assert (
        sum(
            int(row["Released"])
            for row in read_csv(client.get("/dashboard/csv/trend/", HTTP_ACCEPT_LANGUAGE="en"))
        )
        == 1
    )
    # an official reads both
    client.force_login(official("customs"))
    codes = {
        row["Group code"]
        for row in read_csv(client.get("/dashboard/csv/enterprise/", HTTP_ACCEPT_LANGUAGE="en"))
    }
    assert codes == {world.seller.customs_code, other.seller.customs_code}


def test_enterprise_cannot_widen_its_scope_with_the_query(client, world, declare):
    declare(world, 1)
    other = ClearanceWorld()
    member_client(client, other.seller)
    query = urlencode({"park": "0", "zone": "0"})
    assert read_csv(client.get(f"/dashboard/csv/enterprise/?{query}", HTTP_ACCEPT_LANGUAGE="en")) == []
    page = client.get("/dashboard/enterprise/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="kpi-released">0</strong>' in page


def test_csv_matches_the_selectors(client, world, declare, reject):
    # given two releases and a rejection
    declare(world, 1)
    declare(world, 2)
    reject(declare(world, 3, gcode="3004900000"), "申报商品为禁止进境物品")
    user = official("customs")
    client.force_login(user)
    params = {"date_from": (timezone.localdate() - datetime.timedelta(days=6)).isoformat()}
    f = selectors.filter_from(params, principal=principal_for_user(user))
    query = urlencode(params)

    # when / then: the key figures
    overview = {
        row["Figure"]: row["Value"]
        for row in read_csv(client.get(f"/dashboard/csv/overview/?{query}", HTTP_ACCEPT_LANGUAGE="en"))
    }
    expected = selectors.overview(f)
    assert int(overview["released"]) == expected["released"] == 2
    assert int(overview["rejected"]) == expected["rejected"] == 1
    assert overview["tax"] == str(expected["tax"])
    assert overview["release_rate"] == str(expected["release_rate"])
    assert int(overview["histogram_longer"]) == expected["histogram"]["longer"]
    # one row per day of the range
    trend = read_csv(client.get(f"/dashboard/csv/trend/?{query}", HTTP_ACCEPT_LANGUAGE="en"))
    assert [(row["Day"], int(row["Released"]), int(row["Rejected"])) for row in trend] == [
        (entry["day"].isoformat(), entry["released"], entry["rejected"]) for entry in selectors.trend(f)
    ]
    assert len(trend) == 7
    # the import/export split and the modes
    for by in ("flow", "trade_mode", "park", "hs_chapter"):
        rows = read_csv(client.get(f"/dashboard/csv/{by}/?{query}", HTTP_ACCEPT_LANGUAGE="en"))
        label = str(DIMENSIONS[by])
        assert [(row["Group code"], row[label], int(row["Lists"]), row["Tax (CNY)"]) for row in rows] == [
            (e["key"], e["label"], e["lists"], str(e["tax"])) for e in selectors.breakdown(f, by)
        ]
    # the reasons, by reason code, each with its meaning and its newest list's whole reason
    answer = client.get(f"/dashboard/csv/rejections/?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert next(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")))) == [
        "Code",
        "What it means",
        "Reason (newest list)",
        "Lists",
    ]
    reasons = read_csv(answer)
    assert [(row["Code"], int(row["Lists"])) for row in reasons] == [
        (entry["code"], entry["lists"]) for entry in selectors.top_rejections(f)
    ]
    assert reasons[0]["Reason (newest list)"].endswith("申报商品为禁止进境物品")
    assert reasons[0]["What it means"]


def test_unknown_chart_is_not_found(client):
    client.force_login(official("customs"))
    assert client.get("/dashboard/csv/nothing/").status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-13-45"}, "date_from"),
        ({"date_from": "2026-03-01", "date_to": "2026-02-01"}, "date_from"),
        ({"date_from": "2024-01-01", "date_to": "2026-01-01"}, "date_from"),
        ({"direction": "X"}, "direction"),
        ({"trade_mode": "1234"}, "trade_mode"),
        ({"park": "first"}, "park"),
    ],
)
def test_bad_filter_shows_the_error_on_its_field_and_keeps_the_input(client, params, field):
    user = official("customs")
    client.force_login(user)
    with translation.override("en"), pytest.raises(selectors.FilterError) as exc:
        selectors.filter_from(params, principal=principal_for_user(user))
    # when
    response = client.get(f"/dashboard/?{urlencode(params)}", HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 400
    page = response.content.decode()
    for message in exc.value.errors[field]:
        assert f'<p class="error" data-field="{field}">{escape(message)}</p>' in page
    for name, value in params.items():
        if name.startswith("date"):
            assert f'name="{name}" value="{value}"' in page  # as typed
    assert "<canvas" not in page
    # the CSV says the same, as text
    csv_response = client.get(f"/dashboard/csv/trend/?{urlencode(params)}", HTTP_ACCEPT_LANGUAGE="en")
    assert csv_response.status_code == 400
    assert exc.value.errors[field][0] in csv_response.content.decode()


def test_chosen_filters_stay_selected(client):
    client.force_login(official("customs"))
    park = Park.objects.first()
    query = urlencode(
        {"date_from": "2026-01-01", "date_to": "2026-01-31", "trade_mode": "1210", "park": park.pk}
    )
    page = client.get(f"/dashboard/?{query}").content.decode()
    assert '<option value="1210" selected>' in page
    assert f'<option value="{park.pk}" selected>' in page
    assert 'name="date_to" value="2026-01-31"' in page
    assert f"park={park.pk}" in page  # in the CSV links and the live fragment's URL


def test_live_fragment_is_the_kpi_cards_alone(client, world, declare):
    declare(world, 1)
    client.force_login(official("customs"))
    response = client.get("/dashboard/live/?trade_mode=9610", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.startswith('<section class="kpis" id="kpis"')
    assert "<html" not in fragment and "<nav" not in fragment
    assert 'id="kpi-released">1</strong>' in fragment
    assert 'hx-get="/dashboard/live/?date_from=' in fragment and "trade_mode=9610" in fragment
    assert 'hx-trigger="every 15s" hx-swap="outerHTML"' in fragment
    # the zone's local time with its date, written by the server: no browser rewrites it into UTC
    assert "<time datetime=" in fragment and "data-local-time" not in fragment
    local = timezone.localtime().strftime("%Y-%m-%d")
    assert re.search(rf"<time datetime=[^>]*>{local} \d\d:\d\d:\d\d</time>", fragment)


@pytest.mark.parametrize(
    "url", ["/dashboard/live/", "/dashboard/agency/", "/parks/hangzhou-xiacheng/dashboard/"]
)
def test_enterprise_may_not_open_the_officials_pages(client, world, url):
    member_client(client, world.seller)
    assert client.get(url).status_code == 403


def test_user_without_enterprise_or_agency_may_not_read_figures(client):
    client.force_login(UserFactory())
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/csv/trend/").status_code == 403
    assert client.get("/dashboard/enterprise/").status_code == 403


def test_customs_sees_its_queue_and_receipts(client, world, declare):
    # given one list released (answered by every agency) and one held for review
    declare(world, 1)
    declare(world, 2, gcode="3004900000")
    client.force_login(official("customs"))
    # when
    page = client.get("/dashboard/agency/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then
    assert '<p class="kpi-value" id="alerts-open">1</p>' in page
    assert 'href="/officials/alerts/"' in page and 'href="/officials/receipts/"' in page
    assert '<tr id="dispatch-answered"><th scope="row">Answered</th><td>1</td></tr>' in page
    assert 'href="/dashboard/agency/" aria-current="page"' in page


def test_other_agencies_see_their_dispatches_without_the_alerts(client, world, declare):
    declare(world, 1)
    client.force_login(official("tax"))
    page = client.get("/dashboard/agency/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="alerts-open"' not in page
    assert '<tr id="dispatch-answered"><th scope="row">Answered</th><td>1</td></tr>' in page
    assert 'href="/officials/receipts/"' in page
    client.force_login(official("commerce"))
    page = client.get("/dashboard/agency/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing has been dispatched to your agency yet" in page


def test_park_dashboard_lists_its_settled_enterprises_and_their_volumes(client, world, declare):
    # given the seller settled in a park, with one released list, and an enterprise elsewhere
    park, elsewhere = Park.objects.order_by("pk")[:2]
    world.seller.park = park
    world.seller.save(update_fields=["park"])
    declare(world, 1)
    other = ClearanceWorld()
    other.seller.park = elsewhere
    other.seller.save(update_fields=["park"])
    declare(other, 2)
    client.force_login(official("commerce"))
    # when
    response = client.get(f"/parks/{park.slug}/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert world.seller.customs_code in page and other.seller.customs_code not in page
    assert 'id="kpi-released">1</strong>' in page
    assert 'href="/dashboard/csv/enterprise/?date_from=' in page and f"park={park.pk}" in page
    f = selectors.StatsFilter(timezone.localdate(), timezone.localdate(), park_id=park.pk)
    rows = read_csv(
        client.get(f"/dashboard/csv/enterprise/?{urlencode(f.as_query())}", HTTP_ACCEPT_LANGUAGE="en")
    )
    assert [(row["Group code"], int(row["Released"])) for row in rows] == [
        (e["key"], e["released"]) for e in selectors.breakdown(f, "enterprise")
    ]
    assert rows[0]["Group code"] == world.seller.customs_code
    # the navigation marks the dashboards, not the park directory
    assert 'href="/dashboard/" aria-current="page"' in page
    assert 'href="/zones/" aria-current="page"' not in page


def test_empty_park_says_how_enterprises_come(client):
    park = Park.objects.exclude(enterprises__isnull=False).first()
    client.force_login(official("commerce"))
    page = client.get(f"/parks/{park.slug}/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No enterprise has settled here yet." in page


def test_unknown_park_is_not_found(client):
    client.force_login(official("commerce"))
    assert client.get("/parks/no-such-park/dashboard/").status_code == 404
