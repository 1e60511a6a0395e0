"""Reviewers and reviews: the lead invites reviewers to a call (ministry moderators, or external experts:
`showcases.Expert`), assigns them to the entries of an open stage (by hand, or spread automatically so each
entry gets the stage's `min_reviews`), never to an entry they have a conflict of interest with; a reviewer may
declare a conflict (and is unassigned), and scores an entry on the call's rubric.

A review is submitted once and may be edited until its stage closes; `total` is computed here: each criterion's
score divided by its maximum, times its weight (weights add up to 100), so 0..100.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services.users import user_password_set_link
from agencies.roles import roles_for
from audit.services import audit_record
from notifications.services.notify import notify, stored_path
from showcases.access import user_is_expert
from showcases.models import Expert
from showcases.services.experts import expert_save

from ..access import call_manage_require, review_conflict_of_interest, review_get_for_reviewer
from ..models import Call, CallReviewer, ConflictDeclaration, Entry, Review, Score, Stage

TWO_PLACES = Decimal("0.01")


@transaction.atomic
def call_reviewer_invite(
    *, actor, call_id: int, email: str, full_name: str = "", affiliation: str = ""
) -> CallReviewer:
    """Invite a reviewer to the call: a ministry moderator, or an external expert. An address without an account
    (or an account that is neither) becomes an expert profile through `showcases.services.experts.expert_save`
    (the account is made without a password); the invitation then carries a one-time link to set one.

    Audited as `call.reviewer_invited`."""
    call_manage_require(user=actor)
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.status in (Call.Status.FINISHED, Call.Status.CANCELLED):
        raise ValidationError(_("Panggilan ini sudah selesai."))
    email = (email or "").strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and roles_for(user).moderator:
        kind = CallReviewer.Kind.MODERATOR
    elif user is not None and user_is_expert(user):
        kind = CallReviewer.Kind.EXPERT
    else:
        if user is not None and roles_for(user).has_agency:
            raise ValidationError(
                {
                    "email": _(
                        "Akun ini milik pegawai instansi; penilai adalah moderator kementerian atau pakar eksternal."
                    )
                }
            )
        if not (affiliation or "").strip():
            raise ValidationError(
                {"affiliation": _("Orang ini belum terdaftar sebagai pakar: tulis afiliasinya untuk mendaftarkannya.")}
            )
        expert_save(actor=actor, email=email, full_name=full_name, affiliation=affiliation)
        user = Expert.objects.select_related("user").get(user__email__iexact=email).user
        kind = CallReviewer.Kind.EXPERT
    reviewer, created = CallReviewer.objects.get_or_create(
        call=call, user=user, defaults={"kind": kind, "invited_by": actor}
    )
    if not created and reviewer.is_active:
        raise ValidationError({"email": _("Orang ini sudah menjadi penilai panggilan ini.")})
    if not created:
        reviewer.is_active, reviewer.kind = True, kind
        reviewer.save(update_fields=["is_active", "kind"])
    link = "" if user.has_usable_password() else user_password_set_link(user=user)
    notify(
        recipients=[user],
        kind="call_reviewer_invited",
        context={"call": call.title, "password_link": link},
        target_url=stored_path("competitions:review_dashboard"),
    )
    audit_record(
        actor=actor,
        action="call.reviewer_invited",
        target=reviewer,
        data={"call": call.pk, "user": user.pk, "kind": kind},
    )
    return reviewer


def _open_stage(stage_id: int) -> Stage:
    stage = Stage.objects.select_for_update().select_related("call").get(pk=stage_id)
    if stage.status != Stage.Status.OPEN:
        raise ValidationError(_("Tahap ini tidak sedang berjalan."))
    return stage


def _conflicted(*, reviewer: User, entry: Entry, declared: set[tuple[int, int]]) -> bool:
    membership = roles_for(reviewer).membership
    agency = membership.agency if membership is not None else None
    return (entry.pk, reviewer.pk) in declared or review_conflict_of_interest(
        reviewer_agency=agency, entry_agency=entry.agency
    )


def _assign(*, actor, stage: Stage, entry: Entry, reviewer: User) -> Review:
    review = Review.objects.create(stage=stage, entry=entry, reviewer=reviewer, assigned_by=actor)
    audit_record(
        actor=actor,
        action="review.assigned",
        target=review,
        data={"stage": stage.pk, "entry": entry.pk, "reviewer": reviewer.pk},
    )
    return review


def _assigned_notify(*, stage: Stage, reviewers: set[User]) -> None:
    if reviewers:
        notify(
            recipients=sorted(reviewers, key=lambda u: u.pk),
            kind="call_review_assigned",
            context={"call": stage.call.title, "stage": stage.name},
            target_url=stored_path("competitions:review_dashboard"),
            dedupe_key=f"call-assigned:{stage.pk}:{timezone.now():%Y%m%d%H%M}",
        )


def _declared(stage: Stage) -> set[tuple[int, int]]:
    return set(ConflictDeclaration.objects.filter(entry__call_id=stage.call_id).values_list("entry_id", "reviewer_id"))


@transaction.atomic
def review_assign(*, actor, stage_id: int, entry_id: int, reviewer_id: int) -> Review:
    """Assign one reviewer of the call to one entry of the open stage. Refused for a conflict of interest.

    Audited as `review.assigned`; the reviewer is told."""
    call_manage_require(user=actor)
    stage = _open_stage(stage_id)
    entry = (
        Entry.objects.select_related("agency", "agency__region")
        .filter(pk=entry_id, call_id=stage.call_id, stage=stage, status=Entry.Status.ENTERED)
        .first()
    )
    if entry is None:
        raise ValidationError({"entry": _("Peserta ini tidak berada di tahap ini.")})
    membership = (
        CallReviewer.objects.select_related("user")
        .filter(call_id=stage.call_id, user_id=reviewer_id, is_active=True)
        .first()
    )
    if membership is None:
        raise ValidationError({"reviewer": _("Orang ini bukan penilai panggilan ini.")})
    reviewer = membership.user
    if _conflicted(reviewer=reviewer, entry=entry, declared=_declared(stage)):
        raise ValidationError(
            {"reviewer": _("Penilai ini memiliki konflik kepentingan dengan peserta ini dan tidak dapat ditugaskan.")}
        )
    if Review.objects.filter(stage=stage, entry=entry, reviewer=reviewer).exists():
        raise ValidationError({"reviewer": _("Penilai ini sudah ditugaskan pada peserta ini.")})
    review = _assign(actor=actor, stage=stage, entry=entry, reviewer=reviewer)
    _assigned_notify(stage=stage, reviewers={reviewer})
    return review


@transaction.atomic
def reviews_assign_auto(*, actor, stage_id: int) -> int:
    """Spread the stage's entries over the call's active reviewers so each entry has `min_reviews` reviewers,
    the least loaded first, never one with a conflict of interest. Returns how many assignments it made; an
    entry that cannot get enough (too few reviewers without a conflict) gets as many as possible.

    Each assignment is audited as `review.assigned`; each reviewer is told once."""
    call_manage_require(user=actor)
    stage = _open_stage(stage_id)
    reviewers = [
        r.user
        for r in CallReviewer.objects.select_related("user")
        .filter(call_id=stage.call_id, is_active=True, user__is_active=True)
        .order_by("user_id")
    ]
    entries = list(
        Entry.objects.select_related("agency", "agency__region")
        .filter(call_id=stage.call_id, stage=stage, status=Entry.Status.ENTERED)
        .order_by("pk")
    )
    existing = set(Review.objects.filter(stage=stage).values_list("entry_id", "reviewer_id"))
    load = Counter(reviewer for _, reviewer in existing)
    declared = _declared(stage)
    conflicts = {(e.pk, r.pk): _conflicted(reviewer=r, entry=e, declared=declared) for e in entries for r in reviewers}
    made, told = 0, set()
    for entry in entries:
        have = sum(1 for e, _ in existing if e == entry.pk)
        candidates = [r for r in reviewers if (entry.pk, r.pk) not in existing and not conflicts[(entry.pk, r.pk)]]
        candidates.sort(key=lambda r: (load[r.pk], r.pk))
        for reviewer in candidates[: max(stage.min_reviews - have, 0)]:
            _assign(actor=actor, stage=stage, entry=entry, reviewer=reviewer)
            existing.add((entry.pk, reviewer.pk))
            load[reviewer.pk] += 1
            made += 1
            told.add(reviewer)
    _assigned_notify(stage=stage, reviewers=told)
    return made


@transaction.atomic
def conflict_declare(*, actor, review_id: int, reason: str = "") -> ConflictDeclaration:
    """The reviewer declares a conflict of interest with the entry of one of their reviews: recorded, and they
    are unassigned from it in every stage not yet closed (their submitted scores there go too).

    Audited as `review.conflict_declared`."""
    review = review_get_for_reviewer(user=actor, pk=review_id, for_update=True)
    declaration, _created = ConflictDeclaration.objects.get_or_create(
        entry=review.entry, reviewer=actor, defaults={"reason": (reason or "").strip()}
    )
    removed = Review.objects.filter(entry=review.entry, reviewer=actor).exclude(stage__status=Stage.Status.CLOSED)
    count = removed.count()
    removed.delete()
    audit_record(
        actor=actor,
        action="review.conflict_declared",
        target=declaration,
        data={"entry": review.entry_id, "unassigned": count},
    )
    return declaration


def review_total(*, criteria, values: dict[int, Decimal]) -> Decimal:
    """The weighted total on 0..100: sum of value / max_score × weight (the weights of a call add up to 100)."""
    total = sum((values[c.pk] / Decimal(c.max_score)) * Decimal(c.weight) for c in criteria)
    return Decimal(total).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@transaction.atomic
def review_submit(
    *,
    actor,
    review_id: int,
    scores: dict[int, Decimal] | None = None,
    verdict: str = "",
    comment_for_author: str = "",
    private_note: str = "",
) -> Review:
    """Submit (or, until the stage closes, edit) the reviewer's review. A scored stage needs a score for every
    criterion, each 0..its maximum; an unscored one (screening) a verdict.

    Audited as `review.submitted` (with `edited` when it had been submitted before)."""
    review = review_get_for_reviewer(user=actor, pk=review_id, for_update=True)
    stage = review.stage
    if stage.status != Stage.Status.OPEN:
        raise ValidationError(_("Tahap ini sudah ditutup; penilaian tidak dapat diubah lagi."))
    errors: dict[str, list[str]] = {}
    if stage.is_scored:
        criteria = list(stage.call.criteria.order_by("position"))
        scores = scores or {}
        for criterion in criteria:
            value = scores.get(criterion.pk)
            if value is None:
                errors.setdefault(f"score_{criterion.pk}", []).append(_("Beri nilai untuk kriteria ini."))
            elif not (0 <= value <= criterion.max_score):
                errors.setdefault(f"score_{criterion.pk}", []).append(
                    _("Nilai antara 0 dan %(max)s.") % {"max": criterion.max_score}
                )
        if errors:
            raise ValidationError(errors)
        review.total = review_total(criteria=criteria, values=scores)
        review.verdict = ""
        for criterion in criteria:
            Score.objects.update_or_create(review=review, criterion=criterion, defaults={"value": scores[criterion.pk]})
    else:
        if verdict not in Review.Verdict.values:
            raise ValidationError({"verdict": _("Pilih apakah peserta memenuhi syarat.")})
        review.verdict = verdict
        review.total = Decimal(100) if verdict == Review.Verdict.PASS else Decimal(0)
    edited = review.status == Review.Status.SUBMITTED
    review.status = Review.Status.SUBMITTED
    review.submitted_at = timezone.now()
    review.comment_for_author = (comment_for_author or "").strip()
    review.private_note = (private_note or "").strip()
    review.save()
    audit_record(
        actor=actor,
        action="review.submitted",
        target=review,
        data={"stage": stage.pk, "entry": review.entry_id, "total": str(review.total), "edited": edited},
    )
    return review
