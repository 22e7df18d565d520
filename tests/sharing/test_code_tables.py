"""The code tables of DOMAIN 8 through the API: the list of tables, a table's entries (paginated,
`?q=`, `?on=`, aliases), 404 for an unknown table, and reference data readable by any caller."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from sharing.code_tables import ALIASES, CodeTable

pytestmark = pytest.mark.django_db


def test_the_list_names_every_table_with_its_count_and_version(enterprise_api):
    answer = enterprise_api.get("/api/v1/code-tables/")
    assert answer.status_code == 200
    tables = {row["name"]: row for row in answer.json()["results"]}
    assert set(tables) == set(CodeTable.values)
    for name, row in tables.items():
        assert row["title"] and row["version"], name
        assert 0 < row["count"] <= row["rows"], name
    assert tables["wrap_type"]["count"] == 7
    assert "traf_mode" in tables["transport_mode"]["aliases"]
    # GB/T 2260 keeps its retired codes as dated rows
    assert tables["administrative_division"]["rows"] > tables["administrative_division"]["count"] > 3000


def test_a_table_lists_its_codes_with_names_and_dates_paginated(enterprise_api):
    answer = enterprise_api.get("/api/v1/code-tables/country/?page_size=500")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == len(body["results"]) > 200
    japan = next(row for row in body["results"] if row["code"] == "116")
    assert japan == {
        "code": "116",
        "name_zh": "日本",
        "name_en": "Japan",
        "valid_from": "1980-01-01",
        "valid_until": None,
    }
    codes = [row["code"] for row in body["results"]]
    assert codes == sorted(codes)
    first_page = enterprise_api.get("/api/v1/code-tables/administrative_division/").json()
    assert first_page["next"] and len(first_page["results"]) == 50


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("日本", {"116"}),
        ("japan", {"116"}),
        ("14", {"141", "142", "143", "144", "145", "146", "147", "148", "149"}),
    ],
)
def test_q_finds_codes_by_their_beginning_and_names_by_any_part(enterprise_api, query, expected):
    answer = enterprise_api.get("/api/v1/code-tables/country/", {"q": query})
    assert {row["code"] for row in answer.json()["results"]} == expected


def test_on_keeps_the_codes_valid_that_day(enterprise_api):
    url = "/api/v1/code-tables/administrative_division/"
    chongwen = {"q": "110103"}  # Beijing's Chongwen district, merged into Dongcheng in 2010
    assert [
        r["name_zh"] for r in enterprise_api.get(url, {**chongwen, "on": "2009-06-01"}).json()["results"]
    ] == ["崇文区"]
    assert enterprise_api.get(url, {**chongwen, "on": "2015-06-01"}).json()["results"] == []
    # Hangzhou's Qiantang district exists from 2021
    qiantang = {"q": "330114"}
    assert enterprise_api.get(url, {**qiantang, "on": "2020-06-01"}).json()["results"] == []
    assert enterprise_api.get(url, {**qiantang, "on": f"{date.today():%Y-%m-%d}"}).json()["count"] == 1
    bad = enterprise_api.get(url, {"on": "yesterday"})
    assert bad.status_code == 400 and "on" in bad.json()["fields"]


@pytest.mark.parametrize(("alias", "table"), sorted(ALIASES.items()))
def test_an_alias_answers_its_table(enterprise_api, alias, table):
    by_alias = enterprise_api.get(f"/api/v1/code-tables/{alias}/", {"page_size": 5}).json()
    by_name = enterprise_api.get(f"/api/v1/code-tables/{table}/", {"page_size": 5}).json()
    assert by_alias["results"] == by_name["results"] and by_alias["count"] == by_name["count"] > 0


def test_an_unknown_table_is_404_naming_the_tables(enterprise_api):
    answer = enterprise_api.get("/api/v1/code-tables/colour/")
    assert answer.status_code == 404
    body = answer.json()
    assert body["code"] == "not_found" and "colour" in body["detail"] and "currency" in body["detail"]


def test_customs_districts_and_ports_share_their_codes(enterprise_api):
    def codes(table):
        rows = enterprise_api.get(f"/api/v1/code-tables/{table}/", {"page_size": 500}).json()["results"]
        return {row["code"] for row in rows}

    districts = codes("customs_district")
    assert districts == codes("port")
    assert {"0100", "2200", "2900", "2928", "5300"} <= districts and "0000" not in districts


def test_any_signed_in_caller_reads_them_and_no_one_else(enterprise_admin, commerce_api):
    person = APIClient()
    person.force_login(enterprise_admin)
    assert person.get("/api/v1/code-tables/unit/").status_code == 200
    assert commerce_api.get("/api/v1/code-tables/").status_code == 200
    assert APIClient().get("/api/v1/code-tables/").status_code in (401, 403)


def test_a_page_of_codes_is_two_queries_however_long(enterprise_api, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):  # the key, its enterprise, its touch; count and page
        assert enterprise_api.get("/api/v1/code-tables/unit/?page_size=500").status_code == 200
