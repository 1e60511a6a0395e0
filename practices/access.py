"""The one place that decides who may see or edit a practice. Every view, API endpoint and task goes through it.

A practice the user may not see answers 404 (never 403), so that its existence does not leak.
"""

from __future__ import annotations

from django.http import Http404

from agencies.selectors import membership_for_user

from .models import Practice


def practice_get_for_user(*, user, pk: int, for_update: bool = False, for_review: bool = False) -> Practice:
    """A practice the user may open in the management area (drafts included).

    - agency members and admins: their own agency's practices;
    - moderators: every practice that has left the agency (anything but a never-submitted draft);
    - the public: never; they read published practices through the public selectors.

    With `for_review` (the review pages): only moderators and the owning agency's admins.
    """
    qs = Practice.objects.select_related("agency", "working_revision", "live_revision")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    practice = qs.filter(pk=pk).first()
    if practice is None or not practice_can_view(user=user, practice=practice):
        raise Http404
    if for_review and not practice_can_review(user=user, practice=practice):
        raise Http404
    return practice


def practice_can_review(*, user, practice: Practice) -> bool:
    """Moderators review what has left the agency; the agency admin reviews the agency's own practices."""
    if not user.is_authenticated:
        return False
    if user.is_moderator:
        return practice_can_view(user=user, practice=practice)
    membership = membership_for_user(user=user)
    return membership is not None and membership.agency_id == practice.agency_id and membership.role == "admin"


def practice_can_view(*, user, practice: Practice) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_moderator:
        return practice.status != Practice.Status.UNPUBLISHED or _left_the_agency(practice)
    membership = membership_for_user(user=user)
    return membership is not None and membership.agency_id == practice.agency_id


def practice_can_edit(*, user, practice: Practice) -> bool:
    """Members and admins of the owning agency edit; moderators review but never edit an agency's text."""
    membership = membership_for_user(user=user)
    return membership is not None and membership.agency_id == practice.agency_id


def _left_the_agency(practice: Practice) -> bool:
    from .models import PracticeRevision

    states = {PracticeRevision.State.DRAFT, PracticeRevision.State.AGENCY_REVIEW}
    return practice.working_revision_id is not None and practice.working_revision.state not in states


def practice_get_for_editing(*, user, pk: int) -> Practice:
    """A practice the user may edit (their own agency's), else 404; moderators get 404 too (they never edit)."""
    practice = practice_get_for_user(user=user, pk=pk)
    if not practice_can_edit(user=user, practice=practice):
        raise Http404
    return practice


def attachment_get_for_user(*, user, pk: int):
    """An attachment the user may download, else 404.

    Attachments of a published practice are public when they belong to the live revision or an earlier one
    (or to no revision); a file added to a newer revision still in review is seen only by those who may see the
    practice in the management area.
    """
    from .models import Attachment

    attachment = (
        Attachment.objects.select_related(
            "practice", "practice__live_revision", "practice__working_revision", "revision"
        )
        .filter(pk=pk)
        .first()
    )
    if attachment is None:
        raise Http404
    practice = attachment.practice
    if practice.status == Practice.Status.PUBLISHED and practice.live_revision_id:
        if attachment.revision is None or attachment.revision.number <= practice.live_revision.number:
            return attachment
    if not practice_can_view(user=user, practice=practice):
        raise Http404
    return attachment


def practice_can_see_contact(*, user) -> bool:
    """A practice's contact email is for colleagues in government: logged-in users with an active agency
    membership (and ministry moderators). Never shown to the public."""
    if not user.is_authenticated:
        return False
    return user.is_moderator or membership_for_user(user=user) is not None


# Replications and questions (issue #6) ----------------------------------------------------------------------


def published_practice_get(*, slug: str) -> Practice:
    """A published practice by slug, for everyone (the ledger and FAQ hang off public practices only)."""
    practice = Practice.objects.published().select_related("agency", "agency__region").filter(slug=slug).first()
    if practice is None:
        raise Http404
    return practice


def replication_get_for_user(*, user, pk: int, for_update: bool = False):
    """A replication the user may act on: members of the replicating agency or of the source's agency.

    Anyone may read a replication of a published practice (the ledger is public); acting on one needs one
    of the two memberships, checked by the services. Others get 404.
    """
    from .models import Replication

    qs = Replication.objects.select_related("source", "source__agency", "agency")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    replication = qs.filter(pk=pk).first()
    if replication is None or not user.is_authenticated:
        raise Http404
    membership = membership_for_user(user=user)
    if membership is None or membership.agency_id not in (replication.agency_id, replication.source.agency_id):
        raise Http404
    return replication


def question_get_for_user(*, user, pk: int, for_update: bool = False):
    """A question the user may see in full: its asker's agency or the practice's owning agency (404 otherwise)."""
    from .models import Question

    qs = Question.objects.select_related("practice", "practice__agency", "asker_agency")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    question = qs.filter(pk=pk).first()
    if question is None or not user.is_authenticated:
        raise Http404
    membership = membership_for_user(user=user)
    if membership is None or membership.agency_id not in (question.asker_agency_id, question.practice.agency_id):
        raise Http404
    return question
