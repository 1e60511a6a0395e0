"""A new practice marked as a replication at submission goes through the ledger: the replication reaches
"launched" with the practice it became, the source's counts and the lineage include it, and the skipped stages
are one recorded skip. Stages advance one at a time unless a skip reason is given (issue #14)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ledger import selectors
from ledger.models import Replication, ReplicationStep
from ledger.services import replication as svc
from practices.models import Practice
from practices.services.submission import practice_submit
from tests.agencies.factories import member
from tests.i18n import en_url
from tests.practices.factories import new_practice, practice_published, revision_complete

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SURABAYA, BANDUNG, KAB_BANDUNG_BARAT = "35.78", "32.04", "32.17"


@pytest.fixture
def source():
    return practice_published(title="Layanan adminduk keliling", agency=SURABAYA, theme="pelayanan-publik")


def _draft(agency: str = BANDUNG, title: str = "Layanan adminduk keliling Kabupaten Bandung"):
    author = member(agency)
    practice = new_practice(author)
    revision_complete(practice, title=title)
    return author, Practice.objects.get(pk=practice.pk)


def test_marked_at_submission_appears_in_the_ledger_the_counts_and_the_lineage(source, client):
    author, practice = _draft()
    client.force_login(author)
    page = client.get(reverse("manage:submit", kwargs={"pk": practice.pk})).content.decode()
    assert "Tandai sebagai replikasi" in page and source.title in page  # the ledger's panel, its candidates

    mark = reverse("ledger:replication_mark", kwargs={"pk": practice.pk})
    assert client.post(mark, {"source": source.pk}).status_code == 302
    # (a browser's POST carries its CSRF token: never empty)
    assert client.post(reverse("manage:submit", kwargs={"pk": practice.pk}), {"submit": "1"}).status_code == 302

    replication = Replication.objects.get()
    assert (replication.source, replication.agency.code, replication.stage) == (source, BANDUNG, "launched")
    assert replication.became == practice
    step = ReplicationStep.objects.get(replication=replication)
    assert step.stage == "launched" and step.marked_from_practice
    assert step.skipped_stages == ["interest", "study", "legal_basis"] and "pengajuan" in step.skip_reason
    practice.refresh_from_db()
    source.refresh_from_db()
    assert practice.source == source
    assert (source.replication_count, source.provinces_reached) == (1, 1)
    _ancestors, tree = selectors.practice_lineage(practice=source)
    assert [(r.pk, child.practice.pk) for r, child in tree.replications] == [(replication.pk, practice.pk)]
    assert selectors.practice_lineage(practice=practice)[0] == [source]

    ledger_page = client.get(reverse("ledger:replication_list", kwargs={"slug": source.slug})).content.decode()
    assert "Tahap dilewati" in ledger_page and "ditandai saat pengajuan praktik" in ledger_page.lower()
    assert "Direplikasi oleh 1 instansi di 1 provinsi" in ledger_page
    # The submit page now shows the mark instead of the form.
    page = client.get(reverse("manage:submit", kwargs={"pk": practice.pk})).content.decode()
    assert "tercatat sebagai replikasi dari" in page


def test_marking_is_idempotent_and_advances_an_existing_replication_with_an_honest_skip(source):
    author, practice = _draft()
    replication = svc.replication_start(source=source, by=author, date=TODAY)
    svc.replication_advance(replication_id=replication.pk, to_stage="study", by=author, date=TODAY)

    svc.replication_mark_from_practice(practice_id=practice.pk, source_id=source.pk, by=author)
    svc.replication_mark_from_practice(practice_id=practice.pk, source_id=source.pk, by=author)  # nothing more

    replication.refresh_from_db()
    assert (replication.stage, replication.became) == ("launched", practice)
    steps = list(replication.steps.order_by("created_at", "id").values_list("stage", "skipped_stages"))
    assert steps == [("interest", []), ("study", []), ("launched", ["legal_basis"])]
    assert Practice.objects.get(pk=source.pk).replication_count == 1


def test_marking_is_refused_for_other_agencies_unpublished_sources_and_own_practices(source, client):
    author, practice = _draft()
    outsider = member(KAB_BANDUNG_BARAT)
    with pytest.raises(PermissionDenied):
        svc.replication_mark_from_practice(practice_id=practice.pk, source_id=source.pk, by=outsider)
    own = practice_published(title="Praktik Bandung", agency=BANDUNG)
    unpublished = practice_published(title="Draf Surabaya", agency=SURABAYA, publish=False)
    for bad in (own.pk, unpublished.pk, practice.pk):
        with pytest.raises(ValidationError):
            svc.replication_mark_from_practice(practice_id=practice.pk, source_id=bad, by=author)
    assert not Replication.objects.exists() and Practice.objects.get(pk=practice.pk).source_id is None

    client.force_login(outsider)  # another agency's practice: not found, nothing recorded
    mark = reverse("ledger:replication_mark", kwargs={"pk": practice.pk})
    assert client.post(mark, {"source": source.pk}).status_code == 404
    client.force_login(author)
    response = client.post(mark, {"source": unpublished.pk})  # not among the choices: the form says so
    assert response.status_code == 400 and not Replication.objects.exists()


def test_a_different_source_needs_the_mark_undone_first_and_undo_restores_the_ledger(source):
    author, practice = _draft()
    other = practice_published(title="Layanan keliling lain", agency="35")
    svc.replication_mark_from_practice(practice_id=practice.pk, source_id=source.pk, by=author)
    with pytest.raises(ValidationError):
        svc.replication_mark_from_practice(practice_id=practice.pk, source_id=other.pk, by=author)

    svc.replication_mark_undo(practice_id=practice.pk, by=author)
    assert not Replication.objects.exists()
    assert Practice.objects.get(pk=source.pk).replication_count == 0
    assert Practice.objects.get(pk=practice.pk).source_id is None

    # An earlier replication keeps its own steps when the mark on top of it is undone.
    started = svc.replication_start(source=other, by=author, date=TODAY)
    svc.replication_mark_from_practice(practice_id=practice.pk, source_id=other.pk, by=author)
    svc.replication_mark_undo(practice_id=practice.pk, by=author)
    started.refresh_from_db()
    assert (started.stage, started.became_id, started.steps.count()) == ("interest", None, 1)


def test_undo_is_refused_once_the_practice_left_the_draft(source):
    author, practice = _draft()
    svc.replication_mark_from_practice(practice_id=practice.pk, source_id=source.pk, by=author)
    practice_submit(practice_id=practice.pk, by=author)
    with pytest.raises(ValidationError):
        svc.replication_mark_undo(practice_id=practice.pk, by=author)
    assert Replication.objects.get().became == practice


def test_a_stage_jump_needs_a_reason_and_the_reason_is_recorded_and_shown(source, client):
    bandung = member(BANDUNG)
    replication = svc.replication_start(source=source, by=bandung, date=TODAY)
    with pytest.raises(ValidationError) as refused:
        svc.replication_advance(replication_id=replication.pk, to_stage="results", by=bandung, date=TODAY)
    assert "skip_reason" in refused.value.message_dict
    client.force_login(bandung)
    advance = reverse("ledger:replication_advance", kwargs={"pk": replication.pk})
    response = client.post(advance, {"stage": "launched", "date": TODAY.isoformat()})
    assert response.status_code == 400 and "alasan" in response.content.decode()
    replication.refresh_from_db()
    assert replication.stage == "interest"

    # The next stage needs nothing; a jump with its reason is stored on the step and shown in the timeline.
    assert client.post(advance, {"stage": "study", "date": TODAY.isoformat()}).status_code == 302
    data = {"stage": "launched", "date": TODAY.isoformat(), "skip_reason": "Perda lama sudah mengatur layanan ini"}
    assert client.post(advance, data).status_code == 302
    step = ReplicationStep.objects.get(replication=replication, stage="launched")
    assert (step.skipped_stages, step.skip_reason) == (["legal_basis"], "Perda lama sudah mengatur layanan ini")
    page = client.get(reverse("ledger:replication_list", kwargs={"slug": source.slug})).content.decode()
    assert "Perda lama sudah mengatur layanan ini" in page and "Dasar hukum" in page


def test_the_database_refuses_a_skip_without_a_reason(source):
    replication = svc.replication_start(source=source, by=member(BANDUNG), date=TODAY)
    step = ReplicationStep(replication=replication, stage="launched", date=TODAY, skipped_stages=["study"])
    with pytest.raises(ValidationError) as refused:
        step.full_clean()
    assert "skip_reason" in refused.value.message_dict


def test_a_mark_made_in_english_is_stored_in_indonesian_and_read_in_each_language(source, client):
    """The standard texts of a marked step are the portal's, not the person's: stored in the source language
    whatever the marker's language, shown in the reader's (the English ledger page had Indonesian reasons)."""
    from django.utils import translation

    author, practice = _draft()
    with translation.override("en"):
        svc.replication_mark_from_practice(practice_id=practice.pk, source_id=source.pk, by=author)
    step = ReplicationStep.objects.get()
    assert step.skip_reason.startswith("Ditandai saat pengajuan") and "diajukan sebagai replikasi" in step.note
    indonesian = client.get(reverse("ledger:replication_list", kwargs={"slug": source.slug})).content.decode()
    english = client.get(en_url("ledger:replication_list", slug=source.slug)).content.decode()
    assert "Ditandai saat pengajuan" not in english and "diajukan sebagai replikasi" not in english
    with translation.override("en"):
        assert str(ReplicationStep.MARK_SKIP_REASON) in english
        assert str(ReplicationStep.MARK_NOTE) % {"title": str(practice)} in english
    assert "Ditandai saat pengajuan praktik" in indonesian and f"“{practice}” diajukan" in indonesian
