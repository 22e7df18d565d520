"""Parks' page forms: an enterprise's application to settle, an official's decision on it."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ParkApplicationForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the park"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you plan to do in the park: warehousing, staff, volumes."),
    )


class ParkDecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to decline; the enterprise sees it."),
    )
