"""Stages, reviewers and the advance decision (issue #18, first half): invitations (moderators and external
experts), assignment by hand and automatically, the conflict-of-interest rule (never assigned, 404), scoring
with the weighted total, scores private until the stage closes, and the advance decision with its snapshot."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import User
from agencies.models import Agency
from audit.models import AuditEvent
from competitions.access import review_conflict_of_interest, review_get_for_reviewer
from competitions.models import AdvanceDecision, Call, CallReviewer, ConflictDeclaration, Entry, Review, Stage
from competitions.selectors.reviews import entry_feedback, stage_ranking
from competitions.services.reviews import (
    call_reviewer_invite,
    conflict_declare,
    review_assign,
    review_submit,
    reviews_assign_auto,
)
from competitions.services.stages import call_finalist_candidates, call_ready_for_finalists, stage_advance
from notifications.models import Notification
from showcases.services.experts import expert_save
from tests.accounts.factories import moderator
from tests.agencies.factories import member

from .factories import call, call_judging, review_scored, reviewer

pytestmark = pytest.mark.django_db


def _first_stage(c: Call) -> Stage:
    return c.stages.get(position=1)


def test_the_conflict_rule_same_agency_or_same_province():
    surabaya, sidoarjo, bandung = (Agency.objects.get(code=c) for c in ("35.78", "35.15", "32.04"))
    jatim = Agency.objects.filter(kind="provinsi", region__code="35").first()
    ministry = Agency.objects.filter(kind="kementerian").first()
    assert review_conflict_of_interest(reviewer_agency=surabaya, entry_agency=surabaya)
    assert review_conflict_of_interest(reviewer_agency=sidoarjo, entry_agency=surabaya)
    assert review_conflict_of_interest(reviewer_agency=jatim, entry_agency=surabaya)
    assert not review_conflict_of_interest(reviewer_agency=bandung, entry_agency=surabaya)
    assert not review_conflict_of_interest(reviewer_agency=ministry, entry_agency=surabaya)
    assert review_conflict_of_interest(reviewer_agency=ministry, entry_agency=ministry)
    assert not review_conflict_of_interest(reviewer_agency=None, entry_agency=surabaya)


def test_invite_a_moderator_and_a_new_external_expert_with_a_set_password_link():
    c = call()
    mod = moderator()
    made = call_reviewer_invite(actor=c.lead, call_id=c.pk, email=mod.email.upper())
    assert made.kind == CallReviewer.Kind.MODERATOR
    expert = call_reviewer_invite(
        actor=c.lead, call_id=c.pk, email="pakar.baru@kampus.ac.id", full_name="Dr. Pakar", affiliation="UI"
    )
    person = User.objects.get(email="pakar.baru@kampus.ac.id")
    assert expert.kind == CallReviewer.Kind.EXPERT and not person.has_usable_password()
    notice = Notification.objects.get(kind="call_reviewer_invited", recipient=person)
    token = notice.body.split("/")[-2]
    assert default_token_generator.check_token(person, token)
    assert AuditEvent.objects.filter(action="call.reviewer_invited").count() == 2
    with pytest.raises(ValidationError, match="sudah menjadi penilai"):
        call_reviewer_invite(actor=c.lead, call_id=c.pk, email=mod.email)
    with pytest.raises(ValidationError):  # an unknown address needs an affiliation
        call_reviewer_invite(actor=c.lead, call_id=c.pk, email="siapa@contoh.id")
    with pytest.raises(ValidationError, match="pegawai instansi"):
        call_reviewer_invite(actor=c.lead, call_id=c.pk, email=member("35.78").email, affiliation="X")
    with pytest.raises(Http404):
        call_reviewer_invite(actor=mod, call_id=c.pk, email="x@contoh.id", affiliation="X")


def test_a_reviewer_from_the_same_province_is_never_assigned_and_gets_404():
    c, entries = call_judging()
    stage = _first_stage(c)
    surabaya_entry = next(e for e in entries if e.agency.code == "35.78")
    # An expert who works at Kabupaten Sidoarjo (Jawa Timur, like Surabaya).
    local = member("35.15", email="pakar.sidoarjo@contoh.id")
    expert_save(actor=c.lead, email=local.email, affiliation="Bappeda Sidoarjo")
    call_reviewer_invite(actor=c.lead, call_id=c.pk, email=local.email)
    local = User.objects.get(pk=local.pk)
    with pytest.raises(ValidationError, match="konflik kepentingan"):
        review_assign(actor=c.lead, stage_id=stage.pk, entry_id=surabaya_entry.pk, reviewer_id=local.pk)
    # Even a row made behind the service's back does not open the entry for them.
    review = Review.objects.create(stage=stage, entry=surabaya_entry, reviewer=local)
    with pytest.raises(Http404):
        review_get_for_reviewer(user=local, pk=review.pk)
    review.delete()
    reviewers_assign = reviews_assign_auto(actor=c.lead, stage_id=stage.pk)
    assert reviewers_assign == 2  # the other two entries; Surabaya's only conflicting reviewer is left out
    assert not Review.objects.filter(entry=surabaya_entry, reviewer=local).exists()


def test_auto_assignment_spreads_entries_to_min_reviews_and_runs_again_without_duplicates():
    c, entries = call_judging()
    stage = _first_stage(c)  # min_reviews 2
    people = [reviewer(c) for _ in range(3)]
    assert reviews_assign_auto(actor=c.lead, stage_id=stage.pk) == 6
    assert reviews_assign_auto(actor=c.lead, stage_id=stage.pk) == 0
    per_entry = {e.pk: Review.objects.filter(stage=stage, entry=e).count() for e in entries}
    assert set(per_entry.values()) == {2}
    loads = sorted(Review.objects.filter(stage=stage, reviewer=p).count() for p in people)
    assert loads == [2, 2, 2]
    assert AuditEvent.objects.filter(action="review.assigned").count() == 6
    assert Notification.objects.filter(kind="call_review_assigned").count() == 3  # each reviewer told once


def test_an_external_reviewer_opens_only_their_assignments():
    c, entries = call_judging()
    stage = _first_stage(c)
    expert = reviewer(c, expert=True)
    other = reviewer(c)
    mine = review_assign(actor=c.lead, stage_id=stage.pk, entry_id=entries[1].pk, reviewer_id=expert.pk)
    theirs = review_assign(actor=c.lead, stage_id=stage.pk, entry_id=entries[2].pk, reviewer_id=other.pk)
    assert review_get_for_reviewer(user=expert, pk=mine.pk) == mine
    with pytest.raises(Http404):
        review_get_for_reviewer(user=expert, pk=theirs.pk)
    # Removed from the call: their own assignment closes too.
    CallReviewer.objects.filter(call=c, user=expert).update(is_active=False)
    with pytest.raises(Http404):
        review_get_for_reviewer(user=expert, pk=mine.pk)


def test_scoring_computes_the_weighted_total_and_refuses_bad_scores():
    c, entries = call_judging()  # Kebaruan 60 %, Efektivitas 40 %, both 0..10
    stage = _first_stage(c)
    person = reviewer(c)
    review = review_assign(actor=c.lead, stage_id=stage.pk, entry_id=entries[0].pk, reviewer_id=person.pk)
    kebaruan, efektivitas = c.criteria.order_by("position")
    with pytest.raises(ValidationError) as exc:
        review_submit(actor=person, review_id=review.pk, scores={kebaruan.pk: Decimal("11")})
    assert f"score_{kebaruan.pk}" in exc.value.message_dict and f"score_{efektivitas.pk}" in exc.value.message_dict
    done = review_submit(
        actor=person,
        review_id=review.pk,
        scores={kebaruan.pk: Decimal("9"), efektivitas.pk: Decimal("6.5")},
        comment_for_author="Data dampak perlu diperkuat.",
        private_note="Cek ulang angka 2023.",
    )
    assert done.total == Decimal("80.00")  # 0.9 × 60 + 0.65 × 40
    assert done.status == Review.Status.SUBMITTED
    edited = review_scored(done, 10)
    assert edited.total == Decimal("100.00") and edited.scores.count() == 2
    assert AuditEvent.objects.filter(action="review.submitted", target_id=str(review.pk)).count() == 2


def test_declaring_a_conflict_unassigns_and_blocks_reassignment():
    c, entries = call_judging()
    stage = _first_stage(c)
    person = reviewer(c)
    review = review_assign(actor=c.lead, stage_id=stage.pk, entry_id=entries[0].pk, reviewer_id=person.pk)
    conflict_declare(actor=person, review_id=review.pk, reason="Saya pernah menjadi konsultannya.")
    assert not Review.objects.filter(pk=review.pk).exists()
    assert ConflictDeclaration.objects.filter(entry=entries[0], reviewer=person).exists()
    with pytest.raises(ValidationError, match="konflik kepentingan"):
        review_assign(actor=c.lead, stage_id=stage.pk, entry_id=entries[0].pk, reviewer_id=person.pk)
    assert AuditEvent.objects.filter(action="review.conflict_declared").count() == 1


def _score_all(stage: Stage, values: dict[int, int]) -> None:
    for review in Review.objects.filter(stage=stage).select_related("stage__call", "reviewer"):
        review_scored(review, values[review.entry_id], comment=f"Catatan untuk {review.entry_id}")


def test_advance_top_n_moves_entries_on_and_the_last_stage_hands_over_to_finalists():
    c, entries = call_judging()
    stage = _first_stage(c)
    for _ in range(2):
        reviewer(c)
    reviews_assign_auto(actor=c.lead, stage_id=stage.pk)
    a, b, d = entries
    # Not every entry has its reviews yet: refused.
    with pytest.raises(ValidationError, match="belum mendapat"):
        stage_advance(actor=c.lead, stage_id=stage.pk, rule="top_n")
    _score_all(stage, {a.pk: 9, b.pk: 5, d.pk: 7})
    # Before the stage closes the agency sees no outcome or comments.
    assert entry_feedback(entry=Entry.objects.get(pk=a.pk)) == []
    ranking = stage_ranking(stage=stage)
    assert [row["entry"].pk for row in ranking] == [a.pk, d.pk, b.pk]
    decision = stage_advance(actor=c.lead, stage_id=stage.pk, rule="top_n")  # the stage's default: 2
    assert decision.top_n == 2 and set(decision.advanced.values_list("pk", flat=True)) == {a.pk, d.pk}
    assert [row["advanced"] for row in decision.ranking] == [True, True, False]
    assert decision.ranking[0]["average"] == "90.00" and decision.ranking[0]["reviews"] == 2
    stage.refresh_from_db()
    second = c.stages.get(position=2)
    assert stage.status == Stage.Status.CLOSED and second.status == Stage.Status.OPEN
    assert Entry.objects.get(pk=b.pk).status == Entry.Status.ELIMINATED
    assert set(Entry.objects.filter(stage=second).values_list("pk", flat=True)) == {a.pk, d.pk}
    feedback = entry_feedback(entry=Entry.objects.get(pk=b.pk))
    assert feedback[0]["advanced"] is False and feedback[0]["comments"] == [f"Catatan untuk {b.pk}"] * 2
    assert Notification.objects.filter(kind="call_stage_outcome").count() == 3
    assert AuditEvent.objects.filter(action="stage.advanced", target_id=str(decision.pk)).exists()
    with pytest.raises(ValidationError):
        stage_advance(actor=c.lead, stage_id=stage.pk, rule="top_n")  # closed: once only
    # Scores of a closed stage are final.
    closed_review = Review.objects.filter(stage=stage).first()
    with pytest.raises(ValidationError, match="sudah ditutup"):
        review_scored(closed_review, 1)
    # The last stage (min_reviews 1, min score rule): the hand-over point for the finalists.
    reviews_assign_auto(actor=c.lead, stage_id=second.pk)
    _score_all(second, {a.pk: 8, d.pk: 5})
    assert not call_ready_for_finalists(c)
    last = stage_advance(actor=c.lead, stage_id=second.pk, rule="min_score", min_score=Decimal("60"))
    assert last.rule == AdvanceDecision.Rule.MIN_SCORE and list(last.advanced.all()) == [Entry.objects.get(pk=a.pk)]
    c.refresh_from_db()
    assert c.status == Call.Status.JUDGING and call_ready_for_finalists(c)
    assert list(call_finalist_candidates(c)) == [Entry.objects.get(pk=a.pk)]
    assert Entry.objects.get(pk=d.pk).status == Entry.Status.ELIMINATED
