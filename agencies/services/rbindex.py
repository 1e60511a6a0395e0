"""Import of RB index scores (CSV: agency code, year, score) with the category derived from the shipped bands."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Agency, RBIndexScore
from .reference import reference_csv_rows


@dataclass(frozen=True)
class Band:
    category: str
    min_score: Decimal
    max_score: Decimal


@cache
def rb_bands() -> tuple[Band, ...]:
    return tuple(
        Band(row["category"], Decimal(row["min_score"]), Decimal(row["max_score"]))
        for row in reference_csv_rows("rb_index_categories.csv")
    )


def rb_category(score: Decimal) -> str:
    """The band with min < score <= max; a score of exactly 0 is D (the lowest band includes its minimum)."""
    bands = rb_bands()
    for band in bands:
        if band.min_score < score <= band.max_score:
            return band.category
    lowest = min(bands, key=lambda b: b.min_score)
    if score == lowest.min_score:
        return lowest.category
    raise ValueError(f"score {score} outside every band")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


HEADER_ALIASES = {
    "agency_code": {"agency_code", "kode", "kode_instansi", "agency", "code"},
    "year": {"year", "tahun"},
    "score": {"score", "nilai", "indeks"},
}


def _column_map(header: list[str]) -> dict[str, int] | None:
    normalised = [h.strip().lower().replace(" ", "_") for h in header]
    mapping = {}
    for key, aliases in HEADER_ALIASES.items():
        for i, name in enumerate(normalised):
            if name in aliases:
                mapping[key] = i
    return mapping if len(mapping) == 3 else None


@transaction.atomic
def rb_index_import(*, text: str) -> ImportReport:
    """Import scores from CSV text. Good rows are written (a repeated agency+year updates), bad rows are
    refused with their line number and reason; one bad row does not stop the others.

    Without a recognised header row the columns are taken as agency code, year, score.
    """
    report = ImportReport()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    mapping = {"agency_code": 0, "year": 1, "score": 2}
    start = 0
    if rows and (header := _column_map(rows[0])) is not None:
        mapping, start = header, 1
    agencies = {a.code: a.pk for a in Agency.objects.only("pk", "code")}
    seen: dict[tuple[int, int], int] = {}
    for line, row in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(mapping.values()):
            report.refused.append((line, _("kolom kurang (perlu kode instansi, tahun, nilai)")))
            continue
        code = row[mapping["agency_code"]].strip()
        year_text = row[mapping["year"]].strip()
        score_text = row[mapping["score"]].strip().replace(",", ".")
        agency_id = agencies.get(code)
        if agency_id is None:
            report.refused.append((line, _("kode instansi tidak dikenal: %(code)s") % {"code": code[:64]}))
            continue
        if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
            report.refused.append((line, _("tahun tidak valid: %(year)s") % {"year": year_text[:20]}))
            continue
        try:
            score = Decimal(score_text)
            if not score.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            report.refused.append((line, _("nilai bukan angka: %(score)s") % {"score": score_text[:20]}))
            continue
        if not Decimal(0) <= score <= Decimal(100):
            report.refused.append((line, _("nilai di luar 0–100: %(score)s") % {"score": score_text[:20]}))
            continue
        score = score.quantize(Decimal("0.01"))
        year = int(year_text)
        if (agency_id, year) in seen:
            report.refused.append(
                (line, _("duplikat instansi dan tahun pada baris %(line)s") % {"line": seen[(agency_id, year)]})
            )
            continue
        seen[(agency_id, year)] = line
        category = rb_category(score)
        existing = RBIndexScore.objects.select_for_update().filter(agency_id=agency_id, year=year).first()
        if existing is None:
            RBIndexScore.objects.create(agency_id=agency_id, year=year, score=score, category=category)
            report.created += 1
        elif existing.score != score or existing.category != category:
            existing.score, existing.category = score, category
            existing.save(update_fields=["score", "category", "updated_at"])
            report.updated += 1
        else:
            report.unchanged += 1
    return report
