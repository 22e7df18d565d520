"""Browser forms for the documents, built from the intake schemas so the page and the API can never
disagree on a field: the same service validates what either sends. The head is one form, grouped in
fieldsets; the lines are a formset (`items-<row>-<field>`) a clerk grows and shrinks. Labels and help
come from one table (`labels.py`); code fields offer the code tables as lookups."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from declarations.guids import new_guid
from sharing.code_tables import CodeTable
from sharing.models import Enterprise
from singlewindow.core.inputs import EARLIEST, LATEST

from .choices import AppStatus, AppType, DocumentKind
from .codes import FIELDS as CODE_FIELDS
from .codes import TELEPHONE
from .labels import GROUPS, field_label
from .services import SPECS

AUTOMATIC = ("guid", "app_type", "app_time", "app_status")
LINE_NUMBER = "gnum"  # numbered by the lines' order on the page, not typed
HS_LOOKUP = "hs"  # the lookup of commodity codes (not a code table of DOMAIN 8)
# Lookups searched on the server by code or name (sharing.lookup_views), by the URL they ask.
SEARCHED_LOOKUPS = {
    HS_LOOKUP: reverse_lazy("lookup-hs-codes"),
    CodeTable.ADMINISTRATIVE_DIVISION.value: reverse_lazy(
        "lookup-code-table", args=[CodeTable.ADMINISTRATIVE_DIVISION.value]
    ),
}
# CEB dates and times are digits (DOMAIN 1.5); the page offers the browser's pickers and converts.
DATE_FIELDS = {"decl_time", "ie_date"}
DATETIME_FIELDS = {"pay_time", "accounting_date"}
DATE_INPUTS = ["%Y-%m-%d", "%Y%m%d"]
DATETIME_INPUTS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y%m%d%H%M%S"]


def _within_years(value: datetime.date) -> None:
    # A year the portal does not read (1 or 9999) is refused here, before a time zone pushes it out of
    # Python's range.
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise forms.ValidationError(
            _("Give a date from %(earliest)s to %(latest)s.") % {"earliest": EARLIEST, "latest": LATEST}
        )


def _form_field(name: str, field: serializers.Field, lookups: dict[str, str]) -> forms.Field:
    label = field_label(name)
    common: dict[str, Any] = {"required": field.required, "label": label.label, "help_text": label.help}
    bare = name.removeprefix("items.")
    if bare in DATE_FIELDS:
        return forms.DateField(
            input_formats=DATE_INPUTS,
            validators=[_within_years],
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **common,
        )
    if bare in DATETIME_FIELDS:
        return forms.DateTimeField(
            input_formats=DATETIME_INPUTS,
            validators=[_within_years],
            widget=forms.DateTimeInput(
                attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"
            ),
            **common,
        )
    if isinstance(field, serializers.ChoiceField):
        return forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in field.choices], **common)
    if isinstance(field, serializers.DecimalField):
        return forms.DecimalField(
            min_value=0,
            max_digits=19,
            decimal_places=5,
            widget=forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
            **common,
        )
    if isinstance(field, serializers.IntegerField):
        return forms.IntegerField(min_value=field.min_value, max_value=field.max_value, **common)
    max_length = getattr(field, "max_length", None) or 60
    attrs: dict[str, Any] = {"size": min(max_length, 40)}
    table = lookups.get(bare)
    if table == TELEPHONE:
        attrs["type"] = "tel"
    elif table in SEARCHED_LOOKUPS:
        # Too many codes for a datalist: a combobox asks the server page by page (static/js/lookup.js).
        attrs.update(
            role="combobox",
            autocomplete="off",
            **{"aria-autocomplete": "list", "aria-expanded": "false", "data-lookup": SEARCHED_LOOKUPS[table]},
        )
    elif table:
        attrs.update(list=f"lookup-{table}", autocomplete="off")
    return forms.CharField(max_length=max_length, widget=forms.TextInput(attrs=attrs), **common)


def _ceb_value(value: Any) -> Any:
    """A cleaned value as the schema reads it: dates and times in the CEB digits."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y%m%d%H%M%S")
    if isinstance(value, datetime.date):
        return value.strftime("%Y%m%d")
    return value


class LineForm(forms.Form):
    """One line of the document; its number is its place among the lines sent."""

    names: list[str]

    def values(self) -> dict:
        cleaned = getattr(self, "cleaned_data", {})
        return {name: _ceb_value(cleaned[name]) for name in self.names if cleaned.get(name) not in ("", None)}


class LineFormSet(forms.BaseFormSet):
    def sent_rows(self) -> list[int]:
        """The rows sent as lines: those a clerk filled in (an empty added row is ignored)."""
        return [index for index, form in enumerate(self.forms) if form.has_changed() or index < self.min_num]


