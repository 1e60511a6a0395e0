"""CSV and XLSX writers shared by the practice list, agency directory and who-does-what exports.

Columns are named as the API fields. Every text cell passes `cell_safe`: a value a spreadsheet would run as a
formula (starting with =, +, -, @, tab or carriage return) gets a leading apostrophe, in CSV and XLSX alike.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

from common.text import control_characters_strip

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-5", "12.5") is not a formula in any spreadsheet; it stays as it is.
NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def cell_safe(value) -> str | int | float | bool | None:
    """A cell value that no spreadsheet evaluates and every format can hold: numbers stay numbers, risky text is
    prefixed with ', control characters are dropped."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, list | tuple):
        value = ";".join(str(v) for v in value)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    text = control_characters_strip(str(value))  # XML (XLSX) cannot carry them; rows from before the refusal
    if NUMBER_RE.match(text):
        return text
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value):
        return value


def csv_response(*, columns: Sequence[str], rows: Iterable[Sequence], filename: str) -> StreamingHttpResponse:
    """A streamed UTF-8 CSV (with BOM, so spreadsheet programs read the encoding), header row first."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(columns)
        for row in rows:
            yield writer.writerow([cell_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_bytes(*, columns: Sequence[str], rows: Iterable[Sequence], title: str = "data") -> bytes:
    """One worksheet, header row first, written in openpyxl's streaming mode."""
    from openpyxl import Workbook  # loaded by the XLSX download only, not by every web process

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(columns))
    for row in rows:
        # openpyxl would store a text starting with "=" as a formula; cell_safe has already neutralised it.
        # Text stays text (codes such as "35.78" must not become numbers); ints stay numbers.
        sheet.append([cell_safe(cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(*, columns: Sequence[str], rows: Iterable[Sequence], filename: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(columns=columns, rows=rows, title=filename), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(*, fmt: str, columns: Sequence[str], rows: Iterable[Sequence], filename: str):
    if fmt == "xlsx":
        return xlsx_response(columns=columns, rows=rows, filename=filename)
    return csv_response(columns=columns, rows=rows, filename=filename)


def serializer_rows(serializer_class, objects: Iterable, *, context: dict) -> tuple[list[str], Iterable[list]]:
    """Columns are the serializer's field names; each row its values in that order."""
    columns = list(serializer_class().fields)

    def rows():
        for obj in objects:
            data = serializer_class(obj, context=context).data
            yield [data[name] for name in columns]

    return columns, rows()
