"""Cover images (issue #17): alt text required, variants made once without metadata, shown only when published."""

import io
import time

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from PIL import Image

from practices.images import COVER_MAX_PIXELS, CoverImageError, cover_variants_render
from practices.models import Attachment, Practice
from practices.services.attachments import AttachmentRefused, attachment_add, attachment_delete
from practices.services.covers import cover_variants_make
from tests.agencies.factories import member
from tests.practices.factories import new_practice, practice_published, revision_next, revision_publish

pytestmark = pytest.mark.django_db

ALT = "Petugas melayani warga di loket pelayanan terpadu."
GPS_TAG = 0x8825


def jpeg_with_gps(size=(1600, 900)) -> bytes:
    """A real JPEG photo-like file carrying EXIF with a camera model and a GPS block."""
    image = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x0110] = "Kamera Uji"  # Model
    exif[GPS_TAG] = {1: "S", 2: (7.0, 15.0, 0.0), 3: "E", 4: (112.0, 45.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def cover_upload(content: bytes | None = None, name: str = "sampul.jpg"):
    return SimpleUploadedFile(name, content or jpeg_with_gps(), content_type="image/jpeg")


@pytest.fixture
def author():
    return member("35.78")


def add_cover(practice, by, alt_text=ALT, content=None) -> Attachment:
    return attachment_add(
        practice_id=practice.pk, uploaded=cover_upload(content), by=by, purpose="cover", alt_text=alt_text
    )


def published_with_cover(author) -> tuple[Practice, Attachment]:
    practice = practice_published(agency="35.78", title="Loket terpadu kota", summary="Satu pintu.")
    revision = revision_next(practice, by=author)
    cover = add_cover(practice, author)
    cover_variants_make(attachment_id=cover.pk)
    practice = revision_publish(practice, revision)
    return practice, Attachment.objects.get(pk=cover.pk)


# Upload validation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("id", "Tulis teks alternatif untuk gambar sampul"),
        ("en", "Write an alternative text for the cover image"),
    ],
)
def test_a_cover_without_alt_text_is_refused_on_its_field_in_both_languages(client, author, lang, message):
    practice = new_practice(author)
    client.force_login(author)
    with translation.override(lang):
        url = reverse("manage:attachments", kwargs={"pk": practice.pk})
    response = client.post(url, {"file": cover_upload(), "purpose": "cover", "title": "Sampul", "alt_text": "  "})
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors["alt_text"])
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_cover_with_alt_text_is_stored_and_its_variants_queued(client, author, django_capture_on_commit_callbacks):
    practice = new_practice(author)
    client.force_login(author)
    url = reverse("manage:attachments", kwargs={"pk": practice.pk})
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, {"file": cover_upload(), "purpose": "cover", "alt_text": f"  {ALT} "})
    assert response.status_code == 302
    cover = Attachment.objects.get()
    assert cover.alt_text == ALT and cover.purpose == "cover" and cover.variants == []
    assert callbacks, "the variants task is queued after commit"


