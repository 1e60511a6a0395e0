"""The review workflow's decisions: agency approval, ministry moderation, archiving and freshness.

Every service moves the state through `workflow.revision_transition` (which checks the move and the actor under
a row lock and records a `Transition`), then does the move's side effects in the same transaction: publishing,
closing assignments, and the notifications (outbox rows; emails leave only after commit).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from agencies.models import Membership
from audit.services import audit_record
from notifications.services import notify, publish_fanout_create

from ..cache import public_cache_invalidate
from ..completeness import SECTIONS
from ..models import Practice, PracticeRevision, Review, ReviewAssignment, Transition
from ..workdays import working_days_between
from ..workflow import PRACTICE_TRANSITIONS, actor_roles, revision_transition
from .publishing import practice_publish
from .screening import screening_queue_on_commit

S = PracticeRevision.State


# Who is told ----------------------------------------------------------------------------------------------


def agency_people(practice: Practice, *, admins_only: bool = False) -> list[User]:
    qs = Membership.objects.active().filter(agency_id=practice.agency_id).select_related("user")
    if admins_only:
        qs = qs.filter(role=Membership.Role.ADMIN)
    return [m.user for m in qs]


def revision_reviewers(revision: PracticeRevision) -> list[User]:
    return [a.reviewer for a in revision.assignments.open().select_related("reviewer")]


def lead_moderators() -> list[User]:
    return list(User.objects.filter(is_active=True, ministry_role=User.MinistryRole.LEAD))


def notification_context(practice: Practice, revision: PracticeRevision, **extra) -> dict:
    return {"title": revision.title or practice.slug, "agency": practice.agency.name, **extra}


def review_url(practice: Practice) -> str:
    # Stored without a language prefix: the Indonesian URL, which redirects nobody and works for everyone.
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return reverse("review:detail", args=[practice.pk])


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


# Agency review ----------------------------------------------------------------------------------------------


@transaction.atomic
def revision_agency_approve(*, practice: Practice, by: User, comment: str = "") -> PracticeRevision:
    """The agency admin sends a member's revision to the ministry (agency_review → submitted).

    The pre-screen is queued after commit.
    """
    revision = revision_transition(practice_id=practice.pk, to_state=S.SUBMITTED, by=by, comment=comment)
    notify(
        recipients=agency_people(practice),
        kind="submitted",
        context=notification_context(practice, revision, comment=comment),
        target_url=review_url(practice),
    )
    screening_queue_on_commit(revision_id=revision.pk)
    return revision


@transaction.atomic
def revision_agency_return(*, practice: Practice, by: User, comment: str) -> PracticeRevision:
    """The agency admin returns a revision to its author with comments (agency_review → draft)."""
    revision = revision_transition(practice_id=practice.pk, to_state=S.DRAFT, by=by, comment=comment)
    recipients = [revision.created_by] if revision.created_by_id else agency_people(practice)
    notify(
        recipients=recipients,
        kind="agency_returned",
        context=notification_context(practice, revision, comment=comment),
        target_url=review_url(practice),
    )
    return revision


# Ministry decisions ---------------------------------------------------------------------------------------


def _decision_record(*, by: User, decision: str, practice: Practice, data: dict | None = None) -> None:
    """The audit row of a decision (`moderation.approved`, ...), inside the decision's transaction."""
    audit_record(actor=by, action=f"moderation.{decision}", target=practice, data=data)


def _require_moderator(by: User) -> None:
    if not by.is_moderator:
        raise PermissionDenied(_("Anda tidak berwenang melakukan langkah ini."))


@transaction.atomic
def revision_approve(
    *, practice: Practice, by: User, evidence_level: str = Practice.EvidenceLevel.SELF_REPORTED, comment: str = ""
) -> Practice:
    """Approve the working revision: it becomes live (practice_publish), with the moderator's evidence level.

    The agency and reviewers are notified in this transaction; the practice's followers through a fan-out row
    (`publish_fanout_create`) that a worker task carries out after commit.
    """
    _require_moderator(by)
    if evidence_level not in Practice.EvidenceLevel.values:
        raise ValidationError(_("Tingkat bukti tidak dikenal."), code="evidence_level")
    revision = revision_transition(practice_id=practice.pk, to_state=S.PUBLISHED, by=by, comment=comment)
    _require_agreement(revision, recommendation=Review.Recommendation.APPROVE)
    locked = Practice.objects.select_for_update().select_related("agency").get(pk=practice.pk)
    locked.evidence_level = evidence_level
    locked.not_recently_confirmed = False
    locked.confirmation_requested_at = None
    practice_publish(practice=locked, revision=revision)
    recipients = agency_people(locked) + revision_reviewers(revision)
    _decision_record(by=by, decision="approved", practice=locked, data={"evidence_level": evidence_level})
    _close_assignments(revision)
    notify(
        recipients=recipients,
        kind="published",
        context=notification_context(locked, revision, comment=comment),
        target_url=review_url(locked),
    )
    # The followers (possibly thousands) are told by a worker; this transaction only records that they are due.
    publish_fanout_create(practice=locked, revision=revision)
    return locked


