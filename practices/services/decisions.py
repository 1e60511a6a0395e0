"""The ministry's decisions on a revision (approve and publish, request changes, reject) and on a published
practice (archive, confirm it is still current). Each runs in one transaction with its audit row and notices."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from agencies.roles import agency_people
from audit.services import audit_record
from notifications.services.fanout import publish_fanout_create, publish_fanout_withdraw
from notifications.services.notify import notify

from ..access import moderator_require
from ..cache_tags import practice_public_cache_invalidate
from ..diff import revision_diff_prefetched
from ..models import Practice, PracticeRevision, Review, RevisionSnapshot, Transition
from ..sections import SECTIONS
from ..selectors.followers import practice_follower_notice
from ..selectors.moderation import revision_reviewers
from ..snapshot import revision_snapshot
from ..workflow import PRACTICE_TRANSITIONS, actor_roles, revision_transition
from .guard import publish_guard_enforce
from .neighbours import practice_neighbours_queue_on_commit
from .notices import notification_context, review_url
from .publishing import practice_publish
from .verification import evidence_level_require

S = PracticeRevision.State


def _require_agreement(revision: PracticeRevision, *, recommendation: str) -> None:
    """When a lead required two reviewers, refuse the decision unless two different reviewers who are assigned
    to this revision recommended exactly it. Called after the transition took the lock (a refusal rolls it back).
    """
    if not revision.two_reviewers_required:
        return
    assigned = revision.assignments.open().values("reviewer_id")
    agreeing = (
        Review.objects.filter(revision=revision, recommendation=recommendation, reviewer_id__in=assigned)
        .values("reviewer_id")
        .distinct()
        .count()
    )
    if agreeing < 2:
        raise ValidationError(
            _(
                "Keputusan ini memerlukan dua penilaian dari peninjau berbeda yang ditugaskan "
                "dengan rekomendasi yang sama."
            ),
            code="two_reviewers",
        )


def _close_assignments(revision: PracticeRevision) -> None:
    revision.assignments.open().update(completed_at=timezone.now())


def _decision_record(*, by: User, decision: str, practice: Practice, data: dict | None = None) -> None:
    """The audit row of a decision (`moderation.approved`, ...), inside the decision's transaction."""
    audit_record(actor=by, action=f"moderation.{decision}", target=practice, data=data)


@transaction.atomic
def revision_approve(
    *,
    practice: Practice,
    by: User,
    evidence_level: str = Practice.EvidenceLevel.SELF_REPORTED,
    comment: str = "",
    not_duplicate: bool = False,
    not_duplicate_reason: str = "",
) -> Practice:
    """Approve the working revision: it becomes live (practice_publish), with the moderator's evidence level.

    Refused by the publish guard (`guard.publish_guard_enforce`) while required items are missing, or while
    the pre-screen's duplicate flags have no "not a duplicate" answer (`not_duplicate` with a reason).
    The agency and reviewers are notified in this transaction; the practice's followers through a fan-out row
    (`publish_fanout_create`) that a worker task carries out after commit.
    """
    moderator_require(user=by)
    if evidence_level not in Practice.EvidenceLevel.values:
        raise ValidationError(_("Tingkat bukti tidak dikenal."), code="evidence_level")
    evidence_level_require(practice=practice, level=evidence_level)  # each level needs its verification record
    revision = revision_transition(practice_id=practice.pk, to_state=S.PUBLISHED, by=by, comment=comment)
    guard_data = publish_guard_enforce(
        practice=practice,
        revision=revision,
        by=by,
        not_duplicate=not_duplicate,
        not_duplicate_reason=not_duplicate_reason,
    )
    _require_agreement(revision, recommendation=Review.Recommendation.APPROVE)
    locked = Practice.objects.select_for_update().select_related("agency").get(pk=practice.pk)
    locked.evidence_level = evidence_level
    locked.not_recently_confirmed = False
    locked.confirmation_requested_at = None
    practice_publish(practice=locked, revision=revision)
    recipients = agency_people(agency_id=locked.agency_id) + revision_reviewers(revision=revision)
    _decision_record(by=by, decision="approved", practice=locked, data={"evidence_level": evidence_level, **guard_data})
    _close_assignments(revision)
    notify(
        recipients=recipients,
        kind="published",
        context=notification_context(practice=locked, revision=revision, comment=comment),
        target_url=review_url(practice=locked),
    )
    # The followers (possibly thousands) are told by a worker; this transaction only records that they are due.
    publish_fanout_create(practice=locked, revision=revision, **practice_follower_notice(practice=locked))
    return locked


