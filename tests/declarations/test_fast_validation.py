"""The fast validator accepts exactly what the DRF schema accepts, with the same values."""

import copy

import pytest

from declarations import schemas
from declarations.services import SPECS

from ..factories import ClearanceWorld
from .test_intake import BAD, DELETE, _set

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return ClearanceWorld()


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
