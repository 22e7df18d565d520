"""Filter set of alerts, shared by the officials' queue page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from singlewindow.core.api import UtcDateTimeFilter

from .models import Alert


class AlertFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Alert.Status.choices)
    rule = django_filters.CharFilter(field_name="rules", lookup_expr="icontains", label=_("rule"))
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte", label=_("minimum score"))
    ebc_code = django_filters.CharFilter(field_name="inventory__ebc_code", label=_("e-commerce enterprise"))
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Alert
        fields = ["status", "outcome", "rule", "min_score", "ebc_code", "created_after"]
