"""Browser forms for the four documents, built from the intake schemas so the page and the API can
never disagree on a field: the same service validates what either sends."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from declarations.guids import new_guid
from sharing.models import Enterprise

from .choices import AppType, DocumentKind
from .services import SPECS

ITEM_ROWS = 3
AUTOMATIC = ("guid", "app_type", "app_time", "app_status")


def _form_field(field: serializers.Field) -> forms.Field:
    max_length = getattr(field, "max_length", None)
    if isinstance(field, serializers.ChoiceField):
        return forms.ChoiceField(
            choices=[("", "—")] + [(c, c) for c in field.choices], required=field.required
        )
    return forms.CharField(
        required=field.required,
        max_length=max_length or 60,
        widget=forms.TextInput(attrs={"size": min(max_length or 20, 40)}),
    )


class DocumentForm(forms.Form):
    """Head fields, then ITEM_ROWS rows of lines (`items-<row>-<field>`); empty rows are ignored."""

    kind: str
    head_names: list[str]
    item_names: list[str]

    def head_fields(self):
        return [self[name] for name in self.head_names]

    def item_rows(self):
        return [[self[f"items-{row}-{name}"] for name in self.item_names] for row in range(ITEM_ROWS)]

    def to_document(self) -> dict:
        data = {
            name: self.cleaned_data[name]
            for name in self.head_names
            if self.cleaned_data.get(name) not in ("", None)
        }
        data.update(
            guid=new_guid(),
            app_type=AppType.NEW,
            app_status="2",
            app_time=timezone.localtime().strftime("%Y%m%d%H%M%S"),
        )
        if self.item_names:
            items = []
            for row in range(ITEM_ROWS):
                line = {name: self.cleaned_data.get(f"items-{row}-{name}") for name in self.item_names}
                line = {k: v for k, v in line.items() if v not in ("", None)}
                if line:
                    items.append(line)
            data["items"] = items
        return data

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            target = key.replace("[", ".").replace("]", "")
            parts = target.split(".")
            name = None
            if parts[0] == "items" and len(parts) >= 3 and parts[1].isdigit():
                candidate = f"items-{int(parts[1]) - (1 if '[' in key else 0)}-{parts[2]}"
                name = candidate if candidate in self.fields else None
            elif target in self.fields:
                name = target
            for message in messages:
                self.add_error(name, message)


def document_form_class(kind: str) -> type[DocumentForm]:
    schema = SPECS[kind].schema()
    attrs: dict = {"kind": kind, "head_names": [], "item_names": []}
    for name, field in schema.fields.items():
        if name in AUTOMATIC:
            continue
        if name == "items":
            for item_name, item_field in field.child.fields.items():
                attrs["item_names"].append(item_name)
                for row in range(ITEM_ROWS):
                    attrs[f"items-{row}-{item_name}"] = _form_field(item_field)
                    attrs[f"items-{row}-{item_name}"].required = False
            continue
        attrs["head_names"].append(name)
        attrs[name] = _form_field(field)
    return type(f"{kind.title()}Form", (DocumentForm,), attrs)


def initial_for(kind: str, enterprise: Enterprise) -> dict:
    """Fill in what the window already knows: the enterprise's own code and name, and the fixed values."""
    own = {"code": enterprise.customs_code, "name": enterprise.name_zh}
    common = {"currency": "142"}
    if kind == DocumentKind.ORDER:
        return {
            **common,
            "order_type": "I",
            "ebp_code": own["code"],
            "ebp_name": own["name"],
            "buyer_id_type": "1",
            "discount": "0",
            "tax_total": "0",
            "items-0-gnum": "1",
            "items-0-currency": "142",
            "items-0-unit": "007",
        }
    if kind == DocumentKind.PAYMENT:
        return {**common, "pay_code": own["code"], "pay_name": own["name"], "payer_id_type": "1"}
    if kind == DocumentKind.WAYBILL:
        return {
            **common,
            "logistics_code": own["code"],
            "logistics_name": own["name"],
            "pack_no": "1",
            "freight": "0",
            "insured_fee": "0",
        }
    return {
        **common,
        "ebc_code": own["code"],
        "ebc_name": own["name"],
        "agent_code": own["code"],
        "agent_name": own["name"],
        "assure_code": own["code"],
        "ie_flag": "I",
        "buyer_id_type": "1",
        "pack_no": "1",
        "decl_time": timezone.localdate().strftime("%Y%m%d"),
        "items-0-gnum": "1",
        "items-0-currency": "142",
        "items-0-unit": "007",
        "items-0-unit1": "007",
    }


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Documents in the file"),
        choices=[(k, label) for k, label in DocumentKind.choices if k != DocumentKind.WAYBILL_STATUS],
    )
    file = forms.FileField(
        label=_("CEB XML message or CSV file"),
        help_text=_(
            "CEB311/411/511/621 XML, or CSV with one row per line: field names as "
            "columns, items.<field> for the lines. At most 10 MB."
        ),
    )
