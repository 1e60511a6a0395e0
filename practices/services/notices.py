"""What the review workflow's notifications say and where they point: one context and one link for every notice
about a practice, so that the submission, review and scheduled-job services tell people the same way."""

from __future__ import annotations

from notifications.services.notify import stored_path

from ..models import Practice, PracticeRevision


def notification_context(*, practice: Practice, revision: PracticeRevision, **extra) -> dict:
    return {"title": revision.title or practice.slug, "agency": practice.agency.name, **extra}


def review_url(*, practice: Practice) -> str:
    return stored_path("review:detail", practice.pk)
