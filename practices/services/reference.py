"""Writes about practices and themes."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from agencies.services.reference import LoadReport, reference_csv_rows, row_upsert
from common.cache import public_cache_invalidate

from ..models import GlossaryTerm, Theme
from .indexing import search_vocabulary_names_add


@transaction.atomic
def themes_load(*, report: LoadReport | None = None) -> LoadReport:
    """Load the 12 shipped RB themes idempotently, keeping their file order within each track."""
    report = report or LoadReport()
    for order, row in enumerate(reference_csv_rows("rb_themes.csv"), start=1):
        row_upsert(
            Theme,
            lookup={"code": row["code"]},
            values={
                "track": row["track"],
                "name_id": row["name_id"],
                "name_en": row["name_en"],
                "description_id": row["description_id"],
                "description_en": row["description_en"],
                "order": order,
            },
            report=report,
            kind="theme",
        )
    return report


GLOSSARY_CSV = Path(__file__).resolve().parents[1] / "data" / "glossary.csv"


@transaction.atomic
def glossary_load(*, report: LoadReport | None = None) -> LoadReport:
    """Add the shipped glossary pairs that are missing (compared case-insensitively); pairs that ministry staff
    edited or added in the admin are left as they are, so re-running changes nothing."""
    report = report or LoadReport()
    with GLOSSARY_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    existing = {(i.lower(), e.lower()) for i, e in GlossaryTerm.objects.values_list("indonesian", "english")}
    missing = []
    for row in rows:
        key = (row["indonesian"].strip().lower(), row["english"].strip().lower())
        if key not in existing:
            existing.add(key)
            missing.append(GlossaryTerm(indonesian=row["indonesian"].strip(), english=row["english"].strip()))
    GlossaryTerm.objects.bulk_create(missing)
    if missing:
        report.created["glossary term"] = len(missing)
        search_vocabulary_names_add()
        public_cache_invalidate()
    return report
