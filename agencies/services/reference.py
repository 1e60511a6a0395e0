"""Loading the reference data: regions, agencies (and the helpers other reference loaders share)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from ..models import Agency, Region

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: bool, changed: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1
        elif changed:
            self.updated[kind] = self.updated.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def reference_csv_rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def row_upsert(model, *, lookup: dict, values: dict, report: LoadReport, kind: str):
    """Create or update one row; only write when something differs, so a re-run changes nothing."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.count(kind, created=True, changed=True)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        report.count(kind, created=False, changed=True)
    return obj


def _regency_level(name: str) -> tuple[str, str]:
    if name.startswith("Kota "):
        return Region.Level.CITY, Agency.Kind.CITY
    return Region.Level.REGENCY, Agency.Kind.REGENCY


@transaction.atomic
def reference_data_load(*, report: LoadReport | None = None) -> LoadReport:
    """Load the shipped regions and agencies idempotently: re-running updates names and never duplicates.

    Agencies an admin added by hand are left alone; shipped agencies are matched by their stable code.
    """
    report = report or LoadReport()
    provinces: dict[str, Region] = {}
    for row in reference_csv_rows("provinces.csv"):
        region = row_upsert(
            Region,
            lookup={"code": row["code"]},
            values={"name": row["name"], "level": Region.Level.PROVINCE, "province": None},
            report=report,
            kind="region",
        )
        provinces[row["code"]] = region
        row_upsert(
            Agency,
            lookup={"code": row["code"]},
            values={
                "kind": Agency.Kind.PROVINCE,
                "name": f"Pemerintah Provinsi {row['name']}",
                "slug": f"provinsi-{slugify(row['name'])}",
                "region": region,
            },
            report=report,
            kind="agency",
        )
    for row in reference_csv_rows("regencies.csv"):
        level, kind = _regency_level(row["name"])
        region = row_upsert(
            Region,
            lookup={"code": row["code"]},
            values={"name": row["name"], "level": level, "province": provinces[row["province_code"]]},
            report=report,
            kind="region",
        )
        row_upsert(
            Agency,
            lookup={"code": row["code"]},
            values={
                "kind": kind,
                "name": f"Pemerintah {row['name']}",
                # Region names can repeat across provinces, so the code is part of the slug.
                "slug": f"{slugify(row['name'])}-{row['code'].replace('.', '')}",
                "region": region,
            },
            report=report,
            kind="agency",
        )
    for row in reference_csv_rows("central_agencies.csv"):
        row_upsert(
            Agency,
            lookup={"code": row["code"]},
            values={"kind": row["kind"], "name": row["name"], "acronym": row["acronym"], "slug": row["code"]},
            report=report,
            kind="agency",
        )
    return report
