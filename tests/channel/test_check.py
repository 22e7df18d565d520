"""The dry run, POST /api/v1/check/: the answer filing would give (field errors, the stored document,
the match, the tax, the quota left, a hold's reason code), and nothing stored: every table's row count
and the audit chain's head unchanged, no task sent."""

from decimal import Decimal

import pytest
from celery import Celery
from celery.app.task import Task
from django.apps import apps
from lxml import etree

from declarations import ceb
from finance.models import BuyerQuota
from sharing.models import AuditHead

from ..ceb_messages import ceb_message

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
    counts["audit head"] = list(AuditHead.objects.values_list())
    return counts


@pytest.fixture
def no_tasks(monkeypatch):
    """Every task the code under test would send, recorded and not run."""
    sent = []
    monkeypatch.setattr(Task, "apply_async", lambda self, *a, **k: sent.append(self.name))
    monkeypatch.setattr(Celery, "send_task", lambda self, name, *a, **k: sent.append(name))
    return sent


def check(client, kind, body):
    return client.post(f"/api/v1/check/?kind={kind}", body, format="json")


def test_a_list_is_checked_as_it_would_clear_and_nothing_is_stored(
    world, django_capture_on_commit_callbacks, no_tasks, monkeypatch
):
    docs = world.declaration(1, lines=2)
    with django_capture_on_commit_callbacks(execute=False):
        world.declare(docs, order=("order", "payment", "waybill"))
    no_tasks.clear()
    before = snapshot()
    seller = world.client("seller")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answer = check(seller, "inventory", docs["inventory"])
    assert answer.status_code == 200, answer.json()
    assert snapshot() == before and no_tasks == [] and callbacks == []
    body = answer.json()
    assert body["kind"] == "inventory" and body["stored"] is False
    (result,) = body["results"]
    assert (result["outcome"], result["return_status"], result["errors"]) == ("accepted", "2", {})
    assert result["match"] == {
        "present": {"order": True, "payment": True, "waybill": True, "inventory": True},
        "complete": True,
        "matches": True,
        "failures": [],
    }
    assert result["tax"]["accepted"] is True and len(result["tax"]["lines"]) == 2
    assert result["risk"] == {
        "would_hold": False,
        "reason_code": None,
        "credit_level": result["risk"]["credit_level"],
    }
    quota = result["quota"]
    assert Decimal(quota["left"]) == Decimal(quota["annual_limit"])  # the buyer's first list this year

    # Filed for real (tasks running again), the list clears with the tax and quota the check announced.
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        world.declare(docs, order=("inventory",))
    from declarations.models import InventoryList

    filed = InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])
    assert filed.status == "released", filed.status_reason
    assert filed.tax_amount == Decimal(result["tax"]["total"])
    assert filed.dutiable_value == Decimal(result["tax"]["dutiable_value"])
    used = BuyerQuota.objects.get(buyer_id_number=filed.buyer_id_number)
    assert Decimal(quota["annual_limit"]) - used.used == Decimal(quota["left_after"])
    # and the same document checked again is recognised as filed
    again = check(seller, "inventory", docs["inventory"]).json()["results"][0]
    assert again["outcome"] == "duplicate"


def test_a_mismatch_names_rule_and_field_and_only_the_list_filer_reads_the_words(world):
    docs = world.declaration(2, lines=1)
    world.declare(docs, order=("order", "payment", "waybill"))
    wrong = dict(docs["inventory"], buyer_name="别人")
    (result,) = check(world.client("seller"), "inventory", wrong).json()["results"]
    assert result["outcome"] == "accepted" and result["match"]["matches"] is False
    failures = result["match"]["failures"]
    assert any(f["field"].startswith("inventory.buyer_name") and f["message"] for f in failures)
    # the list filed as it should be, the platform checks a changed order: rules and fields, no words
    world.declare(docs, order=("inventory",))
    changed = dict(docs["order"], app_type="2", consignee="别人")
    (result,) = check(world.client("platform"), "order", changed).json()["results"]
    assert result["outcome"] == "changed" and result["match"]["matches"] is False
    assert result["match"]["failures"] and all(
        set(f) == {"rule", "field"} for f in result["match"]["failures"]
    )
    # no list filed yet for another order: the check says what is missing
    lone = world.declaration(3, lines=1)
    (result,) = check(world.client("payment"), "payment", lone["payment"]).json()["results"]
    assert result["match"]["present"] == {
        "order": False,
        "payment": True,
        "waybill": False,
        "inventory": False,
    }
    assert result["match"]["matches"] is None and result["tax"] is None


