"""Numbers for `/statistik/`: listed practices (published, not stopped: what the practice list and its CSV
count) by theme, province, kind and year, and per theme by kind (small multiples); replications over time; the
share of agencies contributing per province; and, for moderators, the review funnel."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from agencies.models import Agency, Region
from common.workdays import working_days_between
from ledger.models import Replication
from practices.filters import KIND_GROUPS
from practices.models import Practice, PracticeRevision, ReviewAssignment, Theme, Transition

from .map import province_counts

OVERDUE_WORKING_DAYS = 5


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: str = ""  # the practice list showing exactly these practices (and its CSV: the same number of rows)
    note: str = ""  # shown after the value, e.g. "2/39" beside a share in percent


def bar_chart(bars: list[Bar], *, ordered: bool = False, top: int | None = None) -> dict:
    """A chart the template draws as a table with a bar in each row (the labels wrap; the table is the text).

    Bars are sorted by value, largest first (ties by label), unless `ordered` (a time series keeps its order).
    Zero bars are not drawn: their labels come apart in `zeros`, for one line "N … without any: a, b, c".
    `top` is the value of a full bar: small multiples pass one for all, so that they compare."""
    drawn = [b for b in bars if b.value]
    if not ordered:
        drawn.sort(key=lambda b: (-b.value, b.label))
    top = top or max((b.value for b in drawn), default=0) or 1
    rows = [{"bar": b, "width": round(100 * b.value / top, 1)} for b in drawn]
    return {"rows": rows, "zeros": [b.label for b in bars if not b.value], "total": sum(b.value for b in bars)}


def _list_url(**query) -> str:
    return f"{reverse('practices:list')}?{urlencode(query)}"


def theme_counts() -> tuple[list[Theme], dict[int, int], dict[tuple[int, str], int]]:
    """The themes, listed practices per theme, and per theme and agency kind: one grouped query."""
    themes = list(Theme.objects.all())
    per_kind: dict[tuple[int, str], int] = defaultdict(int)
    rows = (
        Practice.themes.through.objects.filter(practice__in=Practice.objects.listed())
        .values_list("theme_id", "practice__agency__kind")
        .annotate(n=Count("practice_id"))
    )
    totals: dict[int, int] = defaultdict(int)
    for theme_id, kind, n in rows:
        per_kind[(theme_id, kind)] += n
        totals[theme_id] += n
    return themes, totals, per_kind


def practices_by_theme(counts=None) -> list[Bar]:
    themes, totals, _per_kind = counts or theme_counts()
    return [Bar(t.name, totals.get(t.pk, 0), _list_url(theme=t.code)) for t in themes]


def theme_multiples(counts=None) -> dict:
    """Small multiples: for each theme, its practices by kind of agency (the five groups of the list's filter),
    all on one scale and in one order so that the themes compare; themes without any practice folded."""
    themes, totals, per_kind = counts or theme_counts()
    cells = {
        (t.pk, group): sum(per_kind.get((t.pk, kind), 0) for kind in kinds)
        for t in themes
        for group, (_label, kinds) in KIND_GROUPS.items()
    }
    top = max(cells.values(), default=0) or 1
    charts = []
    for theme in themes:
        if not totals.get(theme.pk):
            continue
        bars = [
            Bar(str(label), cells[(theme.pk, group)], _list_url(theme=theme.code, kind=group))
            for group, (label, _kinds) in KIND_GROUPS.items()
        ]
        charts.append({"theme": theme, "total": totals[theme.pk], "chart": bar_chart(bars, ordered=True, top=top)})
    charts.sort(key=lambda c: -c["total"])
    return {"charts": charts, "zeros": [t.name for t in themes if not totals.get(t.pk)]}


def practices_by_province() -> list[Bar]:
    """The map's numbers (the same selector), each bar linked to the list of that province's practices."""
    return [Bar(c.name, c.count, _list_url(province=c.code)) for c in province_counts()]


def practices_by_kind() -> list[Bar]:
    """By the five kinds of agency the practice list filters on."""
    counts = dict(Practice.objects.listed().values_list("agency__kind").annotate(n=Count("id")))
    return [
        Bar(str(label), sum(counts.get(kind, 0) for kind in kinds), _list_url(kind=group))
        for group, (label, kinds) in KIND_GROUPS.items()
    ]


def practices_by_year() -> list[Bar]:
    rows = (
        Practice.objects.listed()
        .annotate(year=ExtractYear("published_at"))
        .values_list("year")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    return [Bar(str(year), n) for year, n in rows]


def replications_by_year() -> list[Bar]:
    rows = (
        Replication.objects.annotate(year=ExtractYear("created_at"))
        .values_list("year")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    return [Bar(str(year), n) for year, n in rows]


def _province_id(region_id, province_id):
    return province_id or region_id


def contributing_share_by_province() -> list[dict]:
    """Per province: regional agencies in it (its government and its regencies/cities), how many have at
    least one listed practice, and the share in percent."""
    contributing = set(Practice.objects.listed().values_list("agency_id", flat=True))
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


def share_bars(share: list[dict]) -> list[Bar]:
    # A share that rounds to 0 % while an agency contributes is still drawn (1 agency of 200 is not none).
    bars = []
    for row in share:
        value = row["percent"] or (1 if row["contributing"] else 0)
        bars.append(Bar(row["name"], value, note=f"{row['contributing']}/{row['total']}"))
    return bars


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
