"""Publishing: the live revision moves, and the practice's denormalised copy is rewritten."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from common.cache import public_cache_invalidate

from ..models import Practice, PracticeRevision
from .dump import practice_dump_queue_on_commit


@transaction.atomic
def practice_publish(*, practice: Practice, revision: PracticeRevision) -> Practice:
    """Make `revision` the live content of `practice` (the caller has checked the workflow and holds the lock).

    The previously live revision becomes `superseded`. Title, summary, themes and the other list/facet fields
    are copied onto the practice, and the search vector is rewritten, in the same transaction.
    """
    now = timezone.now()
    if practice.live_revision_id and practice.live_revision_id != revision.pk:
        PracticeRevision.objects.filter(pk=practice.live_revision_id).update(state=PracticeRevision.State.SUPERSEDED)
    revision.state = PracticeRevision.State.PUBLISHED
    revision.decided_at = now
    revision.save(update_fields=["state", "decided_at", "updated_at"])

    practice.live_revision = revision
    practice.status = Practice.Status.PUBLISHED
    practice.published_at = practice.published_at or now
    practice.last_confirmed_at = now
    practice.title = revision.title
    practice.summary = revision.summary
    practice.primary_theme_id = revision.primary_theme_id
    practice.start_year = revision.start_year
    practice.stage = revision.stage
    practice.is_digital = revision.is_digital
    practice.reached_target = revision_reached_target(revision)
    practice.save()
    practice.themes.set([revision.primary_theme_id, *revision.other_themes.values_list("pk", flat=True)])
    practice_search_vector_update(practice_id=practice.pk)
    public_cache_invalidate()
    practice_dump_queue_on_commit()
    return practice


def revision_reached_target(revision: PracticeRevision) -> bool:
    """True when any indicator's latest achieved value meets its target (derived, never typed)."""
    for indicator in revision.indicators.prefetch_related("values"):
        values = list(indicator.values.all())
        if not values or indicator.target_value is None:
            continue
        latest = max(values, key=lambda v: (v.date, v.pk)).value
        if (indicator.higher_is_better and latest >= indicator.target_value) or (
            not indicator.higher_is_better and latest <= indicator.target_value
        ):
            return True
    return False


def practice_search_vector_update(*, practice_id: int) -> None:
    """Weighted search vector from the live revision: title A, summary B, narrative C/D.

    Indonesian stemming for the Indonesian text plus a `simple` copy so acronyms, names and English words
    survive stemming.
    """
    vector = (
        SearchVector("title", weight="A", config="indonesian")
        + SearchVector("title", weight="A", config="simple")
        + SearchVector("summary", weight="B", config="indonesian")
        + SearchVector("summary", weight="B", config="simple")
        + SearchVector("problem", "approach", "impact", weight="C", config="indonesian")
        + SearchVector("challenges", "failures", "do_differently", weight="D", config="indonesian")
        + SearchVector("problem", "approach", "impact", weight="D", config="english")
        + SearchVector("problem", "approach", "impact", weight="D", config="simple")
        + SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
    )
    live = PracticeRevision.objects.filter(pk=OuterRef("live_revision_id")).annotate(v=vector).values("v")[:1]
    Practice.objects.filter(pk=practice_id).update(search_vector=Subquery(live))
