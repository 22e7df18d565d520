"""Field validation of warehouse registrations and CEB711 warehouse entries (lengths from the XSD)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Warehouse


def text(max_length: int, **kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, **kwargs)


class WarehouseSchema(serializers.Serializer):
    code = serializers.RegexField(
        r"^[A-Z0-9]{4,18}$", max_length=18, help_text=_("4-18 capital letters/digits")
    )
    name = text(100)
    kind = serializers.ChoiceField(choices=Warehouse.Kind.choices)
    ems_no = text(30, required=False, allow_blank=True, default="")
    country = serializers.RegexField(r"^[0-9]{3}$", required=False, default="142")
    address = text(200)
    capacity = serializers.IntegerField(min_value=1, max_value=100_000_000)
    park = serializers.IntegerField(required=False, allow_null=True, default=None)

    def validate(self, data):
        if data["kind"] == Warehouse.Kind.BONDED and not data["ems_no"]:
            raise serializers.ValidationError(
                {"ems_no": [_("A bonded warehouse needs its customs account book.")]}
            )
        if data["kind"] == Warehouse.Kind.OVERSEAS and data["country"] == "142":
            raise serializers.ValidationError(
                {"country": [_("An overseas warehouse is outside China (not 142).")]}
            )
        return data


class WarehouseEntryLineSchema(serializers.Serializer):
    gnum = serializers.IntegerField(min_value=1, max_value=99999)
    logistics_no = text(60)
    item_record_no = text(30)
    gcode = serializers.RegexField(r"^[0-9]{10}$", help_text=_("10 digits"))
    gname = text(250)
    unit = serializers.RegexField(r"^[0-9]{3}$")
    qty = serializers.DecimalField(max_digits=19, decimal_places=5, min_value=Decimal("0.00001"))
    note = text(1000, required=False, allow_blank=True, default="")


class WarehouseEntrySchema(serializers.Serializer):
    """CEB711 DeliveryHead plus the warehouse the goods enter and, per line, the SKU and quantity."""

    guid = serializers.RegexField(r"^[0-9A-Fa-f-]{36}$")
    app_type = serializers.ChoiceField(choices=("1",), default="1")
    app_time = serializers.RegexField(r"^[0-9]{14}$")
    app_status = serializers.ChoiceField(choices=("1", "2"), default="2")
    customs_code = serializers.RegexField(r"^[0-9]{4}$")
    cop_no = text(20)
    operator_code = text(18)
    operator_name = text(100)
    ie_flag = serializers.ChoiceField(choices=("I", "E"), default="I")
    traf_mode = serializers.ChoiceField(choices=tuple("0123456789AWXYZHT"))
    traf_no = text(100)
    voyage_no = text(32)
    bill_no = text(37)
    logistics_code = text(18)
    logistics_name = text(100)
    unload_location = text(100, required=False, allow_blank=True, default="")
    note = text(1000, required=False, allow_blank=True, default="")
    warehouse_code = text(18)
    lines = WarehouseEntryLineSchema(many=True, allow_empty=False, max_length=999)

    def validate_lines(self, lines):
        numbers = [line["gnum"] for line in lines]
        if len(set(numbers)) != len(numbers):
            raise serializers.ValidationError(_("Line numbers (gnum) must be unique."))
        return lines
