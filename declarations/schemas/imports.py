"""Schemas of the import documents (CEB311, 411, 511, 513, 621) and of cancels (CEB623) and returns
(CEB625) of import lists."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .. import matching
from .fields import MAX_LINES, CebSchema, amount, code, date8, text, timestamp


class OrderItemSchema(CebSchema):
    guid = app_type = app_time = app_status = None  # lines have no header
    gnum = serializers.IntegerField(min_value=1, max_value=MAX_LINES)
    item_no = text(30, required=False)
    item_name = text(250)
    gmodel = text(510)
    item_describe = text(1000, required=False)
    bar_code = text(50, required=False)
    unit = code(3)
    qty = amount(positive=True)
    price = amount()
    total_price = amount()
    currency = code(3)
    country = code(3)


class OrderSchema(CebSchema):
    """CEB311 OrderHead + OrderList."""

    order_type = serializers.ChoiceField(choices=("I",))
    order_no = text(60)
    ebp_code = text(18)
    ebp_name = text(100)
    ebc_code = text(18)
    ebc_name = text(100)
    goods_value = amount()
    freight = amount()
    discount = amount()
    tax_total = amount()
    actual_paid = amount()
    currency = code(3)
    buyer_reg_no = text(60)
    buyer_name = text(60)
    buyer_telephone = text(30)
    buyer_id_type = code(1)
    buyer_id_number = text(60)
    pay_code = text(18, required=False)
    pay_name = text(100, required=False)
    pay_transaction_id = text(60, required=False)
    batch_numbers = text(100, required=False)
    consignee = text(100)
    consignee_telephone = text(50)
    consignee_address = text(200)
    consignee_district = text(6, required=False)
    items = OrderItemSchema(many=True, allow_empty=False, max_length=MAX_LINES)

    def validate(self, attrs):
        self.check_header(attrs)
        self.raise_rule_failures(
            matching.order_failures(
                matching.as_document(attrs), [matching.as_document(item) for item in attrs["items"]]
            ),
            "order",
        )
        return attrs


class PaymentSchema(CebSchema):
    """CEB411 PaymentHead."""

    pay_code = text(18)
    pay_name = text(100)
    pay_transaction_id = text(60)
    order_no = text(60)
    ebp_code = text(18)
    ebp_name = text(100)
    payer_id_type = code(1)
    payer_id_number = text(60)
    payer_name = text(60)
    telephone = text(60, required=False)
    amount_paid = amount()
    currency = code(3)
    pay_time = timestamp()

    def validate(self, attrs):
        self.check_header(attrs)
        self.raise_rule_failures(matching.payment_failures(matching.as_document(attrs)), "payment")
        return attrs


class WaybillSchema(CebSchema):
    """CEB511 LogisticsHead."""

    logistics_code = text(18)
    logistics_name = text(100)
    logistics_no = text(60)
    bill_no = text(37, required=False)
    order_no = text(60)
    freight = amount(required=False)
    insured_fee = amount(required=False)
    currency = code(3)
    weight = amount(positive=True)
    pack_no = serializers.IntegerField(min_value=1, max_value=999_999_999)
    goods_info = text(200, required=False)
    consignee = text(100)
    consignee_address = text(200)
    consignee_telephone = text(50)

    def validate(self, attrs):
        self.check_header(attrs)
        attrs["freight"] = attrs.get("freight") or 0
        attrs["insured_fee"] = attrs.get("insured_fee") or 0
        self.raise_rule_failures(matching.waybill_failures(matching.as_document(attrs)), "waybill")
        return attrs


class WaybillStatusSchema(CebSchema):
    """CEB513 LogisticsStatus: the parcel was signed for."""

    logistics_code = text(18)
    logistics_name = text(100)
    logistics_no = text(60)
    logistics_status = serializers.ChoiceField(choices=("S",))
    logistics_time = timestamp()

    def validate(self, attrs):
        self.check_header(attrs)
        return attrs


class InventoryItemSchema(CebSchema):
    guid = app_type = app_time = app_status = None
    gnum = serializers.IntegerField(min_value=1, max_value=MAX_LINES)
    item_record_no = text(30, required=False)
    item_no = text(20, required=False)
    item_name = text(250, required=False)
    gcode = serializers.RegexField(
        r"^[0-9]{10}$", error_messages={"invalid": _("A commodity code has 10 digits.")}
    )
    gname = text(250)
    gmodel = text(510)
    bar_code = text(50, required=False)
    country = code(3)
    trade_country = text(3, required=False)
    currency = code(3)
    qty = amount(positive=True)
    unit = code(3)
    qty1 = amount(positive=True)
    unit1 = code(3)
    qty2 = amount(required=False)
    unit2 = text(3, required=False)
    price = amount()
    total_price = amount()


class InventorySchema(CebSchema):
    """CEB621 InventoryHead + InventoryList. `cop_no` is required here: it is the list's natural key."""

    order_no = text(60)
    ebp_code = text(18)
    ebp_name = text(100)
    ebc_code = text(18)
    ebc_name = text(100)
    logistics_no = text(60)
    logistics_code = text(18)
    logistics_name = text(100)
    cop_no = text(20)
    assure_code = text(30)
    ems_no = text(30, required=False)
    ie_flag = serializers.ChoiceField(choices=("I",))
    decl_time = date8()
    customs_code = code(4)
    port_code = code(4)
    ie_date = date8(required=False)
    buyer_id_type = code(1)
    buyer_id_number = text(60)
    buyer_name = text(60)
    buyer_telephone = text(30)
    consignee_address = text(200)
    agent_code = text(18)
    agent_name = text(100)
    area_code = text(18, required=False)
    area_name = text(100, required=False)
    trade_mode = serializers.ChoiceField(choices=("9610", "1210"))
    traf_mode = text(1, exact=True)
    traf_no = text(100, required=False)
    voyage_no = text(32, required=False)
    bill_no = text(37, required=False)
    loct_no = text(10, required=False)
    license_no = text(19, required=False)
    country = code(3)
    freight = amount()
    insured_fee = amount()
    currency = code(3)
    wrap_type = text(1, required=False)
    pack_no = serializers.IntegerField(min_value=1, max_value=999_999_999)
    gross_weight = amount(positive=True)
    net_weight = amount(positive=True)
    items = InventoryItemSchema(many=True, allow_empty=False, max_length=MAX_LINES)

    def validate(self, attrs):
        self.check_header(attrs)
        self.raise_rule_failures(
            matching.inventory_failures(
                matching.as_document(attrs), [matching.as_document(item) for item in attrs["items"]]
            ),
            "inventory",
        )
        return attrs


