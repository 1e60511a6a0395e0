"""Numbers for `/statistik/`: practices by theme, province, kind and year; replications over time; the share
of agencies contributing per province; and, for moderators, the review funnel."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone

from agencies.models import Agency, Region
from common.workdays import working_days_between
from ledger.models import Replication
from practices.models import Practice, PracticeRevision, ReviewAssignment, Theme, Transition

OVERDUE_WORKING_DAYS = 5


def bar_chart(rows: list[tuple[str, int]], *, width: int = 640, label_width: int = 230, bar: int = 18) -> dict:
    """Geometry of a horizontal bar chart drawn as inline SVG by the template (attributes, no inline styles)."""
    gap = 6
    top = max((value for _label, value in rows), default=0) or 1
    room = width - label_width - 50
    bars = []
    for i, (label, value) in enumerate(rows):
        y = i * (bar + gap)
        w = round(room * value / top)
        bars.append({"label": label, "value": value, "y": y, "w": w, "ty": y + bar - 4, "vx": label_width + w + 6})
    return {"bars": bars, "width": width, "height": max(len(rows), 1) * (bar + gap), "x": label_width, "bar": bar}


def _province_id(region_id, province_id):
    return province_id or region_id


def practices_by_theme() -> list[tuple[str, int]]:
    themes = Theme.objects.annotate(n=Count("practices", filter=Q(practices__status=Practice.Status.PUBLISHED)))
    return [(t.name, t.n) for t in themes]


def practices_by_province() -> list[tuple[str, int]]:
    counts: dict[int, int] = defaultdict(int)
    rows = (
        Practice.objects.published()
        .filter(agency__region__isnull=False)
        .values("agency__region_id", "agency__region__province_id")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[_province_id(row["agency__region_id"], row["agency__region__province_id"])] += row["n"]
    return [(r.name, counts.get(r.pk, 0)) for r in Region.objects.filter(level=Region.Level.PROVINCE)]


def practices_by_kind() -> list[tuple[str, int]]:
    counts = dict(Practice.objects.published().values_list("agency__kind").annotate(n=Count("id")))
    return [(label, counts.get(value, 0)) for value, label in Agency.Kind.choices]


def practices_by_year() -> list[tuple[str, int]]:
    rows = (
        Practice.objects.published()
        .annotate(year=ExtractYear("published_at"))
        .values_list("year")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    return [(str(year), n) for year, n in rows]


def replications_by_year() -> list[tuple[str, int]]:
    rows = (
        Replication.objects.annotate(year=ExtractYear("created_at"))
        .values_list("year")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    return [(str(year), n) for year, n in rows]


def contributing_share_by_province() -> list[dict]:
    """Per province: regional agencies in it (its government and its regencies/cities), how many have at
    least one published practice, and the share in percent."""
    contributing = set(Practice.objects.published().values_list("agency_id", flat=True))
    total: dict[int, int] = defaultdict(int)
    with_practice: dict[int, int] = defaultdict(int)
    for pk, region_id, province_id in (
        Agency.objects.active().regional().values_list("pk", "region_id", "region__province_id")
    ):
        prov = _province_id(region_id, province_id)
        total[prov] += 1
        with_practice[prov] += pk in contributing
    result = []
    for region in Region.objects.filter(level=Region.Level.PROVINCE):
        n, k = total.get(region.pk, 0), with_practice.get(region.pk, 0)
        result.append({"name": region.name, "total": n, "contributing": k, "percent": round(100 * k / n) if n else 0})
    return result


def review_funnel(*, now: datetime.datetime | None = None) -> dict:
    """For moderators: working revisions per state, median hours spent in each state (from Transition rows:
    the time between entering a state and leaving it), overdue reviews and recent rejection reasons."""
    now = now or timezone.now()
    working = PracticeRevision.objects.filter(pk__in=Practice.objects.values("working_revision_id"))
    counts = dict(working.values_list("state").annotate(n=Count("id")))
    states = [(label, counts.get(value, 0)) for value, label in PracticeRevision.State.choices]

    # Time spent in each state: from entering it (the previous transition of the revision, or its creation)
    # to leaving it; the median per state is computed by PostgreSQL, not by loading every transition.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT from_state, percentile_cont(0.5) WITHIN GROUP (ORDER BY hours), count(*)
            FROM (
                SELECT t.from_state,
                       EXTRACT(EPOCH FROM t.created_at - COALESCE(
                           LAG(t.created_at) OVER (PARTITION BY t.revision_id ORDER BY t.created_at, t.id),
                           r.created_at)) / 3600.0 AS hours
                FROM practices_transition t JOIN practices_practicerevision r ON r.id = t.revision_id
            ) spans
            GROUP BY from_state
            """
        )
        durations = {state: (median, n) for state, median, n in cursor.fetchall()}
    labels = dict(PracticeRevision.State.choices)
    medians = [
        {"state": labels[state], "median_hours": round(durations[state][0], 1), "n": durations[state][1]}
        for state in labels
        if state in durations
    ]
    reviewer_load = list(
        ReviewAssignment.objects.open()
        .values("reviewer__email", "reviewer__full_name")
        .annotate(open_reviews=Count("id"))
        .order_by("-open_reviews", "reviewer__email")
    )

    today = timezone.localdate(now)
    overdue = []
    pending = (
        working.filter(state__in=[PracticeRevision.State.SUBMITTED, PracticeRevision.State.IN_REVIEW])
        .exclude(submitted_at__isnull=True)
        .select_related("practice__agency")
        .order_by("submitted_at")
    )
    for revision in pending:
        days = working_days_between(timezone.localdate(revision.submitted_at), today)
        if days > OVERDUE_WORKING_DAYS:
            overdue.append({"revision": revision, "working_days": days})
    rejections = (
        Transition.objects.filter(to_state=PracticeRevision.State.REJECTED)
        .exclude(comment="")
        # A practice never published is named after its working revision (Practice.__str__): joined, not per row.
        .select_related("practice", "practice__working_revision")
        .order_by("-created_at")[:10]
    )
    return {
        "states": states,
        "medians": medians,
        "overdue": overdue,
        "rejections": list(rejections),
        "reviewer_load": reviewer_load,
    }
