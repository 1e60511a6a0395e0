"""Dates and themes the DCAT catalogue states about the portal's datasets (a few aggregates, no rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Min

from ledger.models import Replication
from practices.models import Practice, Theme


@dataclass(frozen=True)
class DatasetDates:
    issued: dt.datetime | None
    modified: dt.datetime | None


def open_data_dates() -> dict[str, DatasetDates]:
    """When each dataset first had a row and when it last changed: practices (published ones), replications
    (of published practices). Agencies and who-does-what change with the practices; two queries in all."""
    practices = Practice.objects.published().aggregate(issued=Min("published_at"), modified=Max("updated_at"))
    replications = Replication.objects.filter(source__status=Practice.Status.PUBLISHED).aggregate(
        issued=Min("created_at"), modified=Max("updated_at")
    )
    practice_dates = DatasetDates(**practices)
    return {
        "practices": practice_dates,
        "agencies": practice_dates,
        "who-does-what": practice_dates,
        "replications": DatasetDates(**replications),
    }


def open_data_themes() -> list[Theme]:
    """The themes of the who-does-what map, one download each, in the portal's order."""
    return list(Theme.objects.all())
