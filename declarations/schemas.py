"""Field-by-field validation of the four documents at intake, shared by JSON, CEB XML, CSV and the
browser: lengths, required fields and decimal places of the 2022-05 XSD (DOMAIN.md 2.1-2.5), then the
rules a document must meet on its own (declarations.matching). Errors name the field.

The database's unique constraints, not a query per document, enforce the natural keys.
"""

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from . import matching
from .choices import AppType

TIME14 = r"^[0-9]{14}$"
DATE8 = r"^[0-9]{8}$"
MAX_LINES = 99
DATE_FORMATS = {
    "app_time": "%Y%m%d%H%M%S",
    "pay_time": "%Y%m%d%H%M%S",
    "logistics_time": "%Y%m%d%H%M%S",
    "decl_time": "%Y%m%d",
    "ie_date": "%Y%m%d",
    "accounting_date": "%Y%m%d%H%M%S",
}


def text(
    max_length: int, *, required: bool = True, exact: bool = False, **kwargs: Any
) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length,
        min_length=max_length if exact else (1 if required else None),
        required=required,
        allow_blank=not required,
        default="" if not required else serializers.empty,
        **kwargs,
    )


def code(length: int, *, required: bool = True, choices: tuple[str, ...] | None = None) -> serializers.Field:
    if choices:
        return serializers.ChoiceField(choices=choices, required=required)
    return text(length, required=required, exact=True)


def amount(*, required: bool = True, positive: bool = False) -> serializers.DecimalField:
    # Validators go in as an argument: DRF re-creates declared fields from their arguments.
    return serializers.DecimalField(
        max_digits=19,
        decimal_places=5,
        min_value=0,
        required=required,
        allow_null=not required,
        default=None if not required else serializers.empty,
        validators=[_positive] if positive else [],
    )


def _positive(value):
    if value is not None and value <= 0:
        raise serializers.ValidationError(_("Must be greater than zero."))


def timestamp(required: bool = True) -> serializers.RegexField:
    return serializers.RegexField(
        TIME14,
        required=required,
        allow_blank=not required,
        default="" if not required else serializers.empty,
        error_messages={"invalid": _("Use the CEB format YYYYMMDDhhmmss (14 digits).")},
    )


def date8(required: bool = True) -> serializers.RegexField:
    return serializers.RegexField(
        DATE8,
        required=required,
        allow_blank=not required,
        default="" if not required else serializers.empty,
        error_messages={"invalid": _("Use the CEB format YYYYMMDD (8 digits).")},
    )


