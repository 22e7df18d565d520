"""Officials' forms for credit: adjust a score, decide a level, put on or take off the negative list."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CreditAdjustForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("penalty", _("Penalty")), ("commendation", _("Commendation"))]
    )
    points = forms.DecimalField(
        label=_("Points"),
        max_digits=6,
        decimal_places=2,
        help_text=_("Negative for a penalty, positive for a commendation."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)


class LevelDecisionForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("By score"))] + [(lv.code, lv.name) for lv in levels]


class NegativeListForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, help_text=_("Published on the credit page."))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
