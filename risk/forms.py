"""Officials' forms for risk: disposing of an alert, changing a rule."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _


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
    weight = forms.IntegerField(label=_("Weight"), min_value=0, max_value=1000)
    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    parameters = forms.CharField(label=_("Parameters (JSON)"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_parameters(self):
        try:
            value = json.loads(self.cleaned_data["parameters"] or "{}")
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": exc.msg}) from exc
        except ValueError as exc:  # a number of more digits than Python converts (4300)
            raise forms.ValidationError(_("A number in the parameters has too many digits.")) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The parameters are a JSON object."))
        return value


class WorklistFilterForm(forms.Form):
    """The worklist's filters; a bad value is dropped (the field shows its error), never a 500."""

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
