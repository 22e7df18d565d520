"""Pages of financial services: a guarantor's month of withheld tax and its consolidation, tax
guarantees and top-ups, an exporter's forex statement, and financing requests. Each calls the same
service as the API."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from singlewindow.core import months
from singlewindow.core.access import guard
from singlewindow.core.forms import add_service_errors
from singlewindow.core.inputs import parse_id
from singlewindow.core.pdf import pdf_response

from . import selectors, services
from .forms import FinancingApplyForm, FinancingDecisionForm, ForexStatementForm, TaxSummaryForm, TopUpForm
from .models import FinancingRequest

tax_reader_required = guard(selectors.reads_tax_summaries)
# Guarantees: an enterprise its own (guarantees_for), officials every one.
enterprise_or_official_required = guard(lambda p: p.enterprise is not None or p.sees_everything)
forex_reader_required = guard(selectors.reads_forex_statements)
financing_user_required = guard(lambda p: p.enterprise is not None or services.may_decide_financing(p))


def _page(request, queryset, size: int = 25):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


# --- the monthly tax summary ---------------------------------------------------------------------


@tax_reader_required
def tax_summary(request):
    """A guarantor's month: the tax bills of lists released in it, the credits of returns, what is due.
    The guarantor sees its own; tax and customs officials name one, and tax officials consolidate."""
    principal = request.principal
    if request.method == "POST":
        return _consolidate(request)
    year, month = months.last_month()
    official = selectors.reads_every_tax_summary(principal)
    # Opened without a month: the latest month with bills, or a word that there is none yet.
    opened_on = None
    if "year" not in request.GET and "month" not in request.GET:
        code = selectors.tax_summary_guarantor(principal, request.GET.get("assure_code", "").strip())
        if code:
            latest = selectors.tax_summary_latest_month(assure_code=code)
            opened_on = "latest" if latest else "none"
            year, month = latest or (year, month)
    period = TaxSummaryForm({"year": year, "month": month, **request.GET.dict()})
    summary = None
    if period.is_valid():
        code = selectors.tax_summary_guarantor(principal, period.cleaned_data["assure_code"])
        if code is None:
            raise Http404
        if code:
            data = period.cleaned_data
            summary = selectors.tax_summary(assure_code=code, year=data["year"], month=data["month"])
    context = {"period": period, "summary": summary, "official": official, "opened_on": opened_on}
    if summary is not None:
        query = {"year": summary.year, "month": summary.month, "assure_code": summary.assure_code}
        context["csv_url"] = f"{reverse('finance-api:tax-summary-csv')}?{urlencode(query)}"
        context["pdf_url"] = f"{reverse('tax-summary-pdf')}?{urlencode(query)}"
        # A month is consolidated once it is over, and only once.
        context["can_consolidate"] = (
            services.may_act_for_tax(principal)
            and summary.consolidation is None
            and months.is_over(summary.year, summary.month)
            and bool(summary.bills or summary.credits)
        )
    return render(request, "finance/tax_summary.html", context)


@tax_reader_required
def tax_summary_pdf(request):
    """The guarantor's month as a printed tax bill (PDF), read under the same rules as the page."""
    period = TaxSummaryForm(request.GET)
    if not period.is_valid():
        raise Http404
    code = selectors.tax_summary_guarantor(request.principal, period.cleaned_data["assure_code"])
    if not code:
        raise Http404
    data = period.cleaned_data
    summary = selectors.tax_summary(assure_code=code, year=data["year"], month=data["month"])
    return pdf_response(
        request,
        template="finance/tax_summary_pdf.html",
        context={"summary": summary, "printed_at": timezone.localtime()},
        filename=f"tax-bill-{code}-{summary.year}-{summary.month:02d}.pdf",
    )


def _consolidate(request):
    """The consolidate button: the period comes back in hidden fields; the answer is a message."""
    principal = request.principal
    if not services.may_act_for_tax(principal):
        raise PermissionDenied
    posted = TaxSummaryForm(request.POST)
    if not posted.is_valid() or not posted.cleaned_data["assure_code"]:
        messages.error(request, _("Name the guarantor and the month."))
        return redirect("tax-summary")
    try:
        consolidation, created = services.tax_consolidate(by=principal, **posted.cleaned_data)
    except services.FinanceRefused as exc:
        for field_messages in exc.fields.values():
            for message in field_messages:
                messages.error(request, message)
    else:
        if created:
            messages.success(
                request, _("Consolidated into payment form %(no)s.") % {"no": consolidation.ent_duty_no}
            )
        else:
            messages.info(request, _("This month was already consolidated."))
    return redirect(f"{reverse('tax-summary')}?{urlencode(posted.cleaned_data)}")


# --- tax guarantees ------------------------------------------------------------------------------


