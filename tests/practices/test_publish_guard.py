"""The publish guard (services/guard.py): no approval while required items are missing, and a pre-screen's
duplicate flag answered "not a duplicate" with a reason, recorded in the audit log and the review history.
Through the service, the review page's form and the API's decision action."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from practices.models import Practice, PracticeRevision, Screening
from practices.services import decisions
from tests.accounts.factories import moderator
from tests.api.factories import token_client
from tests.practices.factories import practice_in_state, practice_published

pytestmark = pytest.mark.django_db
S = PracticeRevision.State


@pytest.fixture(autouse=True)
def _no_throttle_leftovers():
    cache.clear()


def _state(practice) -> str:
    return PracticeRevision.objects.get(pk=practice.working_revision_id).state


def _incomplete(practice) -> Practice:
    """The working revision in review, but with a required item emptied (as an API client could leave it)."""
    PracticeRevision.objects.filter(pk=practice.working_revision_id).update(budget_source="", challenges="")
    return Practice.objects.get(pk=practice.pk)


def _flagged(practice) -> Screening:
    """A pre-screen of the working revision that found a likely duplicate (similarity 1.0)."""
    twin = practice_published(title="Mal Pelayanan Publik Terpadu")
    return Screening.objects.create(
        revision_id=practice.working_revision_id,
        completeness=1.0,
        duplicates=[{"practice_id": twin.pk, "title": twin.title, "score": 1.0}],
    )


def test_approval_with_a_missing_item_is_refused_and_names_the_items():
    practice = _incomplete(practice_in_state(S.IN_REVIEW))
    with pytest.raises(ValidationError) as refused:
        decisions.revision_approve(practice=practice, by=moderator())
    message = " ".join(refused.value.message_dict["non_field_errors"])
    assert "sumber anggaran" in message and "tantangan" in message
    assert _state(practice) == S.IN_REVIEW
    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.UNPUBLISHED
    assert not AuditEvent.objects.filter(action="moderation.approved").exists()


def test_approval_with_an_unanswered_duplicate_flag_is_refused():
    practice = practice_in_state(S.IN_REVIEW)
    _flagged(practice)
    mod = moderator()
    with pytest.raises(ValidationError) as unanswered:
        decisions.revision_decide(practice=practice, by=mod, decision="approve")
    assert set(unanswered.value.message_dict) == {"not_duplicate", "not_duplicate_reason"}
    assert "Mal Pelayanan Publik Terpadu" in unanswered.value.message_dict["not_duplicate"][0]
    with pytest.raises(ValidationError) as no_reason:
        decisions.revision_decide(practice=practice, by=mod, decision="approve", not_duplicate=True)
    assert set(no_reason.value.message_dict) == {"not_duplicate_reason"}
    with pytest.raises(ValidationError):  # a reason without the explicit answer is not an answer
        decisions.revision_decide(practice=practice, by=mod, decision="approve", not_duplicate_reason="Beda")
    assert _state(practice) == S.IN_REVIEW
    assert Screening.objects.get(revision_id=practice.working_revision_id).duplicates_cleared_at is None
    assert not AuditEvent.objects.filter(action__startswith="moderation.").exists()


def test_both_reasons_are_given_at_once():
    practice = _incomplete(practice_in_state(S.IN_REVIEW))
    _flagged(practice)
    with pytest.raises(ValidationError) as refused:
        decisions.revision_approve(practice=practice, by=moderator())
    assert {"non_field_errors", "not_duplicate"} <= set(refused.value.message_dict)


def test_the_answer_with_a_reason_passes_and_is_recorded():
    practice = practice_in_state(S.IN_REVIEW)
    screening = _flagged(practice)
    mod = moderator()
    decisions.revision_decide(
        practice=practice,
        by=mod,
        decision="approve",
        not_duplicate=True,
        not_duplicate_reason="  Instansi lain, layanan berbeda.  ",
    )
    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.PUBLISHED
    screening.refresh_from_db()
    assert screening.duplicates_cleared_by == mod
    assert screening.duplicates_cleared_at is not None
    assert screening.duplicates_cleared_reason == "Instansi lain, layanan berbeda."
    cleared = AuditEvent.objects.get(action="moderation.duplicates_cleared")
    assert cleared.actor == mod and cleared.target_id == str(practice.pk)
    assert cleared.data["reason"] == "Instansi lain, layanan berbeda."
    assert cleared.data["duplicates"] == [screening.duplicates[0]["practice_id"]]
    approved = AuditEvent.objects.get(action="moderation.approved")
    assert approved.data["duplicates_cleared"] == cleared.data["duplicates"]
    assert approved.data["completeness"] == 1.0


def test_a_refused_approval_keeps_no_answer():
    """The answer is stored inside the approval's transaction: a refusal for another reason leaves nothing."""
    practice = _incomplete(practice_in_state(S.IN_REVIEW))
    screening = _flagged(practice)
    with pytest.raises(ValidationError):
        decisions.revision_approve(practice=practice, by=moderator(), not_duplicate=True, not_duplicate_reason="Beda")
    screening.refresh_from_db()
    assert screening.duplicates_cleared_at is None
    assert not AuditEvent.objects.filter(action="moderation.duplicates_cleared").exists()