@transaction.atomic
def revision_request_changes(
    *, practice: Practice, by: User, section_comments: dict[str, str], comment: str = ""
) -> PracticeRevision:
    """Send the revision back to the agency with reasons per section (at least one reason is required)."""
    _require_moderator(by)
    section_comments = {k: v.strip() for k, v in section_comments.items() if v and v.strip()}
    if not section_comments and not comment.strip():
        raise ValidationError(_("Tuliskan perbaikan yang diminta, minimal untuk satu bagian."), code="reasons")
    labels = dict(SECTIONS)
    lines = [f"[{labels.get(k, k)}] {v}" for k, v in section_comments.items()]
    full_comment = "\n".join(([comment.strip()] if comment.strip() else []) + lines)
    revision = revision_transition(practice_id=practice.pk, to_state=S.CHANGES_REQUESTED, by=by, comment=full_comment)
    _decision_record(
        by=by, decision="changes_requested", practice=practice, data={"sections": sorted(section_comments)}
    )
    revision.decided_at = timezone.now()
    revision.save(update_fields=["decided_at", "updated_at"])
    recipients = agency_people(practice) + revision_reviewers(revision)
    _close_assignments(revision)
    notify(
        recipients=recipients,
        kind="changes_requested",
        context=notification_context(
            practice,
            revision,
            comment=comment.strip(),
            section_comments=[(str(labels.get(k, k)), v) for k, v in section_comments.items()],
        ),
        target_url=review_url(practice),
    )
    return revision


@transaction.atomic
def revision_reject(*, practice: Practice, by: User, reason: str) -> PracticeRevision:
    """Reject the working revision (a reason is required; the workflow table enforces it too)."""
    _require_moderator(by)
    if not reason.strip():
        raise ValidationError(_("Alasan penolakan wajib diisi."), code="comment_required")
    revision = revision_transition(practice_id=practice.pk, to_state=S.REJECTED, by=by, comment=reason)
    _require_agreement(revision, recommendation=Review.Recommendation.REJECT)
    _decision_record(by=by, decision="rejected", practice=practice)
    revision.decided_at = timezone.now()
    revision.save(update_fields=["decided_at", "updated_at"])
    recipients = agency_people(practice) + revision_reviewers(revision)
    _close_assignments(revision)
    notify(
        recipients=recipients,
        kind="rejected",
        context=notification_context(practice, revision, comment=reason),
        target_url=review_url(practice),
    )
    return revision


# Reviews and assignments --------------------------------------------------------------------------------


def rubric_total(scores: dict[str, int]) -> Decimal:
    """Weighted total 0–100 from scores 0–10 per criterion (weights from REVIEW_RUBRIC_WEIGHTS)."""
    weights = settings.REVIEW_RUBRIC_WEIGHTS
    total = sum(Decimal(weights[c]) * Decimal(scores[c]) / 10 for c in weights)
    return total.quantize(Decimal("0.01"))


@transaction.atomic
def review_save(
    *,
    practice: Practice,
    by: User,
    scores: dict[str, int],
    recommendation: str,
    section_comments: dict[str, str] | None = None,
    comment: str = "",
) -> Review:
    """Record (or update) a moderator's rubric review of the working revision while it is under review."""
    _require_moderator(by)
    locked = Practice.objects.select_for_update().get(pk=practice.pk)
    revision = PracticeRevision.objects.get(pk=locked.working_revision_id)
    if revision.state not in (S.SUBMITTED, S.IN_REVIEW):
        raise ValidationError(_("Revisi ini tidak sedang ditinjau."), code="not_in_review")
    if set(scores) != set(settings.REVIEW_RUBRIC_WEIGHTS) or any(not 0 <= int(v) <= 10 for v in scores.values()):
        raise ValidationError(_("Beri nilai 0–10 untuk setiap kriteria."), code="scores")
    review, _created = Review.objects.update_or_create(
        revision=revision,
        reviewer=by,
        defaults={
            "scores": {k: int(v) for k, v in scores.items()},
            "total": rubric_total(scores),
            "recommendation": recommendation,
            "section_comments": {k: v for k, v in (section_comments or {}).items() if v},
            "comment": comment,
        },
    )
    review.full_clean()
    return review


