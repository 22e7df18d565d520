"""Finance's page forms: reporting periods, guarantee top-ups, financing applications and decisions."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from sharing.identifiers import PARTY_CODE_PATTERN

from .models import FinancingRequest


class PeriodForm(forms.Form):
    """The month a page shows (read from the query string)."""

    year = forms.IntegerField(label=_("Year"), min_value=2014, max_value=2100)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)


def party_code(label, max_length: int) -> forms.RegexField:
    """A party's code named in the query string: letters and digits only (sharing.identifiers)."""
    return forms.RegexField(
        PARTY_CODE_PATTERN,
        label=label,
        max_length=max_length,
        required=False,
        error_messages={"invalid": _("A code is letters and digits only.")},
    )


class TaxSummaryForm(PeriodForm):
    assure_code = party_code(_("Guarantor code"), 30)


class ForexStatementForm(PeriodForm):
    ebc_code = party_code(_("Exporter code"), 18)


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
