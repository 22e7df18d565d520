"""Filter sets of enterprises, shared by the review page and the API, and of the code tables' entries."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import EnterpriseRole, EnterpriseStatus
from .models import CodeTableEntry, Enterprise
from .selectors import valid_on


class EnterpriseFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=EnterpriseStatus.choices)
    role = django_filters.ChoiceFilter(choices=EnterpriseRole.choices, method="filter_role", label=_("role"))
    zone = django_filters.CharFilter(field_name="park__zone__slug", label=_("zone"))
    park = django_filters.CharFilter(field_name="park__slug", label=_("park"))
    q = django_filters.CharFilter(method="filter_q", label=_("search"))

    class Meta:
        model = Enterprise
        fields = ["status", "role", "zone", "park", "customs_code", "uscc"]

    def filter_role(self, queryset, name, value):
        # roles is a JSON list; matching the quoted code works on SQLite and PostgreSQL alike.
        return queryset.filter(roles__icontains=f'"{value}"')

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name_zh__icontains=value)
            | Q(name_en__icontains=value)
            | Q(customs_code__iexact=value)
            | Q(uscc__iexact=value)
        )


class CodeTableEntryFilterSet(django_filters.FilterSet):
    """`q` finds a code by its beginning or a name by any part; `on` keeps the codes valid that day."""

    q = django_filters.CharFilter(method="filter_q", label=_("code or name"), max_length=100)
    on = django_filters.DateFilter(method="filter_on", label=_("valid on (YYYY-MM-DD)"))

    class Meta:
        model = CodeTableEntry
        fields = ["q", "on"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(code__istartswith=value) | Q(name_zh__icontains=value) | Q(name_en__icontains=value)
        )

    def filter_on(self, queryset, name, value):
        return valid_on(queryset, value)
