"""Every workflow move and moderation decision leaves an audit row, written in the same transaction."""

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEvent
from practices.models import PracticeRevision
from practices.services import decisions
from practices.workflow import revision_transition
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import practice_draft, practice_in_state, verified

pytestmark = pytest.mark.django_db
S = PracticeRevision.State


def _actions(practice):
    return list(
        AuditEvent.objects.filter(target_type="practices.practice", target_id=str(practice.pk))
        .order_by("id")
        .values_list("action", "actor_email")
    )


def test_each_transition_is_recorded_with_its_actor_and_states():
    author = member("35.78")
    practice = practice_draft(by=author)
    revision_transition(practice_id=practice.pk, to_state=S.AGENCY_REVIEW, by=author)
    event = AuditEvent.objects.get(action="practice.agency_review")
    assert (event.actor, event.target_id) == (author, str(practice.pk))
    assert event.data == {"from": "draft", "to": "agency_review", "revision": 1}


def test_a_refused_transition_leaves_no_row():
    practice = practice_draft(by=member("35.78"))
    with pytest.raises(PermissionDenied):
        revision_transition(practice_id=practice.pk, to_state=S.SUBMITTED, by=member("35.78"))
    assert not AuditEvent.objects.filter(action__startswith="practice.").exists()


def test_moderation_decisions_are_recorded():
    mod = moderator()
    approved = verified(practice_in_state(S.SUBMITTED), "ministry_validated", by=mod)
    decisions.revision_approve(practice=approved, by=mod, evidence_level="ministry_validated")
    assert ("moderation.approved", mod.email) in _actions(approved)
    assert ("practice.published", mod.email) in _actions(approved)
    assert AuditEvent.objects.get(action="moderation.approved").data == {
        "evidence_level": "ministry_validated",
        "completeness": 1.0,  # the publish guard records what it checked
    }

    returned = practice_in_state(S.SUBMITTED)
    decisions.revision_request_changes(practice=returned, by=mod, section_comments={"impact": "Tambah data."})
    assert ("moderation.changes_requested", mod.email) in _actions(returned)

    rejected = practice_in_state(S.IN_REVIEW)
    decisions.revision_reject(practice=rejected, by=mod, reason="Bukan praktik RB.")
    assert [a for a, _e in _actions(rejected)][-2:] == ["practice.rejected", "moderation.rejected"]

    decisions.practice_archive(practice=approved, by=mod, reason="Tidak berjalan lagi.")
    assert ("moderation.archived", mod.email) in _actions(approved)


def test_system_moves_have_no_actor():
    practice = practice_in_state(S.IN_REVIEW)
    event = AuditEvent.objects.get(action="practice.in_review", target_id=str(practice.pk))
    assert event.actor is None and event.actor_email == ""
