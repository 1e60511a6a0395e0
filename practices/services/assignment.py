"""Reviews and reviewer assignments: a reviewer's scored review, assigning and reassigning reviewers, and the lead
moderator's rule that two reviewers must agree."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from notifications.services.notify import notify

from ..access import lead_require, moderator_require, reviewer_is_eligible
from ..models import Practice, PracticeRevision, Review, ReviewAssignment
from .notices import notification_context, review_url

S = PracticeRevision.State


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
    moderator_require(user=by)
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
    if not reviewer_is_eligible(user=reviewer):
        raise ValidationError(_("Peninjau harus moderator."), code="reviewer")
    if by is not None:
        lead_require(user=by, message=_("Hanya moderator utama yang dapat mengalihkan tinjauan."))
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
            context=notification_context(practice=practice, revision=revision),
            target_url=review_url(practice=practice),
        )
    return assignment


@transaction.atomic
def revision_two_reviewers_set(
    *, practice: Practice, by: User, required: bool, second_reviewer: User | None = None
) -> PracticeRevision:
    """A lead moderator requires (or no longer requires) two reviewers to agree on the working revision's
    approval or rejection, optionally assigning a further reviewer; recorded in the audit log."""
    lead_require(user=by, message=_("Hanya moderator utama yang dapat mewajibkan dua peninjau."))
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
    lead_require(user=by, message=_("Hanya moderator utama yang dapat mengalihkan tinjauan."))
    revisions = PracticeRevision.objects.filter(
        practice_id__in=practice_ids, state__in=[S.SUBMITTED, S.IN_REVIEW], practice__working_revision__isnull=False
    ).select_related("practice__agency")
    count = 0
    for revision in revisions:
        if revision.practice.working_revision_id == revision.pk:
            revision_assign(revision=revision, reviewer=reviewer, by=by)
            count += 1
    return count
