"""Reads for the finalists, the objection window and the results.

What the public sees of objections: nothing while the window is open; after it, per finalist, the objections
that a moderator accepted as substantive, by outcome (under examination / upheld / not upheld). Unconfirmed
and pending objections are not counted (nobody has checked them) and dismissed ones neither (spam, abuse and
out-of-scope texts would make a finalist look contested for nothing). Never a name or an email.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from ..models import Call, Entry, Objection, ObjectionFile

S = Objection.Status
PUBLIC_COUNTED = (S.ACCEPTED, S.UPHELD, S.NOT_UPHELD)


@dataclass(frozen=True)
class ObjectionCounts:
    examining: int = 0
    upheld: int = 0
    not_upheld: int = 0
    disqualified: int = 0

    @property
    def total(self) -> int:
        return self.examining + self.upheld + self.not_upheld


def objection_counts_are_public(*, call: Call) -> bool:
    return call.status in (Call.Status.DELIBERATION, Call.Status.FINISHED)


def call_finalists(*, call: Call) -> QuerySet[Entry]:
    """The call's finalists (and what became of them: disqualified, winners), with public objection counts."""
    return (
        Entry.objects.filter(
            call=call, status__in=[Entry.Status.FINALIST, Entry.Status.DISQUALIFIED, Entry.Status.WINNER]
        )
        .select_related("practice", "agency")
        .annotate(
            objections_examining=Count("objections", filter=Q(objections__status=S.ACCEPTED)),
            objections_upheld=Count("objections", filter=Q(objections__status=S.UPHELD)),
            objections_not_upheld=Count("objections", filter=Q(objections__status=S.NOT_UPHELD)),
            objections_disqualified=Count(
                "objections",
                filter=Q(objections__status=S.UPHELD, objections__finding=Objection.Finding.DISQUALIFIED),
            ),
        )
        .order_by("final_rank", "practice__title", "pk")
    )


def entry_objection_counts(entry) -> ObjectionCounts:
    return ObjectionCounts(
        examining=entry.objections_examining,
        upheld=entry.objections_upheld,
        not_upheld=entry.objections_not_upheld,
        disqualified=entry.objections_disqualified,
    )


def _with_files(qs: QuerySet[Objection]) -> QuerySet[Objection]:
    return qs.select_related("entry__practice", "entry__agency").prefetch_related(
        Prefetch("files", queryset=ObjectionFile.objects.order_by("pk"))
    )


def objection_queue(*, call: Call) -> QuerySet[Objection]:
    """The moderators' list of a call: confirmed objections, the unchecked first."""
    return _with_files(Objection.objects.filter(entry__call=call).exclude(status=S.UNCONFIRMED)).order_by(
        "status", "created_at", "pk"
    )


def objections_for_agency(*, agency_id: int) -> QuerySet[Objection]:
    """Accepted (and decided) objections against the agency's entries: what it is asked to answer."""
    return (
        _with_files(Objection.objects.filter(entry__agency_id=agency_id, status__in=PUBLIC_COUNTED))
        .select_related("entry__call")
        .order_by("-created_at", "pk")
    )


def call_winners(*, call: Call) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(call=call, status=Entry.Status.WINNER)
        .select_related("practice", "agency")
        .order_by("final_rank", "pk")
    )


def call_entries_for_export(*, call: Call) -> list[Entry]:
    """Every entry of a call but the withdrawn, for the export and the API, with their stage's name."""
    return list(
        Entry.objects.filter(call=call)
        .exclude(status=Entry.Status.WITHDRAWN)
        .select_related("practice", "agency", "stage")
        .annotate(
            objections_examining=Count("objections", filter=Q(objections__status=S.ACCEPTED), distinct=True),
            objections_upheld=Count("objections", filter=Q(objections__status=S.UPHELD), distinct=True),
            objections_not_upheld=Count("objections", filter=Q(objections__status=S.NOT_UPHELD), distinct=True),
        )
        .order_by("final_rank", "practice__title", "pk")
    )


def closed_stage_averages(*, call: Call) -> tuple[list, dict[int, dict[int, object]]]:
    """The call's closed scored stages, and {entry id: {stage id: average total}} of the reviews submitted in
    them. Scores of a stage that is not closed are never read here: they are private until it closes."""
    from django.db.models import Avg

    from ..models import Review, Stage

    stages = list(Stage.objects.filter(call=call, status=Stage.Status.CLOSED, is_scored=True).order_by("position"))
    averages: dict[int, dict[int, object]] = {}
    rows = (
        Review.objects.filter(stage__in=stages, status=Review.Status.SUBMITTED, total__isnull=False)
        .values("entry_id", "stage_id")
        .annotate(average=Avg("total"))
    )
    for row in rows:
        averages.setdefault(row["entry_id"], {})[row["stage_id"]] = row["average"]
    return stages, averages
