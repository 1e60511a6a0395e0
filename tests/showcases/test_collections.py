"""Collections: the services (the API the competitions app calls), their invariants, the public pages, feeds, the
decree download and the curators' pages."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from common.cache import public_cache_invalidate
from practices.services.decisions import practice_archive
from showcases.models import Collection, CollectionItem
from showcases.services import (
    collection_create,
    collection_feature_set,
    collection_items_set,
    collection_publish,
    collection_update,
)
from tests.accounts.factories import moderator, user
from tests.agencies.factories import agency_admin, member
from tests.practices.factories import PDF_BYTES, practice_draft, practice_published
from tests.showcases.factories import collection

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _fresh_cache():
    public_cache_invalidate()


def _pdf(name: str = "sk.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


# Services ---------------------------------------------------------------------------------------------------


def test_collection_create_keeps_the_items_in_order_with_labels_and_audits():
    lead = moderator(lead=True)
    first, second, third = (practice_published(title=f"Pemenang {i}") for i in (1, 2, 3))
    made = collection_create(
        actor=lead,
        title="KIPP 2027: Top 3",
        introduction="Pemenang **KIPP** <script>alert(1)</script>",
        kind="award",
        items=[(second, "Juara 1"), (first, "Juara 2"), (third, "Juara 3")],
        decree_number="123/KEP/2027",
        decree_date=datetime.date(2027, 11, 1),
        decree_file=_pdf(),
        source_label="KIPP 2027",
    )
    assert made.slug == "kipp-2027-top-3" and made.is_published and made.published_at
    assert "<script>" not in made.introduction
    rows = list(made.items.order_by("position").values_list("practice_id", "label", "position"))
    assert rows == [(second.pk, "Juara 1", 1), (first.pk, "Juara 2", 2), (third.pk, "Juara 3", 3)]
    assert made.decree_file.name.startswith("showcases/decrees/") and made.decree_file.read() == PDF_BYTES
    event = AuditEvent.objects.get(action="collection.created")
    assert (event.actor_id, event.target_id) == (lead.pk, str(made.pk))
    assert event.data["practices"] == [second.pk, first.pk, third.pk]


def test_only_published_practices_are_added_and_each_once():
    mod = moderator()
    published, draft = practice_published(title="Terbit"), practice_draft(title="Masih draf")
    with pytest.raises(ValidationError, match="Hanya praktik yang terbit"):
        collection_create(actor=mod, title="Campur", items=[(published, ""), (draft, "")])
    assert not Collection.objects.exists()  # the whole create rolled back
    with pytest.raises(ValidationError, match="hanya sekali"):
        collection_create(actor=mod, title="Ganda", items=[(published, ""), (published, "")])
    with transaction.atomic(), pytest.raises(IntegrityError):  # and the database says the same
        made = collection_create(actor=mod, title="Satu", items=[(published, "")])
        CollectionItem.objects.create(collection=made, practice=published, position=2)


def test_decree_fields_are_for_awards_only_and_the_file_must_be_a_safe_pdf():
    mod = moderator()
    with pytest.raises(ValidationError, match="hanya untuk koleksi penghargaan"):
        collection_create(actor=mod, title="Kurasi", decree_number="1/2027")
    renamed_exe = SimpleUploadedFile("sk.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    with pytest.raises(ValidationError, match="program atau skrip"):
        collection_create(actor=mod, title="Pemenang", kind="award", decree_file=renamed_exe)
    scripted = SimpleUploadedFile("sk.pdf", b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(x)>>>>endobj\n%%EOF")
    with pytest.raises(ValidationError, match="PDF berisi skrip"):
        collection_create(actor=mod, title="Pemenang", kind="award", decree_file=scripted)
    assert not Collection.objects.exists()


def test_only_moderators_curate():
    practice = practice_published()
    for person in (member(), agency_admin(), user()):
        with pytest.raises(PermissionDenied):
            collection_create(actor=person, title="Tidak boleh", items=[(practice, "")])
    made = collection(actor=moderator())
    with pytest.raises(PermissionDenied):
        collection_publish(actor=agency_admin(), collection=made, published=False)


def test_slugs_are_unique_and_never_a_page_of_the_app():
    mod = moderator()
    assert collection_create(actor=mod, title="Kelola").slug == "kelola-2"
    assert collection_create(actor=mod, title="Praktik terbaik").slug == "praktik-terbaik"
    assert collection_create(actor=mod, title="Praktik terbaik").slug == "praktik-terbaik-2"


def test_items_set_reorders_keeps_rows_and_removes():
    mod = moderator()
    a, b, c = (practice_published(title=t) for t in ("A", "B", "C"))
    made = collection(actor=mod, practices=[a, b], labels=["1", "2"])
    kept_id = made.items.get(practice=a).pk
    collection_items_set(actor=mod, collection=made, items=[(c, "baru"), (a, "dua"), (b, "tiga", "Catatan")])
    rows = list(made.items.order_by("position").values_list("practice_id", "label", "note", "position"))
    assert rows == [(c.pk, "baru", "", 1), (a.pk, "dua", "", 2), (b.pk, "tiga", "Catatan", 3)]
    assert made.items.get(practice=a).pk == kept_id  # swapped positions: the row stays (deferred constraint)
    collection_items_set(actor=mod, collection=made, items=[(b, "")])
    assert list(made.items.values_list("practice_id", flat=True)) == [b.pk]
    assert AuditEvent.objects.filter(action="collection.items_set", target_id=str(made.pk)).count() == 2


def test_publish_feature_and_their_invariants():
    mod = moderator()
    made = collection(actor=mod, is_published=False)
    with pytest.raises(ValidationError, match="Terbitkan koleksi ini dulu"):
        collection_feature_set(actor=mod, collection=made, featured=True)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Collection.objects.filter(pk=made.pk).update(featured_on_home=True)
    collection_publish(actor=mod, collection=made)
    collection_feature_set(actor=mod, collection=made, featured=True, position=2)
    made.refresh_from_db()
    assert made.featured_on_home and made.home_position == 2
    collection_publish(actor=mod, collection=made, published=False)  # withdrawing leaves the home page too
    made.refresh_from_db()
    assert not made.is_published and not made.featured_on_home
    events = AuditEvent.objects.filter(target_type="showcases.collection", target_id=str(made.pk)).order_by("id")
    actions = list(events.values_list("action", flat=True))
    assert actions == [
        "collection.created",
        "collection.published",
        "collection.featured",
        "collection.unpublished",
    ]


def test_update_replaces_and_clears_the_decree():
    mod = moderator()
    made = collection(actor=mod, kind="award", decree_number="1/2027", decree_file=_pdf())
    collection_update(actor=mod, collection=made, title="Baru", introduction="", kind="award", decree_number="2/2027")
    made.refresh_from_db()
    assert (made.title, made.decree_number, bool(made.decree_file), made.slug) == (
        "Baru",
        "2/2027",
        True,
        "koleksi-uji",
    )
    with pytest.raises(ValidationError):  # a curated collection cannot keep a decree
        collection_update(actor=mod, collection=made, title="Baru", introduction="", kind="curated")
    collection_update(actor=mod, collection=made, title="Baru", introduction="", kind="curated", decree_file_clear=True)
    made.refresh_from_db()
    assert made.kind == "curated" and not made.decree_file


# Public pages -----------------------------------------------------------------------------------------------


def test_the_list_and_page_show_published_collections_only(client):
    shown = collection(title="Praktik replikasi terbanyak")
    hidden = collection(title="Belum siap", is_published=False)
    page = client.get(reverse("showcases:list")).content.decode()
    assert "Praktik replikasi terbanyak" in page and "Belum siap" not in page
    assert client.get(reverse("showcases:detail", args=[hidden.slug])).status_code == 404
    client.force_login(moderator())  # curators preview it
    assert client.get(reverse("showcases:detail", args=[hidden.slug])).status_code == 200
    client.logout()
    detail = client.get(reverse("showcases:detail", args=[shown.slug])).content.decode()
    assert detail.index("Praktik replikasi terbanyak praktik 1") < detail.index("Praktik replikasi terbanyak praktik 2")


def test_an_award_page_shows_labels_the_decree_and_its_pdf(client):
    winner = practice_published(title="Mal pelayanan publik")
    made = collection(
        title="RBXperience 2023",
        kind="award",
        practices=[winner],
        labels=["Juara 1"],
        decree_number="45/KEP/2023",
        decree_date=datetime.date(2023, 10, 5),
        decree_file=_pdf(),
    )
    page = client.get(reverse("showcases:detail", args=[made.slug])).content.decode()
    assert "Juara 1" in page and "45/KEP/2023" in page and "5 Oktober 2023" in page
    pdf = client.get(reverse("showcases:decree", args=[made.slug]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content) == PDF_BYTES
    assert pdf["Content-Disposition"].startswith("attachment") and pdf["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in pdf["Content-Security-Policy"]


def test_an_archived_practice_leaves_the_collection_page(client):
    kept, gone = practice_published(title="Tetap"), practice_published(title="Diarsipkan")
    made = collection(practices=[kept, gone])
    practice_archive(practice=gone, by=moderator(), reason="Tidak berjalan lagi.")
    page = client.get(reverse("showcases:detail", args=[made.slug])).content.decode()
    assert "Tetap" in page and "Diarsipkan" not in page


def test_a_change_shows_at_once_on_the_cached_page(client):
    mod = moderator()
    made = collection(title="Kurasi", practices=[practice_published(title="Pertama")], actor=mod)
    url = reverse("showcases:detail", args=[made.slug])
    assert "Pertama" in client.get(url).content.decode()
    assert client.get(url)["X-Cache"] == "hit"
    collection_items_set(actor=mod, collection=made, items=[(practice_published(title="Kedua"), "")])
    page = client.get(url).content.decode()
    assert "Kedua" in page and "Pertama" not in page


def test_both_feeds_are_atom_in_order(client):
    a, b = practice_published(title="Alfa"), practice_published(title="Beta")
    made = collection(title="Kurasi feed", practices=[b, a], labels=["Juara 1", ""])
    feed = ET.fromstring(client.get(reverse("showcases:feed")).content)  # noqa: S314 - our own server's output
    assert [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")] == ["Kurasi feed"]
    one = ET.fromstring(client.get(reverse("showcases:collection_feed", args=[made.slug])).content)  # noqa: S314
    assert [e.findtext(f"{ATOM}title") for e in one.iter(f"{ATOM}entry")] == ["Juara 1: Beta", "Alfa"]
    hidden = collection(title="Tersembunyi", is_published=False)
    assert client.get(reverse("showcases:collection_feed", args=[hidden.slug])).status_code == 404


def test_english_pages(client):
    made = collection(title="Koleksi dwibahasa")
    with translation.override("en"):
        list_url, detail_url = reverse("showcases:list"), reverse("showcases:detail", args=[made.slug])
    assert list_url == "/en/collections/"
    page = client.get(detail_url)
    assert page.status_code == 200 and 'lang="en"' in page.content.decode()
    assert "Collections" in client.get(list_url).content.decode()


def test_list_and_page_have_fixed_query_budgets(client, django_assert_max_num_queries):
    def counted(url):
        public_cache_invalidate()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = collection(title="Kecil", practices=[practice_published(title="Satu")])
    big = collection(title="Besar", practices=[practice_published(title=f"P{i}") for i in range(8)])
    assert counted(reverse("showcases:detail", args=[small.slug])) == counted(
        reverse("showcases:detail", args=[big.slug])
    )
    public_cache_invalidate()
    with django_assert_max_num_queries(4):
        client.get(reverse("showcases:detail", args=[big.slug]))
    public_cache_invalidate()
    with django_assert_max_num_queries(3):
        client.get(reverse("showcases:list"))


# The curators' pages ----------------------------------------------------------------------------------------


def test_a_moderator_creates_orders_publishes_and_features_a_collection_without_javascript(client):
    mod = moderator()
    client.force_login(mod)
    a, b = practice_published(title="Layanan Alfa"), practice_published(title="Layanan Beta")
    response = client.post(
        reverse("showcases:manage_create"),
        {"title": "Praktik replikasi terbanyak", "kind": "curated", "introduction": "Pilihan."},
    )
    made = Collection.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("showcases:manage_items", args=[made.pk])
    assert not made.is_published
    # Search, then add by the result's button (slug), and by a typed slug with a label.
    found = client.get(reverse("showcases:manage_items", args=[made.pk]), {"q": "Alfa"}).content.decode()
    assert "Layanan Alfa" in found and f'value="{a.slug}"' in found
    client.post(reverse("showcases:manage_item_add", args=[made.pk]), {"practice": a.slug})
    client.post(reverse("showcases:manage_item_add", args=[made.pk]), {"practice": b.slug, "label": "Top 1"})
    bad = client.post(reverse("showcases:manage_item_add", args=[made.pk]), {"practice": "tidak-ada"})
    assert bad.status_code == 400 and "Tidak ada praktik terbit dengan slug ini" in bad.content.decode()
    items = list(made.items.order_by("position"))
    assert [i.practice_id for i in items] == [a.pk, b.pk]
    # Reorder by typing positions: B first, A second with a label.
    data = {
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "2",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    data.update({"items-0-item": items[0].pk, "items-0-position": "5", "items-0-label": "Top 2", "items-0-note": ""})
    data.update({"items-1-item": items[1].pk, "items-1-position": "1", "items-1-label": "Top 1", "items-1-note": ""})
    assert client.post(reverse("showcases:manage_items", args=[made.pk]), data).status_code == 302
    assert list(made.items.order_by("position").values_list("practice_id", "label")) == [
        (b.pk, "Top 1"),
        (a.pk, "Top 2"),
    ]
    # Bad input keeps what was typed.
    data["items-0-position"] = "bukan angka"
    data["items-1-label"] = "Label yang diketik"
    kept = client.post(reverse("showcases:manage_items", args=[made.pk]), data)
    assert kept.status_code == 400 and "Label yang diketik" in kept.content.decode()
    client.post(reverse("showcases:manage_publish", args=[made.pk]), {"published": "1"})
    client.post(reverse("showcases:manage_feature", args=[made.pk]), {"featured": "on", "home_position": "1"})
    made.refresh_from_db()
    assert made.is_published and made.featured_on_home
    client.logout()
    home = client.get("/").content.decode()
    assert "Koleksi pilihan" in home and "Praktik replikasi terbanyak" in home


def test_the_edit_form_refuses_a_decree_on_a_curated_collection_and_keeps_the_text(client):
    mod = moderator()
    made = collection(actor=mod)
    client.force_login(mod)
    response = client.post(
        reverse("showcases:manage_edit", args=[made.pk]),
        {"title": "Judul yang diketik", "kind": "curated", "decree_number": "9/2027", "decree_file": _pdf()},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Surat keputusan hanya untuk koleksi penghargaan" in page
    assert "Judul yang diketik" in page
    exe = SimpleUploadedFile("sk.pdf", b"MZ" + b"\x00" * 100)
    response = client.post(
        reverse("showcases:manage_edit", args=[made.pk]), {"title": "Judul", "kind": "award", "decree_file": exe}
    )
    assert response.status_code == 400 and "ditolak" in response.content.decode()


def test_the_management_pages_are_404_for_everyone_but_moderators(client):
    made = collection()
    urls = [
        reverse("showcases:manage_list"),
        reverse("showcases:manage_create"),
        reverse("showcases:manage_edit", args=[made.pk]),
        reverse("showcases:manage_items", args=[made.pk]),
    ]
    for person in (member(), agency_admin(), user()):
        client.force_login(person)
        assert {client.get(url).status_code for url in urls} == {404}
    client.force_login(moderator())
    assert {client.get(url).status_code for url in urls} == {200}
