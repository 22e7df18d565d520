"""The fast paths of the pipeline's writes give what the ORM's slower ones give."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from declarations import schemas, services
from declarations.api.serializers import IntakeReceiptSerializer
from declarations.api.views import intake_response
from declarations.models import InventoryItem, InventoryList, Receipt
from sharing.models import Enterprise
from sharing.principal import Principal
from singlewindow.core.db import insert_rows, load, new_row, prefetch_children, update_rows

pytestmark = pytest.mark.django_db


def test_new_row_holds_what_the_constructor_would():
    values = {"enterprise_id": 7, "kind": "order", "document_id": 3, "natural_key": "a/b", "guid": "G"}
    fast, slow = new_row(Receipt, **values), Receipt(**values)
    for field in Receipt._meta.concrete_fields:
        assert getattr(fast, field.attname) == getattr(slow, field.attname), field.name
    assert fast._state.adding and fast.pk is None
    with pytest.raises(TypeError, match="enterprise"):
        new_row(Receipt, enterprise=Enterprise())  # columns by attname only


def test_rows_written_in_bulk_read_back_exactly(world):
    """Text COPY escapes tabs, newlines and backslashes; None, numbers and times keep their types."""
    enterprise = world.platform
    awkward = "tab\there\nnew line\\back\r€ 中文 'quote' \"double\""
    rows = insert_rows(
        [
            new_row(
                Receipt,
                enterprise_id=enterprise.pk,
                kind="order",
                document_id=n,
                natural_key=awkward if n else "\\N",
                return_status="120",
                return_info="-",
                guid=f"G{n}",
            )
            for n in range(3)
        ]
    )
    assert all(r.pk for r in rows) and len({r.pk for r in rows}) == 3
    stored = {r.document_id: r for r in Receipt.objects.filter(pk__in=[r.pk for r in rows])}
    assert stored[0].natural_key == "\\N"  # the text, not NULL
    assert stored[1].natural_key == awkward
    assert stored[2].created_at == rows[2].created_at and stored[2].created_at.tzinfo is not None


def _copy_text_per_value(objs, fields) -> str:
    """COPY's text format written one value at a time: the reference the column-wise encoder must match."""
    import json

    def encode(field, value):
        if value is None:
            return "\\N"
        if field.get_internal_type() == "JSONField":
            value = json.dumps(value, cls=field.encoder, ensure_ascii=False)
        text = str(value)
        for plain, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
            text = text.replace(plain, escaped)
        return text

    return "".join("\t".join(encode(f, getattr(o, f.attname)) for f in fields) + "\n" for o in objs)


def test_copy_text_is_the_per_value_encoding_for_mixed_columns():
    """One awkward value among plain ones; NULLs in text, number and JSON columns; the texts "None", "\\N"."""
    from risk.models import RiskAssessment
    from singlewindow.core.db import copy_text

    texts = ["plain", "tab\tand\nline\\back\r", "None", "\\N", "中文 €", ""]
    rows = [
        new_row(
            RiskAssessment,
            id=n + 1,
            inventory_id=n + 10,
            score=n,
            threshold=60,
            hits=None if n == 2 else [{"rule": texts[n], "weight": n}],
            decision="dispatch",
            reason_code=texts[n],
            credit_level="general",
            draw_seed=f"seed-{n}",
            draw_rate=Decimal("0.0500"),
            draw_value=Decimal(n) / 7,
            inspector_id=None if n % 2 else n,
            created_at=datetime(2026, 11, 26, 1, n, tzinfo=UTC),
        )
        for n in range(len(texts))
    ]
    fields = list(RiskAssessment._meta.concrete_fields)
    expected = _copy_text_per_value(rows, fields)  # before: copy_text stamps the auto_now_add column
    encoded = copy_text(rows, fields)
    stamp = str(rows[0].created_at)
    assert all(row.created_at == rows[0].created_at for row in rows)  # one time for the rows written together
    expected_lines = [line.rsplit("\t", 1)[0] + "\t" + stamp for line in expected.splitlines()]
    assert encoded.splitlines() == expected_lines
    assert encoded.endswith("\n") and encoded.count("\n") == len(rows)


def test_lines_loaded_per_batch_are_those_of_each_list(world):
    for number in (1, 2, 3):
        world.declare(world.declaration(number, lines=number))
    lists = prefetch_children(InventoryList.objects.order_by("id"), "items")
    for inventory in lists:
        expected = list(InventoryItem.objects.filter(inventory=inventory).order_by("gnum"))
        assert list(inventory.items.all()) == expected
        assert all(item.inventory is inventory for item in inventory.items.all())