class CebSchema(serializers.Serializer):
    """Header fields of every declared document (DOMAIN.md 1.5)."""

    guid = text(36, exact=True)
    app_type = serializers.ChoiceField(choices=AppType.choices)
    app_time = timestamp()
    app_status = serializers.ChoiceField(choices=("1", "2"))
    note = text(1000, required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            # CEB XML sends empty elements for absent optional values; treat them as absent.
            data = {k: v for k, v in data.items() if not (v == "" and k in self.optional_non_text)}
        return super().to_internal_value(data)

    @property
    def optional_non_text(self) -> set[str]:
        return {
            name
            for name, field in self.fields.items()
            if not field.required and not isinstance(field, serializers.CharField)
        }

    def check_header(self, attrs: dict) -> None:
        """What a field alone cannot say: dates that exist, and no deletion by app_type 3."""
        errors: dict[str, list[str]] = {}
        if attrs.get("app_type") == AppType.DELETE:
            errors["app_type"] = [
                _(
                    "Deleting (app_type 3) is done with a cancellation message (CEB623) at "
                    "/api/v1/inventory-cancels/; send 1 (new) or 2 (change)."
                )
            ]
        for name, pattern in DATE_FORMATS.items():
            value = attrs.get(name)
            if value and not _is_real_date(value, pattern):
                errors[name] = [_("Not a real date: %(value)s.") % {"value": value}]
        if errors:
            raise serializers.ValidationError(errors)

    def raise_rule_failures(self, failures: list[matching.Failure], prefix: str) -> None:
        if failures:
            errors: dict[str, list[str]] = {}
            for failure in failures:
                field = failure.field.removeprefix(f"{prefix}.")
                errors.setdefault(field, []).append(f"[{failure.rule}] {failure.message}")
            raise serializers.ValidationError(errors)


def _is_real_date(value: str, pattern: str) -> bool:
    """What `datetime.strptime(value, pattern)` says for these all-digit formats, without its parser:
    intake checks thousands of dates a second."""
    width = 14 if pattern.endswith("%S") else 8
    if len(value) != width or not (value.isascii() and value.isdigit()):
        try:
            datetime.strptime(value, pattern)
        except ValueError:
            return False
        return True
    parts = [int(value[:4]), int(value[4:6]), int(value[6:8])]
    if width == 14:
        parts += [int(value[8:10]), int(value[10:12]), int(value[12:14])]
    try:
        datetime(*parts)  # noqa: DTZ001 - only whether the date exists
    except ValueError:
        return False
    return True


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


# --- export (DOMAIN 3) ----------------------------------------------------------------------------

EXPORT_MODES = ("9610", "9710", "9810")
# The order type each export mode needs (DOMAIN 3.1): E = B2C, B = B2B, W = overseas-warehouse booking.
ORDER_TYPE_OF_MODE = {"9610": "E", "9710": "B", "9810": "W"}


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


class FastValidator:
    """Validates a batch's documents without DRF's per-field machinery, for the common case where they
    are valid: the field rules are compiled once from the schema above. Anything unusual (a wrong type,
    a value to trim, a failed check) returns None, and the caller runs the DRF schema on that document,
    so every error reads exactly as DRF words it. About five times faster on valid documents.
    """

    def __init__(self, schema: serializers.Serializer):
        self.schema = schema
        self.fields = [self._compile(name, field) for name, field in schema.fields.items()]

    @classmethod
    def of(cls, schema_class: type[serializers.Serializer]) -> "FastValidator":
        """The validator of a schema class, compiled once per process: compiling reads every field of a
        fresh schema, which DRF deep-copies, on each request otherwise. The schemas' validate() keep no
        state, so one instance serves every request."""
        try:
            return _COMPILED[schema_class]
        except KeyError:
            return _COMPILED.setdefault(schema_class, cls(schema_class()))

    def _compile(self, name: str, field: serializers.Field) -> tuple:
        if isinstance(field, serializers.ListSerializer):
            return (name, "list", field.required, FastValidator(field.child), field.max_length, None, None)
        if isinstance(field, serializers.ChoiceField):
            return (
                name,
                "choice",
                field.required,
                frozenset(str(c) for c in field.choices),
                None,
                None,
                None,
            )
        if isinstance(field, serializers.DecimalField):
            positive = any(v is _positive for v in field.validators)
            return (name, "decimal", field.required, positive, None, None, field.default)
        if isinstance(field, serializers.IntegerField):
            return (name, "integer", field.required, field.min_value, field.max_value, None, None)
        regex = next((v.regex for v in field.validators if isinstance(v, RegexValidator)), None)
        return (name, "text", field.required, field.max_length, field.min_length or 0, regex, field.default)

    def validate(self, data: Any) -> dict | None:
        if not isinstance(data, dict):
            return None
        out: dict[str, Any] = {}
        texts: list[str] = []
        for name, kind, required, a, b, c, default in self.fields:
            value = data.get(name, serializers.empty)
            if value is None and kind != "decimal":
                return None  # DRF: "This field may not be null."
            if value is serializers.empty or value is None or (value == "" and kind == "decimal"):
                if required:
                    return None
                if kind == "text":
                    out[name] = "" if default is serializers.empty else default
                elif kind == "decimal":
                    out[name] = None
                continue
            if kind == "text":
                if type(value) is not str or value != value.strip():
                    return None
                texts.append(value)
                if (a is not None and len(value) > a) or len(value) < b or (required and not value):
                    return None
                if c is not None and not c.search(value):
                    return None
                out[name] = value
            elif kind == "choice":
                if type(value) is not str or value not in a:
                    return None
                out[name] = value
            elif kind == "decimal":
                number = _decimal(value)
                if number is None or number < 0 or (a and number <= 0):
                    return None
                out[name] = number
            elif kind == "integer":
                if type(value) is not int or (a is not None and value < a) or (b is not None and value > b):
                    return None
                out[name] = value
            else:  # list of lines
                if type(value) is not list or not value or (b is not None and len(value) > b):
                    return None
                lines = [a.validate(item) for item in value]
                if any(line is None for line in lines):
                    return None
                out[name] = lines
        if _UNUSUAL.search("".join(texts)):  # one search of the document's text, not one per field
            return None
        try:
            return self.schema.validate(out)
        except serializers.ValidationError:
            return None


_QUANTUM = Decimal("0.00001")
_COMPILED: dict[type, FastValidator] = {}
# NUL and lone surrogates, which DRF refuses and PostgreSQL cannot store: left to DRF to word.
_UNUSUAL = re.compile("[\x00\ud800-\udfff]")


# Up to 14 whole digits and 5 decimals, as amounts are written: such a string needs no further check.
_PLAIN_AMOUNT = re.compile(r"[0-9]{1,14}(?:\.[0-9]{1,5})?")


def _decimal(value: Any) -> Decimal | None:
    """A DecimalField(max_digits=19, decimal_places=5) value, as DRF would return it, or None if unsure."""
    if type(value) is str and _PLAIN_AMOUNT.fullmatch(value):
        return Decimal(value).quantize(_QUANTUM)
    if type(value) is str:
        if not value or value != value.strip() or len(value) > 100:
            return None
        try:
            number = Decimal(value)
        except ArithmeticError:
            return None
    elif type(value) is int:
        number = Decimal(value)
    else:
        return None
    if not number.is_finite():
        return None
    sign, digits, exponent = number.as_tuple()
    decimals = -exponent if exponent < 0 else 0
    whole = len(digits) - decimals if exponent < 0 else len(digits) + exponent
    if decimals > 5 or whole + 5 > 19:
        return None
    return number.quantize(_QUANTUM)
