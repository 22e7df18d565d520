"""django-filter filtersets of the document lists (by party, number, status, dates).

No filter takes a buyer's ID number: a query string reaches access logs, proxies and browser
histories. A search by buyer ID goes by POST (`.../search/` in the API, the search form on the page);
a query string naming one is refused with a 400 that says so.
"""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from singlewindow.core.api import UtcDateTimeFilter

from .choices import DocumentKind, ExitStatus, InventoryStatus, ReceiptSource
from .models import (
    AgencyDecision,
    ExportInventoryList,
    ExportOrder,
    ExportWaybill,
    InventoryList,
    InventoryRefund,
    Order,
    Payment,
    Receipt,
    ReceiptOfPayment,
    SummaryDeclaration,
    Waybill,
)

# The names a buyer's (or payer's) ID number went by in the query string before it was refused there.
ID_NUMBER_PARAMETERS = ("buyer_id", "buyer_id_number", "payer_id", "payer_id_number")
ID_IN_QUERY = _("A buyer ID number is never sent in the URL: search with POST to the list's search/.")


class RefusesIdNumbers:
    """Mixed into a filterset's form: a buyer ID number in the query string is an error on its name."""

    data: dict
    _errors: dict
    error_class: type

    def clean(self):
        cleaned = super().clean()  # type: ignore[misc]
        for name in ID_NUMBER_PARAMETERS:
            if self.data.get(name):
                # Not a field of the form (add_error would refuse it): the error still names it.
                self._errors[name] = self.error_class([ID_IN_QUERY])
        return cleaned


# The numbers a clerk may remember part of, per document: the search box matches any of them.
NUMBER_FIELDS: dict[type, tuple[str, ...]] = {
    Order: ("order_no",),
    Payment: ("pay_transaction_id", "order_no"),
    Waybill: ("logistics_no", "bill_no", "order_no"),
    InventoryList: ("cop_no", "pre_no", "invt_no", "order_no", "logistics_no"),
    ExportInventoryList: ("cop_no", "invt_no", "order_no", "logistics_no"),
    Receipt: ("natural_key",),
    AgencyDecision: (
        "inventory__cop_no",
        "inventory__invt_no",
        "inventory__order_no",
        "inventory__logistics_no",
    ),
    InventoryRefund: ("invt_no", "cop_no", "pre_no", "order_no", "logistics_no"),
}


def _any_contains(fields: tuple[str, ...], value: str) -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": value.strip()})
    return condition


class DocumentFilterSet(django_filters.FilterSet):
    def get_form_class(self):
        form = super().get_form_class()
        return type(form.__name__, (RefusesIdNumbers, form), {})

    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte", label=_("received from"))
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt", label=_("received before"))
    # The pages' search: part of any of the document's numbers, and a range of local dates (inclusive).
    number = django_filters.CharFilter(method="filter_number", label=_("Number (or part of it)"))
    date_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=pgettext_lazy("date range", "From")
    )
    date_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=pgettext_lazy("date range", "To")
    )

    def filter_number(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        fields = NUMBER_FIELDS.get(queryset.model, ())
        return queryset.filter(_any_contains(fields, value)) if fields and value.strip() else queryset


class OrderFilterSet(DocumentFilterSet):
    class Meta:
        model = Order
        fields = ["order_no", "ebp_code", "ebc_code", "created_after", "created_before"]


class PaymentFilterSet(DocumentFilterSet):
    class Meta:
        model = Payment
        fields = ["order_no", "pay_code", "pay_transaction_id", "created_after", "created_before"]


class WaybillFilterSet(DocumentFilterSet):
    class Meta:
        model = Waybill
        fields = [
            "logistics_no",
            "logistics_code",
            "order_no",
            "logistics_status",
            "created_after",
            "created_before",
        ]


class InventoryFilterSet(DocumentFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=InventoryStatus.choices)
    waybill = django_filters.CharFilter(
        field_name="logistics_no", lookup_expr="icontains", label=_("Waybill number")
    )
    supervision_mode = django_filters.ChoiceFilter(
        field_name="trade_mode", label=_("supervision mode"), choices=(("9610", "9610"), ("1210", "1210"))
    )

    class Meta:
        model = InventoryList
        fields = [
            "status",
            "order_no",
            "logistics_no",
            "cop_no",
            "pre_no",
            "invt_no",
            "ebc_code",
            "supervision_mode",
            "trade_mode",
            "created_after",
            "created_before",
        ]


class ExportOrderFilterSet(DocumentFilterSet):
    class Meta:
        model = ExportOrder
        fields = ["order_no", "order_type", "ebp_code", "ebc_code", "created_after", "created_before"]


class ReceiptOfPaymentFilterSet(DocumentFilterSet):
    class Meta:
        model = ReceiptOfPayment
        fields = ["order_no", "ebc_code", "currency", "created_after", "created_before"]


class ExportWaybillFilterSet(DocumentFilterSet):
    class Meta:
        model = ExportWaybill
        fields = ["logistics_no", "logistics_code", "created_after", "created_before"]


class ExportInventoryFilterSet(DocumentFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=InventoryStatus.choices)
    supervision_mode = django_filters.ChoiceFilter(
        field_name="trade_mode",
        label=_("supervision mode"),
        choices=(("9610", "9610"), ("9710", "9710"), ("9810", "9810")),
    )
    # Where the goods are: arrived (CEB507), departed (CEB509), returned (CEB213/215).
    exit_status = django_filters.ChoiceFilter(choices=[c for c in ExitStatus.choices if c[0]])

    class Meta:
        model = ExportInventoryList
        fields = [
            "status",
            "exit_status",
            "bill_no",
            "order_no",
            "logistics_no",
            "cop_no",
            "invt_no",
            "ebc_code",
            "trade_mode",
            "supervision_mode",
            "statistics_flag",
            "created_after",
            "created_before",
        ]


class SummaryFilterSet(django_filters.FilterSet):
    class Meta:
        model = SummaryDeclaration
        fields = ["year", "month", "trade_mode", "ebc_code", "status"]


class ReceiptFilterSet(DocumentFilterSet):
    """The receipts' search: by part of the document's key, its kind, who answered, the code, dates."""

    kind = django_filters.ChoiceFilter(choices=DocumentKind.choices, label=_("Document"))
    source = django_filters.ChoiceFilter(choices=ReceiptSource.choices, label=_("From"))
    return_status = django_filters.CharFilter(label=_("Code"))

    class Meta:
        model = Receipt
        fields = ["kind", "source", "return_status"]


class ReturnFilterSet(DocumentFilterSet):
    """The returns' search: by part of the list's numbers, the return's state, dates applied."""

    state = django_filters.ChoiceFilter(choices=InventoryRefund.State.choices, label=_("state"))

    class Meta:
        model = InventoryRefund
        fields = ["state"]


class AgencyReceiptFilterSet(DocumentFilterSet):
    """An agency's answers, searched by part of the list's numbers, the code and dates. No model: it
    filters customs' receipts and the other agencies' decisions alike (the same field names)."""

    return_status = django_filters.CharFilter(label=_("Code"))