def test_the_service_refuses_a_cover_without_alt_text_and_a_pdf_as_cover(author):
    practice = new_practice(author)
    with pytest.raises(AttachmentRefused) as refused:
        add_cover(practice, author, alt_text="")
    assert refused.value.code == "alt_text"
    pdf = SimpleUploadedFile("sampul.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    with pytest.raises(AttachmentRefused) as refused:
        attachment_add(practice_id=practice.pk, uploaded=pdf, by=author, purpose="cover", alt_text=ALT)
    assert refused.value.code == "cover_type"
    assert not Attachment.objects.exists()


def test_the_database_refuses_shown_variants_without_alt_text(author):
    practice = new_practice(author)
    cover = add_cover(practice, author)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attachment.objects.filter(pk=cover.pk).update(alt_text="", variants=[{"width": 320, "height": 180}])
    # A legacy cover (no alt text, no variants) stays allowed, and is never shown.
    Attachment.objects.filter(pk=cover.pk).update(alt_text="")
    assert cover_variants_make(attachment_id=cover.pk) == 0


# Variants ------------------------------------------------------------------------------------------------------


def test_variants_are_made_once_at_three_widths_without_exif(author, django_capture_on_commit_callbacks):
    practice = new_practice(author)
    cover = add_cover(practice, author)
    assert cover_variants_make(attachment_id=cover.pk) == 3
    assert cover_variants_make(attachment_id=cover.pk) == 0  # a repeated task changes nothing
    cover.refresh_from_db()
    assert (cover.width, cover.height) == (1600, 900)
    assert [(v["width"], v["height"]) for v in cover.variants] == [(320, 180), (640, 360), (1280, 720)]
    for variant in cover.variants:
        assert variant["name"].startswith(f"covers/{practice.pk}/")
        with default_storage.open(variant["name"], "rb") as handle:
            image = Image.open(io.BytesIO(handle.read()))
        assert image.format == "WEBP" and image.width == variant["width"]
        assert "exif" not in image.info and not dict(image.getexif())
    # Deleting the cover removes its variants from storage once the deletion commits.
    names = [v["name"] for v in cover.variants]
    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(attachment_id=cover.pk, practice_id=practice.pk)
    assert not any(default_storage.exists(name) for name in names)


def test_an_image_narrower_than_the_smallest_width_gets_one_variant_at_its_own_width():
    out = io.BytesIO()
    Image.new("RGB", (200, 100), "teal").save(out, format="PNG")
    size, variants = cover_variants_render(out.getvalue())
    assert size == (200, 100) and [(v.width, v.height) for v in variants] == [(200, 100)]


def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded():
    out = io.BytesIO()
    side = int(COVER_MAX_PIXELS**0.5) + 100  # just over the limit; a 1-bit PNG of it is a few kilobytes
    Image.new("1", (side, side)).save(out, format="PNG")
    assert len(out.getvalue()) < 1_000_000
    with pytest.raises(CoverImageError):
        cover_variants_render(out.getvalue())


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_variants_are_made_by_a_real_worker_after_the_upload_commits(celery_worker):
    author = member("35.78")
    practice = new_practice(author)
    cover = add_cover(practice, author)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        cover.refresh_from_db()
        if cover.variants:
            break
        time.sleep(0.1)
    assert [v["width"] for v in cover.variants] == [320, 640, 1280]


# Showing them --------------------------------------------------------------------------------------------------


def test_the_card_and_the_practice_page_show_the_published_cover_responsively(client, author):
    practice, cover = published_with_cover(author)
    assert practice.cover["id"] == cover.pk and practice.cover["alt"] == ALT
    listing = client.get(reverse("practices:list")).content.decode()
    card_img = listing[listing.index('<img class="cover"') :].split(">", 1)[0]
    for width in (320, 640, 1280):
        assert f"/sampul/{cover.pk}/{width}.webp {width}w" in card_img
    assert 'width="640" height="360"' in card_img and 'loading="lazy"' in card_img and f'alt="{ALT}"' in card_img
    assert "sizes=" in card_img
    detail = client.get(reverse("practices:detail", args=[practice.slug])).content.decode()
    hero = detail[detail.index('<img class="cover"') :].split(">", 1)[0]
    assert 'loading="lazy"' not in hero and 'fetchpriority="high"' in hero and f'alt="{ALT}"' in hero


def test_a_cover_of_a_revision_not_yet_published_is_not_public(client, author):
    practice = practice_published(agency="35.78", title="Praktik tanpa sampul")
    revision_next(practice, by=author)
    cover = add_cover(practice, author)
    cover_variants_make(attachment_id=cover.pk)
    practice.refresh_from_db()
    assert practice.cover is None
    url = reverse("practice_cover", kwargs={"pk": cover.pk, "width": 320})
    assert client.get(url).status_code == 404  # anonymous
    assert '<img class="cover"' not in client.get(reverse("practices:detail", args=[practice.slug])).content.decode()
    client.force_login(author)  # the agency sees its draft's cover, not kept by any cache
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    client.force_login(member("32.04"))
    assert client.get(url).status_code == 404


def test_the_published_cover_is_served_publicly_as_webp(client, author):
    _practice, cover = published_with_cover(author)
    response = client.get(reverse("practice_cover", kwargs={"pk": cover.pk, "width": 640}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("public")
    body = b"".join(response.streaming_content)
    assert Image.open(io.BytesIO(body)).size == (640, 360)
    assert client.get(reverse("practice_cover", kwargs={"pk": cover.pk, "width": 500})).status_code == 404


def test_an_evidence_image_is_not_served_as_a_cover(client, author):
    practice = practice_published(agency="35.78", title="Praktik dengan foto bukti")
    revision = revision_next(practice, by=author)
    photo = attachment_add(practice_id=practice.pk, uploaded=cover_upload(), by=author, purpose="evidence")
    revision_publish(practice, revision)
    assert client.get(reverse("practice_cover", kwargs={"pk": photo.pk, "width": 320})).status_code == 404


def test_demo_covers_are_drawn_for_three_practices_once():
    from demo.covers import DEMO_COVERS, demo_cover_images
    from demo.management.commands.load_demo_data import load_demo_published_practices

    load_demo_published_practices()
    assert demo_cover_images() == 3
    assert demo_cover_images() == 0
    shown = Practice.objects.published().filter(slug__in=[row[0] for row in DEMO_COVERS]).filter(cover__isnull=False)
    assert shown.count() == 3
    assert all(p.cover["alt"] and len(p.cover["variants"]) == 3 for p in shown)