@transaction.atomic
def revision_assign(
    *, revision: PracticeRevision, reviewer: User, by: User | None, additional: bool = False
) -> ReviewAssignment:
    """Assign a reviewer (the pre-screen, or a lead moderator reassigning): other open assignments close,
    unless `additional` (a lead adding a second reviewer, e.g. when two must agree)."""
    if not reviewer.is_moderator:
        raise ValidationError(_("Peninjau harus moderator."), code="reviewer")
    if by is not None and not by.is_lead_moderator:
        raise PermissionDenied(_("Hanya moderator utama yang dapat mengalihkan tinjauan."))
    PracticeRevision.objects.select_for_update().get(pk=revision.pk)
    if not additional:
        revision.assignments.open().exclude(reviewer=reviewer).update(completed_at=timezone.now())
    assignment = revision.assignments.open().filter(reviewer=reviewer).first()
    if assignment is None:
        assignment = ReviewAssignment.objects.create(revision=revision, reviewer=reviewer, assigned_by=by)
        practice = revision.practice
        notify(
            recipients=[reviewer],
            kind="review_assigned",
            context=notification_context(practice, revision),
            target_url=review_url(practice),
        )
    return assignment


@transaction.atomic
def revision_two_reviewers_set(
    *, practice: Practice, by: User, required: bool, second_reviewer: User | None = None
) -> PracticeRevision:
    """A lead moderator requires (or no longer requires) two reviewers to agree on the working revision's
    approval or rejection, optionally assigning a further reviewer; recorded in the audit log."""
    from audit.services import audit_record

    if not by.is_lead_moderator:
        raise PermissionDenied(_("Hanya moderator utama yang dapat mewajibkan dua peninjau."))
    locked = Practice.objects.select_for_update().get(pk=practice.pk)
    revision = PracticeRevision.objects.select_for_update().get(pk=locked.working_revision_id)
    if revision.state not in (S.SUBMITTED, S.IN_REVIEW):
        raise ValidationError(_("Revisi ini tidak sedang ditinjau."), code="not_in_review")
    revision.two_reviewers_required = required
    revision.save(update_fields=["two_reviewers_required", "updated_at"])
    if second_reviewer is not None:
        revision_assign(revision=revision, reviewer=second_reviewer, by=by, additional=True)
    audit_record(
        actor=by,
        action="moderation.two_reviewers_set",
        target=revision,
        data={"required": required, "added_reviewer": second_reviewer.pk if second_reviewer else None},
    )
    return revision


@transaction.atomic
def revisions_reassign(*, practice_ids: list[int], reviewer: User, by: User) -> int:
    """Bulk reassignment by a lead moderator of the practices whose working revision is under review."""
    if not by.is_lead_moderator:
        raise PermissionDenied(_("Hanya moderator utama yang dapat mengalihkan tinjauan."))
    revisions = PracticeRevision.objects.filter(
        practice_id__in=practice_ids, state__in=[S.SUBMITTED, S.IN_REVIEW], practice__working_revision__isnull=False
    ).select_related("practice__agency")
    count = 0
    for revision in revisions:
        if revision.practice.working_revision_id == revision.pk:
            revision_assign(revision=revision, reviewer=reviewer, by=by)
            count += 1
    return count


