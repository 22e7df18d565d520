"""The compiled validator that checks a batch of valid documents without DRF's per-field machinery."""

import re
from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from rest_framework import serializers

from .fields import _positive


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
