"""The one place that decides who may see, edit, review or decide on a practice. Every view, template, API
endpoint, service and task asks it; each answer is built on `agencies.roles.roles_for` and nothing else.

A practice the user may not see answers 404 (never 403), so that its existence does not leak. A step the user
may see but not take raises PermissionDenied (403) with a message for people.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from agencies.roles import roles_for

from .models import Attachment, Practice, PracticeRevision
from .workflow import PRACTICE_TRANSITIONS, actor_roles, allowed


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
    roles = roles_for(user)
    if roles.moderator:
        return practice_can_view(user=user, practice=practice)
    return roles.admin_of(practice.agency_id)


def practice_can_view(*, user, practice: Practice) -> bool:
    roles = roles_for(user)
    if roles.moderator:
        return practice.status != Practice.Status.UNPUBLISHED or _left_the_agency(practice)
    return roles.member_of(practice.agency_id)


def practice_can_edit(*, user, practice: Practice) -> bool:
    """Members and admins of the owning agency edit; moderators review but never edit an agency's text."""
    return roles_for(user).member_of(practice.agency_id)


def _left_the_agency(practice: Practice) -> bool:
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

    A file of a published practice is public when a published revision showed it: the live revision or an
    earlier one it superseded (a file removed in a later revision stays reachable from the history). A file
    only in a newer revision still being written or reviewed is seen only by those who may see the practice in
    the management area (its agency, moderators).
    """
    attachment = Attachment.objects.select_related("practice", "practice__working_revision").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    practice = attachment.practice
    if (
        practice.status == Practice.Status.PUBLISHED
        and attachment.revisions.filter(
            state__in=[PracticeRevision.State.PUBLISHED, PracticeRevision.State.SUPERSEDED]
        ).exists()
    ):
        return attachment
    if not practice_can_view(user=user, practice=practice):
        raise Http404
    return attachment


def practice_can_see_contact(*, user) -> bool:
    """A practice's contact email is for colleagues in government: logged-in users with an active agency
    membership (and ministry moderators). Never shown to the public."""
    roles = roles_for(user)
    return roles.moderator or roles.has_agency


def practice_get_for_translation(*, user, pk: int, verify: bool = False) -> Practice:
    """A published practice whose English version the user may write: the owning agency's members, and
    moderators as the ministry's translators. Anyone else gets 404; a practice without a published revision
    (nothing to translate yet) too. With `verify`: marking it verified is for moderators only (403 otherwise)."""
    practice = practice_get_for_user(user=user, pk=pk)
    roles = roles_for(user)
    if practice.live_revision_id is None or not (roles.moderator or roles.member_of(practice.agency_id)):
        raise Http404
    if verify and not roles.moderator:
        raise PermissionDenied(_("Hanya moderator kementerian yang dapat memverifikasi terjemahan."))
    return practice


def practice_can_verify_translation(*, user) -> bool:
    """Whether the translation editor offers "verify" (the same rule as `practice_get_for_translation`)."""
    return roles_for(user).moderator


# Ministry steps and the navigation ----------------------------------------------------------------------------


def moderator_require(*, user, message: str | None = None) -> None:
    """Ministry decisions and reviews: moderators (and lead moderators) only."""
    if not roles_for(user).moderator:
        raise PermissionDenied(message or _("Anda tidak berwenang melakukan langkah ini."))


def lead_require(*, user, message: str | None = None) -> None:
    """Assigning reviewers, requiring two reviewers: lead moderators only."""
    if not roles_for(user).lead:
        raise PermissionDenied(message or _("Hanya moderator utama yang dapat melakukan langkah ini."))


def reviewer_is_eligible(*, user) -> bool:
    """Who may be assigned a review: ministry moderators."""
    return roles_for(user).moderator


def agency_admin_require(*, user):
    """The agency-review queue: an agency admin; returns their membership (with its agency). 403 otherwise."""
    roles = roles_for(user)
    if not roles.agency_admin:
        raise PermissionDenied
    return roles.membership


def practice_review_actions(*, user, practice: Practice) -> dict[str, bool]:
    """Which decision forms the review page offers, read from the workflow table (who may make which move)."""
    roles = actor_roles(user=user, practice=practice)
    state = practice.working_revision.state if practice.working_revision_id else None
    S = PracticeRevision.State
    published = practice.status == Practice.Status.PUBLISHED
    archive = PRACTICE_TRANSITIONS[(Practice.Status.PUBLISHED, Practice.Status.ARCHIVED)]
    return {
        "can_agency_decide": state == S.AGENCY_REVIEW and allowed(from_state=state, to_state=S.SUBMITTED, roles=roles),
        "can_decide": state in (S.SUBMITTED, S.IN_REVIEW)
        and allowed(from_state=state, to_state=S.PUBLISHED, roles=roles),
        "can_archive": published and bool(roles & archive),
        "can_confirm": published and roles_for(user).member_of(practice.agency_id),
        "can_assign": roles_for(user).lead,
    }


def user_agency_id(*, user) -> int | None:
    """The agency the user works for (None for the public and for ministry staff)."""
    return roles_for(user).agency_id


def agency_membership_get(*, user, message: str | None = None):
    """The membership (with its agency) of someone who works for an agency: the management area ("Praktik saya")
    and creating a practice. Without one: 404, or PermissionDenied with `message` (the API)."""
    membership = roles_for(user).membership
    if membership is None:
        if message:
            raise PermissionDenied(message)
        raise Http404
    return membership


# The ledger's pages (ledger/access.py decides who acts there) -------------------------------------------------


def published_practice_get(*, slug: str) -> Practice:
    """A published practice by slug, for everyone (the ledger and FAQ hang off public practices only)."""
    practice = Practice.objects.published().select_related("agency", "agency__region").filter(slug=slug).first()
    if practice is None:
        raise Http404
    return practice


# Verification records (services/verification.py) ----------------------------------------------------------------


def verifier_role_for(*, user, practice: Practice) -> str | None:
    """Who the user verifies as on this practice: "ministry" for moderators who may review it, "agency" for
    the owning agency's admins, None for everyone else (the record's level follows from it)."""
    roles = roles_for(user)
    if roles.moderator and practice_can_view(user=user, practice=practice):
        return "ministry"
    if roles.admin_of(practice.agency_id):
        return "agency"
    return None