def _hash_as_first_written(data) -> str:
    """content_hash as it was when the stored hashes were written: the reference they must still match."""
    import hashlib
    import json

    def canonical(value):
        if isinstance(value, Decimal):
            return format(value.normalize(), "f") if value else "0"
        if isinstance(value, dict):
            return {k: canonical(v) for k, v in sorted(value.items()) if k not in services.HEADER_FIELDS}
        if isinstance(value, list | tuple):
            return [canonical(v) for v in value]
        return "" if value is None else value

    payload = json.dumps(canonical(data), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


@pytest.mark.parametrize("kind", ["order", "payment", "waybill", "inventory"])
def test_content_hash_is_unchanged_by_the_fast_canonical_form(world, kind):
    for number in range(1, 25):
        data, errors = services.validate_documents(kind, [world.declaration(number)[kind]])[0]
        assert not errors
        assert services.content_hash(data) == _hash_as_first_written(data)
    odd = {"a": None, "b": Decimal("0.00"), "c": Decimal("10.50"), "d": (1, "x"), "e": True, "guid": "g"}
    odd["items"] = [{"x": Decimal("1.0"), "app_time": "t", "n": [None]}]
    assert services.content_hash(odd) == _hash_as_first_written(odd)
    assert services.content_hash({**odd, "c": Decimal("10.5")}) == services.content_hash(odd)
    assert services.content_hash({**odd, "c": Decimal("10.51")}) != services.content_hash(odd)


# Every character JSON escapes or might: controls, quote, backslash, DEL, the line separators, CJK,
# an emoji beyond the BMP.
AWKWARD_TEXT = "".join(chr(c) for c in range(0x20)) + '"\\/\x7f\u2028\u2029\u00e9 跨境电商 😀'


def test_content_hash_is_the_standard_librarys_for_any_text_and_integer():
    for data in (
        {"name": AWKWARD_TEXT, "qty": 3},
        {"name": AWKWARD_TEXT[::-1], "items": [{"note": AWKWARD_TEXT[:7]}]},
        {"huge": 2**80, "negative": -(2**70), "name": "x"},  # beyond orjson: the standard library's way
    ):
        assert services.content_hash(data) == _hash_as_first_written(data)


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": [1, -2, 3.25, 1e3, true, false, null], "b": "\\u00e9\\n\\"", "c": {"a": 1, "a": 2}}',
        '{"name": "跨境电商 😀", "big": 123456789012345678901234567890}'.encode(),  # a float to orjson
        b'{"list": [1,\n -99999999999999999999], "max": 18446744073709551615, "f": 1e400}',
        b'{"name": "\\ud800"}',  # a lone surrogate: orjson refuses it, the standard library reads it
        b"[" * 3 + b"]" * 3,
        b" 12345678901234567890",
    ],
)
def test_json_bodies_parse_as_the_standard_library_parses_them(body):
    import io
    import json

    from singlewindow.core.parsers import BoundedJSONParser

    parsed = BoundedJSONParser().parse(io.BytesIO(body), "application/json", {"encoding": "utf-8"})
    assert parsed == json.loads(body)


@pytest.mark.parametrize("body", [b'{"a": NaN}', b'{"a": 1,}', b"\xff", b'{"a": "b"'])
def test_json_bodies_refused_are_refused_with_drfs_words(body):
    import io

    from rest_framework.exceptions import ParseError
    from rest_framework.parsers import JSONParser

    from singlewindow.core.parsers import BoundedJSONParser

    context = {"encoding": "utf-8"}
    with pytest.raises(ParseError) as ours:
        BoundedJSONParser().parse(io.BytesIO(body), "application/json", context)
    with pytest.raises(ParseError) as drfs:
        JSONParser().parse(io.BytesIO(body), "application/json", context)
    assert str(ours.value.detail) == str(drfs.value.detail)


def test_each_agency_has_its_queue_and_its_tasks_go_there(world, monkeypatch):
    from django.conf import settings

    from clearance import dispatch, tasks
    from declarations.models import AgencyDispatch
    from sharing.adapters import AGENCIES

    assert set(settings.AGENCY_QUEUES) == set(AGENCIES)
    queues = {q.name for q in settings.CELERY_TASK_QUEUES}
    assert queues == {settings.CELERY_TASK_DEFAULT_QUEUE, *AGENCIES}
    world.declare(world.declaration(1))
    sent = []
    monkeypatch.setattr(
        tasks.dispatch_to_agency, "apply_async", lambda args, queue: sent.append((args[0], queue))
    )
    dispatches = dict(AgencyDispatch.objects.values_list("pk", "agency"))
    dispatch.publish(list(dispatches))
    assert sorted(sent) == sorted(dispatches.items())


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ("20261125103000", "%Y%m%d%H%M%S"),
        ("20260229103000", "%Y%m%d%H%M%S"),
        ("20240229000000", "%Y%m%d%H%M%S"),
        ("20261125246000", "%Y%m%d%H%M%S"),
        ("20261125235960", "%Y%m%d%H%M%S"),
        ("2026112510300", "%Y%m%d%H%M%S"),
        ("20261131", "%Y%m%d"),
        ("20261130", "%Y%m%d"),
        ("00001130", "%Y%m%d"),
        ("2026113", "%Y%m%d"),
        ("2026-1130", "%Y%m%d"),
        ("２０２６１１３０", "%Y%m%d"),
    ],
)
def test_dates_are_checked_as_strptime_checks_them(value, pattern):
    try:
        datetime.strptime(value, pattern).replace(tzinfo=UTC)
        real = True
    except ValueError:
        real = False
    assert schemas.is_real_date(value, pattern) is real


