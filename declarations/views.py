"""The declarations pages: an enterprise's lists and receipts, filing documents and files, cancels and
returns of a list; officials' receipts, re-drives and inspection results. The same services as the API."""

import re
from collections.abc import Sequence

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework import serializers

from sharing.choices import AgencyCode, EnterpriseRole, EnterpriseStatus
from singlewindow.core.access import enterprise_member_required, guard, official_required
from singlewindow.core.api import flatten_errors
from singlewindow.core.broker import send_named
from singlewindow.core.errors import ServiceError
from singlewindow.core.forms import add_service_errors
from singlewindow.core.inputs import parse_id
from singlewindow.core.pdf import pdf_response

from . import document_views, privacy, schemas, selectors, services, uploads
from .choices import CANCELLABLE_STATUSES, DocumentKind, InventoryStatus, ReceiptSource
from .forms import UploadForm, document_form_class, initial_for, initial_from, initial_from_order
from .models import InventoryItem, InventoryList, InventoryRefund, Order, Upload
from .services import SPECS, may_file
from .tables import TABLES

FORM_KINDS = {
    "order": DocumentKind.ORDER,
    "payment": DocumentKind.PAYMENT,
    "waybill": DocumentKind.WAYBILL,
    "inventory": DocumentKind.INVENTORY,
    "export-order": DocumentKind.EXPORT_ORDER,
    "receipt-of-payment": DocumentKind.RECEIPT_OF_PAYMENT,
    "export-waybill": DocumentKind.EXPORT_WAYBILL,
    "export-inventory": DocumentKind.EXPORT_INVENTORY,
}


def _inventory_for(request, pk: int) -> InventoryList:
    return get_object_or_404(
        selectors.documents_for(InventoryList, principal=request.principal).prefetch_related("items"), pk=pk
    )


def inventory_detail(request, pk: int):
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    return _render_detail(request, _inventory_for(request, pk))


def inventory_pdf(request, pk: int):
    """The list with its receipts, as PDF: for the parties of the list and officials only."""
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    inventory = _inventory_for(request, pk)
    context = _print_context(request, inventory)
    context["timeline"] = selectors.inventory_timeline(inventory)
    context["decisions"] = selectors.inventory_decisions(inventory)
    return pdf_response(
        request,
        template="declarations/inventory_pdf.html",
        context=context,
        filename=f"inventory-{inventory.invt_no or inventory.cop_no}.pdf",
    )


def release_notice_pdf(request, pk: int):
    """The release notice of a released list, as PDF; a list not released has none."""
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    inventory = _inventory_for(request, pk)
    if inventory.status != InventoryStatus.RELEASED:
        raise Http404
    return pdf_response(
        request,
        template="declarations/release_notice_pdf.html",
        context=_print_context(request, inventory),
        filename=f"release-notice-{inventory.invt_no or inventory.cop_no}.pdf",
    )


def _print_context(request, inventory: InventoryList) -> dict:
    # The buyer as the reader may see them: masked for officials other than customs and inspection.
    return {
        "inventory": inventory,
        "buyer": privacy.buyer_view(inventory, request.principal),
        "printed_at": timezone.localtime(),
    }


def _render_detail(
    request,
    inventory: InventoryList,
    *,
    cancel_form: forms.Form | None = None,
    return_form: forms.Form | None = None,
):
    """The list's page, with the cancel or return form its declarant may use (bound after an error)."""
    timeline = selectors.inventory_timeline(inventory)
    by_source: dict[str, list] = {source: [] for source, _label in ReceiptSource.choices}
    for receipt in timeline:
        by_source[receipt.source].append(receipt)
    principal = request.principal
    declarant = selectors.is_declarant(principal, inventory)
    # The latest of the list's returns (a list may have several, each of some lines).
    refund = inventory.refunds.order_by("-id").first()
    returnable = inventory.status == InventoryStatus.RELEASED and selectors.return_window_open(
        inventory, timezone.now()
    )
    if cancel_form is None and declarant and inventory.status in CANCELLABLE_STATUSES:
        cancel_form = CancelForm()
    if return_form is None and declarant and refund is None and returnable:
        return_form = ReturnForm(items=inventory.items.all())
    context = {
        "inventory": inventory,
        "buyer": privacy.buyer_view(inventory, principal),
        "timeline": timeline,
        "decisions": selectors.inventory_decisions(inventory),
        "by_source": by_source,
        "sources": ReceiptSource.choices,
        "waiting_for": selectors.waiting_for(inventory),
        "cancel_form": cancel_form,
        "return_form": return_form,
        "refund": refund,
        "records_inspection": inventory.status == InventoryStatus.INSPECTION
        and selectors.may_record_inspection(principal, inventory),
        "confirms_goods": refund is not None
        and refund.state == InventoryRefund.State.AWAITING_GOODS
        and selectors.confirms_goods(principal, refund),
    }
    return render(request, "declarations/inventory_detail.html", context)