def test_field_errors_codes_and_tenancy_as_filing(world):
    docs = world.declaration(4, lines=1)
    seller, platform = world.client("seller"), world.client("platform")
    bad = dict(docs["inventory"], freight="-1")
    (result,) = check(seller, "inventory", bad).json()["results"]
    assert (result["outcome"], result["return_status"]) == ("rejected", "100") and "freight" in result[
        "errors"
    ]
    # another enterprise's name, a kind the caller does not file, no key at all
    (result,) = check(platform, "order", dict(docs["order"], ebp_code=world.seller.customs_code)).json()[
        "results"
    ]
    assert result["outcome"] == "rejected" and "ebp_code" in result["errors"]
    assert check(world.client("payment"), "inventory", docs["inventory"]).status_code == 403
    from rest_framework.test import APIClient

    assert check(APIClient(), "order", docs["order"]).status_code in (401, 403)
    # a kind the check does not know, a body that is not a document
    assert check(platform, "cancel", docs["order"]).status_code == 400
    assert "kind" in check(platform, "", docs["order"]).json()["fields"]
    assert check(platform, "order", "text").status_code == 400
    # a stored number with other content and app_type 1: the code intake would answer
    platform.post("/api/v1/orders/", docs["order"], format="json")
    (result,) = check(platform, "order", dict(docs["order"], consignee="别人")).json()["results"]
    assert result["return_status"] == "-301010" and "order_no" in result["errors"]


def test_ceb_xml_is_checked_and_an_invalid_message_gets_its_ceb900(world, no_tasks):
    docs = world.declaration(5, lines=1)
    before = snapshot()
    xml = ceb_message("CEB311Message", [docs["order"]])
    answer = world.client("platform").post("/api/v1/check/", xml, content_type="application/xml")
    assert answer.status_code == 200, answer.content[:300]
    assert answer.json()["kind"] == "order" and answer.json()["results"][0]["outcome"] == "accepted"
    broken = xml.replace(b"<ceb:orderNo>", b"<ceb:orderNumber>").replace(
        b"</ceb:orderNo>", b"</ceb:orderNumber>"
    )
    refused = world.client("platform").post("/api/v1/check/", broken, content_type="application/xml")
    assert refused.status_code == 400
    assert etree.QName(etree.fromstring(refused.content)).localname == "CEB900Message"
    assert ceb.schema_errors(refused.content) == []
    assert snapshot() == before and no_tasks == []


def test_a_list_the_risk_step_would_hold_says_its_reason_code(world):
    from risk.models import RiskRule

    RiskRule.objects.filter(code="RESTRICTED_GOODS", current=True).update(
        parameters={"prefixes": ["33", "04", "19", "42", "61", "64", "85", "95", "96"]}
    )
    docs = world.declaration(6, lines=1)
    world.declare(docs, order=("order", "payment", "waybill"))
    (result,) = check(world.client("seller"), "inventory", docs["inventory"]).json()["results"]
    assert result["risk"]["would_hold"] is True and result["risk"]["reason_code"] == "RISK-RESTRICTED_GOODS"
    # nothing of the rules' evidence is given to the enterprise
    assert set(result["risk"]) == {"would_hold", "reason_code", "credit_level"}
