import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.models import Agency
from practices.models import Practice, PracticeRevision, Transition
from practices.workflow import revision_transition
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
S = PracticeRevision.State


@pytest.fixture
def practice():
    practice = Practice.objects.create(agency=Agency.objects.get(code="35.78"), slug="alur")
    practice.working_revision = PracticeRevision.objects.create(practice=practice, number=1, title="Alur")
    practice.save()
    return practice


def test_member_sends_to_agency_review_and_the_move_is_recorded(practice):
    member = MembershipFactory().user
    revision = revision_transition(practice_id=practice.pk, to_state=S.AGENCY_REVIEW, by=member)
    assert revision.state == S.AGENCY_REVIEW
    t = Transition.objects.get(practice=practice)
    assert (t.from_state, t.to_state, t.actor) == (S.DRAFT, S.AGENCY_REVIEW, member)


def test_approving_a_draft_is_refused(practice):
    moderator = UserFactory(ministry_role="moderator")
    with pytest.raises(ValidationError):
        revision_transition(practice_id=practice.pk, to_state=S.PUBLISHED, by=moderator)
    assert not Transition.objects.exists()


def test_member_cannot_approve_their_own_submission(practice):
    member = MembershipFactory().user
    revision_transition(practice_id=practice.pk, to_state=S.AGENCY_REVIEW, by=member)
    with pytest.raises(PermissionDenied):
        revision_transition(practice_id=practice.pk, to_state=S.SUBMITTED, by=member)


def test_member_of_another_agency_cannot_submit(practice):
    outsider = MembershipFactory(agency=Agency.objects.get(code="32.04")).user
    with pytest.raises(PermissionDenied):
        revision_transition(practice_id=practice.pk, to_state=S.AGENCY_REVIEW, by=outsider)


def test_returning_to_the_member_needs_a_reason(practice):
    member = MembershipFactory().user
    admin = MembershipFactory(role="admin").user
    revision_transition(practice_id=practice.pk, to_state=S.AGENCY_REVIEW, by=member)
    with pytest.raises(ValidationError):
        revision_transition(practice_id=practice.pk, to_state=S.DRAFT, by=admin, comment=" ")
    assert (
        revision_transition(practice_id=practice.pk, to_state=S.DRAFT, by=admin, comment="Lengkapi data").state
        == S.DRAFT
    )