def _snapshot_take(*, revision: PracticeRevision, section_comments: dict[str, str]) -> RevisionSnapshot:
    """Keep the revision's content as the moderator saw it: the agency now edits the same row, and the next
    round's review page compares against this copy ("changes since the last round")."""
    loaded = revision_diff_prefetched(PracticeRevision.objects.filter(pk=revision.pk)).get()
    transition = Transition.objects.filter(revision=revision, to_state=S.CHANGES_REQUESTED).order_by("-id").first()
    return RevisionSnapshot.objects.create(
        revision=revision, transition=transition, data=revision_snapshot(loaded), section_comments=section_comments
    )


@transaction.atomic
def revision_request_changes(
    *, practice: Practice, by: User, section_comments: dict[str, str], comment: str = ""
) -> PracticeRevision:
    """Send the revision back to the agency with reasons per section (at least one reason is required)."""
    moderator_require(user=by)
    section_comments = {k: v.strip() for k, v in section_comments.items() if v and v.strip()}
    if not section_comments and not comment.strip():
        raise ValidationError(_("Tuliskan perbaikan yang diminta, minimal untuk satu bagian."), code="reasons")
    labels = dict(SECTIONS)
    lines = [f"[{labels.get(k, k)}] {v}" for k, v in section_comments.items()]
    full_comment = "\n".join(([comment.strip()] if comment.strip() else []) + lines)
    revision = revision_transition(practice_id=practice.pk, to_state=S.CHANGES_REQUESTED, by=by, comment=full_comment)
    _snapshot_take(revision=revision, section_comments=section_comments)
    _decision_record(
        by=by, decision="changes_requested", practice=practice, data={"sections": sorted(section_comments)}
    )
    revision.decided_at = timezone.now()
    revision.save(update_fields=["decided_at", "updated_at"])
    recipients = agency_people(agency_id=practice.agency_id) + revision_reviewers(revision=revision)
    _close_assignments(revision)
    notify(
        recipients=recipients,
        kind="changes_requested",
        context=notification_context(
            practice=practice,
            revision=revision,
            comment=comment.strip(),
            section_comments=[(str(labels.get(k, k)), v) for k, v in section_comments.items()],
        ),
        target_url=review_url(practice=practice),
    )
    return revision


@transaction.atomic
def revision_reject(*, practice: Practice, by: User, reason: str) -> PracticeRevision:
    """Reject the working revision (a reason is required; the workflow table enforces it too)."""
    moderator_require(user=by)
    if not reason.strip():
        raise ValidationError(_("Alasan penolakan wajib diisi."), code="comment_required")
    revision = revision_transition(practice_id=practice.pk, to_state=S.REJECTED, by=by, comment=reason)
    _require_agreement(revision, recommendation=Review.Recommendation.REJECT)
    _decision_record(by=by, decision="rejected", practice=practice)
    revision.decided_at = timezone.now()
    revision.save(update_fields=["decided_at", "updated_at"])
    recipients = agency_people(agency_id=practice.agency_id) + revision_reviewers(revision=revision)
    _close_assignments(revision)
    notify(
        recipients=recipients,
        kind="rejected",
        context=notification_context(practice=practice, revision=revision, comment=reason),
        target_url=review_url(practice=practice),
    )
    return revision


