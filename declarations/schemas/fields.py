"""The field builders of the CEB schemas (lengths, codes, amounts, times of the 2022-05 XSD) and
their common base, `CebSchema`, which checks header and dates."""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from singlewindow.core.inputs import EARLIEST, LATEST

from .. import matching
from ..choices import AppType

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
            if value and not is_real_date(value, pattern):
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


def is_real_date(value: str, pattern: str) -> bool:
    """What `datetime.strptime(value, pattern)` says for these all-digit formats, without its parser
    (intake checks thousands of dates a second), and within the years the portal reads: a sign-for at
    year 1 overflowed when its time was made aware and stored."""
    width = 14 if pattern.endswith("%S") else 8
    if len(value) != width or not (value.isascii() and value.isdigit()):
        try:
            parsed = datetime.strptime(value, pattern)
        except ValueError:
            return False
        return EARLIEST.year <= parsed.year <= LATEST.year
    parts = [int(value[:4]), int(value[4:6]), int(value[6:8])]
    if not EARLIEST.year <= parts[0] <= LATEST.year:
        return False
    if width == 14:
        parts += [int(value[8:10]), int(value[10:12]), int(value[12:14])]
    try:
        datetime(*parts)  # noqa: DTZ001 - only whether the date exists
    except ValueError:
        return False
    return True
