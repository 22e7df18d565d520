"""The fast validator accepts exactly what the DRF schema accepts, with the same values."""

import copy

import pytest

from declarations import schemas
from declarations.services import SPECS

from .test_intake import BAD, DELETE, _set

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["order", "payment", "waybill", "inventory"])
def test_valid_documents_give_the_same_data_both_ways(world, kind):
    schema = SPECS[kind].schema()
    fast = schemas.FastValidator(schema)
    for number in range(1, 40):
        document = world.declaration(number, trade_mode="1210" if number % 3 == 0 else "9610")[kind]
        quick = fast.validate(document)
        assert quick is not None, document
        assert quick == schema.run_validation(document)


@pytest.mark.parametrize(("kind", "path", "value", "field"), [b for b in BAD if b[3] is not None])
def test_bad_documents_are_left_to_drf(world, kind, path, value, field):
    document = copy.deepcopy(world.declaration(1)[kind])
    _set(document, path, value)
    fast = schemas.FastValidator(SPECS[kind].schema())
    if field in {"ebp_code", "pay_code", "ebc_code"} and value is not DELETE:
        return  # valid on its own: the authorisation check, not validation, refuses it
    assert fast.validate(document) is None


@pytest.mark.parametrize("value", [" 12.00", "NaN", "12.123456", 12.5, True, "", "0x10"])
def test_odd_amounts_fall_back(world, value):
    document = world.declaration(1)["payment"]
    document["amount_paid"] = value
    assert schemas.FastValidator(SPECS["payment"].schema()).validate(document) is None


def _resident_id_as_stdnum_reads_it(value: str) -> bool:
    """The check as first written with python-stdnum: the reference for the faster one."""
    from stdnum.cn import ric

    value = (value or "").upper()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        ric.get_birth_date(value)
    except Exception:  # noqa: BLE001
        return False
    return ric.calc_check_digit(value) == value[17]


def test_resident_ids_are_judged_as_stdnum_judges_them():
    import random

    from stdnum.cn import ric

    from declarations.matching import resident_id_valid

    rng = random.Random(11643)
    births = ["19900101", "20000229", "19000229", "19991231", "20230230", "19851301", "19850000", "00000101"]
    values = [
        "",
        None,
        "x" * 18,
        "11010519900101123",
        "110105199001011234 ",
        "１１０１０５１９９００１０１１２３４",
    ]
    for birth in births:
        for _ in range(40):
            body = f"{rng.randrange(110000, 660000)}{birth}{rng.randrange(1000):03d}"
            right = ric.calc_check_digit(body + "0")
            values += [body + right, body + right.lower(), body + rng.choice("0123456789X"), body + " "]
    values += ["١١٠١٠٥١٩٩٠٠١٠١١٢٣" + c for c in "0123456789X"]  # digits of another script
    for value in values:
        assert resident_id_valid(value) == _resident_id_as_stdnum_reads_it(value), value
    assert sum(map(resident_id_valid, values)) > 100  # the valid ones are there


@pytest.mark.parametrize(
    "value",
    ["0", "12", "12.5", "268.00", "99999999999999.99999", "00012.50000", "100000000000000", "١٢", "1e3", 7],
)
def test_amounts_are_read_as_drf_reads_them(world, value):
    """Where the fast path takes an amount, it is DRF's value; where DRF refuses it, so does the fast path."""
    from rest_framework.exceptions import ValidationError

    document = world.declaration(1)["payment"]
    document["amount_paid"] = value
    quick = schemas.FastValidator.of(SPECS["payment"].schema).validate(document)
    try:
        slow = SPECS["payment"].schema().run_validation(document)
    except ValidationError:
        slow = None
    assert quick is None or quick == slow
    assert slow is not None or quick is None
    if value in ("0", "12", "12.5", "268.00", "99999999999999.99999"):
        assert quick is not None  # the plain amounts a partner sends take the fast path


@pytest.mark.parametrize("text", ["中文\x00名", "\ud800", "a\udfffb"])
def test_text_drf_would_refuse_is_left_to_drf(world, text):
    document = world.declaration(1)["order"]
    document["items"][0]["item_name"] = text  # in a line, checked by the line's validator
    assert schemas.FastValidator.of(SPECS["order"].schema).validate(document) is None
    document = world.declaration(2)["order"]
    document["buyer_name"] = text
    assert schemas.FastValidator.of(SPECS["order"].schema).validate(document) is None
