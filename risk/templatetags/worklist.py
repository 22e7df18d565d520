"""The home page's card of an official's worklist: what waits in each of their agency's queues.

A template tag, so that sharing's home page shows it without sharing importing risk (above it)."""

from typing import Any

from django import template

from .. import worklists

register = template.Library()


@register.inclusion_tag("risk/_worklist_card.html")
def worklist_card(principal: Any) -> dict[str, Any]:
    agency = worklists.agency_of(principal) if principal is not None else None
    return {"queues": worklists.counts(agency) if agency else []}
