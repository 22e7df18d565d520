"""The public page of the buyer's annual quota lookup (/quota/): the same two steps as the API."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from singlewindow.core.clientip import client_ip
from singlewindow.core.errors import ServiceError
from singlewindow.core.forms import add_service_errors

from . import quota_lookup


class QuotaLookupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    id_number = forms.RegexField(
        label=_("ID number"),
        regex=r"^[0-9]{17}[0-9Xx]$",
        error_messages={"invalid": _("An 18-character resident ID number.")},
    )
    code = forms.RegexField(
        label=_("Code from the text message"),
        regex=r"^[0-9]{6}$",
        required=False,
        help_text=_("Leave empty to have a code sent to the phone number on your orders."),
        error_messages={"invalid": _("The 6-digit code from the text message.")},
    )


@require_http_methods(["GET", "POST"])
def quota_lookup_page(request):
    form = QuotaLookupForm(request.POST or None)
    sent = found = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["code"]:
                found = quota_lookup.statement(
                    name=data["name"],
                    id_number=data["id_number"],
                    code=data["code"],
                    client=client_ip(request),
                )
            else:
                sent = quota_lookup.code_request(
                    name=data["name"], id_number=data["id_number"], client=client_ip(request)
                )
        except ServiceError as exc:
            add_service_errors(form, exc)
        if found is not None:
            form = QuotaLookupForm()  # the statement is shown masked: the ID typed is not echoed back
    response = render(request, "finance/quota_lookup.html", {"form": form, "sent": sent, "found": found})
    response["Cache-Control"] = "no-store"  # a buyer's quota must not stay in a shared cache
    return response
