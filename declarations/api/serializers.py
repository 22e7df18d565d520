from rest_framework import serializers

from ..models import InventoryItem, InventoryList, Order, OrderItem, Payment, Receipt, Waybill

INTERNAL = ("submitted_by", "content_hash")


class ReceiptSerializer(serializers.ModelSerializer):
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


class OrderSerializer(serializers.ModelSerializer):
    items = OrderItemSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        exclude = INTERNAL


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        exclude = INTERNAL


class WaybillSerializer(serializers.ModelSerializer):
    class Meta:
        model = Waybill
        exclude = INTERNAL


class InventoryItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InventoryItem
        exclude = ["id", "inventory"]


class InventorySerializer(serializers.ModelSerializer):
    items = InventoryItemSerializer(many=True, read_only=True)

    class Meta:
        model = InventoryList
        exclude = (*INTERNAL, "match_requested_at", "dispatch_batch", "order", "payment", "waybill")


class InventoryDetailSerializer(InventorySerializer):
    timeline = serializers.SerializerMethodField()
    waiting_for = serializers.SerializerMethodField()

    def get_timeline(self, obj) -> list[dict]:
        from ..selectors import inventory_timeline

        return ReceiptSerializer(inventory_timeline(obj), many=True).data

    def get_waiting_for(self, obj) -> list[str]:
        return self.context.get("waiting_for", [])


class IntakeReceiptSerializer(serializers.Serializer):
    """The answer about one submitted document."""

    index = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["accepted", "duplicate", "changed", "rejected"])
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


class InspectionResultSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if not attrs["passed"] and not attrs["reason"].strip():
            raise serializers.ValidationError({"reason": ["Say what failed; the enterprise sees it."]})
        return attrs
