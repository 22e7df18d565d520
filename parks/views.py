"""Parks' pages: the zone directory, a zone's and a park's page, applying to settle and the review."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from singlewindow.core.access import commerce_official_required, enterprise_member_required
from singlewindow.core.forms import add_service_errors

from . import selectors, services
from .filters import ParkApplicationFilterSet, ZoneFilterSet
from .forms import ParkApplicationForm, ParkDecisionForm
from .models import Park, Zone


def zone_directory(request):
    filterset = ZoneFilterSet(request.GET or None, queryset=selectors.zone_directory())
    return render(request, "parks/zone_list.html", {"filterset": filterset, "zones": filterset.qs})


def zone_detail(request, slug: str):
    try:
        zone = selectors.zone_with_parks(slug=slug)
    except Zone.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "parks/zone_detail.html", {"zone": zone})


def park_detail(request, slug: str):
    park = get_object_or_404(selectors.park_list(), slug=slug)
    principal = request.principal
    form = None
    if principal.enterprise is not None and principal.enterprise.is_approved:
        form = ParkApplicationForm()
    context = {
        "park": park,
        "enterprises": selectors.park_settled_enterprises(park=park),
        "form": form,
    }
    return render(request, "parks/park_detail.html", context)


@require_POST
@enterprise_member_required
def park_apply(request, slug: str):
    park = get_object_or_404(Park, slug=slug)
    form = ParkApplicationForm(request.POST)
    if form.is_valid():
        try:
            services.park_application_submit(
                enterprise=request.principal.enterprise,
                park=park,
                message=form.cleaned_data["message"],
                by=request.principal,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Your application to settle in %(park)s has been filed.") % {"park": park.name}
            )
            return redirect("enterprise-home")
    context = {"park": park, "enterprises": selectors.park_settled_enterprises(park=park), "form": form}
    return render(request, "parks/park_detail.html", context, status=400)


@commerce_official_required
def application_review_list(request):
    qs = selectors.park_application_list(principal=request.principal)
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = "pending"
    filterset = ParkApplicationFilterSet(params, queryset=qs)
    page = Paginator(filterset.qs.order_by("created_at", "pk"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "parks/application_review_list.html",
        {"filterset": filterset, "page": page, "form": ParkDecisionForm()},
    )


@require_POST
@commerce_official_required
def application_decide(request, pk: int):
    application = get_object_or_404(selectors.park_application_list(principal=request.principal), pk=pk)
    form = ParkDecisionForm(request.POST)
    decide = {"approve": services.park_application_approve, "decline": services.park_application_decline}.get(
        request.POST.get("decision")
    )
    if form.is_valid() and decide is not None:
        try:
            decide(application=application, by=request.principal, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for field_messages in exc.message_dict.values():
                for message in field_messages:
                    messages.error(request, message)
        else:
            messages.success(request, _("Decision recorded."))
    else:
        messages.error(request, _("Choose approve or decline."))
    return redirect("park-application-review-list")
