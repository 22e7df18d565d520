"""Printable documents (a release notice, a list with its receipts, a monthly tax bill) as PDF.

WeasyPrint lays out an HTML template with static/css/print.css; Chinese is drawn with the Noto CJK
fonts that fontconfig finds (Debian's fonts-noto-cjk). Nothing is fetched while rendering: the
stylesheet is read from the static files and every other URL is refused, so a document never makes
the server reach the network.
"""

from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from .csv import safe_filename

PRINT_STYLESHEET = "css/print.css"


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"a printed document fetches nothing ({url})")


def render_pdf(request: HttpRequest, *, template: str, context: dict[str, Any]) -> bytes:
    """The template rendered for `request` (its language and principal) as PDF bytes."""
    from weasyprint import CSS, HTML  # imported on use: it loads Pango, which pages without PDF never need

    html = render_to_string(template, context, request=request)
    stylesheet = CSS(filename=finders.find(PRINT_STYLESHEET), url_fetcher=_refuse_fetch)
    document: bytes = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(stylesheets=[stylesheet])
    return document


def pdf_response(
    request: HttpRequest, *, template: str, context: dict[str, Any], filename: str
) -> HttpResponse:
    """The document as a PDF attachment named `filename` (made safe for the header)."""
    response = HttpResponse(
        render_pdf(request, template=template, context=context), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{safe_filename(filename, default="document.pdf")}"'
    )
    response["Cache-Control"] = "private, no-store"  # it names the buyer and the amounts
    return response
