"""Serializers of finance's API: tax summaries and bills, consolidations, guarantees and top-ups,
forex settlements and financing requests."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sharing.identifiers import PARTY_CODE_PATTERN

from ..models import (
    FinancingRequest,
    ForexSettlement,
    GuaranteeTopUp,
    TaxBill,
    TaxBillCredit,
    TaxConsolidation,
    TaxGuarantee,
)


class PeriodSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2014, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)


def party_code(max_length: int) -> serializers.RegexField:
    """A party's code in a query: letters and digits only, so nothing else reaches a file name."""
    return serializers.RegexField(
        PARTY_CODE_PATTERN,
        max_length=max_length,
        required=False,
        error_messages={"invalid": _("A code is letters and digits only.")},
    )


class TaxSummaryQuerySerializer(PeriodSerializer):
    assure_code = party_code(30)


class ForexStatementQuerySerializer(PeriodSerializer):
    ebc_code = party_code(18)


class TaxBillRowSerializer(serializers.ModelSerializer):
    total = serializers.DecimalField(max_digits=19, decimal_places=5, read_only=True)
    cop_no = serializers.CharField(source="inventory.cop_no", read_only=True)

    class Meta:
        model = TaxBill
        fields = [
            "tax_no",
            "invt_no",
            "cop_no",
            "ebc_code",
            "customs_tax",
            "value_added_tax",
            "consumption_tax",
            "total",
            "status",
            "ent_duty_no",
            "created_at",
        ]


class TaxCreditRowSerializer(serializers.ModelSerializer):
    total = serializers.DecimalField(max_digits=19, decimal_places=5, read_only=True)
    tax_no = serializers.CharField(source="bill.tax_no", read_only=True)
    invt_no = serializers.CharField(source="bill.invt_no", read_only=True)

    class Meta:
        model = TaxBillCredit
        fields = [
            "tax_no",
            "invt_no",
            "customs_tax",
            "value_added_tax",
            "consumption_tax",
            "total",
            "created_at",
        ]


class TaxConsolidationSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaxConsolidation
        exclude = ["consolidated_by"]


class TaxSummarySerializer(serializers.Serializer):
    assure_code = serializers.CharField()
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    bills = TaxBillRowSerializer(many=True)
    credits = TaxCreditRowSerializer(many=True)
    tax_total = serializers.DecimalField(max_digits=19, decimal_places=5)
    credit_total = serializers.DecimalField(max_digits=19, decimal_places=5)
    amount_due = serializers.DecimalField(max_digits=19, decimal_places=5)
    consolidation = TaxConsolidationSerializer(allow_null=True)


class TaxGuaranteeSerializer(serializers.ModelSerializer):
    available = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    is_low = serializers.BooleanField(read_only=True)

    class Meta:
        model = TaxGuarantee
        fields = [
            "id",
            "assure_code",
            "amount",
            "used",
            "reserved",
            "available",
            "is_low",
            "low_warned_at",
            "updated_at",
        ]


class TopUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = GuaranteeTopUp
        fields = ["id", "amount", "reference", "created_at"]
        extra_kwargs = {"amount": {"min_value": Decimal("0.01")}}


class ForexSettlementSerializer(serializers.ModelSerializer):
    invt_no = serializers.CharField(source="export_list.invt_no", read_only=True)
    order_no = serializers.CharField(source="export_list.order_no", read_only=True)

    class Meta:
        model = ForexSettlement
        fields = ["invt_no", "order_no", "currency", "amount", "cny_per_unit", "amount_cny", "settled_at"]


class FinancingRequestSerializer(serializers.ModelSerializer):
    enterprise_code = serializers.CharField(source="enterprise.customs_code", read_only=True)

    class Meta:
        model = FinancingRequest
        fields = [
            "id",
            "enterprise",
            "enterprise_code",
            "kind",
            "amount",
            "term_months",
            "purpose",
            "volume_12m",
            "lists_12m",
            "credit_level",
            "suggested_limit",
            "status",
            "decision_note",
            "decided_at",
            "created_at",
        ]
        read_only_fields = [
            "enterprise",
            "volume_12m",
            "lists_12m",
            "credit_level",
            "suggested_limit",
            "status",
            "decision_note",
            "decided_at",
        ]
        extra_kwargs = {"amount": {"min_value": 1}, "term_months": {"min_value": 1, "max_value": 60}}


class FinancingDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
