"""How the portal writes money, rates and times on a page, in one place: money with two decimals and
the language's separators, rates as percentages, times in the zone's local time with their date.

Registered as template builtins (settings TEMPLATES), so every template can use them unloaded.
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import numberformat, timezone

from singlewindow.core import texts

register = template.Library()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _grouped(number: Decimal, places: int | None) -> str:
    # Both of the portal's languages write 1,234.50 (Chinese bills group by thousands too).
    return numberformat.format(number, ".", places, grouping=3, thousand_sep=",", force_grouping=True)


@register.filter
def money(value: Any) -> str:
    """1210.00000 -> 1,210.00; empty for no amount, so `|default:"—"` still works."""
    amount = _decimal(value)
    if amount is None:
        return ""
    return _grouped(amount.quantize(Decimal("0.01")), 2)


@register.filter
def quantity(value: Any) -> str:
    """A quantity without trailing zeros: 3.00000 -> 3, 1200.50000 -> 1,200.5."""
    amount = _decimal(value)
    if amount is None:
        return ""
    return _grouped(amount.normalize(), None)


@register.filter
def percent(value: Any) -> str:
    """A rate given as a share of one, as a percentage: 0.0300 -> 3%, 0.125 -> 12.5%."""
    rate = _decimal(value)
    if rate is None:
        return ""
    text = f"{(rate * 100).quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") + "%"


@register.filter
def when(value: Any, with_seconds: bool = False) -> str:
    """A moment in the zone's local time, always with its date: 2026-12-06 19:38."""
    if not isinstance(value, datetime):
        return date_filter(value, "Y-m-d") if isinstance(value, date) else ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_filter(value, "Y-m-d H:i:s" if with_seconds else "Y-m-d H:i")


@register.filter
def reworded(value: Any) -> str:
    """A sentence the window kept in English only (a record's basis, an older reason), in the reader's
    language when the catalogue wrote it; anything else as it is."""
    return texts.reworded(str(value)) if value else ""
