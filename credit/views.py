"""Credit pages: the public disclosure of levels, and officials adjusting an enterprise's credit."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sharing.models import Enterprise
from singlewindow.core.access import guard
from singlewindow.core.forms import add_service_errors
from singlewindow.core.inputs import parse_id

from . import selectors, services
from .forms import CreditAdjustForm, LevelDecisionForm, NegativeListForm
from .models import CreditLevel, NegativeListEntry

credit_official_required = guard(services.may_decide_credit)


def disclosure(request):
    """The public credit page: enterprise names, levels and negative-list entries; nothing private."""
    today = timezone.localdate()
    return render(
        request,
        "credit/disclosure.html",
        {"rows": selectors.public_disclosure(today), "regime": selectors.regime_in_force(today)},
    )


@credit_official_required
def enterprise_credit(request, pk: int):
    enterprise = get_object_or_404(Enterprise, pk=pk)
    today = timezone.localdate()
    regime = selectors.regime_in_force(today)
    levels = list(CreditLevel.objects.filter(regime=regime))
    adjust = CreditAdjustForm(request.POST if request.POST.get("form") == "adjust" else None, prefix="adjust")
    decide = LevelDecisionForm(
        request.POST if request.POST.get("form") == "level" else None, prefix="level", levels=levels
    )
    negative = NegativeListForm(
        request.POST if request.POST.get("form") == "negative" else None, prefix="negative"
    )
    try:
        if adjust.is_bound and adjust.is_valid():
            services.credit_adjust(enterprise=enterprise, by=request.principal, **adjust.cleaned_data)
            return _done(request, pk)
        if decide.is_bound and decide.is_valid():
            services.credit_level_decide(
                enterprise=enterprise,
                level_code=decide.cleaned_data["level"],
                reason=decide.cleaned_data["reason"],
                by=request.principal,
            )
            return _done(request, pk)
        if negative.is_bound and negative.is_valid():
            services.negative_list_add(enterprise=enterprise, by=request.principal, **negative.cleaned_data)
            return _done(request, pk)
        if request.POST.get("form") == "lift":
            ident = request.POST.get("entry", "")
            entry = get_object_or_404(NegativeListEntry, pk=parse_id(ident) or 0, enterprise=enterprise)
            services.negative_list_lift(entry=entry, by=request.principal)
            return _done(request, pk)
    except ValidationError as exc:
        for form in (adjust, decide, negative):
            if form.is_bound:
                add_service_errors(form, exc)
    standing = selectors.standings_for([pk], on=today)[pk]
    context = {
        "enterprise": enterprise,
        "level": standing.level,
        "profile": standing.profile,
        "score": standing.score,
        "history": selectors.credit_history(pk)[:50],
        "entries": NegativeListEntry.objects.filter(enterprise=enterprise),
        "adjust": adjust,
        "decide": decide,
        "negative": negative,
        "regime": regime,
    }
    return render(request, "credit/enterprise_credit.html", context)


def _done(request, pk: int):
    messages.success(request, _("Recorded."))
    return redirect("enterprise-credit", pk=pk)
