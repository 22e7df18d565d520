"""Export pages: the caller's export lists (CEB603) with their outcome, and its summary declarations
(CEB701/792) with the form to apply for one. The same selectors and service as the API."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from singlewindow.core.access import enterprise_member_required, guard
from singlewindow.core.errors import ServiceError
from singlewindow.core.forms import add_service_errors
from singlewindow.core.months import last_month

from . import selectors, services
from .document_views import document_page
from .models import ExportInventoryItem, ExportInventoryList
from .schemas import EXPORT_MODES
from .tables import TABLES

summary_reader_required = guard(lambda p: p.enterprise is not None or p.sees_everything)


class SummaryApplyForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2014, max_value=2100)
    month = forms.IntegerField(label=gettext_lazy("Month"), min_value=1, max_value=12)
    trade_mode = forms.ChoiceField(
        label=gettext_lazy("Supervision mode"), choices=[(mode, mode) for mode in EXPORT_MODES]
    )
    decl_agent_code = forms.CharField(label=gettext_lazy("Declaring agent code"), max_length=18)
    decl_agent_name = forms.CharField(label=gettext_lazy("Declaring agent name"), max_length=100)


def _page(request, queryset, size: int = 25):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


@enterprise_member_required
def export_list(request):
    """The caller's export lists with their status: searched by part of a number, status, mode and
    dates, sorted and exported as the document lists are."""
    qs = selectors.documents_for(ExportInventoryList, principal=request.principal)
    return document_page(request, TABLES["export-inventory"], "declarations/export_list.html", queryset=qs)


@login_required
def export_detail(request, pk: int):
    """One export list: lines, status and reason, and the VAT exemption and forex settlement if any."""
    qs = (
        selectors.documents_for(ExportInventoryList, principal=request.principal)
        .select_related("vat_exemption", "forex_settlement", "summary")
        .prefetch_related(Prefetch("items", queryset=ExportInventoryItem.objects.order_by("gnum")))
    )
    inventory = get_object_or_404(qs, pk=pk)
    context = {
        "inventory": inventory,
        # A missing reverse one-to-one raises an AttributeError: getattr's default answers None.
        "vat_exemption": getattr(inventory, "vat_exemption", None),
        "forex_settlement": getattr(inventory, "forex_settlement", None),
    }
    return render(request, "declarations/export_detail.html", context)


@summary_reader_required
def summary_list(request):
    """The caller's summary declarations; an approved exporter applies for a finished month's."""
    principal = request.principal
    enterprise = principal.enterprise
    form = None
    if enterprise is not None and enterprise.is_approved:
        year, month = last_month()
        initial = {
            "year": year,
            "month": month,
            "trade_mode": EXPORT_MODES[0],
            "decl_agent_code": enterprise.customs_code,
            "decl_agent_name": enterprise.name_zh,
        }
        form = SummaryApplyForm(request.POST or None, initial=initial)
    elif request.method == "POST":
        raise PermissionDenied
    if form is not None and form.is_bound and form.is_valid():
        try:
            summary, created = services.summary_apply(
                ebc_code=enterprise.customs_code, by=principal, **form.cleaned_data
            )
        except ServiceError as exc:  # refused (on its field) or forbidden (above the form)
            add_service_errors(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("Summary declaration applied for: %(n)s lists.") % {"n": summary.list_count},
                )
            else:
                messages.info(request, _("This month and mode were already summarised."))
            return redirect("summary-list")
    summaries = selectors.summaries_for(principal=principal).order_by("-year", "-month", "trade_mode")
    return render(
        request, "declarations/summary_list.html", {"form": form, "page": _page(request, summaries)}
    )
