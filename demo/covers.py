"""Demo cover images: simple pictures drawn with Pillow at load time (no image files in the repository).

`demo_cover_images()` gives a few published sample practices a cover the way an agency would: a new revision
started from the live one, the image uploaded with its alt text through `attachment_add`, its variants made,
and the revision published. Idempotent: a practice that already shows a cover is left alone.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from practices.models import Attachment, Practice
from practices.services.attachments import attachment_add
from practices.services.covers import cover_variants_make
from practices.services.publishing import practice_publish
from practices.services.submission import revision_start_from_live

# slug, sky and ground colours, what is drawn (the alt text says what it shows, as an author should).
DEMO_COVERS = [
    (
        "contoh-mal-pelayanan-publik",
        ((33, 102, 172), (209, 229, 240)),
        "counters",
        "Ilustrasi: gedung pelayanan dengan tiga loket terbuka di bawah langit biru.",
    ),
    (
        "contoh-stunting-posyandu-digital",
        ((27, 120, 55), (217, 240, 211)),
        "people",
        "Ilustrasi: empat orang berdiri berjajar di depan rumah posyandu berwarna hijau.",
    ),
    (
        "contoh-perizinan-usaha-sehari",
        ((178, 24, 43), (253, 219, 199)),
        "documents",
        "Ilustrasi: tumpukan dokumen izin dengan stempel bulat di atas meja.",
    ),
]


def demo_cover_image(*, colours: tuple[tuple[int, int, int], tuple[int, int, int]], motif: str) -> bytes:
    """A 1600×900 JPEG: a vertical gradient and a few flat shapes."""
    width, height = 1600, 900
    top, bottom = colours
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / (height - 1)
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    draw.rectangle([0, 700, width, height], fill=(90, 90, 90))
    if motif == "counters":
        draw.rectangle([300, 300, 1300, 700], fill=(245, 245, 245))
        draw.polygon([(260, 300), (800, 140), (1340, 300)], fill=(120, 40, 40))
        for x in (380, 700, 1020):
            draw.rectangle([x, 420, x + 200, 700], fill=(33, 102, 172))
    elif motif == "people":
        draw.rectangle([950, 380, 1450, 700], fill=(240, 240, 230))
        draw.polygon([(920, 380), (1200, 230), (1480, 380)], fill=(27, 120, 55))
        for i, x in enumerate((200, 360, 520, 680)):
            draw.ellipse([x, 420, x + 80, 500], fill=(200, 150, 110))
            draw.rectangle(
                [x - 10, 505, x + 90, 700], fill=((230, 97, 1), (94, 60, 153), (1, 133, 113), (202, 0, 32))[i]
            )
    else:
        draw.rectangle([200, 600, 1400, 700], fill=(140, 90, 50))
        for i in range(5):
            draw.rectangle(
                [450 + i * 12, 560 - i * 40, 1050 + i * 12, 600 - i * 40], fill=(250, 250, 245), outline=(0, 0, 0)
            )
        draw.ellipse([900, 330, 1040, 470], outline=(178, 24, 43), width=12)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def demo_cover_images(*, by=None) -> int:
    """Covers on the DEMO_COVERS sample practices that are published and show none yet; the number added."""
    added = 0
    for slug, colours, motif, alt_text in DEMO_COVERS:
        practice = Practice.objects.published().filter(slug=slug).first()
        if practice is None or practice.cover:
            continue
        has_cover = practice.live_revision.files.filter(purpose=Attachment.Purpose.COVER).exclude(alt_text="")
        if has_cover.exists():
            continue
        with transaction.atomic():
            revision = revision_start_from_live(practice_id=practice.pk, by=by)
            attachment = attachment_add(
                practice_id=practice.pk,
                uploaded=SimpleUploadedFile("sampul.jpg", demo_cover_image(colours=colours, motif=motif)),
                by=by,
                purpose=Attachment.Purpose.COVER,
                title="Gambar sampul",
                alt_text=alt_text,
            )
        # Made at once: the demo does not wait for a worker (the queued task then finds nothing to do).
        cover_variants_make(attachment_id=attachment.pk)
        with transaction.atomic():
            locked = Practice.objects.select_for_update().get(pk=practice.pk)
            practice_publish(practice=locked, revision=revision)
        added += 1
    return added
