"""Publishing: the live revision moves, the practice's denormalised copy is rewritten; featuring on the home page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from common.tasks import enqueue_on_commit

from ..cache_tags import practice_public_cache_invalidate
from ..models import Attachment, Practice, PracticeRevision
from .covers import cover_summary
from .dump import practice_dump_queue_on_commit
from .indexing import practice_search_vector_update, search_vocabulary_add
from .neighbours import practice_neighbours_queue_on_commit


@transaction.atomic
def practice_publish(*, practice: Practice, revision: PracticeRevision) -> Practice:
    """Make `revision` the live content of `practice` (the caller has checked the workflow and holds the lock).

    The previously live revision becomes `superseded`. Title, summary, themes and the other list/facet fields
    are copied onto the practice, the search vector is rewritten (`practices.search.PRACTICE_VECTOR_SQL`) and
    its words join the search vocabulary, in the same transaction.
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
    practice.cover = cover_summary(revision_id=revision.pk)
    practice.save()
    # A cover whose variants were never made (the broker was down at upload) gets a second chance here; the
    # task refreshes `practice.cover` when it finishes.
    for cover_id in (
        revision.files.filter(purpose=Attachment.Purpose.COVER, variants=[])
        .exclude(alt_text="")
        .values_list("pk", flat=True)
    ):
        enqueue_on_commit("practices.tasks.cover_variants_make", cover_id)
    themes_before = list(practice.themes.values_list("code", flat=True))  # their lists change too
    practice.themes.set([revision.primary_theme_id, *revision.other_themes.values_list("pk", flat=True)])
    practice_search_vector_update(practice_id=practice.pk)
    search_vocabulary_add(practice_id=practice.pk)
    practice_public_cache_invalidate(practice=practice, theme_codes=themes_before)
    # Its similar practices, and theirs, are computed after commit (a page view never compares titles).
    practice_neighbours_queue_on_commit(practice_id=practice.pk)
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


class FeatureRefused(ValidationError):
    """Only a published practice can be shown on the home page."""


@transaction.atomic
def practice_featured_set(*, practice_id: int, featured: bool, by) -> bool:
    """Show a published practice among the home page's featured ones, or stop showing it; True when it changed.

    Under the practice's row lock, so a withdrawal cannot slip between the status check and the write. A
    practice that is not published raises `FeatureRefused` (taking one off the home page is always allowed:
    `featured` only counts for published practices). The change is audited (`practice.featured` /
    `practice.unfeatured`) and the cached pages showing it go stale, as after a publish.
    """
    practice = Practice.objects.select_for_update().get(pk=practice_id)
    if featured and practice.status != Practice.Status.PUBLISHED:
        raise FeatureRefused(
            _("“%(title)s” belum terbit; hanya praktik yang terbit dapat ditampilkan di beranda.")
            % {"title": practice.title or practice.slug},
            code="not_published",
        )
    if practice.featured == featured:
        return False
    practice.featured = featured
    practice.save(update_fields=["featured", "updated_at"])
    audit_record(actor=by, action="practice.featured" if featured else "practice.unfeatured", target=practice)
    practice_public_cache_invalidate(practice=practice)  # the home page and the practice's own pages
    return True
