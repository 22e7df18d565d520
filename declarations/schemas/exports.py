"""Schemas of the export documents (DOMAIN 3): CEB303 orders, 403 receipts of payment, 505 waybills and
603 lists."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .fields import MAX_LINES, CebSchema, amount, code, date8, text, timestamp

EXPORT_MODES = ("9610", "9710", "9810")


def _line_totals(lines: list[dict], prefix: str = "items") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for line in lines:
        expected = (line["price"] * line["qty"]).quantize(Decimal("0.01"))
        if abs(expected - line["total_price"]) > Decimal("0.01"):
            errors[f"{prefix}[{line['gnum']}].total_price"] = [
                _("total_price %(total)s != price x qty = %(expected)s")
                % {"total": line["total_price"], "expected": expected}
            ]
    numbers = [line["gnum"] for line in lines]
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        errors[prefix] = [_("Line numbers (gnum) run from 1 without gaps.")]
    return errors


class ExportOrderItemSchema(CebSchema):
    guid = app_type = app_time = app_status = None
    gnum = serializers.IntegerField(min_value=1, max_value=100)
    item_no = text(30)
    item_name = text(250)
    item_describe = text(1000, required=False)
    bar_code = text(50, required=False)
    unit = code(3)
    currency = code(3)
    qty = amount(positive=True)
    price = amount()
    total_price = amount()


class ExportOrderSchema(CebSchema):
    """CEB303 OrderHead + OrderList (1-100 lines)."""

    order_type = serializers.ChoiceField(choices=("E", "B", "W"))
    order_no = text(60)
    ebp_code = text(18)
    ebp_name = text(100)
    ebc_code = text(18)
    ebc_name = text(100)
    goods_value = amount()
    freight = amount()
    currency = code(3)
    items = ExportOrderItemSchema(many=True, allow_empty=False, max_length=100)

    def validate(self, attrs):
        self.check_header(attrs)
        errors = _line_totals(attrs["items"])
        total = sum((line["total_price"] for line in attrs["items"]), Decimal(0))
        if abs(total - attrs["goods_value"]) > Decimal("0.01"):
            errors["goods_value"] = [
                _("goods_value %(value)s != the lines' total %(total)s")
                % {"value": attrs["goods_value"], "total": total}
            ]
        for line in attrs["items"]:
            if line["currency"] != attrs["currency"]:
                errors[f"items[{line['gnum']}].currency"] = [_("Every line is in the order's currency.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ReceiptOfPaymentSchema(CebSchema):
    """CEB403 Receipts."""

    ebp_code = text(18)
    ebp_name = text(100)
    ebc_code = text(18)
    ebc_name = text(100)
    order_no = text(60)
    pay_code = text(18, required=False)
    pay_name = text(100)
    pay_no = text(60, required=False)
    charge = amount(positive=True)
    currency = code(3)
    accounting_date = timestamp()

    def validate(self, attrs):
        self.check_header(attrs)
        return attrs


class ExportWaybillSchema(CebSchema):
    """CEB505 Logistics."""

    logistics_code = text(18)
    logistics_name = text(100)
    logistics_no = text(32)
    freight = amount()
    insured_fee = amount()
    currency = code(3)
    gross_weight = amount(positive=True)
    pack_no = serializers.IntegerField(min_value=1, max_value=999_999_999)
    goods_info = text(200)
    ebc_code = text(18, required=False)
    ebc_name = text(100, required=False)
    ebc_telephone = text(50, required=False)

    def validate(self, attrs):
        self.check_header(attrs)
        return attrs


class ExportInventoryItemSchema(CebSchema):
    guid = app_type = app_time = app_status = None
    gnum = serializers.IntegerField(min_value=1, max_value=MAX_LINES)
    item_no = text(20)
    item_record_no = text(30, required=False)
    item_name = text(250, required=False)
    gcode = serializers.RegexField(r"^[0-9]{10}$", error_messages={"invalid": _("10 digits.")})
    gname = text(250)
    gmodel = text(250)
    bar_code = text(50)
    country = code(3)
    currency = code(3)
    qty = amount(positive=True)
    qty1 = amount(positive=True)
    qty2 = amount(required=False)
    unit = code(3)
    unit1 = code(3)
    unit2 = text(3, required=False)
    price = amount()
    total_price = amount()


class ExportInventorySchema(CebSchema):
    """CEB603 InventoryHead + InventoryList, and for 9810 the registered overseas warehouse."""

    customs_code = code(4)
    ebp_code = text(18)
    ebp_name = text(100)
    order_no = text(60)
    logistics_code = text(18)
    logistics_name = text(100)
    logistics_no = text(32)
    cop_no = text(30)
    ie_flag = serializers.ChoiceField(choices=("E",))
    port_code = code(4)
    ie_date = date8()
    statistics_flag = serializers.ChoiceField(choices=("A", "B"))
    agent_code = text(18)
    agent_name = text(100)
    ebc_code = text(18)
    ebc_name = text(100)
    owner_code = text(18)
    owner_name = text(100)
    iac_code = text(18, required=False)
    iac_name = text(100, required=False)
    ems_no = text(30, required=False)
    trade_mode = serializers.ChoiceField(
        choices=EXPORT_MODES,
        error_messages={
            "invalid_choice": _(
                '"{input}" is not an export mode of this window: 9610 (B2C), 9710 (B2B direct) or 9810 '
                "(overseas warehouse)."
            )
        },
    )
    traf_mode = text(1, exact=True)
    traf_name = text(100, required=False)
    voyage_no = text(32, required=False)
    bill_no = text(37, required=False)
    total_package_no = text(37, required=False)
    loct_no = text(10, required=False)
    license_no = text(19, required=False)
    country = code(3)
    pod = serializers.RegexField(r"^[A-Z0-9]{3,4}$", error_messages={"invalid": _("3 or 4 letters/digits.")})
    freight = amount()
    f_currency = code(3)
    f_flag = serializers.ChoiceField(choices=("1", "2", "3"))
    insured_fee = amount()
    i_currency = code(3)
    i_flag = serializers.ChoiceField(choices=("1", "2", "3"))
    wrap_type = text(1, exact=True)
    pack_no = serializers.IntegerField(min_value=1, max_value=999_999_999)
    gross_weight = amount(positive=True)
    net_weight = amount(positive=True)
    warehouse_code = text(18, required=False)
    items = ExportInventoryItemSchema(many=True, allow_empty=False, max_length=MAX_LINES)

    def validate(self, attrs):
        self.check_header(attrs)
        errors = _line_totals(attrs["items"])
        if attrs["net_weight"] > attrs["gross_weight"]:
            errors["net_weight"] = [_("The net weight cannot exceed the gross weight.")]
        if attrs["trade_mode"] == "9810" and not attrs["warehouse_code"]:
            # CEB603 has no warehouse element: a 9810 booking names its overseas warehouse as ebp
            # ("platform name or overseas warehouse name", DOMAIN 3.1).
            attrs["warehouse_code"] = attrs["ebp_code"]
        if attrs["statistics_flag"] == "A" and attrs["license_no"]:
            errors["statistics_flag"] = [
                _("Simplified declaration (A) is only for goods without a licence; use B.")
            ]
        if attrs["country"] == "142":
            errors["country"] = [_("An export goes to a country other than China (142).")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
