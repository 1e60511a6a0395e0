"""Lead moderators can require two reviewers to agree before a revision is approved or rejected."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from practices.models import Practice, PracticeRevision
from practices.services import assignment, decisions
from tests.accounts.factories import moderator
from tests.practices.factories import practice_in_state

pytestmark = pytest.mark.django_db
S = PracticeRevision.State
SCORES = {"significance": 8, "novelty": 7, "adaptability": 8, "sustainability": 7, "evidence": 6}


def _two_reviewer_practice():
    lead, first, second = moderator(lead=True), moderator(), moderator()
    practice = practice_in_state(S.IN_REVIEW)
    assignment.revision_assign(revision=practice.working_revision, reviewer=first, by=lead)
    assignment.revision_two_reviewers_set(practice=practice, by=lead, required=True, second_reviewer=second)
    return practice, lead, first, second


def _review(practice, by, recommendation):
    assignment.review_save(practice=practice, by=by, scores=SCORES, recommendation=recommendation)


def test_only_a_lead_moderator_can_require_two_reviewers():
    practice = practice_in_state(S.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        assignment.revision_two_reviewers_set(practice=practice, by=moderator(), required=True)
    assert not PracticeRevision.objects.get(pk=practice.working_revision_id).two_reviewers_required


def test_adding_a_second_reviewer_keeps_the_first_assigned():
    practice, _lead, first, second = _two_reviewer_practice()
    revision = PracticeRevision.objects.get(pk=practice.working_revision_id)
    assert revision.two_reviewers_required
    assert set(revision.assignments.open().values_list("reviewer", flat=True)) == {first.pk, second.pk}


def test_approval_is_refused_until_two_assigned_reviewers_recommend_approval():
    practice, lead, first, second = _two_reviewer_practice()
    with pytest.raises(ValidationError, match="dua penilaian"):
        decisions.revision_approve(practice=practice, by=lead)  # no reviews yet
    _review(practice, first, "approve")
    with pytest.raises(ValidationError, match="dua penilaian"):
        decisions.revision_approve(practice=practice, by=first)  # one review
    _review(practice, moderator(), "approve")  # a moderator who is not assigned does not count
    with pytest.raises(ValidationError):
        decisions.revision_approve(practice=practice, by=lead)
    _review(practice, second, "reject")  # two reviews, but they disagree
    with pytest.raises(ValidationError):
        decisions.revision_approve(practice=practice, by=lead)
    with pytest.raises(ValidationError):
        decisions.revision_reject(practice=practice, by=lead, reason="Tidak relevan")
    # The refused decisions changed nothing.
    revision = PracticeRevision.objects.get(pk=practice.working_revision_id)
    assert revision.state == S.IN_REVIEW and not practice.transitions.filter(to_state=S.PUBLISHED).exists()
    _review(practice, second, "approve")  # the second reviewer now agrees
    decisions.revision_approve(practice=practice, by=lead)
    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.PUBLISHED


def test_rejection_needs_two_agreeing_rejections():
    practice, lead, first, second = _two_reviewer_practice()
    _review(practice, first, "reject")
    with pytest.raises(ValidationError):
        decisions.revision_reject(practice=practice, by=lead, reason="Bukan praktik RB")
    _review(practice, second, "reject")
    decisions.revision_reject(practice=practice, by=lead, reason="Bukan praktik RB")
    assert PracticeRevision.objects.get(pk=practice.working_revision_id).state == S.REJECTED


def test_without_the_rule_one_moderator_decides_alone():
    practice = practice_in_state(S.IN_REVIEW)
    decisions.revision_approve(practice=practice, by=moderator())
    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.PUBLISHED


def test_the_review_page_sets_the_rule_and_explains_a_refused_decision(client):
    lead, other = moderator(lead=True), moderator()
    practice = practice_in_state(S.IN_REVIEW)
    detail = reverse("review:detail", args=[practice.pk])
    client.force_login(other)
    assert "Aturan peninjau" not in client.get(detail).text  # plain moderators do not see the form
    assert client.post(reverse("review:two_reviewers", args=[practice.pk]), {"required": "on"}).status_code == 403
    client.force_login(lead)
    page = client.get(detail)
    assert page.status_code == 200 and "Aturan peninjau" in page.text
    response = client.post(
        reverse("review:two_reviewers", args=[practice.pk]), {"required": "on", "reviewer": other.pk}
    )
    assert response.status_code == 302
    assert "wajib dua peninjau" in client.get(detail).text
    response = client.post(reverse("review:decide", args=[practice.pk]), {"decision-decision": "approve"})
    assert response.status_code == 400
    assert "Keputusan ini memerlukan dua penilaian dari peninjau berbeda" in response.text
    assert Practice.objects.get(pk=practice.pk).status != Practice.Status.PUBLISHED
    bad = client.post(reverse("review:two_reviewers", args=[practice.pk]), {"reviewer": "x"})
    assert bad.status_code == 400  # bad input re-renders, no 500
    en = client.get(f"/en/review/{practice.pk}/")
    assert en.status_code == 200
