"""Finance's page forms: reporting periods, guarantee top-ups, financing applications and decisions."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FinancingRequest


class PeriodForm(forms.Form):
    """The month a page shows (read from the query string)."""

    year = forms.IntegerField(label=_("Year"), min_value=2014, max_value=2100)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)


class TaxSummaryForm(PeriodForm):
    assure_code = forms.CharField(label=_("Guarantor code"), max_length=64, required=False)


class ForexStatementForm(PeriodForm):
    ebc_code = forms.CharField(label=_("Exporter code"), max_length=18, required=False)


class TopUpForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (CNY)"), max_digits=16, decimal_places=2, min_value=Decimal("0.01")
    )
    reference = forms.CharField(label=_("Bank guarantee reference"), max_length=60)


class FinancingApplyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FinancingRequest.Kind.choices)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=14, decimal_places=2, min_value=1)
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=60)
    purpose = forms.CharField(label=_("Purpose"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class FinancingDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("Required to approve more than the suggested limit; the enterprise sees it."),
    )