def test_intake_receipts_have_the_documented_shape(world):
    good = world.declaration(1)["order"]
    bad = {**world.declaration(2)["order"], "currency": "XXX"}
    results = services.submit(
        kind="order", documents=[good, bad, good], by=Principal(enterprise=world.platform)
    )
    assert [r.outcome for r in results] == ["accepted", "rejected", "rejected"]
    receipts = intake_response(results, single=False).data["receipts"]
    assert receipts == [IntakeReceiptSerializer(result).data for result in results]
    # one document alone answers its receipt as the body (with the error body when it is rejected)
    assert intake_response(results[:1], single=True).data == IntakeReceiptSerializer(results[0]).data
    assert (
        intake_response(results[1:2], single=True).data["receipt"] == IntakeReceiptSerializer(results[1]).data
    )


def test_rows_loaded_without_the_constructor_are_the_orms(world):
    world.declare(world.declaration(1))
    for model in (InventoryList, InventoryItem, Receipt):
        fast, slow = load(model.objects.order_by("id")), list(model.objects.order_by("id"))
        assert fast == slow and fast
        for a, b in zip(fast, slow, strict=True):
            assert not a._state.adding and a._state.db == b._state.db
            for field in model._meta.concrete_fields:
                assert getattr(a, field.attname) == getattr(b, field.attname), field.name


def test_declared_lists_read_back_from_their_message_as_the_constructor_builds_them():
    from sharing.adapters.base import DeclaredExport, DeclaredLine, DeclaredList, ExportLine

    line = DeclaredLine(1, "3304990099", "面霜", "690123", Decimal("2"), Decimal("99.50"), "116", "R1")
    declared = DeclaredList(
        7, "C1", "P1", "9610", "5165", "EBP", "EBC", "AG", "LOG", "AS", "AR", "", "110101199001011234",
        Decimal("10"), Decimal("0"), Decimal("9.1"), Decimal("9.1"), "PAY", "110101199001011234",
        Decimal("118.6"), (line, line), enterprise_id=3,
    )  # fmt: skip
    shirt = ExportLine(1, "6109", "T恤", Decimal("3"), Decimal("300.5"), "CNY")
    exported = DeclaredExport(
        8, "C2", "P2", "9610", "1", "5165", "EBP", "EBC", "AG", "LOG", "OWN", "502", "WH", "L1",
        Decimal("300.5"), "USD", Decimal("42"), "PAY", (shirt,),
    )  # fmt: skip
    for original in (declared, exported):
        message = original.to_message()
        again = type(original).from_message(message)
        assert again == original
        assert again.__dict__ == original.__dict__
        assert type(again.lines[0].qty) is Decimal
        # A message missing a field with a default takes the default, as the constructor does.
        del message["enterprise_id"]
        assert type(original).from_message(message).enterprise_id == 0
        with pytest.raises(TypeError):
            type(original).from_message({**original.to_message(), "unknown": 1})


def test_rows_updated_in_bulk_read_back_exactly(world):
    """update_rows writes what bulk_update would: amounts (rounded to the column), times, links, NULLs,
    choices and awkward text."""
    for number in (1, 2, 3):
        world.declare(world.declaration(number))
    lists = list(InventoryList.objects.order_by("id"))
    when = datetime(2026, 11, 26, 3, 4, 5, 678901, tzinfo=UTC)
    for n, inventory in enumerate(lists):
        inventory.status = InventoryList._meta.get_field("status").choices[n][0]
        inventory.status_reason = 'it\'s a \\ "quoted"\ttab 中文' if n == 0 else ""
        inventory.tax_amount = Decimal("12.345678") if n == 1 else None
        inventory.customs_tax = Decimal(n)
        inventory.final_at = when if n != 2 else None
        inventory.order_id = None if n == 2 else inventory.order_id
    assert (
        update_rows(lists, ["status", "status_reason", "tax_amount", "customs_tax", "final_at", "order"]) == 3
    )
    for before, after in zip(lists, InventoryList.objects.order_by("id"), strict=True):
        assert after.status == before.status and after.status_reason == before.status_reason
        assert after.customs_tax == before.customs_tax and after.final_at == before.final_at
        assert after.order_id == before.order_id
    stored = InventoryList.objects.order_by("id")
    assert stored[1].tax_amount == Decimal("12.34568") and stored[0].tax_amount is None  # the column's places


def test_rows_updated_after_insert_have_room_for_a_hot_update():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage parameter")
    tables = ["declarations_inventoryitem", "finance_buyerquota", "finance_quotause", "sharing_forexpurchase"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [tables])
        options = dict(cursor.fetchall())
    assert options == dict.fromkeys(tables, ["fillfactor=50"])