class DocumentForm(forms.Form):
    """The document's head; `lines` is the formset of its lines (None for a document without lines)."""

    kind: str
    head_names: list[str]
    lookups: dict[str, str]
    line_formset: type[LineFormSet] | None

    def __init__(self, data=None, *, initial: dict | None = None, lines: list[dict] | None = None):
        super().__init__(data, initial=initial)
        self.lines: LineFormSet | None = None
        if self.line_formset is not None:
            self.lines = self.line_formset(data, initial=lines or [{}], prefix="items")

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        grouped: dict[str, list[forms.BoundField]] = {}
        for name in self.head_names:
            grouped.setdefault(field_label(name).group, []).append(self[name])
        return [(title, grouped[group]) for group, title in GROUPS.items() if group in grouped]

    def lookup_tables(self) -> list[str]:
        """The tables offered as a datalist on the page (the searched ones ask the server)."""
        return sorted(
            {table for table in self.lookups.values() if table != TELEPHONE and table not in SEARCHED_LOOKUPS}
        )

    def is_valid(self) -> bool:
        head = super().is_valid()
        return (self.lines is None or self.lines.is_valid()) and head

    def to_document(self, *, draft: bool = False) -> dict:
        """What the form says as a CEB document; a field the form refused is left out, so the schema
        can still say what else is wrong in the same pass."""
        cleaned = getattr(self, "cleaned_data", {})
        data = {
            name: _ceb_value(cleaned[name]) for name in self.head_names if cleaned.get(name) not in ("", None)
        }
        data.update(
            guid=new_guid(),
            app_type=AppType.NEW,
            app_status=AppStatus.SAVED if draft else AppStatus.DECLARED,
            app_time=timezone.localtime().strftime("%Y%m%d%H%M%S"),
        )
        if self.lines is not None:
            data["items"] = [
                {**self.lines.forms[row].values(), LINE_NUMBER: number}
                for number, row in enumerate(self.lines.sent_rows(), start=1)
            ]
        return data

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Put the service's errors beside the form's own: on the head field or the line they name.
        A field the form already refused keeps its one message (a negative amount is said once)."""
        rows = self.lines.sent_rows() if self.lines is not None else []
        for key, messages in errors.items():
            target, form = self._target(key, rows)
            if target and form[target].errors:
                continue
            for message in messages:
                if target is None and message in form.non_field_errors():
                    continue
                form.add_error(target, message)

    def _target(self, key: str, rows: list[int]) -> tuple[str | None, forms.Form]:
        parts = key.replace("[", ".").replace("]", "").split(".")
        if parts[0] == "items" and self.lines is not None and len(parts) >= 2 and parts[1].isdigit():
            # The schema names a line by its index among those sent; matching by its number (gnum).
            position = int(parts[1]) - (1 if "[" in key else 0)
            if 0 <= position < len(rows):
                line = self.lines.forms[rows[position]]
                name = parts[2] if len(parts) >= 3 else None
                return (name if name in line.fields else None), line
        if key in self.fields:
            return key, self
        return None, self

    def summary(self) -> list[tuple[str, str, str]]:
        """Every error of the form and its lines as (anchor, what, message), in the page's order."""
        out: list[tuple[str, str, str]] = [("", "", str(m)) for m in self.non_field_errors()]
        for name in self.head_names:
            out += [
                (self[name].auto_id, str(self.fields[name].label), str(m)) for m in self.errors.get(name, [])
            ]
        if self.lines is not None:
            out += [("items", str(GROUPS["lines"]), str(m)) for m in self.lines.non_form_errors()]
            for number, line in enumerate(self.lines.forms, start=1):
                what = _("Line %(number)s") % {"number": number}
                out += [
                    (line.auto_id % line.add_prefix(""), str(what), str(m)) for m in line.non_field_errors()
                ]
                for name in line.names:
                    out += [
                        (line[name].auto_id, f"{what}: {line.fields[name].label}", str(m))
                        for m in line.errors.get(name, [])
                    ]
        return out


def _line_formset(kind: str, child: serializers.Serializer, lookups: dict[str, str]) -> type[LineFormSet]:
    attrs: dict[str, Any] = {"names": []}
    for name, field in child.fields.items():
        if name == LINE_NUMBER:
            continue
        attrs["names"].append(name)
        attrs[name] = _form_field(f"items.{name}", field, lookups)
    line_form = type(f"{kind.title()}LineForm", (LineForm,), attrs)
    return forms.formset_factory(
        line_form, formset=LineFormSet, extra=0, min_num=1, validate_min=True, max_num=99, validate_max=True
    )


def document_form_class(kind: str) -> type[DocumentForm]:
    schema = SPECS[kind].schema()
    head_tables, line_tables = CODE_FIELDS.get(kind, ({}, {}))
    lookups = {**head_tables}
    attrs: dict[str, Any] = {"kind": kind, "head_names": [], "lookups": lookups, "line_formset": None}
    for name, field in schema.fields.items():
        if name in AUTOMATIC:
            continue
        if name == "items":
            line_lookups = {**line_tables}
            if "gcode" in field.child.fields:
                line_lookups["gcode"] = HS_LOOKUP
            lookups.update({f"items.{k}": v for k, v in line_lookups.items()})
            attrs["line_formset"] = _line_formset(kind, field.child, line_lookups)
            continue
        attrs["head_names"].append(name)
        attrs[name] = _form_field(name, field, lookups)
    return type(f"{kind.title()}Form", (DocumentForm,), attrs)


