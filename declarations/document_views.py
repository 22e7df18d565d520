"""The Documents area: the lists of inventory lists, orders, payments and waybills, each searched by
part of a number, dates and status (the query string), or by buyer ID (posted, never in a URL), sorted
without losing the filters, and exported with the same filters to CSV or Excel."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from singlewindow.core.access import guard
from singlewindow.core.xlsx import EXPORT_FORMATS
from singlewindow.core.xlsx import export_response as tabular_export

from . import selectors
from .choices import DocumentKind
from .filters import (
    ID_NUMBER_PARAMETERS,
    AgencyReceiptFilterSet,
    DocumentFilterSet,
    ExportInventoryFilterSet,
    InventoryFilterSet,
    OrderFilterSet,
    PaymentFilterSet,
    ReceiptFilterSet,
    ReturnFilterSet,
    WaybillFilterSet,
)
from .tables import TABLES, DocumentTable, export_rows, page_rows

# The URL's plural of each list (/documents/orders/...) and the FilterSet that searches it.
LIST_SLUGS = {
    "orders": DocumentKind.ORDER,
    "payments": DocumentKind.PAYMENT,
    "waybills": DocumentKind.WAYBILL,
    "returns": DocumentKind.REFUND,
}
FILTERSETS: dict[str, type[DocumentFilterSet]] = {
    DocumentKind.ORDER: OrderFilterSet,
    DocumentKind.PAYMENT: PaymentFilterSet,
    DocumentKind.WAYBILL: WaybillFilterSet,
    DocumentKind.INVENTORY: InventoryFilterSet,
    "receipt": ReceiptFilterSet,
    DocumentKind.REFUND: ReturnFilterSet,
    "agency-receipt": AgencyReceiptFilterSet,
    "export-inventory": ExportInventoryFilterSet,
}
# Lists whose documents carry the buyer's (payer's) ID number: the search by buyer is offered there.
BUYER_SEARCHABLE = {DocumentKind.ORDER, DocumentKind.PAYMENT, DocumentKind.INVENTORY}
# Query parameters that are not filters: an empty result with only these is "no documents yet".
NOT_FILTERS = {"sort", "page", "export"}
BUYER_SEARCH_LIMIT = 100


class BuyerSearchForm(forms.Form):
    """The search by buyer ID: posted, so the number never lands in a URL, a log or a history."""

    buyer_id_number = forms.CharField(label=gettext_lazy("Buyer ID number"), max_length=60)


def reads_documents(principal) -> bool:
    """Enterprises (their own documents) and officials (every document, buyers masked per agency)."""
    return principal.enterprise is not None or principal.sees_everything


@guard(reads_documents)
def documents_home(request):
    """The Documents area opens on the first list the caller's roles read."""
    kinds = selectors.listed_kinds(request.principal)
    if not kinds or kinds[0] == DocumentKind.INVENTORY:
        return redirect("inventory-list")
    slug = next(slug for slug, kind in LIST_SLUGS.items() if kind == kinds[0])
    return redirect("document-list", slug)


def refuse_unlisted(principal, kind: str) -> None:
    """A list the caller's roles are not offered is refused up front, as the filing pages are (a
    payment firm typing /documents/orders/ gets a 403, not a page of orders it happens to be named
    on). A pending enterprise, offered nothing yet, keeps its empty list of lists."""
    kinds = selectors.listed_kinds(principal)
    if kind not in kinds and (kinds or kind != DocumentKind.INVENTORY):
        raise PermissionDenied


@guard(reads_documents)
def inventory_list(request):
    """The inventory lists the caller may see, with their status (the list of lists since the start)."""
    refuse_unlisted(request.principal, DocumentKind.INVENTORY)
    return document_page(request, TABLES[DocumentKind.INVENTORY], "declarations/inventory_list.html")


@guard(reads_documents)
def document_list(request, slug: str):
    """Orders, payments or waybills the caller may see: an enterprise the ones it is a party to."""
    kind = LIST_SLUGS.get(slug)
    if kind is None:
        raise Http404
    refuse_unlisted(request.principal, kind)
    return document_page(request, TABLES[kind], "declarations/document_list.html", slug=slug)


@guard(lambda principal: principal.enterprise is not None)
def receipt_list(request):
    """The enterprise's receipts (its pull queue), newest first, searched and exported as the lists."""
    receipts = selectors.receipts_for(principal=request.principal)
    return document_page(request, TABLES["receipt"], "declarations/receipt_list.html", queryset=receipts)


def document_page(request, table: DocumentTable, template: str, queryset=None, **extra) -> HttpResponseBase:
    """A list page, its buyer search and its exports: one shape for every document list."""
    qs = (
        queryset
        if queryset is not None
        else selectors.documents_for(table.model, principal=request.principal)
    )
    filterset_class = FILTERSETS[table.kind]
    searchable = table.kind in BUYER_SEARCHABLE
    context = {"table": table, "searchable": searchable, **extra}
    if request.method == "POST":
        search = BuyerSearchForm(request.POST)
        if not searchable:
            raise Http404
        found = (
            selectors.of_buyer(qs, search.cleaned_data["buyer_id_number"]).order_by("-id")
            if search.is_valid()
            else qs.none()
        )
        export = request.POST.get("export")
        if export in EXPORT_FORMATS and search.is_valid():
            return export_response(request, table, found[:BUYER_SEARCH_LIMIT], export)
        context |= {
            "filterset": filterset_class(None, queryset=qs),
            "search": search,
            "searched": True,
            "sort": "-id",
            "page": Paginator(found[:BUYER_SEARCH_LIMIT], BUYER_SEARCH_LIMIT).get_page(1),
        }
        context["rows"] = page_rows(table, context["page"].object_list, request.principal)
        return render(request, template, context, status=200 if search.is_valid() else 400)
    filterset = filterset_class(request.GET or None, queryset=qs)
    sort = request.GET.get("sort", "-id")
    if sort.lstrip("-") not in table.sortable:
        sort = "-id"
    # A buyer ID in the query string is refused, not silently ignored: the page says to search by POST.
    refused = filterset.is_bound and any(name in filterset.errors for name in ID_NUMBER_PARAMETERS)
    invalid = filterset.is_bound and not filterset.is_valid()
    results = qs.none() if invalid else filterset.qs.order_by(sort, "-id")
    export = request.GET.get("export")
    if export in EXPORT_FORMATS and not invalid:
        return export_response(request, table, results, export)
    filtered = any(value for name, value in request.GET.items() if name not in NOT_FILTERS)
    context |= {
        "filterset": filterset,
        "search": BuyerSearchForm(),
        "sort": sort,
        "filtered": filtered,
        "page": Paginator(results, 25).get_page(request.GET.get("page")),
    }
    context["rows"] = page_rows(table, context["page"].object_list, request.principal)
    return render(request, template, context, status=400 if refused or invalid else 200)


def export_response(request, table: DocumentTable, results, export: str) -> HttpResponseBase:
    """The filtered list as a file, streamed row by row; buyers masked as on the page."""
    name = f"{table.filename}-{timezone.localtime():%Y%m%d-%H%M}"
    return tabular_export(export, name, table.header, export_rows(table, results, request.principal))
