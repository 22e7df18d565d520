"""The Documents area's navigation: each role is offered the lists it reads and the forms it may file
(the same predicates the pages and intake enforce), never a form it would be refused after filling."""

import re
from typing import Any

from django import template

from .. import selectors
from ..labels import FIELD_LABELS
from ..services import may_file

register = template.Library()

FORM_KINDS = ("order", "payment", "waybill", "inventory")


@register.simple_tag(takes_context=True)
def documents_nav(context: Any) -> dict[str, Any]:
    principal = context.get("principal")
    if principal is None:
        return {"lists": [], "filing": [], "uploads": False}
    filing = [kind for kind in FORM_KINDS if may_file(principal.enterprise, kind)]
    return {"lists": selectors.listed_kinds(principal), "filing": filing, "uploads": bool(filing)}


_LINE_INDEX = re.compile(r"\[\d+\]|\.\d+(?=\.)")


@register.filter
def field_label(name: str) -> str:
    """A schema field named by an error (`actual_paid`, `items[1].gcode`) as its label on the forms;
    "" for a name the table does not know."""
    label = FIELD_LABELS.get(_LINE_INDEX.sub("", str(name)))
    return str(label.label) if label else ""
