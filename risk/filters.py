"""Filter set of alerts, shared by the officials' queue page and the API."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from singlewindow.core.api import UtcDateTimeFilter

from .models import Alert


class AlertFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Alert.Status.choices)
    rule = django_filters.CharFilter(field_name="rules", lookup_expr="icontains", label=_("rule"))
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte", label=_("minimum score"))
    ebc_code = django_filters.CharFilter(field_name="inventory__ebc_code", label=_("e-commerce enterprise"))
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    # The queue's search: part of the list's numbers, its waybill, and a range of local dates raised.
    number = django_filters.CharFilter(method="filter_number", label=_("Number (or part of it)"))
    waybill = django_filters.CharFilter(
        field_name="inventory__logistics_no", lookup_expr="icontains", label=_("Waybill number")
    )
    date_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=pgettext_lazy("date range", "From")
    )
    date_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=pgettext_lazy("date range", "To")
    )

    def filter_number(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in ("cop_no", "pre_no", "invt_no", "order_no", "logistics_no"):
            condition |= Q(**{f"inventory__{field}__icontains": value})
        return queryset.filter(condition)

    class Meta:
        model = Alert
        fields = ["status", "outcome", "rule", "min_score", "ebc_code", "created_after"]