@transaction.atomic
def practice_archive(*, practice: Practice, by: User, reason: str, stopped: bool = False) -> Practice:
    """Withdraw a published practice (or mark it stopped, by its agency) with a reason; recorded as a transition."""
    locked = Practice.objects.select_for_update().select_related("agency").get(pk=practice.pk)
    move = (locked.status, Practice.Status.ARCHIVED)
    if move not in PRACTICE_TRANSITIONS:
        raise ValidationError(_("Hanya praktik yang terbit yang dapat diarsipkan."), code="invalid_transition")
    if not PRACTICE_TRANSITIONS[move] & actor_roles(user=by, practice=locked):
        raise PermissionDenied(_("Anda tidak berwenang melakukan langkah ini."))
    if not reason.strip():
        raise ValidationError(_("Alasan wajib diisi untuk langkah ini."), code="comment_required")
    if stopped:
        # A stopped practice stays public with its reason and lessons (OPSI keeps stopped cases); it only leaves
        # the default listings (`Practice.objects.listed()`).
        if locked.stopped_at is not None:
            raise ValidationError(_("Praktik ini sudah ditandai dihentikan."), code="already_stopped")
        locked.stopped_reason = reason
        locked.stopped_at = timezone.now()
        locked.save(update_fields=["stopped_reason", "stopped_at", "updated_at"])
    else:
        locked.status = Practice.Status.ARCHIVED
        locked.save(update_fields=["status", "updated_at"])
    publish_fanout_withdraw(practice=locked)  # followers not yet told, and digests to come, leave it out
    practice_public_cache_invalidate(practice=locked)
    practice_neighbours_queue_on_commit(practice_id=locked.pk)  # those showing it as similar drop it
    Transition.objects.create(
        practice=locked,
        revision_id=locked.live_revision_id,
        from_state=move[0],
        to_state="stopped" if stopped else move[1],  # stopped: still published, so named for what happened
        actor=by,
        comment=reason,
    )
    _decision_record(by=by, decision="stopped" if stopped else "archived", practice=locked)
    notify(
        recipients=[u for u in agency_people(agency_id=locked.agency_id) if u.pk != by.pk],
        kind="archived",
        context={"title": locked.title, "agency": locked.agency.name, "comment": reason},
        target_url=review_url(practice=locked),
    )
    return locked


@transaction.atomic
def practice_confirm(*, practice: Practice, by: User) -> Practice:
    """The agency confirms that a published practice still runs (answers the freshness check)."""
    locked = Practice.objects.select_for_update().get(pk=practice.pk)
    if "member" not in actor_roles(user=by, practice=locked):
        raise PermissionDenied(_("Anda tidak berwenang melakukan langkah ini."))
    if locked.status != Practice.Status.PUBLISHED:
        raise ValidationError(_("Hanya praktik yang terbit yang dapat dikonfirmasi."), code="not_published")
    locked.last_confirmed_at = timezone.now()
    locked.confirmation_requested_at = None
    locked.not_recently_confirmed = False
    locked.save(update_fields=["last_confirmed_at", "confirmation_requested_at", "not_recently_confirmed"])
    practice_public_cache_invalidate(practice=locked)  # "last confirmed" is shown on its pages and cards
    return locked


# The one dispatcher of the web form and the API ------------------------------------------------------------


def revision_decide(
    *,
    practice: Practice,
    by: User,
    decision: str,
    comment: str = "",
    evidence_level: str | None = None,
    section_comments: dict[str, str] | None = None,
    not_duplicate: bool = False,
    not_duplicate_reason: str = "",
) -> PracticeRevision:
    """A moderator's decision on the working revision, by name (`DECISIONS`): what the review page's form and
    the API's `decision` action both call. An approval without `evidence_level` keeps the practice's own;
    `not_duplicate` and its reason answer the publish guard's duplicate flags (approval only)."""
    moderator_require(user=by)
    if decision == "approve":
        return revision_approve(
            practice=practice,
            by=by,
            evidence_level=evidence_level or practice.evidence_level,
            comment=comment,
            not_duplicate=not_duplicate,
            not_duplicate_reason=not_duplicate_reason,
        )
    if decision == "request_changes":
        return revision_request_changes(
            practice=practice, by=by, section_comments=section_comments or {}, comment=comment
        )
    if decision == "reject":
        return revision_reject(practice=practice, by=by, reason=comment)
    raise ValidationError(_("Keputusan tidak dikenal."), code="decision")
