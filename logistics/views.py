"""Pages of intelligent logistics: public parcel tracking, and warehouses with their bonded stock."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from rest_framework import serializers

from declarations import selectors as declaration_selectors
from declarations.document_views import NOT_FILTERS, export_response
from declarations.tables import Column, DocumentTable
from parks import selectors as park_selectors
from singlewindow.core.access import guard
from singlewindow.core.api import flatten_errors
from singlewindow.core.forms import add_service_errors
from singlewindow.core.xlsx import EXPORT_FORMATS

from . import selectors, services
from .filters import StockFilterSet
from .models import StockItem, Warehouse
from .schemas import WarehouseSchema

# The stock's columns in its exports, as on the page.
STOCK_TABLE = DocumentTable(
    "stock",
    StockItem,
    gettext_lazy("Stock"),
    (
        Column("item_record_no", gettext_lazy("Account-book item no.")),
        Column("gcode", gettext_lazy("Commodity code")),
        Column("gname", gettext_lazy("Name")),
        Column("owner_code", gettext_lazy("Owner")),
        Column("quantity", gettext_lazy("On hand")),
        Column("reserved", gettext_lazy("Reserved")),
        Column("available", gettext_lazy("Available")),
    ),
    "stock",
)

warehouse_user_required = guard(lambda p: p.enterprise is not None or p.sees_everything)
customs_official_required = guard(services.may_decide_warehouses)


def track(request):
    """The public tracking page: type a waybill number, see the parcel's steps."""
    number = request.GET.get("no", "").strip()[:60]
    steps = list(selectors.public_timeline(logistics_no=number)) if number else []
    return render(request, "logistics/track.html", {"number": number, "steps": steps})


class WarehouseForm(forms.Form):
    """Renders and keeps what was typed; WarehouseSchema, shared with the API, says what is valid."""

    code = forms.CharField(
        label=gettext_lazy("Warehouse code"),
        max_length=18,
        help_text=gettext_lazy("4-18 capital letters/digits"),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Warehouse.Kind.choices)
    ems_no = forms.CharField(
        label=gettext_lazy("Account book"),
        max_length=30,
        required=False,
        help_text=gettext_lazy("The customs account book of a bonded warehouse."),
    )
    country = forms.CharField(
        label=gettext_lazy("Country (customs code)"),
        max_length=3,
        required=False,
        initial="142",
        help_text=gettext_lazy("142 is China; an overseas warehouse names its country."),
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200)
    capacity = forms.IntegerField(label=gettext_lazy("Capacity (units)"))
    park = forms.ModelChoiceField(label=gettext_lazy("Park"), queryset=None, required=False)

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.fields["park"].queryset = park_selectors.park_list()

    def schema_input(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("park", "country")}
        if self.cleaned_data["country"]:
            data["country"] = self.cleaned_data["country"]
        data["park"] = self.cleaned_data["park"].pk if self.cleaned_data["park"] else None
        return data


@warehouse_user_required
def warehouse_list(request):
    """The warehouses the caller may see; an operator (or an exporter, overseas) registers one."""
    principal = request.principal
    kinds = services.registrable_kinds(principal)
    if request.method == "POST" and not kinds:
        raise PermissionDenied
    form = WarehouseForm(request.POST or None, kinds=kinds) if kinds else None
    if form is not None and form.is_bound and form.is_valid():
        try:
            data = WarehouseSchema().run_validation(form.schema_input())
            warehouse = services.warehouse_register(data=data, by=principal)
        except serializers.ValidationError as exc:
            add_service_errors(form, ValidationError(flatten_errors(exc.detail)))
        except services.StockRefused as exc:
            add_service_errors(form, exc)
        except PermissionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Registered; customs reviews it before lists may use it."))
            return redirect("warehouse-detail", pk=warehouse.pk)
    warehouses = selectors.warehouses_for(principal=principal)
    status = request.GET.get("status", "")
    if status in Warehouse.Status.values:
        warehouses = warehouses.filter(status=status)
    page = Paginator(warehouses.order_by("code"), 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "form": form,
        "status": status,
        "statuses": Warehouse.Status.choices,
        "can_decide": services.may_decide_warehouses(principal),
        # Returned goods coming back to this operator (1210) or carrier (9610): it confirms them here.
        "returns_due": declaration_selectors.returns_to_confirm(principal=principal)[:50],
    }
    return render(request, "logistics/warehouse_list.html", context)


@require_POST
@customs_official_required
def warehouse_decide(request, pk: int):
    """Customs approves or rejects a pending registration from the list."""
    warehouse = get_object_or_404(selectors.warehouses_for(principal=request.principal), pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Choose approve or reject."))
        return redirect("warehouse-list")
    try:
        services.warehouse_decide(
            warehouse=warehouse,
            approve=decision == "approve",
            reason=request.POST.get("reason", "").strip()[:500],
            by=request.principal,
        )
    except services.StockRefused as exc:
        for field_messages in exc.fields.values():
            for message in field_messages:
                messages.error(request, message)
    else:
        messages.success(
            request,
            _("Warehouse %(code)s: %(status)s.")
            % {"code": warehouse.code, "status": warehouse.get_status_display()},
        )
    return redirect("warehouse-list")


@warehouse_user_required
def warehouse_detail(request, pk: int):
    """A warehouse's stock per SKU and its last 50 movements, as far as the caller may see them."""
    principal = request.principal
    warehouse = get_object_or_404(selectors.warehouses_for(principal=principal), pk=pk)
    stock = selectors.stock_for(principal=principal).filter(warehouse=warehouse).order_by("item_record_no")
    filterset = StockFilterSet(request.GET or None, queryset=stock)
    # Unbound (no query string) is every row; a bound search that does not validate is none.
    invalid = filterset.is_bound and not filterset.is_valid()
    stock = stock.none() if invalid else filterset.qs
    export = request.GET.get("export")
    if export in EXPORT_FORMATS and not invalid:
        return export_response(request, STOCK_TABLE, stock, export)
    movements = (
        selectors.movements_for(principal=principal)
        .filter(stock_item__warehouse=warehouse)
        .order_by("-id")[:50]
    )
    context = {
        "warehouse": warehouse,
        "page": Paginator(stock, 100).get_page(request.GET.get("page")),
        "movements": movements,
        "can_decide": services.may_decide_warehouses(principal),
        "filterset": filterset,
        "filtered": any(v for k, v in request.GET.items() if k not in NOT_FILTERS),
    }
    return render(request, "logistics/warehouse_detail.html", context, status=400 if invalid else 200)
