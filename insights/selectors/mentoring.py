"""Mentoring: the agencies whose latest RB index category needs mentoring, and mentors suggested for one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet, Subquery

from agencies.models import Agency, RBIndexScore
from practices.models import Practice
from practices.selectors.translations import shown_text_annotate

from .map import province_of


def latest_scores() -> QuerySet[RBIndexScore]:
    """Each agency's most recent RB index score (one row per agency)."""
    latest = RBIndexScore.objects.order_by("agency_id", "-year").distinct("agency_id").values("pk")
    return RBIndexScore.objects.filter(pk__in=Subquery(latest))


def agencies_needing_mentoring() -> QuerySet[RBIndexScore]:
    """Latest scores in category CC, C or D, lowest first."""
    return (
        latest_scores()
        .filter(category__in=RBIndexScore.NEEDS_MENTORING)
        .select_related("agency", "agency__region")
        .order_by("score", "agency__name")
    )


@dataclass
class MentorSuggestion:
    agency: Agency
    score: RBIndexScore
    distance: int  # 0 same province, 1 same island group, 2 elsewhere
    practices: list[Practice]


def _distance(a: Agency, b: Agency) -> int:
    pa, pb = province_of(a), province_of(b)
    if pa is None or pb is None:
        return 0 if pa is pb else 2
    if pa.pk == pb.pk:
        return 0
    # Province codes share their first digit within an island group (1 Sumatra, 3 Java, 6 Kalimantan, ...).
    return 1 if pa.code[0] == pb.code[0] else 2


def mentor_suggestions(*, agency: Agency, theme_ids: list[int] | None = None, limit: int = 10) -> list:
    """Mentors for an agency whose latest RB index category is CC, C or D: agencies of the same kind with a
    higher latest score and published practices (in `theme_ids` when given), nearest first, then highest score.
    An agency not needing mentoring (or without a score) gets no suggestions.
    """
    mine = latest_scores().filter(agency=agency).first()
    if mine is None or mine.category not in RBIndexScore.NEEDS_MENTORING:
        return []
    eligible = Practice.objects.published()
    if theme_ids:
        eligible = eligible.filter(themes__in=theme_ids)
    practices = Practice.objects.filter(pk__in=eligible.values("pk")).order_by("-published_at", "-id")
    candidates = (
        latest_scores()
        .filter(agency__kind=agency.kind, score__gt=mine.score, agency__active=True)
        .exclude(agency=agency)
        .filter(agency_id__in=eligible.values("agency_id"))
        .select_related("agency", "agency__region", "agency__region__province")
    )
    candidates = list(candidates)
    by_agency: dict[int, list[Practice]] = defaultdict(list)
    for practice in shown_text_annotate(practices.filter(agency_id__in=[c.agency_id for c in candidates])):
        by_agency[practice.agency_id].append(practice)
    suggestions = [
        MentorSuggestion(
            agency=c.agency, score=c, distance=_distance(agency, c.agency), practices=by_agency[c.agency_id][:3]
        )
        for c in candidates
    ]
    suggestions.sort(key=lambda s: (s.distance, -s.score.score, s.agency.name))
    return suggestions[:limit]
