"""Money, rates and times as a person reads them, in both languages (issue 18, item 4)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import engines
from django.test import override_settings
from django.utils import translation


def _render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("source", "value", "shown"),
    [
        ("{{ v|money }}", Decimal("1945.77000000000"), "1,945.77"),
        ("{{ v|money }}", Decimal("1210.00000"), "1,210.00"),
        ("{{ v|money }}", 0, "0.00"),
        ("{{ v|money|default:'-' }}", None, "-"),
        ("{{ v|percent }}", Decimal("0.0300"), "3%"),
        ("{{ v|percent }}", Decimal("0.125"), "12.5%"),
        ("{{ v|quantity }}", Decimal("3.00000"), "3"),
        ("{{ v|quantity }}", Decimal("1200.50000"), "1,200.5"),
        ("{{ v|when }}", date(2026, 12, 4), "2026-12-04"),
    ],
)
def test_numbers_read_the_same_in_both_languages(source, value, shown, language):
    assert _render(source, language, v=value) == shown


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_a_moment_is_local_time_with_its_date():
    moment = datetime(2026, 12, 6, 17, 30, 5, tzinfo=UTC)
    assert _render("{{ t|when }}", "en", t=moment) == "2026-12-07 01:30"
    assert _render("{{ t|when:True }}", "zh-hans", t=moment) == "2026-12-07 01:30:05"
