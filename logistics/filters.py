"""django-filter filtersets of the logistics lists: a warehouse's bonded stock."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import StockItem


class StockFilterSet(django_filters.FilterSet):
    """A warehouse's stock: part of the item number, commodity code or name; the owner's code."""

    number = django_filters.CharFilter(method="filter_number", label=_("Number (or part of it)"))
    owner_code = django_filters.CharFilter(label=_("Owner"))

    class Meta:
        model = StockItem
        fields = ["owner_code"]

    def filter_number(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(item_record_no__icontains=value) | Q(gcode__icontains=value) | Q(gname__icontains=value)
        )
