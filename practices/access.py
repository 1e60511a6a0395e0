"""The one place that decides who may see or edit a practice. Every view, API endpoint and task goes through it.

A practice the user may not see answers 404 (never 403), so that its existence does not leak.
"""

from __future__ import annotations

from django.http import Http404

from agencies.selectors import membership_for_user

from .models import Practice


def practice_get_for_user(*, user, pk: int, for_update: bool = False) -> Practice:
    """A practice the user may open in the management area (drafts included).

    - agency members and admins: their own agency's practices;
    - moderators: every practice that has left the agency (anything but a never-submitted draft);
    - the public: never; they read published practices through the public selectors.
    """
    qs = Practice.objects.select_related("agency", "working_revision", "live_revision")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    practice = qs.filter(pk=pk).first()
    if practice is None or not practice_can_view(user=user, practice=practice):
        raise Http404
    return practice


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


def practice_can_see_contact(*, user) -> bool:
    """A practice's contact email is for colleagues in government: logged-in users with an active agency
    membership (and ministry moderators). Never shown to the public."""
    if not user.is_authenticated:
        return False
    return user.is_moderator or membership_for_user(user=user) is not None
