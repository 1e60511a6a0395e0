"""The practice page's similar practices and "agencies like you", computed when something changes.

A page view never compares titles (trigram similarity) or counts shared themes: it reads the lists stored in
`PracticeNeighbours`. They are computed after a publish or a withdrawal (`practice_neighbours_refresh`, a task
queued after commit) for the practice itself and a bounded set of practices whose lists it may enter or leave,
and by a sweep (beat, `practice_neighbours_sweep`) that fills missing rows and refreshes the oldest, so a list
may be minutes (at most `NEIGHBOURS_MAX_AGE`) behind the portal; a practice without a row shows neither list.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from common.tasks import enqueue_on_commit

from ..models import Practice, PracticeNeighbours
from ..selectors.public import practice_related, practices_like_you
from .pages import practice_page_version_bump

logger = logging.getLogger(__name__)

# How many of each list a page shows.
NEIGHBOURS_SHOWN = 4
# After a publish, the practices closest to it (the first this many of its own two lists, computed a little
# longer) are recomputed too: they are the ones whose lists it most likely enters. Those whose stored lists name
# it are recomputed as well, at most NEIGHBOURS_REVERSE_LIMIT of them.
NEIGHBOURS_NEAR = 12
NEIGHBOURS_REVERSE_LIMIT = 50
# The sweep refreshes rows older than this (a practice published elsewhere may enter a list without being close
# enough to be recomputed at once).
NEIGHBOURS_MAX_AGE = timedelta(days=1)
SWEEP_BATCH = 500


def practice_neighbours_compute(*, practice_id: int, near: int = NEIGHBOURS_SHOWN) -> list[int]:
    """Compute and store the two lists of one practice (a withdrawn or missing practice loses its row).

    Returns the ids of the first `near` practices of both lists (the practices closest to this one)."""
    practice = Practice.objects.published().select_related("agency").filter(pk=practice_id).first()
    if practice is None:
        PracticeNeighbours.objects.filter(practice_id=practice_id).delete()
        return []
    limit = max(near, NEIGHBOURS_SHOWN)
    before = PracticeNeighbours.objects.filter(practice_id=practice.pk).values_list("related", "like_you").first()
    related = [p.pk for p in practice_related(practice=practice, limit=limit)]
    like_you = [p.pk for p in practices_like_you(practice=practice, limit=limit)]
    row, created = PracticeNeighbours.objects.update_or_create(
        practice_id=practice.pk,
        defaults={
            "related": related[:NEIGHBOURS_SHOWN],
            "like_you": like_you[:NEIGHBOURS_SHOWN],
            "computed_at": timezone.now(),
        },
    )
    if created or (row.related, row.like_you) != before:
        practice_page_version_bump(practice_ids=[practice.pk])  # its stored page shows the lists
    return list(dict.fromkeys([*related[:near], *like_you[:near]]))


def practice_neighbours_refresh(*, practice_id: int) -> int:
    """After `practice_id` was published, changed or withdrawn: its own lists, those that name it, and those
    of the practices closest to it. Bounded (1 + NEIGHBOURS_REVERSE_LIMIT + 2 × NEIGHBOURS_NEAR computations);
    returns how many were computed."""
    naming = list(
        PracticeNeighbours.objects.filter(Q(related__contains=[practice_id]) | Q(like_you__contains=[practice_id]))
        .exclude(practice_id=practice_id)
        .values_list("practice_id", flat=True)[:NEIGHBOURS_REVERSE_LIMIT]
    )
    near = practice_neighbours_compute(practice_id=practice_id, near=NEIGHBOURS_NEAR)
    others = [pk for pk in dict.fromkeys([*naming, *near]) if pk != practice_id]
    for pk in others:
        practice_neighbours_compute(practice_id=pk)
    return 1 + len(others)


def practice_neighbours_queue_on_commit(*, practice_id: int) -> None:
    """Queue `practice_neighbours_refresh` once the publishing transaction commits (the sweep catches up when
    the broker was down)."""
    enqueue_on_commit("practices.tasks.practice_neighbours_refresh", practice_id)


def practice_neighbours_sweep(*, limit: int = SWEEP_BATCH) -> dict:
    """Published practices without stored lists first (newest first), then the oldest rows past
    NEIGHBOURS_MAX_AGE, at most `limit` in all; rows of practices no longer published are deleted."""
    removed, _ = PracticeNeighbours.objects.exclude(practice__status=Practice.Status.PUBLISHED).delete()
    missing = list(
        Practice.objects.published()
        .filter(neighbours__isnull=True)
        .order_by("-published_at", "-id")
        .values_list("pk", flat=True)[:limit]
    )
    stale = []
    if len(missing) < limit:
        stale = list(
            PracticeNeighbours.objects.filter(computed_at__lt=timezone.now() - NEIGHBOURS_MAX_AGE)
            .order_by("computed_at")
            .values_list("practice_id", flat=True)[: limit - len(missing)]
        )
    for pk in [*missing, *stale]:
        practice_neighbours_compute(practice_id=pk)
    return {"filled": len(missing), "refreshed": len(stale), "removed": removed}
