"""The code tables of DOMAIN 8 as dated reference data: their names, the URL aliases, the format of a
code, and the seed (`code_table_data`, `code_table_customs`, and the GB/T 2260 administrative divisions
python-stdnum ships).

A row is valid from `valid_from` to `valid_until` inclusive (open-ended when empty). A code with no
known start is valid from EPOCH, the first edition of the national standards (GB/T 2260-1980).
"""

import re
from collections.abc import Iterator
from datetime import date
from importlib import resources

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import code_table_customs as customs
from . import code_table_data as data

EPOCH = date(1980, 1, 1)
StrOrPromise = str | Promise  # a lazily translated message


class CodeTable(models.TextChoices):
    CURRENCY = "currency", _("Currency")
    COUNTRY = "country", _("Country or region")
    UNIT = "unit", _("Unit of measure")
    TRANSPORT_MODE = "transport_mode", _("Transport mode")
    WRAP_TYPE = "wrap_type", _("Packing type")
    CUSTOMS_DISTRICT = "customs_district", _("Customs district")
    PORT = "port", _("Port (customs district of entry or exit)")
    SUPERVISION_MODE = "supervision_mode", _("Supervision mode")
    ADMINISTRATIVE_DIVISION = "administrative_division", _("Administrative division")


# Other names partners use for a table in the URL (the CEB element or the Chinese term's translation).
ALIASES = {
    "transport": CodeTable.TRANSPORT_MODE,
    "traf_mode": CodeTable.TRANSPORT_MODE,
    "packing": CodeTable.WRAP_TYPE,
    "packaging": CodeTable.WRAP_TYPE,
    "customs": CodeTable.CUSTOMS_DISTRICT,
    "trade_mode": CodeTable.SUPERVISION_MODE,
    "district": CodeTable.ADMINISTRATIVE_DIVISION,
    "division": CodeTable.ADMINISTRATIVE_DIVISION,
}

# What a code of each table looks like, so a malformed one is refused with its format, not only as
# unknown.
FORMATS: dict[str, tuple[re.Pattern[str], StrOrPromise]] = {
    CodeTable.CURRENCY: (re.compile(r"[0-9]{3}"), _("A currency code has 3 digits, e.g. 142 (CNY).")),
    CodeTable.COUNTRY: (re.compile(r"[0-9]{3}"), _("A country code has 3 digits, e.g. 116 (Japan).")),
    CodeTable.UNIT: (re.compile(r"[0-9]{3}"), _("A unit code has 3 digits, e.g. 007 (piece).")),
    CodeTable.TRANSPORT_MODE: (
        re.compile(r"[0-9A-Z]"),
        _("A transport mode is one digit or capital letter, e.g. 5 (air)."),
    ),
    CodeTable.WRAP_TYPE: (re.compile(r"[0-9]"), _("A packing type is one digit, e.g. 2 (carton).")),
    CodeTable.CUSTOMS_DISTRICT: (
        re.compile(r"[0-9]{4}"),
        _("A customs district code has 4 digits, e.g. 2928."),
    ),
    CodeTable.PORT: (re.compile(r"[0-9]{4}"), _("A port code is a customs district code of 4 digits.")),
    CodeTable.SUPERVISION_MODE: (
        re.compile(r"[0-9]{4}"),
        _("A supervision mode has 4 digits, e.g. 9610."),
    ),
    CodeTable.ADMINISTRATIVE_DIVISION: (
        re.compile(r"[0-9]{6}"),
        _("An administrative division code has 6 digits, e.g. 330106."),
    ),
}


def table_named(name: str) -> str | None:
    """The canonical table of a name or alias in a URL; None for an unknown one."""
    name = name.strip().lower().replace("-", "_")
    if name in CodeTable.values:
        return name
    alias = ALIASES.get(name)
    return str(alias) if alias else None


Row = tuple[str, str, str, str, date, date | None]  # table, code, name_zh, name_en, from, until

SEEDED = [
    (CodeTable.CURRENCY, data.CURRENCIES),
    (CodeTable.COUNTRY, data.COUNTRIES),
    (CodeTable.UNIT, data.UNITS),
    (CodeTable.TRANSPORT_MODE, data.TRANSPORT_MODES),
    (CodeTable.WRAP_TYPE, data.WRAP_TYPES),
    (CodeTable.SUPERVISION_MODE, customs.SUPERVISION_MODES),
    (CodeTable.CUSTOMS_DISTRICT, customs.CUSTOMS_DISTRICTS),
    (CodeTable.PORT, customs.CUSTOMS_DISTRICTS),
]


def seed_rows() -> Iterator[Row]:
    for table, rows in SEEDED:
        for code, name_zh, name_en, *dates in rows:
            valid_from = dates[0] if dates else EPOCH
            valid_until = dates[1] if len(dates) > 1 else None
            yield str(table), code, name_zh, name_en, valid_from, valid_until
    divisions = list(administrative_divisions())
    known = {row[1] for row in divisions}
    yield from divisions
    for code, name_zh, name_en, valid_from in customs.DIVISIONS_ADDED:
        if code not in known:
            yield CodeTable.ADMINISTRATIVE_DIVISION.value, code, name_zh, name_en, valid_from, None


# One period of a name in python-stdnum's loc.dat: "[1983-2021]下城区", "[2001-]萧山区", "[-2010]崇文区".
_PERIOD = re.compile(r"(?:\[(\d{4})?-(\d{4})?\])?([^,\[]+)")
_LINE = re.compile(r'^(?P<indent> *)(?P<code>\d+) (?:province|county)="(?P<names>[^"]*)"')


def administrative_divisions() -> Iterator[Row]:
    """GB/T 2260 divisions, each name with the years it was in use, from the table python-stdnum ships
    (stdnum.cn.ric reads it to check the birthplace of a resident ID)."""
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    seen: set[tuple[str, date]] = set()
    province = ""
    for line in text.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        if not match["indent"]:
            province = match["code"]
            code = province + "0000"
        else:
            code = province + match["code"]
        for start, end, name in _PERIOD.findall(match["names"]):
            valid_from = date(int(start), 1, 1) if start else EPOCH
            if (code, valid_from) in seen:  # the province line and its "0000" line name it twice
                continue
            seen.add((code, valid_from))
            valid_until = date(int(end), 12, 31) if end else None
            if valid_until is not None and valid_until < valid_from:
                continue  # a name the table dates before its own start: never in force
            yield CodeTable.ADMINISTRATIVE_DIVISION.value, code, name.strip(), "", valid_from, valid_until


def load(apps) -> None:
    """Insert the seed rows that are not there yet (idempotent); an official's edits are kept."""
    CodeTableEntry = apps.get_model("sharing", "CodeTableEntry")
    CodeTableEntry.objects.bulk_create(
        [
            CodeTableEntry(
                table=table,
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                valid_from=valid_from,
                valid_until=valid_until,
            )
            for table, code, name_zh, name_en, valid_from, valid_until in seed_rows()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
