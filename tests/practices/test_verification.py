"""Verification records behind evidence levels: each level needs its kind of record, through the service, the
approval, the review page and the API; the records stay visible across revisions and on the public badge."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from common.cache import public_cache_invalidate
from practices.models import Attachment, Practice, PracticeRevision, Verification
from practices.services import decisions
from practices.services import verification as svc
from practices.services.attachments import attachment_add
from practices.workflow import revision_transition
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.api.factories import token_client
from tests.practices.factories import (
    pdf_upload,
    practice_draft,
    practice_in_state,
    practice_published,
    revision_next,
    revision_publish,
    verified,
)

pytestmark = pytest.mark.django_db
S = PracticeRevision.State
TODAY = timezone.localdate()
LEVELS = ["agency_verified", "ministry_validated", "field_verified"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    public_cache_invalidate()


@pytest.mark.parametrize("level", LEVELS)
def test_each_level_is_refused_without_its_record_and_accepted_with_it(level):
    practice = practice_published(title="Praktik uji tingkat")
    mod = moderator()
    with pytest.raises(ValidationError) as refused:
        svc.practice_evidence_level_set(practice=practice, level=level, by=mod)
    assert "evidence_level" in refused.value.message_dict
    assert str(Practice.EvidenceLevel(level).label) in refused.value.messages[0]  # names what is missing
    # A record of another level does not stand in for this one.
    other = {"agency_verified": "ministry_validated"}.get(level, "agency_verified")
    verified(practice, other)
    Practice.objects.filter(pk=practice.pk).update(evidence_level="self_reported")
    with pytest.raises(ValidationError):
        svc.practice_evidence_level_set(practice=practice, level=level, by=mod)

    verified(practice, level)
    Practice.objects.filter(pk=practice.pk).update(evidence_level="self_reported")
    svc.practice_evidence_level_set(practice=practice, level=level, by=mod)
    assert Practice.objects.get(pk=practice.pk).evidence_level == level
    assert AuditEvent.objects.filter(action="practice.evidence_level_changed", target_id=str(practice.pk)).exists()


def test_self_reported_needs_nothing_and_only_moderators_set_levels():
    practice = practice_published(title="Praktik uji")
    with pytest.raises(PermissionDenied):
        svc.practice_evidence_level_set(practice=practice, level="self_reported", by=member("35.78", role="admin"))
    svc.practice_evidence_level_set(practice=practice, level="self_reported", by=moderator())


@pytest.mark.parametrize("level", LEVELS)
def test_approval_with_a_level_needs_its_record(level):
    practice = practice_in_state(S.IN_REVIEW)
    mod = moderator()
    with pytest.raises(ValidationError):
        decisions.revision_approve(practice=practice, by=mod, evidence_level=level)
    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.UNPUBLISHED  # rolled back
    verified(practice, level)
    decisions.revision_approve(practice=practice, by=mod, evidence_level=level)
    assert Practice.objects.get(pk=practice.pk).evidence_level == level


def test_the_api_decision_path_answers_400_naming_the_missing_record():
    practice = practice_in_state(S.IN_REVIEW)
    api = token_client(moderator())
    url = f"/api/v1/practices/{practice.pk}/decision/"
    response = api.post(url, {"action": "approve", "evidence_level": "field_verified"}, format="json")
    assert response.status_code == 400, response.content
    assert "kunjungan lapangan" in response.json()["error"]["fields"]["evidence_level"][0]
    verified(practice, "field_verified")
    response = api.post(url, {"action": "approve", "evidence_level": "field_verified"}, format="json")
    assert response.status_code == 200, response.content
    body = token_client(member("11")).get(f"/api/v1/practices/{practice.pk}/").json()
    assert body["evidence_level"] == "field_verified"
    assert [(v["level"], v["method"], v["revision_number"]) for v in body["verifications"]] == [
        ("field_verified", "field_visit", 1)
    ]


def test_who_records_decides_the_level_and_the_database_holds_the_rules():
    practice = practice_in_state(S.IN_REVIEW)
    with pytest.raises(PermissionDenied):  # a member who is not the agency admin
        svc.verification_record(practice=practice, by=member("35.78"), method="document_check", verified_on=TODAY)
    with pytest.raises(PermissionDenied):  # another agency's admin
        svc.verification_record(
            practice=practice, by=member("32.04", role="admin"), method="document_check", verified_on=TODAY
        )
    admin = member("35.78", role="admin")
    record = svc.verification_record(practice=practice, by=admin, method="field_visit", verified_on=TODAY)
    assert (record.level, record.verifier_role, record.verifier_agency_id) == (
        "agency_verified",
        "agency",
        practice.agency_id,
    )
    with pytest.raises(ValidationError) as refused:  # a data check names its source
        svc.verification_record(practice=practice, by=moderator(), method="data_check", verified_on=TODAY)
    assert "source_name" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        svc.verification_record(
            practice=practice, by=admin, method="document_check", verified_on=TODAY + datetime.timedelta(days=1)
        )
    assert "verified_on" in refused.value.message_dict
    # "Field verified" without a field visit, or by the agency, is not a row the database keeps.
    bad = Verification(practice=practice, level="field_verified", method="document_check", verified_on=TODAY,
                       verifier_role="ministry")  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        bad.full_clean()
    assert "method" in refused.value.message_dict
    bad = Verification(practice=practice, level="field_verified", method="field_visit", verified_on=TODAY,
                       verifier_role="agency")  # fmt: skip
    with pytest.raises(ValidationError):
        bad.full_clean()


def test_a_higher_record_raises_the_level_and_a_new_revision_keeps_earlier_records_visible(client):
    practice = practice_published(title="Praktik dengan verifikasi", summary="Ringkasan.")
    mod = moderator()
    svc.verification_record(
        practice=practice, by=mod, method="data_check", source_name="BPS", verified_on=TODAY,
        notes="Angka kemiskinan dicocokkan dengan BPS.",
    )  # fmt: skip
    practice.refresh_from_db()
    assert practice.evidence_level == "ministry_validated"  # raised by the record
    svc.verification_record(practice=practice, by=mod, method="document_check", verified_on=TODAY)
    assert Practice.objects.get(pk=practice.pk).evidence_level == "ministry_validated"  # never lowered

    author = member("35.78")
    revision = revision_next(practice, by=author, title="Praktik dengan verifikasi (revisi 2)")
    revision_publish(practice, revision)
    page = client.get(reverse("practices:detail", kwargs={"slug": practice.slug})).content.decode()
    assert '<details class="evidence-details">' in page
    assert "Angka kemiskinan dicocokkan dengan BPS." in page and "memeriksa revisi 1" in page
    assert "sumber: BPS" in page


def test_the_review_page_records_a_verification_with_files_and_keeps_errors_on_the_fields(client):
    practice = practice_draft(by=member("35.78"))
    attachment = attachment_add(practice_id=practice.pk, uploaded=pdf_upload(), by=member("35.78"), title="SOP")
    author = member("35.78")
    revision_transition(practice_id=practice.pk, to_state=S.AGENCY_REVIEW, by=author)
    revision_transition(practice_id=practice.pk, to_state=S.SUBMITTED, by=member("35.78", role="admin"))
    mod = moderator()
    client.force_login(mod)
    page = client.get(reverse("review:detail", kwargs={"pk": practice.pk})).content.decode()
    assert 'id="verifikasi"' in page and "Catat verifikasi" in page

    url = reverse("review:verification_add", kwargs={"pk": practice.pk})
    response = client.post(url, {"method": "data_check", "verified_on": TODAY.isoformat(), "notes": "Cek"})
    assert response.status_code == 400
    assert 'id="id_verification_source_name_error"' in response.content.decode()  # on the field, typed kept
    assert "Cek" in response.content.decode() and not Verification.objects.exists()

    data = {"method": "field_visit", "verified_on": TODAY.isoformat(), "notes": "Kunjungan", "files": [attachment.pk]}
    assert client.post(url, data).status_code == 302
    record = Verification.objects.get()
    assert (record.level, list(record.files.all()), record.revision_id) == (
        "field_verified", [attachment], practice.working_revision_id,
    )  # fmt: skip
    level_url = reverse("review:evidence_level_set", kwargs={"pk": practice.pk})
    assert client.post(level_url, {"level": "ministry_validated"}).status_code == 400  # no such record
    assert client.post(level_url, {"level": "field_verified"}).status_code == 302

    client.force_login(member("35.78"))  # a member of the agency: no review page, no recording
    assert client.post(url, data).status_code == 404
    assert Verification.objects.count() == 1 and Attachment.objects.count() == 1
