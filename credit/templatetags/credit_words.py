"""Credit levels in words on a page: `{{ record.credit_level|level_name }}`."""

from django import template

from credit.models import LEVEL_NAMES

register = template.Library()


@register.filter
def level_name(code: str) -> str:
    """A credit level's name in the reader's language; its code when the portal has no name for it."""
    return str(LEVEL_NAMES.get(code, code))
