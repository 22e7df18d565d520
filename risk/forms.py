"""Officials' forms for risk: disposing of an alert, changing a rule."""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .rules import RuleSpec


class AlertDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("release", _("Release to the agencies")),
            ("inspect", _("Send to inspection")),
            ("reject", _("Reject")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to inspect or reject; recorded with your name."),
    )


class RuleForm(forms.Form):
    """A rule's weight and switch; `rule_form_class` adds one field per parameter of the rule."""

    weight = forms.IntegerField(label=_("Weight"), min_value=0, max_value=1000)
    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    parameter_names: tuple[str, ...] = ()

    def parameters(self) -> dict[str, Any]:
        """The parameters as the rule stores them: whole numbers, decimal strings, lists of prefixes."""
        out: dict[str, Any] = {}
        for name in self.parameter_names:
            value = self.cleaned_data[name]
            out[name] = str(value) if isinstance(value, Decimal) else value
        return out


class PrefixListField(forms.CharField):
    """HS code prefixes typed as a list (commas or spaces between them)."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return [part for part in re.split(r"[\s,，;；]+", super().to_python(value)) if part]

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        for prefix in value:
            if not (prefix.isdigit() and 2 <= len(prefix) <= 10):
                raise forms.ValidationError(
                    _("%(prefix)s is not an HS code prefix (2 to 10 digits).") % {"prefix": prefix}
                )


# What each parameter of the rules is called and means for the official who sets it.
PARAMETER_TEXTS: dict[str, tuple[Any, Any]] = {
    "ratio": (
        _("Share of the reference price"),
        _("A unit price below this share of the reference price for its HS code is hit: 0.3 is 30%."),
    ),
    "window_hours": (_("Window (hours)"), _("How far back the buyer's other lists are counted.")),
    "lower": (_("Lowest list value counted (CNY)"), _("0 counts every list.")),
    "limit": (_("Single-transaction limit (CNY)"), _("Lists up to this value are counted.")),
    "min_lists": (_("Lists needed"), _("How many such lists of one buyer make a hit.")),
    "window_days": (_("Window (days)"), _("How far back the lists are counted.")),
    "max_addresses": (_("Most addresses allowed"), _("More different addresses for one buyer ID are a hit.")),
    "window_minutes": (_("Window (minutes)"), _("How far back the orders are counted.")),
    "max_orders": (
        _("Most orders allowed"),
        _("More orders of a buyer or an address in the window are a hit."),
    ),
    "days": (_("Approved within (days)"), _("An enterprise approved more recently is a hit.")),
    "prefixes": (_("HS code prefixes"), _("Separated by commas or spaces, for example 2402, 3004.")),
    "max_buyers": (
        _("Most buyers allowed"),
        _("More buyers paid for by one account in the window are a hit."),
    ),
}


def rule_form_class(spec: RuleSpec) -> type[RuleForm]:
    """A form for one rule: its weight, its switch and a field per parameter, of the kind of the
    parameter's default (whole number, decimal amount, list of HS prefixes)."""
    fields: dict[str, forms.Field] = {}
    for name, default in spec.parameters.items():
        label, help_text = PARAMETER_TEXTS.get(name, (name, ""))
        field: forms.Field
        if isinstance(default, bool) or not isinstance(default, int | list):
            field = forms.DecimalField(min_value=0, max_value=1_000_000, decimal_places=6)
        elif isinstance(default, list):
            field = PrefixListField()
        else:
            field = forms.IntegerField(min_value=0, max_value=100_000)
        field.label, field.help_text = label, help_text
        fields[name] = field
    attrs: dict[str, Any] = {**fields, "parameter_names": tuple(fields)}
    return type(f"{spec.code.title().replace('_', '')}RuleForm", (RuleForm,), attrs)


class WorklistFilterForm(forms.Form):
    """The worklist's filters; a bad value is dropped (the field shows its error), never a 500."""

    number = forms.CharField(label=_("Number (or part of it)"), required=False, max_length=60)

    age = forms.ChoiceField(
        label=_("Waiting at least"),
        required=False,
        choices=[
            ("", _("Any time")),
            ("1h", _("1 hour")),
            ("4h", _("4 hours")),
            ("24h", _("1 day")),
            ("72h", _("3 days")),
        ],
    )
    assigned = forms.ChoiceField(
        label=_("Assigned"),
        required=False,
        choices=[
            ("", _("Anyone or no one")),
            ("me", _("To me")),
            ("unassigned", _("To no one")),
            ("others", _("To others")),
        ],
    )
    min_score = forms.IntegerField(label=_("Score from"), required=False, min_value=0, max_value=100_000)
    max_score = forms.IntegerField(label=_("Score to"), required=False, min_value=0, max_value=100_000)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("waiting_since", _("Waiting longest first")),
            ("-waiting_since", _("Newest first")),
            ("-score", _("Highest score first")),
            ("score", _("Lowest score first")),
        ],
    )


class BulkReleaseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for releasing the selected lists"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with each list. High-risk lists are refused: decide them one at a time."),
    )
