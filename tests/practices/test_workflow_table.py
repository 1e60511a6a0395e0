import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.models import Agency
from practices.models import PracticeRevision, Transition
from practices.services.submission import practice_create
from practices.workflow import revision_transition
from tests.accounts.factories import moderator as moderator_factory
from tests.agencies.factories import member

pytestmark = pytest.mark.django_db
S = PracticeRevision.State


@pytest.fixture
def practice():
    practice = practice_create(agency=Agency.objects.get(code="35.78"), by=None)
    PracticeRevision.objects.filter(pk=practice.working_revision_id).update(title="Alur")
    return practice


def test_member_sends_to_agency_review_and_the_move_is_recorded(practice):
    person = member()
    revision = revision_transition(practice_id=practice.pk, to_state=S.AGENCY_REVIEW, by=person)
    assert revision.state == S.AGENCY_REVIEW
    t = Transition.objects.get(practice=practice)
    assert (t.from_state, t.to_state, t.actor) == (S.DRAFT, S.AGENCY_REVIEW, person)


def test_approving_a_draft_is_refused(practice):
    moderator = moderator_factory()
    with pytest.raises(ValidationError):
        revision_transition(practice_id=practice.pk, to_state=S.PUBLISHED, by=moderator)
    assert not Transition.objects.exists()


def test_member_cannot_approve_their_own_submission(practice):
    person = member()
    revision_transition(practice_id=practice.pk, to_state=S.AGENCY_REVIEW, by=person)
    with pytest.raises(PermissionDenied):
        revision_transition(practice_id=practice.pk, to_state=S.SUBMITTED, by=person)


def test_member_of_another_agency_cannot_submit(practice):
    outsider = member("32.04")
    with pytest.raises(PermissionDenied):
        revision_transition(practice_id=practice.pk, to_state=S.AGENCY_REVIEW, by=outsider)


def test_returning_to_the_member_needs_a_reason(practice):
    person = member()
    admin = member(role="admin")
    revision_transition(practice_id=practice.pk, to_state=S.AGENCY_REVIEW, by=person)
    with pytest.raises(ValidationError):
        revision_transition(practice_id=practice.pk, to_state=S.DRAFT, by=admin, comment=" ")
    assert (
        revision_transition(practice_id=practice.pk, to_state=S.DRAFT, by=admin, comment="Lengkapi data").state
        == S.DRAFT
    )
