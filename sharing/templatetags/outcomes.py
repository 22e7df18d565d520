"""Receipts' codes in words on a page: `{{ receipt.return_status|code_meaning }}`."""

from django import template

from sharing.choices import code_meaning as meaning_of

register = template.Library()


@register.filter
def code_meaning(code: str) -> str:
    """What a returnStatus or business code means and what to do next, in the reader's language."""
    return meaning_of(str(code or ""))
