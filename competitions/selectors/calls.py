"""Reads for the calls' public pages and the agency's entry panel."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone

from agencies.models import Agency
from practices.models import Practice, PracticeRevision

from ..models import Call, Entry, Stage

ACTIVE_ENTRY = ~Q(entries__status=Entry.Status.WITHDRAWN)


def call_list_public(*, include_drafts: bool = False) -> list[Call]:
    """Calls for the list page: open ones first, then the rest newest first; each with
    its number of entries (withdrawn ones not counted). One query."""
    qs = Call.objects.all() if include_drafts else Call.objects.public()
    return list(
        qs.annotate(
            entry_count=Count("entries", filter=ACTIVE_ENTRY),
            open_first=Case(
                When(status=Call.Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        ).order_by("open_first", "-opens_at", "pk")
    )


def call_page(*, call: Call) -> dict:
    """What the call page shows: stages (and the current one), criteria, themes, entry count, and the public list
    of entrants once entries have closed (before the deadline only the number shows)."""
    stages = list(call.stages.order_by("position"))
    current = next((s for s in stages if s.status == Stage.Status.OPEN), None)
    entrants = []
    if call.entries_closed_at is not None:
        entrants = list(
            call.entries.exclude(status=Entry.Status.WITHDRAWN)
            .select_related("practice", "agency", "stage")
            .order_by("agency__name", "pk")
        )
    return {
        "stages": stages,
        "current_stage": current,
        "criteria": list(call.criteria.order_by("position")),
        "themes": list(call.themes.all()),
        "kind_labels": [Agency.Kind(kind).label for kind in call.agency_kinds if kind in Agency.Kind.values],
        "entry_count": call.entries.exclude(status=Entry.Status.WITHDRAWN).count(),
        "entrants": entrants,
        "days_left": call_days_left(call=call),
    }


def call_days_left(*, call: Call) -> int | None:
    """Whole days left until the deadline of an open call (0 on its last day); None otherwise."""
    if call.status != Call.Status.OPEN:
        return None
    left = call.closes_at - timezone.now()
    if left.total_seconds() <= 0:
        return None
    return left.days


def agency_entries(*, call: Call, agency_id: int) -> list[Entry]:
    return list(
        call.entries.filter(agency_id=agency_id)
        .select_related("practice__working_revision", "stage")
        .order_by("entered_at", "pk")
    )


def agency_practices_for_entry(*, agency_id: int, call: Call) -> list[Practice]:
    """The agency's practices that could be entered: published, or submitted to the ministry; not already in."""
    taken = call.entries.exclude(status=Entry.Status.WITHDRAWN).values("practice_id")
    return list(
        Practice.objects.filter(agency_id=agency_id)
        .filter(
            Q(status=Practice.Status.PUBLISHED)
            | Q(working_revision__state__in=[PracticeRevision.State.SUBMITTED, PracticeRevision.State.IN_REVIEW])
        )
        .exclude(pk__in=taken)
        .select_related("working_revision")
        .order_by("title", "pk")
    )
