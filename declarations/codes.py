"""Which field of which document carries a code of which table (DOMAIN 8), and the check intake runs on a
document that passed its schema: each code valid today in its table, each telephone a telephone number.

The tables are sharing's (`sharing.code_tables`); the sets come from a cache held in the process
(`sharing.selectors.valid_codes`), so a check is a set lookup per field, never a query per document.
"""

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from sharing.code_tables import FORMATS, CodeTable
from sharing.selectors import valid_codes

from .choices import DocumentKind

TELEPHONE = "telephone"  # not a table: a telephone field is checked by its form

T = CodeTable
_ORDER_LINE: dict[str, str] = {"unit": T.UNIT, "currency": T.CURRENCY, "country": T.COUNTRY}
_LIST_LINE: dict[str, str] = {
    "country": T.COUNTRY,
    "trade_country": T.COUNTRY,
    "currency": T.CURRENCY,
    "unit": T.UNIT,
    "unit1": T.UNIT,
    "unit2": T.UNIT,
}
_LIST_HEAD: dict[str, str] = {
    "customs_code": T.CUSTOMS_DISTRICT,
    "port_code": T.PORT,
    "trade_mode": T.SUPERVISION_MODE,
    "traf_mode": T.TRANSPORT_MODE,
    "country": T.COUNTRY,
    "wrap_type": T.WRAP_TYPE,
}
_AMENDMENT_HEAD: dict[str, str] = {"customs_code": T.CUSTOMS_DISTRICT, "buyer_telephone": TELEPHONE}

# {kind: ({head field: table}, {line field: table})}; the lines are `items`.
FIELDS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    DocumentKind.ORDER: (
        {
            "currency": T.CURRENCY,
            "consignee_district": T.ADMINISTRATIVE_DIVISION,
            "buyer_telephone": TELEPHONE,
            "consignee_telephone": TELEPHONE,
        },
        _ORDER_LINE,
    ),
    DocumentKind.PAYMENT: ({"currency": T.CURRENCY, "telephone": TELEPHONE}, {}),
    DocumentKind.WAYBILL: ({"currency": T.CURRENCY, "consignee_telephone": TELEPHONE}, {}),
    DocumentKind.INVENTORY: (
        {**_LIST_HEAD, "currency": T.CURRENCY, "buyer_telephone": TELEPHONE},
        _LIST_LINE,
    ),
    DocumentKind.EXPORT_ORDER: ({"currency": T.CURRENCY}, {"unit": T.UNIT, "currency": T.CURRENCY}),
    DocumentKind.RECEIPT_OF_PAYMENT: ({"currency": T.CURRENCY}, {}),
    DocumentKind.EXPORT_WAYBILL: ({"currency": T.CURRENCY, "ebc_telephone": TELEPHONE}, {}),
    DocumentKind.EXPORT_INVENTORY: (
        {**_LIST_HEAD, "f_currency": T.CURRENCY, "i_currency": T.CURRENCY},
        _LIST_LINE,
    ),
    DocumentKind.CANCEL: (_AMENDMENT_HEAD, {}),
    DocumentKind.REFUND: (_AMENDMENT_HEAD, {"unit": T.UNIT}),
}

# Digits with an optional leading +, spaces, hyphens and parentheses; at least 5 digits.
_TELEPHONE = re.compile(r"\+?[0-9 ()\-]+")
_MIN_DIGITS = 5


def code_errors(
    kind: str, data: Mapping[str, Any], codes: Mapping[str, frozenset[str]] | None = None
) -> dict[str, list[str]]:
    """The errors of a document's codes, keyed like its schema's (`items.0.unit` for a line); empty when
    every code is valid today. Empty optional fields are not checked. `codes` is `valid_codes()`, passed
    in by a caller checking a batch.

    Intake calls it for the documents of `FIELDS`; a cancel (CEB623) or return (CEB625) is checked with
    kind `DocumentKind.CANCEL` or `DocumentKind.REFUND`.
    """
    head, line = FIELDS.get(kind, ({}, {}))
    if not head and not line:
        return {}
    codes = valid_codes() if codes is None else codes
    errors: dict[str, list[str]] = {}
    _check(head, data, "", codes, errors)
    if line:
        items = data.get("items") or []
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                _check(line, item, f"items.{index}.", codes, errors)
    return errors


def _check(
    fields: Mapping[str, str],
    data: Mapping[str, Any],
    prefix: str,
    codes: Mapping[str, frozenset[str]],
    errors: dict[str, list[str]],
) -> None:
    for name, table in fields.items():
        value = data.get(name)
        if value is None or value == "":
            continue
        value = str(value)
        if table == TELEPHONE:
            message = _telephone_error(value)
        elif value in codes.get(table, ()):
            continue
        else:
            message = _code_error(table, value)
        if message:
            errors[prefix + name] = [message]


def _telephone_error(value: str) -> str:
    if _TELEPHONE.fullmatch(value) and sum(c.isdigit() for c in value) >= _MIN_DIGITS:
        return ""
    return _(
        "Not a telephone number: use digits, with an optional leading +, spaces, hyphens or "
        "parentheses (at least 5 digits)."
    )


def _code_error(table: str, value: str) -> str:
    pattern, form = FORMATS[table]
    if not pattern.fullmatch(value):
        return str(form)
    return _(
        '"%(code)s" is not a code of the table %(table)s valid today; see /api/v1/code-tables/%(table)s/.'
    ) % {
        "code": value,
        "table": table,
    }
