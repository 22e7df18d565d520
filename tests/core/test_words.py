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


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("line 1: 2402100000 is on the watch list", "第 1 项：2402100000 在监控清单上"),
        (
            "payer 3301...X paid for buyer 3302...Y (buyer not verified)",
            "支付人 3301...X 为买家 3302...Y 付款（买家未核验）",
        ),
        ("documents did not match", "单证不一致"),
        (
            "9710 export by a zone-registered exporter: no invoice, VAT exempt",
            "9710 出口，出口企业已在综试区登记：无票免税",
        ),
        ("a reason an official typed", "a reason an official typed"),
    ],
)
def test_a_sentence_kept_in_english_reads_in_chinese(english, chinese):
    assert _render("{{ v|reworded }}", "zh-hans", v=english) == chinese
    assert _render("{{ v|reworded }}", "en", v=english) == english
