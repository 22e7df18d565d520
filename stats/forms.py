"""The dashboards' filter form: period, flow (import or export), trade mode and park."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parks.selectors import park_list

DIRECTIONS = [("", _("Import and export")), ("I", _("Import")), ("E", _("Export"))]
TRADE_MODES = [
    ("", _("All modes")),
    ("9610", _("9610 direct mail")),
    ("1210", _("1210 bonded")),
    ("9710", _("9710 B2B direct export")),
    ("9810", _("9810 export via overseas warehouse")),
]


class DashboardFilterForm(forms.Form):
    """The dashboards' filter. It only renders and keeps the input: `stats.selectors.filter_from` reads
    the same query parameters and is the one place that validates them (its errors are shown here)."""

    # Plain text fields behind date and select widgets, so an invalid value is echoed back as typed
    # and reported once, in the selector's words. "From" alone already names a receipt's sender
    # elsewhere: a context keeps the two translations apart.
    date_from = forms.CharField(
        label=pgettext_lazy("date range", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.CharField(
        label=pgettext_lazy("date range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    direction = forms.CharField(label=_("Flow"), required=False, widget=forms.Select(choices=DIRECTIONS))
    trade_mode = forms.CharField(
        label=_("Supervision mode"), required=False, widget=forms.Select(choices=TRADE_MODES)
    )
    park = forms.CharField(label=_("Park"), required=False, widget=forms.Select())

    def __init__(self, *args, with_park: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_park:
            parks = park_list()
            self.fields["park"].widget.choices = [("", _("All parks"))] + [(str(p.pk), p.name) for p in parks]
        else:
            del self.fields["park"]

    def add_filter_errors(self, errors: dict[str, list[str]]) -> None:
        """Show a FilterError on the fields it names (a field not on the form: above the form)."""
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
