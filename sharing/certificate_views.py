"""The page where an enterprise's administrators register, list and retire the certificates it signs
its CEB messages with (next to its API keys)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from singlewindow.core.access import enterprise_admin_required
from singlewindow.core.forms import add_service_errors

from . import certificates
from .forms import CertificateForm
from .models import EnterpriseCertificate


@enterprise_admin_required
def certificate_list(request):
    form = CertificateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = certificates.certificate_register(
                enterprise=request.principal.enterprise,
                pem=form.cleaned_data["certificate"],
                key_name=form.cleaned_data["key_name"],
                dxp_id=form.cleaned_data["dxp_id"],
                by=request.principal,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The certificate %(name)s has been registered.") % {"name": certificate.key_name}
            )
            return redirect("certificates")
    context = {"form": form, "certificates": certificates.certificate_list(principal=request.principal)}
    return render(request, "sharing/certificates.html", context)


@require_POST
@enterprise_admin_required
def certificate_retire(request, pk: int):
    certificate = get_object_or_404(EnterpriseCertificate, pk=pk, enterprise=request.principal.enterprise)
    certificates.certificate_retire(certificate=certificate, by=request.principal)
    name = certificate.key_name
    messages.success(request, _("The certificate %(name)s has been retired.") % {"name": name})
    return redirect("certificates")
