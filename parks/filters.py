"""Filter sets of zones, parks and park applications, shared by the pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import ApplicationStatus, ParkKind
from .models import Park, ParkApplication, Zone


class ZoneFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("search"))

    class Meta:
        model = Zone
        fields = ["batch", "city", "slug"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name_zh__icontains=value) | Q(name_en__icontains=value) | Q(city__icontains=value)
        )


class ParkFilterSet(django_filters.FilterSet):
    zone = django_filters.CharFilter(field_name="zone__slug", label=_("zone"))
    kind = django_filters.ChoiceFilter(choices=ParkKind.choices)
    service = django_filters.CharFilter(field_name="services__code", label=_("service"))

    class Meta:
        model = Park
        fields = ["zone", "kind", "service"]


class ParkApplicationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)
    park = django_filters.CharFilter(field_name="park__slug", label=_("park"))

    class Meta:
        model = ParkApplication
        fields = ["status", "park"]
