"""django-filter filtersets of the document lists (by party, number, status, dates)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from singlewindow.core.api import UtcDateTimeFilter

from .choices import InventoryStatus
from .models import (
    ExportInventoryList,
    ExportOrder,
    ExportWaybill,
    InventoryList,
    Order,
    Payment,
    ReceiptOfPayment,
    SummaryDeclaration,
    Waybill,
)


class DocumentFilterSet(django_filters.FilterSet):
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte", label=_("received from"))
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt", label=_("received before"))


class OrderFilterSet(DocumentFilterSet):
    buyer_id = django_filters.CharFilter(field_name="buyer_id_number", label=_("buyer ID number"))
    buyer_id_number = django_filters.CharFilter(field_name="buyer_id_number", label=_("buyer ID number"))

    class Meta:
        model = Order
        fields = ["order_no", "ebp_code", "ebc_code", "buyer_id", "created_after", "created_before"]


class PaymentFilterSet(DocumentFilterSet):
    buyer_id = django_filters.CharFilter(field_name="payer_id_number", label=_("payer ID number"))

    class Meta:
        model = Payment
        fields = ["order_no", "pay_code", "pay_transaction_id", "buyer_id", "created_after", "created_before"]


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
    buyer_id = django_filters.CharFilter(field_name="buyer_id_number", label=_("buyer ID number"))
    buyer_id_number = django_filters.CharFilter(field_name="buyer_id_number", label=_("buyer ID number"))
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
            "buyer_id",
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

    class Meta:
        model = ExportInventoryList
        fields = [
            "status",
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
