"""The review workflow in one place: which state may move to which, and who may move it.

Both the services and the tests read `TRANSITIONS`. Roles are decided per practice by `actor_roles`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.roles import roles_for
from audit.services import audit_record

from .models import Practice, PracticeRevision, Transition

S = PracticeRevision.State

# Roles: "member" and "agency_admin" of the owning agency, "moderator", "lead" (lead moderators), "system"
# (Celery jobs such as the pre-screen). A lead moderator may do whatever a moderator may.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.DRAFT, S.AGENCY_REVIEW): frozenset({"member"}),
    (S.DRAFT, S.SUBMITTED): frozenset({"agency_admin"}),  # an admin's own submission skips agency review
    (S.AGENCY_REVIEW, S.SUBMITTED): frozenset({"agency_admin"}),
    (S.AGENCY_REVIEW, S.DRAFT): frozenset({"agency_admin"}),  # returned to the member with comments
    (S.SUBMITTED, S.IN_REVIEW): frozenset({"moderator", "system"}),
    (S.IN_REVIEW, S.CHANGES_REQUESTED): frozenset({"moderator"}),
    (S.IN_REVIEW, S.PUBLISHED): frozenset({"moderator"}),
    (S.IN_REVIEW, S.REJECTED): frozenset({"moderator"}),
    (S.SUBMITTED, S.CHANGES_REQUESTED): frozenset({"moderator"}),
    (S.SUBMITTED, S.PUBLISHED): frozenset({"moderator"}),
    (S.SUBMITTED, S.REJECTED): frozenset({"moderator"}),
    # Resubmitted after changes: like a first submission, a member's goes to the agency admin again and an
    # admin's straight to the ministry (services.submission.submission_destination).
    (S.CHANGES_REQUESTED, S.AGENCY_REVIEW): frozenset({"member"}),
    (S.CHANGES_REQUESTED, S.SUBMITTED): frozenset({"agency_admin"}),
}
# Moves of the practice itself (its publication status), same shape: withdrawn by the agency or by a moderator,
# or marked stopped by the agency after a freshness check.
PRACTICE_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (Practice.Status.PUBLISHED, Practice.Status.ARCHIVED): frozenset({"agency_admin", "moderator"}),
}
# A moderator's decisions on a revision, by name: the review form and the API's `decision` action offer these and
# `services.decisions.revision_decide` dispatches them.
DECISIONS = ("approve", "request_changes", "reject")
# Reasons are required for these moves.
COMMENT_REQUIRED = {(S.IN_REVIEW, S.REJECTED), (S.SUBMITTED, S.REJECTED), (S.AGENCY_REVIEW, S.DRAFT)}


def actor_roles(*, user, practice: Practice) -> set[str]:
    """The workflow roles `user` holds for `practice` (None means a system job)."""
    if user is None:
        return {"system"}
    return roles_for(user).names_for(practice.agency_id)


def allowed(*, from_state: str, to_state: str, roles: set[str]) -> bool:
    return bool(TRANSITIONS.get((from_state, to_state), frozenset()) & roles)


@transaction.atomic
def revision_transition(*, practice_id: int, to_state: str, by, comment: str = "") -> PracticeRevision:
    """Move the practice's working revision to `to_state`, after checking the state under a row lock.

    Raises ValidationError for a move the table does not allow from the current state (or a missing required
    comment) and PermissionDenied when the actor's role may not make it. Writes a `Transition` row. Side
    effects of particular moves (publishing, notifications, jobs) belong to the callers' services.
    """
    practice = Practice.objects.select_for_update().get(pk=practice_id)
    revision = PracticeRevision.objects.select_for_update().get(pk=practice.working_revision_id)
    from_state = revision.state
    if (from_state, to_state) not in TRANSITIONS:
        raise ValidationError(
            _("Tidak bisa mengubah status dari “%(from)s” ke “%(to)s”.")
            % {"from": S(from_state).label, "to": S(to_state).label},
            code="invalid_transition",
        )
    if not allowed(from_state=from_state, to_state=to_state, roles=actor_roles(user=by, practice=practice)):
        raise PermissionDenied(_("Anda tidak berwenang melakukan langkah ini."))
    if (from_state, to_state) in COMMENT_REQUIRED and not comment.strip():
        raise ValidationError(_("Alasan wajib diisi untuk langkah ini."), code="comment_required")
    revision.state = to_state
    fields = ["state", "updated_at"]
    if to_state == S.SUBMITTED:
        revision.submitted_at = timezone.now()
        fields.append("submitted_at")
    revision.save(update_fields=fields)
    Transition.objects.create(
        practice=practice, revision=revision, from_state=from_state, to_state=to_state, actor=by, comment=comment
    )
    audit_record(
        actor=by,
        action=f"practice.{to_state}",
        target=practice,
        data={"from": from_state, "to": to_state, "revision": revision.number},
    )
    return revision
