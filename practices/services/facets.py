"""Keeping the facet cube's stale measure up with the freshness cutoff (migration practices/0025)."""

from __future__ import annotations

from django.db import connection, transaction

from ..models.practice import freshness_cutoff


@transaction.atomic
def facets_restale() -> int:
    """Bring the cube's stale counts to today's freshness cutoff: the listed practices confirmed between the
    instant it was last brought to and the cutoff become stale in their cells (one statement, under the facet
    writers' lock). The list counts those from their facet rows until this runs, so it only keeps them few:
    run hourly by beat (a no-op within a day) and after the benchmark seed. Returns the number of cells moved."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT practices_facets_restale(%s)", [freshness_cutoff()])
        return cursor.fetchone()[0]
