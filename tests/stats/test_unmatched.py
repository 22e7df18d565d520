"""Lists whose documents never matched are not a supervision mode, a country or an HS chapter."""

import pytest
from django.utils import timezone

from stats import selectors
from stats.models import DailyStat

pytestmark = pytest.mark.django_db


def test_unmatched_lists_are_no_mode_country_or_chapter():
    today = timezone.localdate()
    common = {"day": today, "direction": "I", "ebc_code": "3301960001"}
    DailyStat.objects.create(
        **common, trade_mode="9610", country="502", hs_chapter="33", outcome="released", lists=3
    )
    DailyStat.objects.create(**common, trade_mode="", country="", hs_chapter="", outcome="mismatch", lists=2)
    f = selectors.StatsFilter(today, today)
    for by in ("trade_mode", "country", "hs_chapter"):
        assert "" not in {row["key"] for row in selectors.breakdown(f, by)}, by
    # the flow breakdown still counts them, as documents that do not match
    flows = {row["key"]: row["lists"] for row in selectors.breakdown(f, "flow")}
    assert flows == {"direct_import": 3, "unmatched": 2}
