"""A practice's public version history: its published revisions, newest first, each with what changed since
the one before it (`practices.diff`) and the files it showed (still downloadable after a later revision
removed them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.safestring import SafeString

from ..diff import revision_diff, revision_diff_prefetched, text_diff_html
from ..models import Attachment, Practice, PracticeRevision

S = PracticeRevision.State
# What the public has seen of a practice: the live revision and the ones it superseded.
PUBLISHED_STATES = (S.PUBLISHED, S.SUPERSEDED)
# Fields the public page does not show (co-authors are accounts; the contact's email and phone are for
# colleagues in government): their changes are left out of the public history too.
NOT_PUBLIC_FIELDS = {"coauthors", "contact_email", "contact_phone"}


def published_revision_count() -> Coalesce:
    """An annotation for a practice queryset: how many revisions of each practice were published."""
    counted = (
        PracticeRevision.objects.filter(practice=OuterRef("pk"), state__in=PUBLISHED_STATES)
        .order_by()
        .values("practice")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class HistoryChange:
    label: str
    before: str
    after: str
    diff_html: SafeString  # `after` with the words removed and added since `before` marked


@dataclass(frozen=True)
class HistorySection:
    section: str
    label: str
    changes: list[HistoryChange]


@dataclass(frozen=True)
class HistoryEntry:
    revision: PracticeRevision
    version: int  # 1 for the first published revision (revision numbers also count drafts never published)
    published_at: datetime | None
    is_live: bool
    files: list[Attachment]
    sections: list[HistorySection]  # against the previous published revision; empty for the first


def _public_sections(old: PracticeRevision, new: PracticeRevision) -> list[HistorySection]:
    sections = []
    for section in revision_diff(old=old, new=new):
        changes = [
            HistoryChange(
                label=change.label,
                before=change.before,
                after=change.after,
                diff_html=text_diff_html(change.before, change.after),
            )
            for change in section.changes
            if change.name not in NOT_PUBLIC_FIELDS
        ]
        if changes:
            sections.append(HistorySection(section=section.section, label=section.label, changes=changes))
    return sections


def practice_history(*, practice: Practice) -> list[HistoryEntry]:
    """The published revisions of `practice`, newest first, in a fixed number of queries whatever their count.

    Each revision is compared with the published one before it; the first is the practice as first published.
    The cover image is not listed among the files (as on the practice page).
    """
    revisions = list(revision_diff_prefetched(practice.revisions.filter(state__in=PUBLISHED_STATES)).order_by("number"))
    entries = []
    previous = None
    for version, revision in enumerate(revisions, start=1):
        entries.append(
            HistoryEntry(
                revision=revision,
                version=version,
                published_at=revision.decided_at,
                is_live=revision.pk == practice.live_revision_id,
                files=[f for f in revision.files.all() if f.purpose != Attachment.Purpose.COVER],
                sections=_public_sections(previous, revision) if previous is not None else [],
            )
        )
        previous = revision
    entries.reverse()
    return entries
