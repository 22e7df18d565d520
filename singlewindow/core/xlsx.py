"""The one Excel writer of the portal, beside `singlewindow.core.csv`: the same rows as a .xlsx sheet.

XlsxWriter's `constant_memory` mode flushes each row to a temporary file as it is written, so a large
result costs the same memory as a small one; the file is then streamed to the client. Text is always
written with `write_string`: a cell a filer typed as `=HYPERLINK(...)` stays text and never becomes a
formula (formulas are off for strings, URLs are not turned into links). Numbers the portal computed
stay numbers, dates are written as ISO text as in the CSV.
"""

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse

from .csv import csv_stream_response, safe_filename

# Excel's hard limit of characters in a cell.
MAX_CELL = 32767


def write_sheet(file: Any, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write one sheet of `header` and `rows` to `file` (a path or a binary file object)."""
    workbook = xlsxwriter.Workbook(
        file,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    sheet = workbook.add_worksheet()
    bold = workbook.add_format({"bold": True})
    for col, title in enumerate(header):
        sheet.write_string(0, col, str(title)[:MAX_CELL], bold)
    for row_number, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            _write_cell(sheet, row_number, col, value)
    workbook.close()


def _write_cell(sheet: Any, row: int, col: int, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
        sheet.write_number(row, col, float(value))
    elif isinstance(value, datetime | date):
        sheet.write_string(row, col, value.isoformat())
    else:
        sheet.write_string(row, col, str(value)[:MAX_CELL])


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> FileResponse:
    """An attachment of one sheet, written in constant memory to a temporary file and streamed."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once it is sent
    write_sheet(spool, header, rows)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=safe_filename(filename, default="export.xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


EXPORT_FORMATS = ("csv", "xlsx")


def export_response(
    export: str, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse | FileResponse:
    """The rows as the file a list's "Export CSV" / "Export Excel" button asks for (`export` is one of
    EXPORT_FORMATS), named `filename` plus the format's extension."""
    if export == "xlsx":
        return xlsx_response(f"{filename}.xlsx", header, rows)
    return csv_stream_response(f"{filename}.csv", header, rows)
