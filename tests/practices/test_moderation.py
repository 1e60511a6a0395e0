import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from agencies.models import Membership
from notifications.models import Delivery, Notification
from practices.models import Practice, PracticeRevision, ReviewAssignment, Transition
from practices.services import agency_review, assignment, decisions
from practices.services.submission import practice_submit
from practices.workflow import revision_transition
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import practice_in_state, verified

pytestmark = pytest.mark.django_db
S = PracticeRevision.State


@pytest.fixture(autouse=True)
def _indonesian():
    # A request under /en/ leaves English active in the thread; reverse() must give the Indonesian URLs.
    with translation.override("id"):
        yield


def _state(practice) -> str:
    return PracticeRevision.objects.get(pk=Practice.objects.get(pk=practice.pk).working_revision_id).state


# Services ---------------------------------------------------------------------------------------------------


def test_agency_admin_approval_submits_notifies_the_agency_in_each_members_language():
    author = member(language="en")
    admin = member(role=Membership.Role.ADMIN)
    practice = practice_in_state(S.AGENCY_REVIEW, author=author, title="Izin cepat")
    agency_review.revision_agency_approve(practice=practice, by=admin, comment="Sudah lengkap")
    assert _state(practice) == S.SUBMITTED
    english = Notification.objects.get(recipient=author)
    indonesian = Notification.objects.get(recipient=admin)
    assert english.subject == "Practice “Izin cepat” submitted to the ministry"
    assert indonesian.subject == "Praktik “Izin cepat” diajukan ke kementerian"
    assert Delivery.objects.filter(notification__in=[english, indonesian], state="pending").count() == 2


def test_agency_return_needs_a_reason_and_notifies_the_author():
    author = member()
    admin = member(role=Membership.Role.ADMIN)
    practice = practice_in_state(S.AGENCY_REVIEW, author=author)
    with pytest.raises(ValidationError):
        agency_review.revision_agency_return(practice=practice, by=admin, comment="  ")
    agency_review.revision_agency_return(practice=practice, by=admin, comment="Tambahkan data")
    assert _state(practice) == S.DRAFT
    assert Notification.objects.get(recipient=author).kind == "agency_returned"
    assert "Tambahkan data" in Notification.objects.get(recipient=author).body


def test_member_cannot_approve_their_own_submission():
    author = member()
    practice = practice_in_state(S.AGENCY_REVIEW, author=author)
    with pytest.raises(PermissionDenied):
        agency_review.revision_agency_approve(practice=practice, by=author)
    assert _state(practice) == S.AGENCY_REVIEW
    assert not Notification.objects.exists()


def test_approving_a_draft_is_refused():
    practice = practice_in_state(S.DRAFT)
    with pytest.raises(ValidationError):
        decisions.revision_approve(practice=practice, by=moderator())
    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.UNPUBLISHED
    assert not Transition.objects.filter(practice=practice).exists()


