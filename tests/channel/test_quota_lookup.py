"""The buyer's annual quota lookup, public page and API: one answer for step 1 whoever asks (an unknown
ID and a wrong name read byte for byte like a match), the code by text message, its 5 minutes and 5
attempts, the limits per ID and per address, the masked statement, and sandbox lists left out."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from declarations.models import InventoryList
from finance import quota_lookup
from sharing.services import api_key_issue
from singlewindow.core import sms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_random_inspection")]
URL = "/api/v1/quota/lookup/"
UNKNOWN_ID = "110101199003074477"


@pytest.fixture(autouse=True)
def texts(settings):
    settings.SMS_BACKEND = "singlewindow.core.sms.LocmemBackend"
    settings.QUOTA_LOOKUP_PER_ID = 50
    settings.QUOTA_LOOKUP_PER_ADDRESS = 100
    cache.clear()
    sms.outbox.clear()
    yield sms.outbox
    cache.clear()
    sms.outbox.clear()


@pytest.fixture
def released(world, django_capture_on_commit_callbacks):
    """A buyer with one released list this year."""
    docs = world.declaration(1)
    inventory = world.clear(docs, django_capture_on_commit_callbacks)
    assert inventory.status == "released", inventory.status_reason
    return inventory


def _ask(client, **body):
    return client.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")


def _code(outbox) -> str:
    assert len(outbox) == 1
    return re.search(r"\b(\d{6})\b", outbox[-1][1]).group(1)


def test_step_one_answers_the_same_bytes_for_a_match_an_unknown_id_and_a_wrong_name(released, texts):
    client = APIClient()
    match = _ask(client, name=released.buyer_name, id_number=released.buyer_id_number)
    unknown = _ask(client, name=released.buyer_name, id_number=UNKNOWN_ID)
    wrong_name = _ask(client, name="王五", id_number=released.buyer_id_number)
    assert match.status_code == unknown.status_code == wrong_name.status_code == 202
    assert match.content == unknown.content == wrong_name.content
    # Only the match sent a code, to the phone on the buyer's list.
    assert [phone for phone, _text in texts] == [released.buyer_telephone]


def test_step_two_shows_the_years_quota_and_the_lists_masked(released, texts):
    client = APIClient()
    _ask(client, name=released.buyer_name, id_number=released.buyer_id_number)
    answer = _ask(client, name=released.buyer_name, id_number=released.buyer_id_number, code=_code(texts))
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    used = Decimal(body["used"])
    assert used == released.dutiable_value.quantize(Decimal("0.01")) > 0
    assert Decimal(body["annual_limit"]) == Decimal(26000)
    assert Decimal(body["remaining"]) == Decimal(26000) - used
    assert [row["invt_no"] for row in body["lists"]] == [released.invt_no]
    # masked: the name's first character, the ID's first 3 and last 4; never the phone or address
    raw = answer.content.decode()
    assert body["buyer_name"] == released.buyer_name[0] + "*"
    assert body["lists"][0]["buyer_name"] == released.buyer_name[0] + "*"
    assert body["buyer_id_number"].startswith(released.buyer_id_number[:3]) and "*" in body["buyer_id_number"]
    assert released.buyer_id_number not in raw and released.buyer_name not in raw
    assert released.buyer_telephone not in raw and released.consignee_address not in raw
    # a code reads the statement once
    again = _ask(client, name=released.buyer_name, id_number=released.buyer_id_number, code=_code(texts))
    assert again.status_code == 400


def test_step_two_refuses_alike_whatever_is_wrong(released, texts):
    client = APIClient()
    _ask(client, name=released.buyer_name, id_number=released.buyer_id_number)
    code = _code(texts)
    wrong = "000000" if code != "000000" else "111111"
    answers = [
        _ask(client, name=released.buyer_name, id_number=released.buyer_id_number, code=wrong),
        _ask(client, name="王五", id_number=released.buyer_id_number, code=code),
        _ask(client, name=released.buyer_name, id_number=UNKNOWN_ID, code=code),
    ]
    assert {a.status_code for a in answers} == {400}
    assert answers[0].content == answers[1].content == answers[2].content
    assert "code" in answers[0].json()["fields"]


def test_a_code_expires_after_5_minutes(released, texts, monkeypatch):
    client = APIClient()
    _ask(client, name=released.buyer_name, id_number=released.buyer_id_number)
    code = _code(texts)
    later = quota_lookup.time.time() + quota_lookup.CODE_TTL + 1
    monkeypatch.setattr(quota_lookup.time, "time", lambda: later)
    answer = _ask(client, name=released.buyer_name, id_number=released.buyer_id_number, code=code)
    assert answer.status_code == 400 and "code" in answer.json()["fields"]


def test_five_wrong_attempts_use_the_code_up(released, texts):
    client = APIClient()
    _ask(client, name=released.buyer_name, id_number=released.buyer_id_number)
    code = _code(texts)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(quota_lookup.CODE_ATTEMPTS):
        assert (
            _ask(client, name=released.buyer_name, id_number=released.buyer_id_number, code=wrong).status_code
            == 400
        )
    right = _ask(client, name=released.buyer_name, id_number=released.buyer_id_number, code=code)
    assert right.status_code == 400


def test_limits_per_id_number_and_per_address(released, settings):
    settings.QUOTA_LOOKUP_PER_ID = 3
    client = APIClient()
    answers = [_ask(client, name="任何人", id_number=UNKNOWN_ID) for _ in range(4)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    # the known ID is limited alike: its count is its own
    assert _ask(client, name=released.buyer_name, id_number=released.buyer_id_number).status_code == 202

    cache.clear()
    settings.QUOTA_LOOKUP_PER_ID, settings.QUOTA_LOOKUP_PER_ADDRESS = 50, 2
    ids = ["110101199003070011", "110101199003070022", "110101199003070033"]
    statuses = [_ask(client, name="某人", id_number=n).status_code for n in ids]
    assert statuses == [202, 202, 429]
    # another address is counted apart
    other = APIClient(REMOTE_ADDR="10.9.8.7")
    assert _ask(other, name="某人", id_number=ids[2]).status_code == 202


def test_malformed_input_names_the_field(world):
    client = APIClient()
    for body, field in (
        ({"name": "张三", "id_number": "12345"}, "id_number"),
        ({"name": "张三", "id_number": UNKNOWN_ID, "code": "12ab56"}, "code"),
        ({"id_number": UNKNOWN_ID}, "name"),
    ):
        answer = client.post(URL, body, format="json")
        assert answer.status_code == 400 and field in answer.json()["fields"], answer.json()


def test_sandbox_lists_use_no_real_quota(world, texts, django_capture_on_commit_callbacks):
    keys = {}
    for name in ("platform", "seller", "logistics", "payment"):
        _key, plain = api_key_issue(enterprise=getattr(world, name), name="sandbox", kind="sandbox")
        keys[name] = APIClient()
        keys[name].credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    keys["seller"].post("/api/v1/sandbox/reset/")
    docs = world.declaration(7)
    with django_capture_on_commit_callbacks(execute=True):
        for kind, (who, url) in world.POSTER.items():
            assert keys[who].post(url, docs[kind], format="json").status_code == 201
    assert InventoryList.all_rows.filter(sandbox=True, status="released").count() == 1
    order = docs["order"]
    answer = _ask(APIClient(), name=order["buyer_name"], id_number=order["buyer_id_number"])
    assert answer.status_code == 202
    assert texts == []  # no live list of this buyer: no code, and the same answer


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_page_walks_both_steps_in_both_languages(released, texts, client, language):
    page = client.get("/quota/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200 and b"quota-lookup-form" in page.content
    asked = client.post(
        "/quota/",
        {"name": released.buyer_name, "id_number": released.buyer_id_number},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert asked.status_code == 200 and b"quota-code-sent" in asked.content
    stranger = client.post(
        "/quota/", {"name": released.buyer_name, "id_number": UNKNOWN_ID}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert b"quota-code-sent" in stranger.content
    shown = client.post(
        "/quota/",
        {"name": released.buyer_name, "id_number": released.buyer_id_number, "code": _code(texts)},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert shown.status_code == 200 and b"quota-statement" in shown.content
    assert released.invt_no.encode() in shown.content
    assert released.buyer_id_number.encode() not in shown.content
    if language == "zh-hans":
        assert "额度".encode() in shown.content
    else:
        assert b"Remaining" in shown.content
