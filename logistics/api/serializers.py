"""Serializers of logistics' API: warehouses and their review, stock, stock movements, entries."""

from rest_framework import serializers

from ..models import StockItem, StockMovement, Warehouse, WarehouseEntry, WarehouseEntryLine


class WarehouseSerializer(serializers.ModelSerializer):
    operator_code = serializers.CharField(source="operator.customs_code", read_only=True)
    operator_name = serializers.CharField(source="operator.name_zh", read_only=True)

    class Meta:
        model = Warehouse
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "operator_code",
            "operator_name",
            "park",
            "ems_no",
            "country",
            "address",
            "capacity",
            "status",
            "created_at",
        ]


class WarehouseDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class StockItemSerializer(serializers.ModelSerializer):
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    available = serializers.DecimalField(max_digits=19, decimal_places=5, read_only=True)

    class Meta:
        model = StockItem
        fields = [
            "id",
            "warehouse_code",
            "item_record_no",
            "owner_code",
            "gcode",
            "gname",
            "unit",
            "quantity",
            "reserved",
            "available",
            "updated_at",
        ]


class StockMovementSerializer(serializers.ModelSerializer):
    warehouse_code = serializers.CharField(source="stock_item.warehouse.code", read_only=True)
    item_record_no = serializers.CharField(source="stock_item.item_record_no", read_only=True)

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "warehouse_code",
            "item_record_no",
            "kind",
            "qty",
            "balance",
            "entry",
            "inventory",
            "refund",
            "created_at",
        ]


class WarehouseEntryLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = WarehouseEntryLine
        exclude = ["id", "entry"]


class WarehouseEntrySerializer(serializers.ModelSerializer):
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    lines = WarehouseEntryLineSerializer(many=True, read_only=True)

    class Meta:
        model = WarehouseEntry
        exclude = ["submitted_by", "content_hash", "warehouse"]