def _initial(request, kind: str, form_class) -> tuple[dict, list[dict]]:
    """The form's first values: a draft to declare (`?draft=<id>`), a list copied from an order
    (`?order=<order number>`), or what the window knows of the enterprise."""
    principal = request.principal
    head, lines = initial_for(kind, principal.enterprise)
    spec = services.SPECS[kind]
    draft_id = request.GET.get("draft", "")
    if draft_id:
        # Only a row id is looked up: anything else is no draft, never a database error.
        pk = parse_id(draft_id)
        if pk is None:
            raise Http404
        draft = get_object_or_404(selectors.saved_drafts(spec.model, principal=principal), pk=pk)
        saved_lines = draft.items.order_by("gnum") if spec.item_model else ()
        return initial_from(draft, form_class, saved_lines)
    order_no = request.GET.get("order", "").strip()
    if order_no and kind == DocumentKind.INVENTORY:
        order = (
            selectors.documents_for(Order, principal=principal)
            .filter(order_no=order_no)
            .prefetch_related("items")
            .order_by("-id")
            .first()
        )
        if order is None:
            messages.error(
                request, _("None of your orders has the number %(number)s.") % {"number": order_no}
            )
        else:
            return initial_from_order(order, head, lines[0])
    return head, lines


@enterprise_member_required
def document_new(request, kind: str):
    """File one document in a form: the same service as the API validates and stores it. One submit
    shows every error at once: the form's own and the service's, in one summary."""
    if kind not in FORM_KINDS:
        raise Http404
    document_kind = FORM_KINDS[kind]
    refusal = filing_refusal(request, document_kind)
    if refusal is not None:
        return refusal
    form_class = document_form_class(document_kind)
    if request.method == "POST":
        form = form_class(request.POST)
    else:
        head, lines = _initial(request, document_kind, form_class)
        form = form_class(initial=head, lines=lines)
    draft = request.POST.get("action") == "draft"
    if request.method == "POST":
        valid = form.is_valid()
        if not valid:
            # The schema still reads what the form could: its errors join the form's in this pass.
            _data, errors = services.validate_documents(document_kind, [form.to_document(draft=draft)])[0]
            form.add_service_errors(errors)
        else:
            try:
                result = services.submit(
                    kind=document_kind, documents=[form.to_document(draft=draft)], by=request.principal
                )[0]
            except services.IntakeForbidden as exc:
                add_service_errors(form, exc)
            else:
                if result.ok:
                    return _filed(request, kind, result, draft=draft)
                form.add_service_errors(result.errors)
    spec = services.SPECS[document_kind]
    context = {
        "form": form,
        "kind": kind,
        "label": DocumentKind(document_kind).label,
        "lookups": selectors.code_lookups(form.lookup_tables(), language=get_language() or ""),
        "drafts": [
            (draft.pk, getattr(draft, spec.key_fields[-1]), draft.created_at)
            for draft in selectors.saved_drafts(spec.model, principal=request.principal)[:10]
        ],
    }
    return render(request, "declarations/document_form.html", context, status=400 if form.summary() else 200)


def _filed(request, kind: str, result, *, draft: bool):
    if draft:
        messages.success(request, _("Saved as a draft: it is not declared until you declare it."))
        return redirect(f"{reverse('document-new', args=[kind])}?draft={result.id}")
    messages.success(
        request,
        _("Stored (%(outcome)s): receipt %(status)s %(info)s")
        % {"outcome": result.outcome, "status": result.return_status, "info": result.return_info},
    )
    if FORM_KINDS[kind] == DocumentKind.INVENTORY:
        return redirect("inventory-detail", pk=result.id)
    if FORM_KINDS[kind] == DocumentKind.EXPORT_INVENTORY:
        return redirect("export-detail", pk=result.id)
    return redirect("declarations-home")


def filing_refusal(request, kind: str):
    """The 403 page shown before a form a caller could only be refused after filling in: an
    enterprise still waiting for review, or one whose roles do not file this kind of document."""
    enterprise = request.principal.enterprise
    if enterprise is None or may_file(enterprise, kind):
        return None
    roles = dict(EnterpriseRole.choices)
    context = {
        "kind_label": DocumentKind(kind).label,
        "pending": enterprise.status == EnterpriseStatus.PENDING,
        "approved": enterprise.is_approved,
        "filers": [roles[role] for role in SPECS[kind].roles],
    }
    return render(request, "declarations/filing_refused.html", context, status=403)