@enterprise_or_official_required
def guarantee_list(request):
    """Guarantees with what is drawn, reserved and left; a tax official tops one up."""
    principal = request.principal
    guarantees = selectors.guarantees_for(principal=principal)
    bound = None
    if request.method == "POST":
        if not services.may_act_for_tax(principal):
            raise PermissionDenied
        ident = request.POST.get("guarantee", "")
        guarantee = get_object_or_404(guarantees, pk=parse_id(ident) or 0)
        bound = TopUpForm(request.POST, prefix=f"g{guarantee.pk}")
        if bound.is_valid():
            try:
                services.guarantee_top_up(guarantee=guarantee, by=principal, **bound.cleaned_data)
            except services.FinanceRefused as exc:
                add_service_errors(bound, exc)
            else:
                messages.success(
                    request,
                    _("Guarantee %(code)s raised by %(amount)s.")
                    % {"code": guarantee.assure_code, "amount": bound.cleaned_data["amount"]},
                )
                return redirect(request.get_full_path())
    page = _page(request, guarantees, 50)
    rows = [
        (g, bound if bound is not None and bound.prefix == f"g{g.pk}" else TopUpForm(prefix=f"g{g.pk}"))
        for g in page.object_list
    ]
    return render(
        request,
        "finance/guarantee_list.html",
        {"page": page, "rows": rows, "can_top_up": services.may_act_for_tax(principal)},
    )


# --- forex settlement statement ------------------------------------------------------------------


@forex_reader_required
def forex_statement(request):
    """An exporter's proceeds settled in a month, per export list and per currency."""
    principal = request.principal
    today = timezone.localdate()
    period = ForexStatementForm({"year": today.year, "month": today.month, **request.GET.dict()})
    statement, csv_url = None, ""
    if period.is_valid():
        data = period.cleaned_data
        codes = selectors.forex_statement_codes(principal, data["ebc_code"])
        if codes:
            statement = selectors.forex_statement(ebc_codes=codes, year=data["year"], month=data["month"])
            query = {"year": data["year"], "month": data["month"]}
            if principal.sees_everything:
                query["ebc_code"] = data["ebc_code"]
            csv_url = f"{reverse('finance-api:forex-statement-csv')}?{urlencode(query)}"
    return render(
        request,
        "finance/forex_statement.html",
        {
            "period": period,
            "statement": statement,
            "official": principal.sees_everything,
            "csv_url": csv_url if statement is not None else "",
        },
    )


# --- financing requests --------------------------------------------------------------------------


@financing_user_required
def financing(request):
    """An enterprise applies and follows its requests; a financial services officer decides."""
    if services.may_decide_financing(request.principal):
        return _financing_queue(request)
    principal = request.principal
    form = FinancingApplyForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            services.financing_apply(enterprise=principal.enterprise, by=principal, **form.cleaned_data)
        except services.FinanceRefused as exc:
            add_service_errors(form, exc)
        except PermissionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your request has been filed; you will be told of the decision."))
            return redirect("financing")
    requests = selectors.financing_requests_for(principal=principal)
    return render(
        request,
        "finance/financing_list.html",
        {"form": form, "page": _page(request, requests), "deciding": False},
    )


def _financing_queue(request):
    principal = request.principal
    status = request.GET.get("status", FinancingRequest.Status.SUBMITTED)
    if status not in FinancingRequest.Status.values:
        status = FinancingRequest.Status.SUBMITTED
    queue = FinancingRequest.objects.select_related("enterprise").filter(status=status).order_by("id")
    bound = None
    if request.method == "POST":
        ident = request.POST.get("financing", "")
        decision = request.POST.get("decision")
        financing_request = get_object_or_404(FinancingRequest.objects.all(), pk=parse_id(ident) or 0)
        bound = FinancingDecisionForm(request.POST, prefix=f"r{financing_request.pk}")
        if decision not in ("approve", "decline"):
            bound.add_error(None, _("Choose approve or decline."))
        elif bound.is_valid():
            try:
                decided = services.financing_decide(
                    request=financing_request,
                    approve=decision == "approve",
                    note=bound.cleaned_data["note"],
                    by=principal,
                )
            except services.FinanceRefused as exc:
                add_service_errors(bound, exc)
            else:
                messages.success(
                    request,
                    _("Request %(id)s: %(status)s.")
                    % {"id": decided.pk, "status": decided.get_status_display()},
                )
                return redirect(request.get_full_path())
    page = _page(request, queue)
    rows = [
        (
            r,
            bound
            if bound is not None and bound.prefix == f"r{r.pk}"
            else FinancingDecisionForm(prefix=f"r{r.pk}"),
        )
        for r in page.object_list
    ]
    return render(
        request,
        "finance/financing_list.html",
        {
            "page": page,
            "rows": rows,
            "deciding": True,
            "status": status,
            "statuses": FinancingRequest.Status.choices,
        },
    )
