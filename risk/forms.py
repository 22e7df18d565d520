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
