"""The agency's own review: its admin sends a member's revision on to the ministry or returns it to the author."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from agencies.roles import agency_people
from notifications.services.notify import notify

from ..models import Practice, PracticeRevision
from ..workflow import revision_transition
from .notices import notification_context, review_url
from .screening import screening_queue_on_commit

S = PracticeRevision.State


@transaction.atomic
def revision_agency_approve(*, practice: Practice, by: User, comment: str = "") -> PracticeRevision:
    """The agency admin sends a member's revision to the ministry (agency_review → submitted).

    The pre-screen is queued after commit.
    """
    revision = revision_transition(practice_id=practice.pk, to_state=S.SUBMITTED, by=by, comment=comment)
    notify(
        recipients=agency_people(agency_id=practice.agency_id),
        kind="submitted",
        context=notification_context(practice=practice, revision=revision, comment=comment),
        target_url=review_url(practice=practice),
    )
    screening_queue_on_commit(revision_id=revision.pk)
    return revision


@transaction.atomic
def revision_agency_return(*, practice: Practice, by: User, comment: str) -> PracticeRevision:
    """The agency admin returns a revision to its author with comments (agency_review → draft)."""
    revision = revision_transition(practice_id=practice.pk, to_state=S.DRAFT, by=by, comment=comment)
    recipients = [revision.created_by] if revision.created_by_id else agency_people(agency_id=practice.agency_id)
    notify(
        recipients=recipients,
        kind="agency_returned",
        context=notification_context(practice=practice, revision=revision, comment=comment),
        target_url=review_url(practice=practice),
    )
    return revision