# --- cancel (CEB623) and return (CEB625) ---------------------------------------------------------


class ListAmendmentSchema(CebSchema):
    """CEB623 InvtCancel / CEB625 InvtRefundHead. The list is found by cop_no, then pre_no, then invt_no
    (DOMAIN 2.7): before release it has no invt_no yet, so at least one of the three is required."""

    customs_code = code(4)
    order_no = text(60)
    ebp_code = text(18)
    ebp_name = text(100)
    ebc_code = text(18)
    ebc_name = text(100)
    logistics_no = text(60)
    logistics_code = text(18)
    logistics_name = text(100)
    cop_no = text(20, required=False)
    pre_no = text(18, required=False)
    invt_no = text(18, required=False)
    buyer_id_type = code(1)
    buyer_id_number = text(60)
    buyer_name = text(60)
    buyer_telephone = text(30)
    agent_code = text(18)
    agent_name = text(100)
    reason = text(1000)

    def validate(self, attrs):
        self.check_header(attrs)
        if not (attrs.get("cop_no") or attrs.get("pre_no") or attrs.get("invt_no")):
            raise serializers.ValidationError({"invt_no": [_("Name the list: invt_no, pre_no or cop_no.")]})
        return attrs


class RefundLineSchema(CebSchema):
    guid = app_type = app_time = app_status = None
    gnum = serializers.IntegerField(min_value=1, max_value=MAX_LINES)
    gcode = text(10, exact=True)
    gname = text(250)
    qty = amount(positive=True)
    unit = code(3)
    note = text(1000, required=False)


class RefundSchema(ListAmendmentSchema):
    items = RefundLineSchema(many=True, allow_empty=False, max_length=MAX_LINES)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        numbers = [line["gnum"] for line in attrs["items"]]
        if len(set(numbers)) != len(numbers):
            raise serializers.ValidationError({"items": [_("Each line of the list at most once.")]})
        return attrs
