"""The public version history of a practice (`/praktik/<slug>/riwayat/`): published revisions, newest first,
each with what changed since the one before, its files, and the ministry's approval."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from common.cache import public_cache_invalidate
from practices.models import PracticeRevision
from practices.selectors.history import practice_history
from practices.services.attachments import attachment_add, attachment_delete
from tests.accounts.factories import UserFactory
from tests.agencies.factories import member
from tests.practices.factories import pdf_upload, practice_published, revision_next, revision_publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _indonesian_and_fresh_cache():
    public_cache_invalidate()
    with translation.override("id"):
        yield


def _url(slug: str) -> str:
    return reverse("practices:history", kwargs={"slug": slug})


@pytest.fixture
def world():
    author = member()
    practice = practice_published(
        title="Posyandu digital", slug="posyandu-digital", publish=False, contact_email="lama@example.go.id"
    )
    kept = attachment_add(practice_id=practice.pk, uploaded=pdf_upload("sop_posyandu.pdf", "1"), by=author)
    dropped = attachment_add(practice_id=practice.pk, uploaded=pdf_upload("jadwal_2023.pdf", "2"), by=author)
    practice = revision_publish(practice, practice.working_revision)
    r2 = revision_next(
        practice,
        by=author,
        title="Posyandu digital terpadu",
        problem="Data balita tercatat di buku.",
        contact_email="baru@example.go.id",
    )
    r2.coauthors.add(UserFactory(full_name="Penulis Pendamping"))
    attachment_delete(attachment_id=dropped.pk, practice_id=practice.pk)
    practice = revision_publish(practice, r2)
    return {"practice": practice, "author": author, "kept": kept, "dropped": dropped, "r2": r2}


def test_the_history_lists_both_revisions_with_their_diff(client, world):
    response = client.get(_url("posyandu-digital"))
    assert response.status_code == 200
    html = response.content.decode()
    # Newest first: version 2 (live) then version 1.
    assert html.index("Versi 2") < html.index("Versi 1")
    assert "Versi yang tampil sekarang" in html and html.count("Disetujui Kementerian PANRB") == 2
    second = html[html.index("Versi 2") : html.index("Versi 1")]
    # The changed title, before and after, word by word.
    assert "Judul" in second
    assert re.search(r"Posyandu digital<ins><span class=\"visually-hidden\">ditambah: </span> terpadu</ins>", second)
    assert "Situasi sebelum" in second and "Data balita tercatat di buku." in second
    # The file removed in r2 is a change of the kit section...
    assert "Perangkat replikasi" in second and "jadwal_2023.pdf" in second
    # ...and still a download link in r1's entry.
    first = html[html.index("Versi 1") :]
    dropped_url = reverse("manage:attachment_download", kwargs={"attachment_pk": world["dropped"].pk})
    assert dropped_url in first and dropped_url not in second
    assert client.get(dropped_url).status_code == 200
    assert "Versi pertama yang terbit." in first


def test_what_the_public_page_does_not_show_is_not_in_the_history(client, world):
    html = client.get(_url("posyandu-digital")).content.decode()
    assert "baru@example.go.id" not in html and "lama@example.go.id" not in html
    assert "Penulis Pendamping" not in html and world["author"].email not in html


def test_the_selector_compares_each_revision_with_the_previous_published_one(world):
    entries = practice_history(practice=world["practice"])
    assert [e.version for e in entries] == [2, 1] and [e.is_live for e in entries] == [True, False]
    title = next(c for s in entries[0].sections for c in s.changes if c.label == "Judul")
    assert (title.before, title.after) == ("Posyandu digital", "Posyandu digital terpadu")
    assert [f.original_name for f in entries[0].files] == ["sop_posyandu.pdf"]
    assert [f.original_name for f in entries[1].files] == ["sop_posyandu.pdf", "jadwal_2023.pdf"]
    assert entries[1].sections == []
    assert entries[0].published_at is not None


def test_a_draft_in_progress_is_not_in_the_history(client, world):
    revision_next(world["practice"], by=world["author"], title="Judul rahasia draf")
    entries = practice_history(practice=world["practice"])
    assert [e.version for e in entries] == [2, 1]
    assert "Judul rahasia draf" not in client.get(_url("posyandu-digital")).content.decode()


def test_the_practice_page_links_to_the_history_with_the_count(client, world):
    html = client.get(reverse("practices:detail", kwargs={"slug": "posyandu-digital"})).content.decode()
    assert f'href="{_url("posyandu-digital")}"' in html and "Riwayat versi (2)" in html


def test_an_unpublished_practice_has_no_history(client):
    practice_published(slug="belum-terbit", publish=False)
    assert client.get(_url("belum-terbit")).status_code == 404
    assert client.get(_url("tidak-ada")).status_code == 404


def test_the_history_url_in_english():
    with translation.override("en"):
        assert _url("posyandu-digital") == "/en/practices/posyandu-digital/history/"


def _queries(client, url: str) -> int:
    client.get(url)  # the first request of a process fills Django's per-process caches
    public_cache_invalidate()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_history_costs_the_same_for_2_and_5_revisions(client):
    author = member()
    practice = practice_published(title="Versi ke-1", slug="banyak-versi")
    for n in range(2, 6):
        revision = revision_next(practice, by=author, title=f"Versi ke-{n}")
        attachment_add(practice_id=practice.pk, uploaded=pdf_upload(f"berkas_{n}.pdf", str(n)), by=author)
        practice = revision_publish(practice, revision)
        if n == 2:
            few = _queries(client, _url("banyak-versi"))
    many = _queries(client, _url("banyak-versi"))
    assert PracticeRevision.objects.filter(practice=practice).count() == 5
    assert many == few
    assert many <= 10
