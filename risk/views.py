"""Pages of risk control: the alert queue and its decisions, and the rules with their versions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from credit import selectors as credit_selectors
from sharing.choices import AgencyCode
from sharing.selectors import enterprises_by_code
from singlewindow.core.access import guard
from singlewindow.core.forms import add_service_errors

from . import selectors, services
from .filters import AlertFilterSet
from .forms import AlertDecisionForm, RuleForm, rule_form_class
from .models import Assignment, RiskRule
from .rules import REGISTRY

customs_required = guard(services.may_review_risk)

# What happens next, by decision: a rejection does not go on.
DECIDED = {
    "release": gettext_lazy("Decision recorded: the list goes on to the agencies."),
    "inspect": gettext_lazy("Decision recorded: the list is sent to inspection."),
    "reject": gettext_lazy("Decision recorded: the list is rejected, and its enterprise is told why."),
}


@customs_required
def alert_queue(request):
    params = request.GET.copy()
    params.setdefault("status", "open")
    filterset = AlertFilterSet(params, queryset=selectors.alert_queue(status=None))
    sort = request.GET.get("sort", "-score")
    if sort.lstrip("-") not in {"score", "created_at"}:
        sort = "-score"
    page = Paginator(filterset.qs.order_by(sort, "id"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "risk/alert_queue.html",
        {"filterset": filterset, "page": page, "sort": sort, "rules": sorted(REGISTRY)},
    )


@customs_required
def alert_detail(request, pk: int):
    alert = get_object_or_404(
        selectors.alert_queue(status=None).select_related(
            "inventory__order", "inventory__payment", "inventory__waybill"
        ),
        pk=pk,
    )
    form = AlertDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_decide(
                alert=alert,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                by=request.principal,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, str(DECIDED[form.cleaned_data["outcome"]]))
            return redirect("alert-queue")
    enterprise_id = enterprises_by_code({alert.inventory.ebc_code}).get(alert.inventory.ebc_code)
    history = credit_selectors.credit_history(enterprise_id)[:20] if enterprise_id else []
    context = {
        "alert": alert,
        "inventory": alert.inventory,
        "assessment": alert.assessment,
        "form": form,
        "history": history,
        "enterprise_id": enterprise_id,
        # Who of customs took it from the worklist, so two officials do not work it at once.
        "assignment": Assignment.objects.select_related("assignee")
        .filter(agency=AgencyCode.CUSTOMS, inventory=alert.inventory)
        .first(),
    }
    return render(request, "risk/alert_detail.html", context)


@customs_required
def rule_list(request):
    return _render_rules(request)


def _render_rules(request, *, bound: RuleForm | None = None, preview: dict | None = None, status: int = 200):
    """The rules, each with its form (the one just posted bound, with its errors or its preview)."""
    rules = RiskRule.objects.filter(current=True, code__in=list(REGISTRY)).order_by("code")
    rows = []
    for rule in rules:
        form = bound if bound is not None and bound.prefix == rule.code else None
        if form is None:
            spec = REGISTRY[rule.code]
            initial = {"weight": rule.weight, "enabled": rule.enabled, **spec.parameters, **rule.parameters}
            form = rule_form_class(spec)(initial=initial, prefix=rule.code)
        rows.append((rule, form, preview if form is bound else None))
    can_change = services.may_change_rules(request.principal)
    return render(request, "risk/rule_list.html", {"rows": rows, "can_change": can_change}, status=status)


@require_POST
@customs_required
def rule_change(request, code: str):
    rule = get_object_or_404(RiskRule, code=code, current=True, code__in=list(REGISTRY))
    form = rule_form_class(REGISTRY[code])(request.POST, prefix=code)
    previewing = request.POST.get("action") == "preview"
    preview = None
    if form.is_valid():
        try:
            if previewing:
                preview = services.rule_preview(code=code, parameters=form.parameters())
            else:
                new = services.rule_change(
                    code=code,
                    by=request.principal,
                    weight=form.cleaned_data["weight"],
                    enabled=form.cleaned_data["enabled"],
                    parameters=form.parameters(),
                )
        except ValidationError as exc:
            _add_rule_errors(form, exc)
        except PermissionError as exc:
            messages.error(request, str(exc))
            return redirect("risk-rules")
        else:
            if not previewing:
                messages.success(
                    request,
                    _("Rule %(code)s saved as version %(version)d.") % {"code": code, "version": new.version},
                )
                return redirect("risk-rules")
    if request.htmx and previewing:
        # The fragment always comes back with 200: htmx leaves the page as it is on an error status,
        # and the official would see nothing.
        problems = [
            f"{form[name].label}: {e}" if name in form.fields else e
            for name, errors in form.errors.items()
            for e in errors
        ]
        return render(
            request, "risk/_rule_preview.html", {"preview": preview, "problems": problems, "rule": rule}
        )
    return _render_rules(request, bound=form, preview=preview, status=400 if form.errors else 200)


def _add_rule_errors(form: RuleForm, exc: ValidationError) -> None:
    """The service names a parameter "parameters.<name>": the error goes to that parameter's field."""
    for key, errors in exc.message_dict.items():
        name = key.removeprefix("parameters.")
        form.add_error(name if name in form.fields else None, errors)
