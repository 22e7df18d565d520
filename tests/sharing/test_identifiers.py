"""Check digits of the USCC and the resident ID (DOMAIN 7)."""

import pytest
from django.utils import translation

from sharing.identifiers import customs_code_error, uscc_error


@pytest.mark.parametrize("value", ["91110000600037341L", "91350100M000100Y43", "9144030071526726XG"])
def test_published_uscc_test_vectors_pass(value):
    assert uscc_error(value) is None


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("91110000600037341", "18 characters"),  # too short
        ("91110000600037341LL", "18 characters"),  # too long
        ("91110000600037341M", "should be L"),  # wrong check character
        ("9111000060003734IL", "not allowed"),  # forbidden letter I
        ("91110000600O37341L", "not allowed"),  # forbidden letter O
        ("91A10000600037341L", "Positions 3 to 8"),  # division code must be digits
    ],
)
def test_invalid_uscc_says_why(value, fragment):
    with translation.override("en"):
        assert fragment in uscc_error(value)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("3301960001", True),
        ("46016602EV", True),
        ("330196000", False),
        ("3301-96000", False),
        ("3301960001X", False),
    ],
)
def test_customs_code_is_ten_alphanumerics(value, ok):
    assert (customs_code_error(value) is None) is ok
