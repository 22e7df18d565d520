"""Sharing's page forms: sign-up and the second factor, an enterprise's registration, an official's
decision, API keys and webhooks."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from parks.models import Park

from .choices import ApiKeyKind, EnterpriseRole
from .models import Enterprise, NotificationPreference, PayloadFormat
from .services import EnterpriseData


class SignUpForm(BaseUserCreationForm):
    """Username, address and password, checked as Django checks them, except that a taken username is
    not an error here: sharing.accounts answers it as it answers a free one, so the form cannot be used
    to find out which usernames exist."""

    email = forms.EmailField(
        label=_("Email"), required=True, help_text=_("We send a link to this address to confirm it.")
    )

    class Meta(BaseUserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def validate_unique(self) -> None:
        pass  # a taken username is handled by sharing.accounts.signup_request, in the same words


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 10}
        ),
        help_text=_("The six digits your authenticator app shows now, or one of your recovery codes."),
    )


class OTPEnrolForm(forms.Form):
    token = forms.RegexField(
        label=_("Code"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=12,
        error_messages={"invalid": _("Enter the six digits your app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 10}
        ),
        help_text=_("The six digits the app shows once you have added the account."),
    )


class EnterpriseForm(forms.Form):
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        min_length=18,
        help_text=_("18 characters, as on the business licence."),
    )
    customs_code = forms.CharField(
        label=_("Customs code"),
        max_length=10,
        min_length=10,
        help_text=_("10 letters or digits, as registered with customs."),
    )
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=EnterpriseRole.choices, widget=forms.CheckboxSelectMultiple
    )
    park = forms.ModelChoiceField(
        label=_("Park"),
        queryset=Park.objects.select_related("zone"),
        required=False,
        empty_label=_("Not settled in a park"),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    @classmethod
    def initial_from(cls, enterprise: Enterprise) -> dict:
        return {
            "uscc": enterprise.uscc,
            "customs_code": enterprise.customs_code,
            "name_zh": enterprise.name_zh,
            "name_en": enterprise.name_en,
            "roles": enterprise.roles,
            "park": enterprise.park,
            "contact_name": enterprise.contact_name,
            "contact_phone": enterprise.contact_phone,
            "contact_email": enterprise.contact_email,
            "address": enterprise.address,
        }

    def to_enterprise_data(self) -> EnterpriseData:
        d = self.cleaned_data
        return EnterpriseData(
            uscc=d["uscc"].strip().upper(),
            customs_code=d["customs_code"].strip().upper(),
            name_zh=d["name_zh"],
            name_en=d["name_en"],
            roles=tuple(d["roles"]),
            park_id=d["park"].pk if d["park"] else None,
            contact_name=d["contact_name"],
            contact_phone=d["contact_phone"],
            contact_email=d["contact_email"],
            address=d["address"],
        )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject or suspend; the enterprise sees it."),
    )


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Key name"), max_length=50, help_text=_('Say which system will use it, e.g. "order gateway".')
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ApiKeyKind.choices,
        initial=ApiKeyKind.LIVE,
        required=False,  # live unless asked
        help_text=_("A sandbox key files test documents on a clock you can move; they never reach the zone."),
    )


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=300,
        assume_scheme="https",
        help_text=_("Where the window posts the outcome of your lists."),
    )
    payload_format = forms.ChoiceField(
        label=_("payload format"),
        choices=PayloadFormat.choices,
        initial=PayloadFormat.JSON,
        required=False,
        help_text=_(
            "CEB XML: each event is the e-port's receipt message (CEB622, CEB816), signed the same way."
        ),
    )


class NotificationPreferenceForm(forms.Form):
    email = forms.ChoiceField(
        label=_("Email me"),
        choices=NotificationPreference.Email.choices,
        widget=forms.RadioSelect,
        help_text=_("Notifications always appear in the portal; this is only about email."),
    )


class CertificateForm(forms.Form):
    certificate = forms.CharField(
        label=_("Certificate or public key (PEM)"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_("An X.509 certificate (RSA or SM2), or a PUBLIC KEY in PEM."),
    )
    key_name = forms.CharField(
        label=_("KeyName"),
        max_length=64,
        required=False,
        help_text=_("The certificate number your signatures carry; a certificate's serial by default."),
    )
    dxp_id = forms.CharField(label=_("DXP id"), max_length=16, required=False)
