"""The officials' worklists: what waits for their agency, who has it, and releasing low-risk alerts
together. Reads in risk/worklists.py, writes in risk/services.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from declarations.privacy import mask_name, sees_buyers_in_full
from singlewindow.core.access import guard
from singlewindow.core.xlsx import EXPORT_FORMATS, export_response

from . import services, worklists
from .forms import BulkReleaseForm, WorklistFilterForm

worklist_required = guard(lambda p: worklists.agency_of(p) is not None)


@worklist_required
def worklist(request):
    principal = request.principal
    agency = worklists.agency_of(principal, request.GET.get("agency"))
    queue = worklists.queue_of(agency, request.GET.get("queue"))
    form = WorklistFilterForm(request.GET or None)
    options = form.cleaned_data if form.is_valid() else {}
    qs = worklists.filtered(
        worklists.items(agency, queue),
        now=timezone.now(),
        user_id=principal.user.pk if principal.user else None,
        age=options.get("age") or "",
        assigned=options.get("assigned") or "",
        min_score=options.get("min_score"),
        max_score=options.get("max_score"),
        sort=options.get("sort") or "waiting_since",
        number=options.get("number") or "",
    )
    in_full = sees_buyers_in_full(principal)
    export = request.GET.get("export")
    if export in EXPORT_FORMATS and not form.errors:
        return _export(queue, qs, export, in_full)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    for row in page.object_list:
        buyer = getattr(row, "buyer_name", "")
        row.buyer_shown = buyer if in_full else mask_name(buyer)
    filtered = any(
        options.get(k) not in (None, "") for k in ("number", "age", "assigned", "min_score", "max_score")
    )
    context = {
        "agency": agency,
        "queue": queue,
        "queues": worklists.counts(agency),
        "form": form,
        "page": page,
        "filtered": filtered,
        "can_take": queue.takeable and principal.agency is not None,
        "can_bulk_release": queue.bulk_release and services.may_review_risk(principal),
        "bulk_form": BulkReleaseForm(),
        "bulk_limit": services.bulk_release_max_score(),
        "me": principal.user.pk if principal.user else None,
    }
    return render(request, "risk/worklist.html", context)


def _export(queue: worklists.Queue, qs, export: str, in_full: bool):
    """The queue as filtered, as a file streamed row by row; buyers masked as on the page."""
    header = [_("List"), _("Customs list number"), _("Enterprise"), _("Buyer"), _("Score")]
    header += [_("Waiting since"), _("Assigned to")]

    def rows():
        for row in qs.iterator(chunk_size=2000):
            buyer = getattr(row, "buyer_name", "")
            waiting = (
                timezone.localtime(row.waiting_since).strftime("%Y-%m-%d %H:%M:%S")
                if row.waiting_since
                else ""
            )
            yield [
                row.cop_no,
                row.invt_no,
                row.ebc_name,
                buyer if in_full else mask_name(buyer),
                row.score,
                waiting,
                row.assignee_name or "",
            ]

    name = f"worklist-{queue.code}-{timezone.localtime():%Y%m%d-%H%M}"
    return export_response(export, name, [str(h) for h in header], rows())


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/officials/worklist/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return reverse("worklist")


@require_POST
@worklist_required
def worklist_assign(request):
    """Take a list (`take`: its id) or give it back (`drop`), in the queue `queue`."""
    take, drop = request.POST.get("take", ""), request.POST.get("drop", "")
    raw = take or drop
    if not raw.isdigit():
        messages.error(request, _("Choose a list to take or give back."))
        return redirect(_back(request))
    action = services.assignment_take if take else services.assignment_drop
    try:
        action(queue=request.POST.get("queue", ""), list_id=int(raw), by=request.principal)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The list is yours.") if take else _("The list is back in the worklist."))
    return redirect(_back(request))


@require_POST
@guard(services.may_review_risk)
def alerts_release_many(request):
    """Release the checked low-risk alerts with one reason; each is re-checked and audited."""
    form = BulkReleaseForm(request.POST)
    ids = [int(v) for v in request.POST.getlist("alert") if v.isdigit()][:200]
    if not ids:
        messages.error(request, _("Check the lists to release."))
        return redirect(_back(request))
    if not form.is_valid():
        messages.error(request, _("Give one reason for the release; it is recorded with each."))
        return redirect(_back(request))
    try:
        result = services.alerts_release_many(
            alert_ids=ids, reason=form.cleaned_data["reason"], by=request.principal
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_back(request))
    if result.released:
        n = len(result.released)
        messages.success(
            request,
            ngettext(
                "%(n)d list released to the agencies: %(lists)s.",
                "%(n)d lists released to the agencies: %(lists)s.",
                n,
            )
            % {"n": n, "lists": ", ".join(result.released)},
        )
    for name, why in result.refused:
        messages.error(request, _("%(list)s not released: %(why)s") % {"list": name, "why": why})
    return redirect(_back(request))
