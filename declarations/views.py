from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from singlewindow.access import enterprise_member_required, official_required

from . import selectors, services, uploads
from .choices import DocumentKind, ReceiptSource
from .filters import InventoryFilterSet
from .forms import UploadForm, document_form_class, initial_for
from .models import InventoryList, Upload

FORM_KINDS = {
    "order": DocumentKind.ORDER,
    "payment": DocumentKind.PAYMENT,
    "waybill": DocumentKind.WAYBILL,
    "inventory": DocumentKind.INVENTORY,
}


def _page(request, queryset, size: int = 25):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


@enterprise_member_required
def inventory_list(request):
    """The enterprise's inventory lists with their status; filters by status, mode and dates."""
    qs = selectors.documents_for(InventoryList, principal=request.principal)
    filterset = InventoryFilterSet(request.GET or None, queryset=qs)
    sort = request.GET.get("sort", "-id")
    if sort.lstrip("-") not in {"id", "status", "cop_no", "tax_amount", "created_at"}:
        sort = "-id"
    page = _page(request, filterset.qs.order_by(sort))
    return render(
        request, "declarations/inventory_list.html", {"filterset": filterset, "page": page, "sort": sort}
    )


def _inventory_for(request, pk: int) -> InventoryList:
    return get_object_or_404(
        selectors.documents_for(InventoryList, principal=request.principal).prefetch_related("items"), pk=pk
    )


def inventory_detail(request, pk: int):
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    inventory = _inventory_for(request, pk)
    timeline = selectors.inventory_timeline(inventory)
    by_source: dict[str, list] = {source: [] for source, _label in ReceiptSource.choices}
    for receipt in timeline:
        by_source[receipt.source].append(receipt)
    context = {
        "inventory": inventory,
        "timeline": timeline,
        "by_source": by_source,
        "sources": ReceiptSource.choices,
        "waiting_for": selectors.waiting_for(inventory),
    }
    return render(request, "declarations/inventory_detail.html", context)


@enterprise_member_required
def document_new(request, kind: str):
    """File one document in a form: the same service as the API validates and stores it."""
    if kind not in FORM_KINDS:
        raise Http404
    form_class = document_form_class(FORM_KINDS[kind])
    form = form_class(
        request.POST or None, initial=initial_for(FORM_KINDS[kind], request.principal.enterprise)
    )
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.submit(
                kind=FORM_KINDS[kind], documents=[form.to_document()], by=request.principal
            )[0]
        except services.IntakeForbidden as exc:
            form.add_error(None, str(exc))
        else:
            if result.ok:
                messages.success(
                    request,
                    _("Stored (%(outcome)s): receipt %(status)s %(info)s")
                    % {"outcome": result.outcome, "status": result.return_status, "info": result.return_info},
                )
                if FORM_KINDS[kind] == DocumentKind.INVENTORY:
                    return redirect("inventory-detail", pk=result.id)
                return redirect("declarations-home")
            form.add_service_errors(result.errors)
    return render(
        request,
        "declarations/document_form.html",
        {"form": form, "kind": kind, "label": DocumentKind(FORM_KINDS[kind]).label, "result": result},
    )


@enterprise_member_required
def upload_new(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            upload = uploads.upload_create(
                principal=request.principal,
                kind=form.cleaned_data["kind"],
                file_name=file.name,
                data=file.read(uploads.MAX_UPLOAD_BYTES + 1),
            )
        except uploads.UploadError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("upload-detail", pk=upload.pk)
    recent = Upload.objects.filter(enterprise=request.principal.enterprise)[:10]
    return render(request, "declarations/upload_form.html", {"form": form, "recent": recent})


@enterprise_member_required
def upload_detail(request, pk: int):
    upload = get_object_or_404(Upload, pk=pk, enterprise=request.principal.enterprise)
    template = "declarations/_upload_progress.html" if request.htmx else "declarations/upload_detail.html"
    return render(request, template, {"upload": upload})


@enterprise_member_required
def receipt_list(request):
    receipts = selectors.receipts_for(principal=request.principal).order_by("-id")
    kind = request.GET.get("kind")
    if kind in DocumentKind.values:
        receipts = receipts.filter(kind=kind)
    return render(
        request,
        "declarations/receipt_list.html",
        {"page": _page(request, receipts, 50), "kinds": DocumentKind.choices, "kind": kind},
    )


@official_required
def agency_receipts(request):
    """An agency's officials see the receipts their agency gave, newest first."""
    agency = request.principal.agency.code if request.principal.agency else None
    if agency not in ("customs", "inspection", "tax", "forex"):
        receipts = (
            selectors.receipts_for(principal=request.principal).exclude(source="portal").order_by("-id")
        )
    else:
        receipts = selectors.agency_receipts(agency=agency)
    status = request.GET.get("return_status")
    if status:
        receipts = receipts.filter(return_status=status)
    parked = selectors.parked_dispatches(agency=None if agency in (None, "customs", "commerce") else agency)
    return render(
        request,
        "declarations/agency_receipts.html",
        {
            "page": _page(request, receipts, 50),
            "agency": agency,
            "return_status": status or "",
            "parked": parked[:50],
        },
    )


@require_POST
@official_required
def redrive(request, dispatch_id: int):
    """Re-drive a parked dispatch: customs, or the officials of the agency it is parked at."""
    from singlewindow.tasks import redrive as redrive_task

    principal = request.principal
    dispatch = get_object_or_404(selectors.parked_dispatches(), pk=dispatch_id)
    if not (principal.is_superuser or principal.is_agency("customs") or principal.is_agency(dispatch.agency)):
        raise Http404
    redrive_task.delay(dispatch.pk)
    messages.success(request, _("The dispatch has been sent again."))
    return redirect("agency-receipts")


def declarations_home(request):
    return redirect("inventory-list")


@require_POST
@official_required
def inspection_result(request, pk: int):
    """Customs records the result of a physical inspection from the list's page."""
    from singlewindow.tasks import conclude_inspection

    if not (request.principal.is_agency("customs") or request.principal.is_superuser):
        raise Http404
    inventory = _inventory_for(request, pk)
    passed = request.POST.get("passed") == "yes"
    reason = request.POST.get("reason", "").strip()[:500]
    if inventory.status != "inspection" or (not passed and not reason):
        messages.error(request, _("Record a result for a list under inspection; say what failed."))
    else:
        conclude_inspection.delay(inventory.pk, passed, reason, request.user.pk)
        messages.success(request, _("Inspection result recorded."))
    return redirect("inventory-detail", pk=pk)