def test_only_the_latest_pre_screen_counts():
    practice = practice_in_state(S.IN_REVIEW)
    _flagged(practice)
    Screening.objects.create(revision_id=practice.working_revision_id, completeness=1.0, duplicates=[])
    decisions.revision_approve(practice=practice, by=moderator())
    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.PUBLISHED


def test_the_database_refuses_a_cleared_flag_without_a_reason():
    practice = practice_in_state(S.IN_REVIEW)
    screening = _flagged(practice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.filter(pk=screening.pk).update(duplicates_cleared_at=timezone.now())


# --- the API's decision action: 400 with the fields, never 500 ------------------------------------------------


def _decide(client, practice, **body):
    return client.post(f"/api/v1/practices/{practice.pk}/decision/", {"action": "approve", **body}, format="json")


def test_api_approval_with_a_missing_item_answers_400():
    practice = _incomplete(practice_in_state(S.IN_REVIEW))
    response = _decide(token_client(moderator()), practice)
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "sumber anggaran" in fields["non_field_errors"][0]
    assert _state(practice) == S.IN_REVIEW


def test_api_approval_with_a_duplicate_flag_answers_400_then_passes_with_the_answer():
    practice = practice_in_state(S.IN_REVIEW)
    _flagged(practice)
    client = token_client(moderator())
    response = _decide(client, practice)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"not_duplicate", "not_duplicate_reason"}
    assert _decide(client, practice, not_duplicate=True).status_code == 400
    passed = _decide(client, practice, not_duplicate=True, not_duplicate_reason="Layanan berbeda.")
    assert passed.status_code == 200
    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.PUBLISHED
    assert AuditEvent.objects.filter(action="moderation.duplicates_cleared", data__reason="Layanan berbeda.").exists()


# --- the review page: the guard shown before the click, the answer in the history ----------------------------


def _post_decision(client, practice, **data):
    return client.post(
        reverse("review:decide", args=[practice.pk]),
        {"decision-decision": "approve", "decision-evidence_level": "self_reported", **data},
    )


def test_the_page_disables_approval_while_items_are_missing(client):
    practice = _incomplete(practice_in_state(S.IN_REVIEW))
    client.force_login(moderator(lead=True))
    page = client.get(reverse("review:detail", args=[practice.pk]))
    html = page.content.decode()
    assert 'id="guard-missing"' in html and "Sumber anggaran" in html
    approve = next(line for line in html.splitlines() if 'name="decision-decision" value="approve"' in line)
    assert "disabled" in approve
    response = _post_decision(client, practice)  # a hand-made POST is refused by the service all the same
    assert response.status_code == 400
    assert "Praktik belum dapat disetujui" in response.content.decode()
    assert _state(practice) == S.IN_REVIEW


def test_the_page_asks_for_the_duplicate_answer_and_shows_it_in_the_history(client):
    practice = practice_in_state(S.IN_REVIEW)
    screening = _flagged(practice)
    client.force_login(moderator(lead=True))
    detail = reverse("review:detail", args=[practice.pk])
    html = client.get(detail).content.decode()
    assert 'id="guard-duplicates"' in html
    assert 'name="decision-not_duplicate"' in html and 'name="decision-not_duplicate_reason"' in html
    assert (
        reverse("practices:detail", args=[Practice.objects.get(pk=screening.duplicates[0]["practice_id"]).slug]) in html
    )

    refused = _post_decision(client, practice)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert 'id="id_decision-not_duplicate_error"' in body and 'id="id_decision-not_duplicate_reason_error"' in body

    done = _post_decision(
        client, practice, **{"decision-not_duplicate": "on", "decision-not_duplicate_reason": "Beda layanan."}
    )
    assert done.status_code == 302
    page = client.get(detail)
    history = page.content.decode().split('id="history-h"', 1)[1]
    assert "menyatakan praktik ini bukan duplikat" in history and "Beda layanan." in history
    last = page.context["history"][-2:]  # in time order: the approval's step, then the answer it carried
    assert [(e.kind, e.to_label) for e in last] == [("transition", "Terbit"), ("duplicates_cleared", "")]


def test_no_duplicate_fields_when_nothing_was_flagged(client):
    practice = practice_in_state(S.IN_REVIEW)
    Screening.objects.create(revision_id=practice.working_revision_id, completeness=1.0, duplicates=[])
    client.force_login(moderator())
    html = client.get(reverse("review:detail", args=[practice.pk])).content.decode()
    assert "decision-not_duplicate" not in html and 'id="guard-missing"' not in html
    assert _post_decision(client, practice).status_code == 302