@enterprise_member_required
def upload_new(request):
    if not request.principal.enterprise.is_approved:
        return filing_refusal(request, DocumentKind.INVENTORY)
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
            add_service_errors(form, exc)
        else:
            return redirect("upload-detail", pk=upload.pk)
    recent = Upload.objects.filter(enterprise=request.principal.enterprise)[:10]
    # A refused file answers 400: the page says why, on the field it names.
    return render(
        request,
        "declarations/upload_form.html",
        {"form": form, "recent": recent},
        status=400 if form.errors else 200,
    )


@enterprise_member_required
def upload_detail(request, pk: int):
    upload = get_object_or_404(Upload, pk=pk, enterprise=request.principal.enterprise)
    template = "declarations/_upload_progress.html" if request.htmx else "declarations/upload_detail.html"
    return render(request, template, {"upload": upload})


@official_required
def agency_receipts(request):
    """An agency's officials see the receipts their agency gave, newest first: searched, sorted and
    exported as the document lists are."""
    agency = request.principal.agency.code if request.principal.agency else None
    if agency not in (AgencyCode.CUSTOMS, AgencyCode.INSPECTION, AgencyCode.TAX, AgencyCode.FOREX):
        receipts = selectors.receipts_for(principal=request.principal).exclude(source=ReceiptSource.PORTAL)
    else:
        receipts = selectors.agency_receipts(agency=agency)
    parked = selectors.parked_dispatches(
        agency=None if agency in (None, AgencyCode.CUSTOMS, AgencyCode.COMMERCE) else agency
    )
    return document_views.document_page(
        request,
        TABLES["agency-receipt"],
        "declarations/agency_receipts.html",
        queryset=receipts,
        agency=agency,
        parked=parked[:50],
    )


@require_POST
@official_required
def redrive(request, dispatch_id: int):
    """Re-drive a parked dispatch: customs, or the officials of the agency it is parked at."""
    principal = request.principal
    dispatch = get_object_or_404(selectors.parked_dispatches(), pk=dispatch_id)
    if not (
        principal.is_superuser
        or principal.is_agency(AgencyCode.CUSTOMS)
        or principal.is_agency(dispatch.agency)
    ):
        raise Http404
    send_named("clearance.redrive", dispatch.pk, request.user.pk, inline_if_down=True)
    messages.success(request, _("The dispatch has been sent again."))
    return redirect("agency-receipts")


def declarations_home(request):
    return redirect("inventory-list")


@require_POST
@official_required
def inspection_result(request, pk: int):
    """The drawn inspector (or a customs supervisor) records the result of a physical inspection from
    the list's page; any other caller is refused and nothing changes."""
    inventory = _inventory_for(request, pk)
    if not selectors.may_record_inspection(request.principal, inventory):
        raise PermissionDenied
    passed = request.POST.get("passed") == "yes"
    reason = request.POST.get("reason", "").strip()[:500]
    if inventory.status != InventoryStatus.INSPECTION or (not passed and not reason):
        messages.error(request, _("Record a result for a list under inspection; say what failed."))
    else:
        send_named(
            "clearance.conclude_inspection",
            inventory.pk,
            passed,
            reason,
            request.user.pk,
            inline_if_down=True,
        )
        messages.success(request, _("Inspection result recorded."))
    return redirect("inventory-detail", pk=pk)