# Archiving and freshness --------------------------------------------------------------------------------


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
    locked.status = Practice.Status.ARCHIVED
    if stopped:
        locked.stopped_reason = reason
    locked.save(update_fields=["status", "stopped_reason", "updated_at"])
    public_cache_invalidate()
    Transition.objects.create(
        practice=locked,
        revision_id=locked.live_revision_id,
        from_state=move[0],
        to_state=move[1],
        actor=by,
        comment=reason,
    )
    _decision_record(by=by, decision="stopped" if stopped else "archived", practice=locked)
    notify(
        recipients=[u for u in agency_people(locked) if u.pk != by.pk],
        kind="archived",
        context={"title": locked.title, "agency": locked.agency.name, "comment": reason},
        target_url=review_url(locked),
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
    public_cache_invalidate()  # "last confirmed" is shown on public pages
    return locked


# Scheduled jobs: SLA reminders and freshness --------------------------------------------------------------

SLA_REMIND_WORKING_DAYS = 5
SLA_ESCALATE_WORKING_DAYS = 10
CHANGES_REMIND_DAYS = 30
FRESHNESS_INTERVAL_DAYS = 182
FRESHNESS_ANSWER_DAYS = 30


def reviews_sla_remind() -> dict[str, int]:
    """Remind reviewers of reviews waiting > 5 working days, escalate > 10 to the leads, and remind agencies of
    changes requested > 30 days ago. Each reminder is sent once (dedupe keys), so the job can run hourly."""
    from datetime import timedelta

    now = timezone.now()
    counts = {"reminded": 0, "escalated": 0, "agency_reminded": 0}
    open_assignments = ReviewAssignment.objects.open().filter(
        revision__state__in=[S.SUBMITTED, S.IN_REVIEW], assigned_at__lt=now - timedelta(days=SLA_REMIND_WORKING_DAYS)
    )
    for assignment in open_assignments.select_related("revision__practice__agency", "reviewer"):
        revision, practice = assignment.revision, assignment.revision.practice
        waited = working_days_between(assignment.assigned_at, now)
        if waited > SLA_REMIND_WORKING_DAYS:
            counts["reminded"] += bool(
                notify(
                    recipients=[assignment.reviewer],
                    kind="sla_reminder",
                    context=notification_context(practice, revision, days=SLA_REMIND_WORKING_DAYS),
                    target_url=review_url(practice),
                    dedupe_key=f"sla-remind:a{assignment.pk}",
                )
            )
        if waited > SLA_ESCALATE_WORKING_DAYS:
            counts["escalated"] += bool(
                notify(
                    recipients=lead_moderators(),
                    kind="sla_escalation",
                    context=notification_context(
                        practice, revision, days=SLA_ESCALATE_WORKING_DAYS, reviewer=assignment.reviewer
                    ),
                    target_url=review_url(practice),
                    dedupe_key=f"sla-escalate:a{assignment.pk}",
                )
            )
    stale = PracticeRevision.objects.filter(
        state=S.CHANGES_REQUESTED, decided_at__lt=now - timedelta(days=CHANGES_REMIND_DAYS)
    ).select_related("practice__agency")
    for revision in stale:
        practice = revision.practice
        if practice.working_revision_id != revision.pk:
            continue
        counts["agency_reminded"] += bool(
            notify(
                recipients=agency_people(practice),
                kind="changes_reminder",
                context=notification_context(practice, revision, days=CHANGES_REMIND_DAYS),
                target_url=review_url(practice),
                dedupe_key=f"changes-remind:r{revision.pk}:{revision.decided_at:%Y%m%d%H%M%S}",
            )
        )
    return counts


def practices_freshness_check() -> dict[str, int]:
    """Ask agencies to confirm practices unconfirmed for 6 months; mark those unanswered after 30 days."""
    from datetime import timedelta

    now = timezone.now()
    counts = {"asked": 0, "lapsed": 0}
    due = Practice.objects.published().filter(
        last_confirmed_at__lt=now - timedelta(days=FRESHNESS_INTERVAL_DAYS), confirmation_requested_at__isnull=True
    )
    for practice in due.select_related("agency", "live_revision"):
        with transaction.atomic():
            Practice.objects.filter(pk=practice.pk).update(confirmation_requested_at=now)
            notify(
                recipients=agency_people(practice),
                kind="freshness_request",
                context={"title": practice.title, "agency": practice.agency.name},
                target_url=review_url(practice),
                dedupe_key=f"fresh-ask:p{practice.pk}:{now:%Y%m%d}",
            )
        counts["asked"] += 1
    lapsed = Practice.objects.published().filter(
        confirmation_requested_at__lt=now - timedelta(days=FRESHNESS_ANSWER_DAYS), not_recently_confirmed=False
    )
    for practice in lapsed.select_related("agency"):
        with transaction.atomic():
            Practice.objects.filter(pk=practice.pk).update(not_recently_confirmed=True)
            notify(
                recipients=agency_people(practice, admins_only=True),
                kind="freshness_lapsed",
                context={"title": practice.title, "agency": practice.agency.name, "days": FRESHNESS_ANSWER_DAYS},
                target_url=review_url(practice),
                dedupe_key=f"fresh-lapsed:p{practice.pk}:{practice.confirmation_requested_at:%Y%m%d}",
            )
        counts["lapsed"] += 1
    if counts["lapsed"]:
        public_cache_invalidate()
    return counts
