"""Evidence that survives revisions: files belong to the practice and are shown by the revisions linked to them.

A new revision starts with the live revision's files (links, not copies); removing a file from a draft unlinks
it, and its bytes go only when no revision shows it any more; the public reads the live revision's files and
may still download those an earlier published revision showed.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from common.cache import public_cache_invalidate
from practices.models import Attachment, Practice, RevisionAttachment
from practices.services.attachments import AttachmentRefused, attachment_add, attachment_delete
from tests.agencies.factories import member
from tests.practices.factories import (
    PDF_BYTES,
    pdf_upload,
    practice_published,
    revision_next,
    revision_publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    public_cache_invalidate()


def _download(client, attachment) -> int:
    return client.get(reverse("manage:attachment_download", kwargs={"attachment_pk": attachment.pk})).status_code


@pytest.fixture
def world():
    """r1 published with two files; r2 (published) keeps one, drops the other, adds a third."""
    author = member()
    practice = practice_published(title="Mal pelayanan publik", slug="mal-pelayanan", publish=False)
    kept = attachment_add(practice_id=practice.pk, uploaded=pdf_upload("sop_layanan.pdf", "1"), by=author)
    dropped = attachment_add(practice_id=practice.pk, uploaded=pdf_upload("anggaran_lama.pdf", "2"), by=author)
    practice = revision_publish(practice, practice.working_revision)
    r1 = practice.live_revision
    r2 = revision_next(practice, by=author, title="Mal pelayanan publik terpadu")
    attachment_delete(attachment_id=dropped.pk, practice_id=practice.pk)
    added = attachment_add(practice_id=practice.pk, uploaded=pdf_upload("foto_loket.pdf", "3"), by=author)
    practice = revision_publish(practice, r2)
    return {
        "practice": practice,
        "author": author,
        "r1": r1,
        "r2": r2,
        "kept": kept,
        "dropped": dropped,
        "added": added,
    }


def test_a_new_revision_starts_with_the_live_files_without_copying_them(django_capture_on_commit_callbacks):
    author = member()
    practice = practice_published(publish=False)
    first = attachment_add(practice_id=practice.pk, uploaded=pdf_upload("sop.pdf"), by=author)
    practice = revision_publish(practice, practice.working_revision)

    draft = revision_next(practice, by=author)

    assert list(draft.files.all()) == [first]
    assert list(practice.live_revision.files.all()) == [first]
    assert Attachment.objects.count() == 1  # one row, one stored file
    first.refresh_from_db()
    assert first.revision_id == practice.live_revision_id  # still names the revision it was uploaded to


def test_a_carried_file_is_on_the_public_page_and_in_the_api_after_revision_2(client, world):
    page = client.get(reverse("practices:detail", kwargs={"slug": "mal-pelayanan"})).content.decode()
    assert "Mal pelayanan publik terpadu" in page
    assert "sop_layanan.pdf" in page and "foto_loket.pdf" in page
    assert "anggaran_lama.pdf" not in page  # removed in r2: not on the live page

    body = client.get(f"/api/v1/practices/{world['practice'].pk}/").json()
    assert body["revision_number"] == world["r2"].number
    assert [a["original_name"] for a in body["attachments"]] == ["sop_layanan.pdf", "foto_loket.pdf"]


def test_a_file_removed_in_revision_2_stays_downloadable_from_revision_1(client, world):
    # The public may download what any published revision showed, the superseded r1 included.
    for attachment in (world["kept"], world["dropped"], world["added"]):
        assert _download(client, attachment) == 200
    response = client.get(reverse("manage:attachment_download", kwargs={"attachment_pk": world["dropped"].pk}))
    assert b"".join(response.streaming_content) == PDF_BYTES + b"2"


def test_a_file_only_in_a_draft_is_not_public(client, world):
    practice, author = world["practice"], world["author"]
    revision_next(practice, by=author)
    draft_only = attachment_add(practice_id=practice.pk, uploaded=pdf_upload("rancangan.pdf", "4"), by=author)
    assert _download(client, draft_only) == 404  # anonymous
    client.force_login(member("32.04"))
    assert _download(client, draft_only) == 404  # another agency
    client.force_login(author)
    assert _download(client, draft_only) == 200  # the owning agency


def test_removing_a_carried_file_in_a_draft_keeps_the_row_and_the_bytes(world, django_capture_on_commit_callbacks):
    practice, author, kept = world["practice"], world["author"], world["kept"]
    draft = revision_next(practice, by=author)
    storage, name = kept.file.storage, kept.file.name

    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(attachment_id=kept.pk, practice_id=practice.pk)

    assert not draft.files.filter(pk=kept.pk).exists()
    assert Attachment.objects.filter(pk=kept.pk).exists() and storage.exists(name)
    assert set(world["r2"].files.all()) == {kept, world["added"]}  # the live revision still shows it
    # Removing it again from the same draft is refused: the draft no longer has it.
    with pytest.raises(ValidationError):
        attachment_delete(attachment_id=kept.pk, practice_id=practice.pk)


def test_removing_a_file_no_other_revision_has_deletes_the_bytes(world, django_capture_on_commit_callbacks):
    practice, author = world["practice"], world["author"]
    revision_next(practice, by=author)
    fresh = attachment_add(practice_id=practice.pk, uploaded=pdf_upload("salah_unggah.pdf", "5"), by=author)
    storage, name = fresh.file.storage, fresh.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(attachment_id=fresh.pk, practice_id=practice.pk)

    assert not Attachment.objects.filter(pk=fresh.pk).exists()
    assert not RevisionAttachment.objects.filter(attachment_id=fresh.pk).exists()
    assert not storage.exists(name)


def test_a_published_revision_loses_no_file(world):
    """Without an editable working revision nothing is unlinked from the live one."""
    with pytest.raises(ValidationError):
        attachment_delete(attachment_id=world["kept"].pk, practice_id=world["practice"].pk)
    assert world["r2"].files.filter(pk=world["kept"].pk).exists()


def test_the_practice_total_counts_each_carried_file_once(settings):
    author = member()
    practice = practice_published(publish=False)
    size = len(PDF_BYTES) + 1
    first = attachment_add(practice_id=practice.pk, uploaded=pdf_upload("a.pdf", "a"), by=author)
    practice = revision_publish(practice, practice.working_revision)
    revision_next(practice, by=author)  # r1 and r2 now both show `first`
    settings.ATTACHMENT_PRACTICE_MAX_BYTES = 2 * size  # room for two distinct files, not for three
    second = attachment_add(practice_id=practice.pk, uploaded=pdf_upload("b.pdf", "b"), by=author)
    assert set(Practice.objects.get(pk=practice.pk).working_revision.files.all()) == {first, second}
    with pytest.raises(AttachmentRefused) as refused:
        attachment_add(practice_id=practice.pk, uploaded=pdf_upload("c.pdf", "c"), by=author)
    assert refused.value.code == "practice_total"


def test_the_attachments_page_offers_removing_carried_files_of_the_draft(client, world):
    practice, author = world["practice"], world["author"]
    revision_next(practice, by=author)
    client.force_login(author)
    page = client.get(reverse("manage:attachments", kwargs={"pk": practice.pk})).content.decode()
    delete_kept = reverse("manage:attachment_delete", kwargs={"pk": practice.pk, "attachment_pk": world["kept"].pk})
    delete_dropped = reverse(
        "manage:attachment_delete", kwargs={"pk": practice.pk, "attachment_pk": world["dropped"].pk}
    )
    assert delete_kept in page  # carried into this draft: it may be removed from it
    assert delete_dropped not in page and "tidak dimuat revisi ini" in page  # only in r1

    response = client.post(delete_kept)
    assert response.status_code == 302
    assert not Practice.objects.get(pk=practice.pk).working_revision.files.filter(pk=world["kept"].pk).exists()
    assert Attachment.objects.filter(pk=world["kept"].pk).exists()


def test_a_rejected_revisions_file_stays_private_after_the_next_revision_is_published(client):
    """The issue's defect: upload to revision 1, have it rejected, publish revision 2 without that file. The
    old rule ("revision number at most the live one") made the file public; files are public only through a
    published revision that showed them."""
    from practices.models import PracticeRevision
    from practices.services.decisions import revision_reject
    from practices.workflow import revision_transition
    from tests.accounts.factories import moderator

    author = member()
    practice = practice_published(title="Ditolak dulu", slug="ditolak-dulu", publish=False)
    secret = attachment_add(practice_id=practice.pk, uploaded=pdf_upload("data_pribadi.pdf", "9"), by=author)
    revision_transition(practice_id=practice.pk, to_state=PracticeRevision.State.AGENCY_REVIEW, by=author)
    admin = member(role="admin", email="admin.tolak@surabaya.go.id")
    revision_transition(practice_id=practice.pk, to_state=PracticeRevision.State.SUBMITTED, by=admin)
    revision_reject(practice=Practice.objects.get(pk=practice.pk), by=moderator(), reason="Data pribadi terlampir.")
    assert _download(client, secret) == 404

    r2 = revision_next(Practice.objects.get(pk=practice.pk), by=author)
    attachment_delete(attachment_id=secret.pk, practice_id=practice.pk)  # the author takes it out
    assert r2.number == 2
    revision_publish(practice, r2)
    public_cache_invalidate()
    assert _download(client, secret) == 404  # 200 under the old rule
    assert client.get(reverse("practices:detail", kwargs={"slug": "ditolak-dulu"})).status_code == 200
