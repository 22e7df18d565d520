"""The one CSV writer of the portal: every CSV a page or the API hands out goes through `csv_response`.

Cells come from filers (names, numbers, reasons): a text cell starting with `=`, `+`, `-`, `@`, a tab
or a carriage return would run as a formula in a spreadsheet, so it is written with a leading `'`
(OWASP, "CSV Injection"). Numbers the portal computes (int, Decimal, float) carry no formula and stay
numbers, so a credit of -12.50 still adds up. The download's file name is built from validated values
only, and kept to [A-Za-z0-9._-] besides, so nothing a caller sends can reach the header.
"""

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_cell(value: Any) -> Any:
    """A cell that a spreadsheet shows as the value it is, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_filename(name: str, default: str = "export.csv") -> str:
    """`name` with every run of characters outside [A-Za-z0-9._-] replaced by `_` (no quote, CR, LF,
    semicolon or slash survives) and no leading dot; `default` when nothing is left."""
    cleaned = UNSAFE_IN_NAME.sub("_", name).lstrip(".")
    return cleaned if cleaned.strip("_") else default


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False
) -> HttpResponse:
    """An attachment of `header` and `rows`, every cell through `safe_cell`. `bom` starts the file with
    a byte-order mark, so that spreadsheet programs read Chinese names as UTF-8."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    if bom:
        response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return response


class _Echo:
    """A file-like object whose write returns the line: csv.writer then yields rows to a stream."""

    def write(self, value: str) -> str:
        return value


def csv_stream_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = True
) -> StreamingHttpResponse:
    """`csv_response` for results of any size: rows are written as the database yields them, so a
    list of a million lines never sits in memory. Cells go through `safe_cell` as there."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        if bom:
            yield "\ufeff"
        yield writer.writerow([safe_cell(cell) for cell in header])
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    return response
