"""Writes about practices and themes."""

from __future__ import annotations

from django.db import transaction

from agencies.services.reference import LoadReport, reference_csv_rows, row_upsert

from ..models import Theme


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
