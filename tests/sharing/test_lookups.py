"""The forms' lookups (issue 18): HS codes and code tables searched by the start of the code or part of
the Chinese or English name, twenty at a time, for a signed-in person only; the filing forms offer
them as labelled comboboxes."""

import pytest

from sharing.lookups import PAGE_SIZE

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory())
    return client


def codes(answer) -> list[str]:
    assert answer.status_code == 200, answer.content
    return [found["code"] for found in answer.json()["results"]]


def test_hs_codes_by_code_prefix_and_by_name_in_both_languages(signed_in):
    assert codes(signed_in.get("/lookups/hs-codes/", {"q": "3304"})) == ["3304"]
    assert set(codes(signed_in.get("/lookups/hs-codes/", {"q": "33"}))) >= {"33", "3303", "3304", "3305"}
    zh = signed_in.get("/lookups/hs-codes/", {"q": "奶粉"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert zh["results"] == [{"code": "0402", "name": "奶粉及浓缩乳"}]
    en = signed_in.get("/lookups/hs-codes/", {"q": "milk powder"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert en["results"] == [{"code": "0402", "name": "Milk powder, concentrated milk"}]
    # a heading officials add to the positive list is offered too
    from sharing.models import PositiveListEntry

    PositiveListEntry.objects.create(hs_prefix="9999", description="Test goods")
    assert codes(signed_in.get("/lookups/hs-codes/", {"q": "test goods"})) == ["9999"]


def test_divisions_by_name_and_code_paginated(signed_in):
    found = signed_in.get("/lookups/administrative_division/", {"q": "西湖区"}).json()
    assert "330106" in [f["code"] for f in found["results"]]
    first = signed_in.get("/lookups/division/", {"q": "33"}).json()  # an alias of the table
    assert len(first["results"]) == PAGE_SIZE and first["has_next"] and first["page"] == 1
    second = signed_in.get("/lookups/division/", {"q": "33", "page": "2"}).json()
    assert second["results"] and not {f["code"] for f in first["results"]} & {
        f["code"] for f in second["results"]
    }
    assert all(f["code"].startswith("33") for f in first["results"] + second["results"])


def test_countries_ports_and_districts_search_by_name_too(signed_in):
    japan = signed_in.get("/lookups/country/", {"q": "日本"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert [f["code"] for f in japan["results"]] == ["116"]
    english = signed_in.get("/lookups/country/", {"q": "japan"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["results"][0] == {"code": "116", "name": "Japan"}
    assert codes(signed_in.get("/lookups/customs_district/", {"q": "2928"})) == ["2928"]


@pytest.mark.parametrize(
    ("url", "params", "status", "field"),
    [
        ("/lookups/hs-codes/", {"page": "0"}, 400, "page"),
        ("/lookups/hs-codes/", {"page": "x"}, 400, "page"),
        ("/lookups/hs-codes/", {"page": "²³"}, 400, "page"),
        ("/lookups/hs-codes/", {"page": "9" * 5000}, 400, "page"),
        ("/lookups/country/", {"q": "x" * 201}, 400, "q"),
        ("/lookups/no-such-table/", {}, 404, None),
    ],
)
def test_bad_input_is_a_clear_4xx(signed_in, url, params, status, field):
    answer = signed_in.get(url, params)
    assert answer.status_code == status
    if field:
        assert field in answer.json()["fields"]


def test_anonymous_is_refused(client):
    assert client.get("/lookups/hs-codes/", {"q": "33"}).status_code == 403
    assert client.get("/lookups/country/", {"q": "日本"}).status_code == 403
    assert client.post("/lookups/hs-codes/").status_code in (403, 405)


def test_the_forms_offer_labelled_comboboxes(client, world):
    from tests.declarations.test_views import member

    client.force_login(member(world.platform))
    html = client.get("/declarations/new/order/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "js/lookup.js" in html
    # the consignee's division: a combobox asking the server, not a datalist of thousands
    district = next(tag for tag in html.split("<input")[1:] if 'name="consignee_district"' in tag)
    assert 'role="combobox"' in district and 'aria-expanded="false"' in district
    assert 'data-lookup="/lookups/administrative_division/"' in district
    assert (
        'for="id_consignee_district"' in html and '<datalist id="lookup-administrative_division"' not in html
    )
    client.force_login(member(world.seller))
    html = client.get("/declarations/new/inventory/").content.decode()
    gcode = next(tag for tag in html.split("<input")[1:] if 'name="items-0-gcode"' in tag)
    assert 'role="combobox"' in gcode and 'data-lookup="/lookups/hs-codes/"' in gcode
    assert 'for="id_items-0-gcode"' in html
