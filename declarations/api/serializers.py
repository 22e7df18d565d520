"""Serializers of the documents, their lines and receipts, as the API answers them."""

from rest_framework import serializers

from .. import privacy
from ..models import (
    ExportInventoryItem,
    ExportInventoryList,
    ExportOrder,
    ExportOrderItem,
    ExportWaybill,
    InventoryCancel,
    InventoryItem,
    InventoryList,
    InventoryRefund,
    InventoryRefundLine,
    Order,
    OrderItem,
    Payment,
    Receipt,
    ReceiptOfPayment,
    SummaryDeclaration,
    Waybill,
)

INTERNAL = ("submitted_by", "content_hash")


class BuyerPrivacyMixin:
    """Buyers' personal fields as the caller may read them (declarations.privacy): masked for officials
    without the need to know, and whenever the serializer was given no request."""

    def to_representation(self, instance):
        data = super().to_representation(instance)  # type: ignore[misc]  # a Serializer's, mixed in first
        request = self.context.get("request")  # type: ignore[attr-defined]
        return privacy.for_principal(data, getattr(request, "principal", None))


class BuyerSearchSerializer(serializers.Serializer):
    """A search by buyer ID number: in the body, never in the URL (it would reach the access logs)."""

    buyer_id_number = serializers.CharField(max_length=60)


class PayerSearchSerializer(serializers.Serializer):
    payer_id_number = serializers.CharField(max_length=60)


class ReceiptSerializer(serializers.ModelSerializer):
    return_info = serializers.CharField(
        source="info", read_only=True, help_text="the reason, in the reader's language (Accept-Language)"
    )

    class Meta:
        model = Receipt
        fields = [
            "id",
            "kind",
            "document_id",
            "source",
            "natural_key",
            "return_status",
            "return_info",
            "guid",
            "created_at",
        ]


class OrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        exclude = ["id", "order"]


class OrderSerializer(BuyerPrivacyMixin, serializers.ModelSerializer):
    items = OrderItemSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        exclude = INTERNAL


class PaymentSerializer(BuyerPrivacyMixin, serializers.ModelSerializer):
    class Meta:
        model = Payment
        exclude = INTERNAL


class WaybillSerializer(BuyerPrivacyMixin, serializers.ModelSerializer):
    class Meta:
        model = Waybill
        exclude = INTERNAL


class InventoryItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InventoryItem
        exclude = ["id", "inventory"]


class InventorySerializer(BuyerPrivacyMixin, serializers.ModelSerializer):
    items = InventoryItemSerializer(many=True, read_only=True)

    class Meta:
        model = InventoryList
        exclude = (*INTERNAL, "match_requested_at", "dispatch_batch", "order", "payment", "waybill")


class InventoryDetailSerializer(InventorySerializer):
    timeline = serializers.SerializerMethodField()
    waiting_for = serializers.SerializerMethodField()

    agency_decisions = serializers.SerializerMethodField()

    def get_timeline(self, obj) -> list[dict]:
        from ..selectors import inventory_timeline

        return ReceiptSerializer(inventory_timeline(obj), many=True).data

    def get_agency_decisions(self, obj) -> list[dict]:
        """Each authority's answer (customs, inspection, tax, forex); the timeline holds the receipts
        they add up to."""
        from ..selectors import inventory_decisions

        return [
            {
                "agency": d.agency,
                "outcome": d.outcome,
                "return_status": d.return_status,
                "return_info": d.info,
                "created_at": d.created_at,
            }
            for d in inventory_decisions(obj)
        ]

    def get_waiting_for(self, obj) -> list[str]:
        return self.context.get("waiting_for", [])


class IntakeReceiptSerializer(serializers.Serializer):
    """The answer about one submitted document."""

    index = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["accepted", "duplicate", "changed", "rejected", "received"])
    id = serializers.IntegerField(allow_null=True)
    natural_key = serializers.DictField(child=serializers.CharField())
    return_status = serializers.CharField()
    return_info = serializers.CharField()
    receipt_id = serializers.IntegerField(allow_null=True, source="receipt.id", default=None)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class BatchAnswerSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    changed = serializers.IntegerField()
    rejected = serializers.IntegerField()
    receipts = IntakeReceiptSerializer(many=True)


class IntakeErrorSerializer(serializers.Serializer):
    """A 400 at intake: the error (naming the fields), and the receipt of the one document or, for a
    batch, every receipt in order (the good documents were stored all the same)."""

    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
    receipt = IntakeReceiptSerializer(required=False)
    count = serializers.IntegerField(required=False)
    accepted = serializers.IntegerField(required=False)
    duplicates = serializers.IntegerField(required=False)
    changed = serializers.IntegerField(required=False)
    rejected = serializers.IntegerField(required=False)
    receipts = IntakeReceiptSerializer(many=True, required=False)


class InspectionResultSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if not attrs["passed"] and not attrs["reason"].strip():
            raise serializers.ValidationError({"reason": ["Say what failed; the enterprise sees it."]})
        return attrs


# --- export ------------------------------------------------------------------------------------


class ExportOrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExportOrderItem
        exclude = ["id", "order"]


class ExportOrderSerializer(serializers.ModelSerializer):
    items = ExportOrderItemSerializer(many=True, read_only=True)

    class Meta:
        model = ExportOrder
        exclude = INTERNAL


class ReceiptOfPaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReceiptOfPayment
        exclude = INTERNAL


class ExportWaybillSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExportWaybill
        exclude = INTERNAL


class ExportInventoryItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExportInventoryItem
        exclude = ["id", "inventory"]


class ExportInventorySerializer(serializers.ModelSerializer):
    items = ExportInventoryItemSerializer(many=True, read_only=True)
    vat_exempt = serializers.SerializerMethodField()
    forex_settled = serializers.SerializerMethodField()

    class Meta:
        model = ExportInventoryList
        exclude = [*INTERNAL, "match_requested_at", "dispatch_batch"]

    def get_vat_exempt(self, obj) -> bool:
        return hasattr(obj, "vat_exemption")

    def get_forex_settled(self, obj) -> bool:
        return hasattr(obj, "forex_settlement")


class SummaryListSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExportInventoryList
        fields = ["id", "invt_no", "cop_no", "logistics_no", "trade_mode", "fob_value_cny", "final_at"]


class SummaryDeclarationSerializer(serializers.ModelSerializer):
    lists = SummaryListSerializer(many=True, read_only=True)

    class Meta:
        model = SummaryDeclaration
        exclude = ["submitted_by"]


class SummaryApplySerializer(serializers.Serializer):
    ebc_code = serializers.CharField(max_length=18, required=False)
    year = serializers.IntegerField(min_value=2014, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    trade_mode = serializers.ChoiceField(choices=("9610", "9710", "9810"))
    decl_agent_code = serializers.CharField(max_length=18)
    decl_agent_name = serializers.CharField(max_length=100)


class InspectionOutcomeSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    reason = serializers.CharField(max_length=500)


# --- cancel and return ----------------------------------------------------------------------------


class InventoryCancelSerializer(BuyerPrivacyMixin, serializers.ModelSerializer):
    class Meta:
        model = InventoryCancel
        exclude = ["submitted_by"]


class InventoryRefundLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InventoryRefundLine
        exclude = ["id", "refund"]


class InventoryRefundSerializer(BuyerPrivacyMixin, serializers.ModelSerializer):
    items = InventoryRefundLineSerializer(many=True, read_only=True, source="lines")

    class Meta:
        model = InventoryRefund
        # The natural key's hash and who confirms the goods are the window's own bookkeeping.
        exclude = ["submitted_by", "lines_key", "goods_receiver"]
