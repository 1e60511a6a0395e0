"""Reads for reviewers and for the lead's stage pages: the reviewer's dashboard, the assignment board, the
ranking of a stage, and what an entry's agency sees once a stage has closed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Prefetch, Q

from ..models import CallReviewer, Entry, Review, Stage

TWO_PLACES = Decimal("0.01")


def reviewer_dashboard(*, user) -> list[Review]:
    """The reviews assigned to the person, open stages first (one query). Entries withdrawn are left out."""
    if not user.is_authenticated:
        return []
    return list(
        Review.objects.filter(reviewer_id=user.pk, entry__call__reviewers__user_id=user.pk)
        .filter(entry__call__reviewers__is_active=True)
        .exclude(entry__status=Entry.Status.WITHDRAWN)
        .select_related("stage", "stage__call", "entry__practice__working_revision", "entry__agency")
        .order_by("-stage__status", "stage__call__closes_at", "stage__position", "pk")
        .distinct()
    )


def review_scores(*, review: Review) -> dict[int, Decimal]:
    return {s.criterion_id: s.value for s in review.scores.all()}


def stage_ranking(*, stage: Stage) -> list[dict]:
    """The entries of the stage (still in it, or eliminated in it) ranked by the average of their submitted
    totals, best first; entries without a submitted review last. Each row: entry, average, reviews (submitted),
    assigned, enough (reviews ≥ min_reviews)."""
    entries = (
        Entry.objects.filter(stage=stage)
        .exclude(status=Entry.Status.WITHDRAWN)
        .select_related("practice__working_revision", "agency")
        .annotate(
            average=Avg("reviews__total", filter=Q(reviews__stage=stage, reviews__status=Review.Status.SUBMITTED)),
            submitted=Count("reviews", filter=Q(reviews__stage=stage, reviews__status=Review.Status.SUBMITTED)),
            assigned=Count("reviews", filter=Q(reviews__stage=stage)),
        )
    )
    rows = []
    for entry in entries:
        average = entry.average.quantize(TWO_PLACES, rounding=ROUND_HALF_UP) if entry.average is not None else None
        rows.append(
            {
                "entry": entry,
                "average": average,
                "reviews": entry.submitted,
                "assigned": entry.assigned,
                "enough": entry.submitted >= stage.min_reviews,
            }
        )
    rows.sort(key=lambda r: (r["average"] is None, -(r["average"] or 0), r["entry"].pk))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def stage_board(*, stage: Stage) -> dict:
    """The lead's assignment board: the entries of the stage with their reviews, and the call's reviewers."""
    entries = list(
        Entry.objects.filter(stage=stage, status=Entry.Status.ENTERED)
        .select_related("practice__working_revision", "agency")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.filter(stage=stage).select_related("reviewer").order_by("pk"),
                to_attr="stage_reviews",
            )
        )
        .order_by("pk")
    )
    reviewers = list(
        CallReviewer.objects.filter(call_id=stage.call_id, is_active=True).select_related("user").order_by("user_id")
    )
    return {"entries": entries, "reviewers": reviewers}


def entry_feedback(*, entry: Entry) -> list[dict]:
    """What the entry's agency sees: per closed stage, the outcome and the reviewers' comments meant for the
    author (never scores of open stages, private notes or who the reviewers were)."""
    stages = list(entry.call.stages.order_by("position"))
    reviews = Review.objects.filter(
        entry=entry, stage__status=Stage.Status.CLOSED, status=Review.Status.SUBMITTED
    ).order_by("stage__position", "pk")
    comments: dict[int, list[str]] = {}
    for review in reviews:
        if review.comment_for_author:
            comments.setdefault(review.stage_id, []).append(review.comment_for_author)
    out = []
    for stage in stages:
        if stage.status != Stage.Status.CLOSED:
            continue
        decision = getattr(stage, "decision", None)
        advanced = None
        if decision is not None:
            advanced = any(row.get("entry") == entry.pk and row.get("advanced") for row in decision.ranking)
            took_part = any(row.get("entry") == entry.pk for row in decision.ranking)
            if not took_part:
                continue
        out.append({"stage": stage, "advanced": advanced, "comments": comments.get(stage.pk, [])})
    return out
