"""CSV and XLSX of a call's entries and results, and the one definition of their columns (also the API's).

The cells follow the portal's exports (`insights/exports.py`, which competitions may not import: it is above
this app, so the few helpers are repeated here): a label beside every code, dates in ISO 8601 (date-times in
Asia/Jakarta with the offset), formulas neutralised, UTF-8 CSV with a BOM, an XLSX README sheet, and the
licence in a `Link` header.

What a row holds: the entry, its practice and agency, its status, the average score of every CLOSED scored
stage (a running stage's scores are private), the rank and award once results are published, and the public
objection counts once the window has closed. Never an objector's name, email or text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.opendata import LICENSE_NAME, LICENSE_URL, license_attribution, license_link_header

from .models import Call
from .selectors.objections import call_entries_for_export, closed_stage_averages, objection_counts_are_public

FORMATS = ("csv", "xlsx")
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

BASE_COLUMNS = [
    "call",
    "call_title",
    "entry_id",
    "practice_id",
    "practice_title",
    "practice_slug",
    "agency_code",
    "agency_name",
    "status",
    "status_label",
    "stage",
    "entered_at",
    "final_rank",
    "award_label",
    "objections_examining",
    "objections_upheld",
    "objections_not_upheld",
]


def _average(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def call_entry_records(*, call: Call) -> list[dict]:
    """One dict per entry (the columns above plus `scores`: [{stage, name, average}] of closed stages)."""
    stages, averages = closed_stage_averages(call=call)
    counts_public = objection_counts_are_public(call=call)
    results_public = call.status == Call.Status.FINISHED
    records = []
    for entry in call_entries_for_export(call=call):
        records.append(
            {
                "call": call.slug,
                "call_title": call.title,
                "entry_id": entry.pk,
                "practice_id": entry.practice_id,
                "practice_title": entry.practice.title,
                "practice_slug": entry.practice.slug or "",
                "agency_code": entry.agency.code,
                "agency_name": entry.agency.name,
                "status": entry.status,
                "status_label": str(entry.get_status_display()),
                "stage": entry.stage.name if entry.stage_id else "",
                "entered_at": entry.entered_at,
                "final_rank": entry.final_rank if results_public else None,
                "award_label": entry.award_label if results_public else "",
                "objections_examining": entry.objections_examining if counts_public else None,
                "objections_upheld": entry.objections_upheld if counts_public else None,
                "objections_not_upheld": entry.objections_not_upheld if counts_public else None,
                "scores": [
                    {
                        "stage": stage.position,
                        "name": stage.name,
                        "average": _average(averages.get(entry.pk, {}).get(stage.pk)),
                    }
                    for stage in stages
                ],
            }
        )
    return records


# Cells --------------------------------------------------------------------------------------------------------


def cell_safe(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, JAKARTA).replace(microsecond=0).isoformat()
    elif isinstance(value, dt.date):
        value = value.isoformat()
    text = "".join(ch for ch in str(value) if ch in "\t\n\r" or ord(ch) >= 32)
    if NUMBER_RE.match(text):
        return text
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def xlsx_cell(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    return cell_safe(value)


def call_export_table(*, call: Call) -> tuple[list[str], list[list]]:
    records = call_entry_records(call=call)
    stages, _averages = closed_stage_averages(call=call)
    columns = BASE_COLUMNS + [f"score_stage_{stage.position}" for stage in stages]
    rows = []
    for record in records:
        scores = {s["stage"]: s["average"] for s in record["scores"]}
        rows.append([record[c] for c in BASE_COLUMNS] + [scores.get(stage.position) for stage in stages])
    return columns, rows


def call_export_response(*, call: Call, fmt: str) -> HttpResponse:
    columns, rows = call_export_table(call=call)
    filename = f"{call.slug}-peserta"
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        workbook.properties.creator = "RBX Portal"
        workbook.properties.title = call.title
        sheet = workbook.create_sheet(title="data")
        sheet.append(columns)
        for row in rows:
            sheet.append([xlsx_cell(cell) for cell in row])
        readme = workbook.create_sheet(title="README")
        for row in (
            [_("Judul"), call.title],
            [_("Dibuat"), cell_safe(timezone.now())],
            [_("Lisensi"), LICENSE_NAME],
            [_("Teks lisensi"), LICENSE_URL],
            [_("Atribusi"), license_attribution()],
            [_("Nilai"), _("Rata-rata nilai total per tahap yang sudah ditutup (skala 0–100).")],
        ):
            readme.append([xlsx_cell(str(cell)) for cell in row])
        out = io.BytesIO()
        workbook.save(out)
        response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    else:
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell_safe(cell) for cell in row])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["Link"] = license_link_header()
    return response