# --- cancel (CEB623) and return (CEB625) of an import list ---------------------------------------


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    """The reason and, per line of the list, the quantity returned (the whole line unless changed)."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items: list[InventoryItem] = list(items)
        for item in self.items:
            self.fields[f"qty-{item.gnum}"] = forms.DecimalField(
                label=f"{item.gnum} {item.gname}",
                max_digits=19,
                decimal_places=5,
                min_value=0,
                required=False,
                initial=item.qty.normalize(),
                widget=forms.NumberInput(attrs={"aria-label": f"{item.gnum} {item.gname}"}),
            )

    def line_rows(self) -> list[tuple[InventoryItem, forms.BoundField]]:
        return [(item, self[f"qty-{item.gnum}"]) for item in self.items]

    def lines(self) -> list[dict]:
        """The CEB625 lines: those with a quantity, each named as on the list."""
        return [
            {"gnum": i.gnum, "gcode": i.gcode, "gname": i.gname, "qty": qty, "unit": i.unit}
            for i in self.items
            if (qty := self.cleaned_data.get(f"qty-{i.gnum}"))
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.lines():
            raise forms.ValidationError(_("Return at least one line."))
        return cleaned


LINE_ERROR = re.compile(r"^items(?:\[(?P<gnum>\d+)\]|\.(?P<index>\d+))\.(?P<field>\w+)$")


def _amendment_data(inventory: InventoryList, reason: str, lines: list[dict] | None = None) -> dict:
    return services.amendment_for_list(inventory, reason=reason, lines=lines)


def _amendment_errors(form: forms.Form, errors: dict[str, list[str]], lines: Sequence[dict] = ()) -> None:
    """Put the schema's or the clearance's errors on the form: a line's quantity on its own field."""
    for key, field_messages in errors.items():
        target = key if key in form.fields else None
        match = LINE_ERROR.match(key)
        if match and match["field"] == "qty":
            # The clearance names a line by gnum; the schema by its index among the lines sent.
            gnum = match["gnum"]
            if gnum is None and int(match["index"]) < len(lines):
                gnum = lines[int(match["index"])]["gnum"]
            target = f"qty-{gnum}" if f"qty-{gnum}" in form.fields else None
        for message in field_messages:
            form.add_error(target, message)


def _declared_list(request, pk: int) -> InventoryList:
    inventory = _inventory_for(request, pk)
    if not selectors.is_declarant(request.principal, inventory):
        raise PermissionDenied
    return inventory


@require_POST
@enterprise_member_required
def inventory_cancel(request, pk: int):
    """Cancel a list before release (CEB623): quota, holds and reserved stock are given back."""
    inventory = _declared_list(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            data = schemas.ListAmendmentSchema().run_validation(
                _amendment_data(inventory, form.cleaned_data["reason"])
            )
            services.amendment_apply(
                kind=DocumentKind.CANCEL,
                inventory_id=inventory.pk,
                data=data,
                enterprise_id=request.principal.enterprise.pk,
                user_id=request.user.pk,
            )
        except serializers.ValidationError as exc:
            _amendment_errors(form, flatten_errors(exc.detail))
        except ServiceError as exc:
            _amendment_errors(form, exc.errors)
        else:
            messages.success(request, _("The list is cancelled (CEB623)."))
            return redirect("inventory-detail", pk=pk)
    return _render_detail(request, inventory, cancel_form=form)


@require_POST
@enterprise_member_required
def inventory_return(request, pk: int):
    """Apply for a return of released goods (CEB625); the goods are then due back within 45 days."""
    inventory = _declared_list(request, pk)
    form = ReturnForm(request.POST, items=inventory.items.all())
    if form.is_valid():
        lines = form.lines()
        try:
            data = schemas.RefundSchema().run_validation(
                _amendment_data(inventory, form.cleaned_data["reason"], lines)
            )
            services.amendment_apply(
                kind=DocumentKind.REFUND,
                inventory_id=inventory.pk,
                data=data,
                enterprise_id=request.principal.enterprise.pk,
                user_id=request.user.pk,
            )
        except serializers.ValidationError as exc:
            _amendment_errors(form, flatten_errors(exc.detail), lines)
        except ServiceError as exc:
            _amendment_errors(form, exc.errors, lines)
        else:
            messages.success(request, _("The return is accepted: the goods are due back within 45 days."))
            return redirect("inventory-detail", pk=pk)
    return _render_detail(request, inventory, return_form=form)


@require_POST
@guard(lambda p: p.enterprise is not None or p.sees_everything)
def return_goods_received(request, pk: int):
    """The returned goods are back: quota and tax are given back and (1210) the goods restocked."""
    refund = get_object_or_404(
        selectors.returns_for(principal=request.principal).select_related("inventory"), pk=pk
    )
    if not selectors.confirms_goods(request.principal, refund):
        raise PermissionDenied
    refund = services.goods_back(refund_id=refund.pk, user_id=request.user.pk)
    if refund.state == InventoryRefund.State.EXPIRED:
        messages.error(
            request,
            _("The goods were due back by %(date)s; the return expired.")
            % {"date": f"{refund.goods_due_by:%Y-%m-%d}"},
        )
    else:
        messages.success(request, _("Goods back: the buyer's quota and the tax are given back."))
    visible = selectors.documents_for(InventoryList, principal=request.principal)
    if visible.filter(pk=refund.inventory_id).exists():
        return redirect("inventory-detail", pk=refund.inventory_id)
    return redirect("warehouse-list")
