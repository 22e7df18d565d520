"""The Documents area's navigation: each role is offered the lists it reads and the forms it may file
(the same predicates the pages and intake enforce), never a form it would be refused after filling."""

from typing import Any

from django import template

from .. import selectors
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