EXPORT_KINDS = {
    DocumentKind.EXPORT_ORDER,
    DocumentKind.RECEIPT_OF_PAYMENT,
    DocumentKind.EXPORT_WAYBILL,
    DocumentKind.EXPORT_INVENTORY,
}


def initial_for(kind: str, enterprise: Enterprise) -> tuple[dict, list[dict]]:
    """Fill in what the window already knows: the enterprise's own code and name and the fixed values;
    then (head, lines)."""
    own = {"code": enterprise.customs_code, "name": enterprise.name_zh}
    common = {"currency": "142"}
    line = {"currency": "142", "unit": "007"}
    head: dict[str, Any]
    if kind == DocumentKind.ORDER:
        head = {
            **common,
            "order_type": "I",
            "ebp_code": own["code"],
            "ebp_name": own["name"],
            "buyer_id_type": "1",
            "discount": "0",
            "tax_total": "0",
        }
        return head, [line]
    if kind == DocumentKind.PAYMENT:
        return {**common, "pay_code": own["code"], "pay_name": own["name"], "payer_id_type": "1"}, []
    if kind == DocumentKind.WAYBILL:
        head = {
            **common,
            "logistics_code": own["code"],
            "logistics_name": own["name"],
            "pack_no": "1",
            "freight": "0",
            "insured_fee": "0",
        }
        return head, []
    if kind in EXPORT_KINDS:
        return {"ebc_code": own["code"], "ebc_name": own["name"]}, [{}]
    head = {
        **common,
        "ebc_code": own["code"],
        "ebc_name": own["name"],
        "agent_code": own["code"],
        "agent_name": own["name"],
        "assure_code": own["code"],
        "ie_flag": "I",
        "buyer_id_type": "1",
        "pack_no": "1",
        "decl_time": timezone.localdate(),
    }
    return head, [{**line, "unit1": "007"}]


def _plain(value: Any) -> Any:
    # 12.50000 as stored reads 12.5 on the form.
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value


def initial_from(
    instance: Any, form_class: type[DocumentForm], lines: Iterable[Any] = ()
) -> tuple[dict, list[dict]]:
    """A stored document (a draft) as the form's initial values, to be declared later."""
    head = {
        name: _plain(getattr(instance, name)) for name in form_class.head_names if hasattr(instance, name)
    }
    for name in DATE_FIELDS | DATETIME_FIELDS:
        value = head.get(name)
        if value:
            head[name] = _parse_ceb(str(value))
    names = form_class.line_formset.form.names if form_class.line_formset else []  # type: ignore[attr-defined]
    rows = [{name: _plain(getattr(line, name)) for name in names if hasattr(line, name)} for line in lines]
    return head, rows


def _parse_ceb(value: str) -> Any:
    for pattern in ("%Y%m%d%H%M%S", "%Y%m%d"):
        try:
            parsed = datetime.datetime.strptime(value, pattern)  # noqa: DTZ007 - the filer's local time
        except ValueError:
            continue
        return parsed if len(value) == 14 else parsed.date()
    return value


# What a list takes from its order: the order's own names, and its lines as the list's lines.
ORDER_TO_LIST = (
    "order_no",
    "ebp_code",
    "ebp_name",
    "ebc_code",
    "ebc_name",
    "buyer_id_type",
    "buyer_id_number",
    "buyer_name",
    "buyer_telephone",
    "consignee_address",
    "freight",
    "currency",
)
ORDER_LINE_TO_LIST = {
    "item_no": "item_no",
    "item_name": "item_name",
    "gname": "item_name",
    "gmodel": "gmodel",
    "bar_code": "bar_code",
    "country": "country",
    "currency": "currency",
    "qty": "qty",
    "unit": "unit",
    "qty1": "qty",
    "unit1": "unit",
    "price": "price",
    "total_price": "total_price",
}


def initial_from_order(order: Any, head: dict, line: dict) -> tuple[dict, list[dict]]:
    """The list form filled from an order: its parties, buyer and lines, over the usual defaults."""
    head = {**head, **{name: _plain(getattr(order, name)) for name in ORDER_TO_LIST}}
    rows = [
        {**line, **{target: _plain(getattr(item, source)) for target, source in ORDER_LINE_TO_LIST.items()}}
        for item in order.items.all()
    ]
    return head, rows or [line]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Documents in the file"),
        choices=[
            (k, label)
            for k, label in DocumentKind.choices
            if k not in (DocumentKind.WAYBILL_STATUS, DocumentKind.TAX_BILL)
        ],
    )
    file = forms.FileField(
        label=_("CEB XML message or CSV file"),
        help_text=_(
            "CEB311/411/511/621 XML, or CSV with one row per line: field names as "
            "columns, items.<field> for the lines. At most 10 MB."
        ),
    )
