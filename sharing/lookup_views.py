"""The forms' lookups as small JSON answers for the page's comboboxes (static/js/lookup.js): for a
signed-in person (the session), read-only reference data, a page of at most 20 codes."""

from django.http import JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import lookups
from .code_tables import table_named


def _refusal(field: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"detail": message, "fields": {field: [message]}}, status=status)


def _answer(request, search) -> JsonResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Sign in to use the lookups.")}, status=403)
    raw_page = request.GET.get("page", "1")
    # ASCII digits only, and few: str.isdigit() also takes "²", and int() refuses 5,000 digits.
    if (
        not (raw_page.isascii() and raw_page.isdigit() and len(raw_page) <= 4)
        or not 1 <= int(raw_page) <= 1000
    ):
        return _refusal("page", _("A page is a whole number from 1 to 1000."))
    q = request.GET.get("q", "")
    if len(q) > 200:
        return _refusal("q", _("Search with at most 200 characters."))
    found = search(q, chinese=(get_language() or "").startswith("zh"), page=int(raw_page))
    return JsonResponse(
        {"results": [f.as_json() for f in found.results], "page": found.page, "has_next": found.has_next}
    )


@require_GET
def hs_codes(request):
    """/lookups/hs-codes/?q=: HS headings by the start of the code or a part of the name."""
    return _answer(request, lookups.hs_search)


@require_GET
def code_table(request, table: str):
    """/lookups/<table>/?q=: a code table of DOMAIN 8 (or its alias) searched the same way."""
    name = table_named(table)
    if name is None:
        return JsonResponse({"detail": _("There is no such code table.")}, status=404)
    return _answer(request, lambda q, **kwargs: lookups.code_search(name, q, **kwargs))