def test_agency_admin_cannot_make_the_ministry_decision():
    practice = practice_in_state(S.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        decisions.revision_approve(practice=practice, by=member(role=Membership.Role.ADMIN))


def test_moderator_approval_publishes_with_the_evidence_level_and_tells_agency_and_reviewer():
    author = member()
    reviewer = moderator()
    practice = practice_in_state(S.IN_REVIEW, author=author)
    assignment.revision_assign(revision=practice.working_revision, reviewer=reviewer, by=None)
    with pytest.raises(ValidationError):  # "ministry validated" without the moderator's record
        decisions.revision_approve(practice=practice, by=reviewer, evidence_level="ministry_validated")
    verified(practice, "ministry_validated", by=reviewer)
    Notification.objects.all().delete()
    result = decisions.revision_approve(practice=practice, by=reviewer, evidence_level="ministry_validated")
    assert result.status == Practice.Status.PUBLISHED
    assert result.live_revision_id == practice.working_revision_id
    assert Practice.objects.get(pk=practice.pk).evidence_level == "ministry_validated"
    assert set(Notification.objects.filter(kind="published").values_list("recipient", flat=True)) >= {
        author.pk,
        reviewer.pk,
    }
    assert not ReviewAssignment.objects.open().exists()
    t = Transition.objects.filter(practice=practice).last()
    assert (t.from_state, t.to_state, t.actor) == (S.IN_REVIEW, S.PUBLISHED, reviewer)


def test_request_changes_needs_reasons_and_records_them_per_section():
    practice = practice_in_state(S.IN_REVIEW)
    mod = moderator()
    with pytest.raises(ValidationError):
        decisions.revision_request_changes(practice=practice, by=mod, section_comments={"impact": " "})
    decisions.revision_request_changes(
        practice=practice, by=mod, section_comments={"impact": "Tambahkan data 2024", "kit": ""}
    )
    assert _state(practice) == S.CHANGES_REQUESTED
    t = Transition.objects.filter(practice=practice).last()
    assert "[Dampak dan indikator] Tambahkan data 2024" in t.comment
    body = Notification.objects.filter(kind="changes_requested").first().body
    assert "Tambahkan data 2024" in body


def test_reject_requires_a_reason():
    practice = practice_in_state(S.IN_REVIEW)
    mod = moderator()
    with pytest.raises(ValidationError):
        decisions.revision_reject(practice=practice, by=mod, reason="")
    decisions.revision_reject(practice=practice, by=mod, reason="Bukan praktik RB")
    assert _state(practice) == S.REJECTED


def test_archive_a_published_practice_with_reason_by_its_agency_admin_only():
    practice = practice_in_state(S.IN_REVIEW)
    decisions.revision_approve(practice=practice, by=moderator())
    with pytest.raises(PermissionDenied):
        decisions.practice_archive(practice=practice, by=member(), reason="x")
    with pytest.raises(PermissionDenied):
        decisions.practice_archive(practice=practice, by=member("32.04", role="admin"), reason="x")
    admin = member(role=Membership.Role.ADMIN)
    with pytest.raises(ValidationError):
        decisions.practice_archive(practice=practice, by=admin, reason=" ")
    stopped = decisions.practice_archive(practice=practice, by=admin, reason="Program berakhir", stopped=True)
    # Stopped stays public (issue #14): still published, with its reason and the time it stopped.
    assert (stopped.status, stopped.stopped_reason) == (Practice.Status.PUBLISHED, "Program berakhir")
    assert stopped.stopped_at is not None
    assert Transition.objects.filter(practice=practice, to_state="stopped", actor=admin).exists()
    with pytest.raises(ValidationError):  # stopping twice
        decisions.practice_archive(practice=practice, by=admin, reason="lagi", stopped=True)
    archived = decisions.practice_archive(practice=practice, by=admin, reason="Ditarik")
    assert archived.status == Practice.Status.ARCHIVED
    assert Transition.objects.filter(practice=practice, to_state="archived", actor=admin).exists()
    with pytest.raises(ValidationError):  # archiving twice
        decisions.practice_archive(practice=practice, by=admin, reason="lagi")


def test_rubric_total_uses_configured_weights(settings):
    practice = practice_in_state(S.IN_REVIEW)
    mod = moderator()
    scores = {"significance": 10, "novelty": 0, "adaptability": 5, "sustainability": 10, "evidence": 0}
    review = assignment.review_save(practice=practice, by=mod, scores=scores, recommendation="approve")
    assert review.total == 30 + 10 + 15
    settings.REVIEW_RUBRIC_WEIGHTS = {
        "significance": 50,
        "novelty": 0,
        "adaptability": 0,
        "sustainability": 50,
        "evidence": 0,
    }
    review = assignment.review_save(practice=practice, by=mod, scores=scores, recommendation="approve")
    assert review.total == 100


def test_bulk_reassign_is_for_leads_only():
    a, b = practice_in_state(S.IN_REVIEW), practice_in_state(S.IN_REVIEW)
    first, second = moderator(), moderator()
    for p in (a, b):
        assignment.revision_assign(revision=p.working_revision, reviewer=first, by=None)
    with pytest.raises(PermissionDenied):
        assignment.revisions_reassign(practice_ids=[a.pk, b.pk], reviewer=second, by=first)
    assert assignment.revisions_reassign(practice_ids=[a.pk, b.pk], reviewer=second, by=moderator(lead=True)) == 2
    assert set(ReviewAssignment.objects.open().values_list("reviewer", flat=True)) == {second.pk}


# HTTP ---------------------------------------------------------------------------------------------------------


def test_whole_workflow_through_http(client):
    author = member()
    admin = member(role=Membership.Role.ADMIN)
    mod = moderator()
    practice = practice_draft_to_agency_review(author)
    client.force_login(admin)
    response = client.get(reverse("review:agency_queue"))
    assert response.status_code == 200 and practice.working_revision.title in response.text
    response = client.post(reverse("review:agency_decide", args=[practice.pk]), {"decision": "approve"})
    assert response.status_code == 302 and _state(practice) == S.SUBMITTED
    revision_transition(practice_id=practice.pk, to_state=S.IN_REVIEW, by=None)
    assignment.revision_assign(revision=practice.working_revision, reviewer=mod, by=None)

    client.force_login(mod)
    response = client.get(reverse("review:queue"))  # "waiting on me" by default
    assert practice.working_revision.title in response.text
    response = client.post(
        reverse("review:decide", args=[practice.pk]), {"decision-decision": "reject", "decision-comment": ""}
    )
    assert response.status_code == 400 and "Alasan penolakan wajib diisi." in response.text
    assert _state(practice) == S.IN_REVIEW
    scores = {f"review-score_{c}": 8 for c in ("significance", "novelty", "adaptability", "sustainability", "evidence")}
    response = client.post(reverse("review:review", args=[practice.pk]), {**scores, "review-recommendation": "changes"})
    assert response.status_code == 302
    response = client.post(
        reverse("review:decide", args=[practice.pk]),
        {
            "decision-decision": "request_changes",
            "decision-evidence_level": "self_reported",
            "sections-section_impact": "Tambah data",
        },
    )
    assert response.status_code == 302 and _state(practice) == S.CHANGES_REQUESTED

    # Resubmitted: a member's resubmission goes to the agency admin again, who sends it on to the ministry.
    assert practice_submit(practice_id=practice.pk, by=author).state == S.AGENCY_REVIEW
    revision_transition(practice_id=practice.pk, to_state=S.SUBMITTED, by=admin)
    verified(practice, "field_verified")
    response = client.post(
        reverse("review:decide", args=[practice.pk]),
        {"decision-decision": "approve", "decision-evidence_level": "field_verified"},
    )
    assert response.status_code == 302
    practice.refresh_from_db()
    assert (practice.status, practice.evidence_level) == (Practice.Status.PUBLISHED, "field_verified")
    page = client.get(reverse("review:detail", args=[practice.pk]))
    assert page.status_code == 200
    assert [t.to_state for t in page.context["transitions"]] == [
        S.AGENCY_REVIEW, S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED, S.AGENCY_REVIEW, S.SUBMITTED, S.PUBLISHED,
    ]  # fmt: skip
    client.force_login(admin)
    response = client.post(reverse("review:archive", args=[practice.pk]), {"reason": "Selesai", "stopped": "on"})
    assert response.status_code == 302
    stopped = Practice.objects.get(pk=practice.pk)  # stopped stays public, out of the default listings
    assert stopped.status == Practice.Status.PUBLISHED and stopped.stopped_reason == "Selesai" and stopped.stopped_at


def practice_draft_to_agency_review(author):
    return practice_in_state(S.AGENCY_REVIEW, author=author)


def test_a_moderator_posting_approve_on_a_draft_gets_no_change(client):
    practice = practice_in_state(S.DRAFT)
    client.force_login(moderator())
    response = client.post(
        reverse("review:decide", args=[practice.pk]),
        {"decision-decision": "approve", "decision-evidence_level": "self_reported"},
    )
    assert response.status_code == 404  # a never-submitted draft is invisible to the ministry
    assert _state(practice) == S.DRAFT


def test_english_review_page_and_queue(client):
    practice = practice_in_state(S.IN_REVIEW)
    client.force_login(moderator())
    response = client.get(reverse("review:detail", args=[practice.pk]).replace("/tinjauan/", "/en/review/"))
    assert response.status_code == 200
    assert "History" in response.text
    assert client.get("/en/review/queue/").status_code == 200


# The permission ladder on every moderation URL ---------------------------------------------------------------

LADDER = ["anonymous", "outsider", "member", "agency_admin", "moderator", "lead"]


def _login(client, who):
    users = {
        "anonymous": None,
        "outsider": lambda: member("32.04", role=Membership.Role.ADMIN),
        "member": lambda: member(),
        "agency_admin": lambda: member(role=Membership.Role.ADMIN),
        "moderator": lambda: moderator(),
        "lead": lambda: moderator(lead=True),
    }
    if users[who]:
        client.force_login(users[who]())


# (url name, needs a practice in state, method, data, expected status per LADDER rung)
CASES = [
    # "outsider" is the admin of another agency: their own agency queue is open to them.
    ("review:index", None, "get", {}, [302, 302, 403, 302, 302, 302]),
    ("review:queue", None, "get", {}, [302, 403, 403, 403, 200, 200]),
    ("review:agency_queue", None, "get", {}, [302, 200, 403, 200, 403, 403]),
    ("review:reassign", None, "post", {}, [302, 403, 403, 403, 403, 302]),
    ("review:detail", S.AGENCY_REVIEW, "get", {}, [302, 404, 404, 200, 404, 404]),
    ("review:detail", S.IN_REVIEW, "get", {}, [302, 404, 404, 200, 200, 200]),
    ("review:agency_decide", S.AGENCY_REVIEW, "post", {"decision": "approve"}, [302, 404, 404, 302, 404, 404]),
    (
        "review:decide",
        S.IN_REVIEW,
        "post",
        {"decision-decision": "reject", "decision-comment": "x"},
        [302, 404, 404, 403, 302, 302],
    ),
    ("review:review", S.IN_REVIEW, "post", {"review-recommendation": "approve"}, [302, 404, 404, 403, 400, 400]),
    ("review:archive", S.IN_REVIEW, "post", {"reason": "x"}, [302, 404, 404, 400, 400, 400]),
    # The agency's own people get a message (not published yet), the ministry a 403.
    ("review:confirm", S.IN_REVIEW, "post", {}, [302, 404, 302, 302, 403, 403]),
]


@pytest.mark.parametrize("who", LADDER)
@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_permission_ladder(client, who, case):
    name, state, method, data, expected = case
    args = [practice_in_state(state).pk] if state else []
    _login(client, who)
    response = getattr(client, method)(reverse(name, args=args), data)
    assert response.status_code == expected[LADDER.index(who)]
    if who == "anonymous":
        assert "/akun/masuk/" in response["Location"]
