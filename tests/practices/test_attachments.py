import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from practices.models import Attachment
from practices.services.attachments import AttachmentRefused, attachment_add
from practices.services.publishing import practice_publish
from tests.agencies.factories import member
from tests.practices.factories import new_practice, revision_complete

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(client, practice, name, content, **extra):
    url = reverse("manage:attachments", kwargs={"pk": practice.pk})
    return client.post(
        url, {"file": SimpleUploadedFile(name, content, content_type="application/pdf"), "purpose": "kit", **extra}
    )


@pytest.fixture
def owner_client(client):
    user = member()
    client.force_login(user)
    client.user = user
    client.practice = new_practice(user)
    return client


def test_a_pdf_is_stored_under_a_generated_name_with_its_hash(owner_client):
    response = _upload(owner_client, owner_client.practice, "SOP layanan.pdf", PDF_BYTES, title="SOP")
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "SOP layanan.pdf" and attachment.mime_type == "application/pdf"
    assert "SOP" not in attachment.file.name and attachment.file.name.startswith(
        f"attachments/{owner_client.practice.pk}/"
    )
    import hashlib

    assert attachment.sha256 == hashlib.sha256(PDF_BYTES).hexdigest() and attachment.size == len(PDF_BYTES)
    assert attachment.revision_id == owner_client.practice.working_revision_id


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("laporan.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, "program atau skrip"),
        ("linux.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "program atau skrip"),
        ("laporan.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "halaman HTML"),
        ("grafik.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "SVG"),
        ("arsip.docx", None, "bukan dokumen docx"),
    ],
)
def test_refused_kinds_get_a_message_saying_why(owner_client, name, content, reason):
    if content is None:  # a plain zip renamed .docx
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "bukan dokumen")
        content = buffer.getvalue()
    response = _upload(owner_client, owner_client.practice, name, content)
    assert response.status_code == 200
    html = response.content.decode()
    assert "ditolak" in html and reason in html and name in html
    assert not Attachment.objects.exists()


def test_an_oversized_file_is_refused(owner_client, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    response = _upload(owner_client, owner_client.practice, "besar.pdf", PDF_BYTES + b"0" * 1200)
    assert response.status_code == 200
    assert "melebihi batas" in response.content.decode()
    assert not Attachment.objects.exists()
    # Within the limit the same kind of file is accepted.
    assert _upload(owner_client, owner_client.practice, "kecil.pdf", PDF_BYTES).status_code == 302


def test_the_per_practice_total_is_capped(owner_client, settings):
    settings.ATTACHMENT_PRACTICE_MAX_BYTES = len(PDF_BYTES) * 2
    practice = owner_client.practice
    for _ in range(2):
        attachment_add(practice_id=practice.pk, uploaded=SimpleUploadedFile("a.pdf", PDF_BYTES), by=owner_client.user)
    with pytest.raises(AttachmentRefused, match="per praktik"):
        attachment_add(practice_id=practice.pk, uploaded=SimpleUploadedFile("c.pdf", PDF_BYTES), by=owner_client.user)


def _zip(entries: dict[str, bytes], first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:
            archive.writestr(first, entries.pop(first), compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_office_documents_are_recognised_by_their_zip_structure_and_zip_bombs_refused(owner_client):
    user, practice = owner_client.user, owner_client.practice
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    ods = _zip(
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office/>"}, first="mimetype"
    )
    a = attachment_add(practice_id=practice.pk, uploaded=SimpleUploadedFile("x.bin", docx), by=user)
    b = attachment_add(practice_id=practice.pk, uploaded=SimpleUploadedFile("tabel.ods", ods), by=user)
    assert a.mime_type.endswith("wordprocessingml.document")
    assert b.mime_type == "application/vnd.oasis.opendocument.spreadsheet"

    many = _zip({"[Content_Types].xml": b"<Types/>", **{f"word/media/{i}.xml": b"x" for i in range(2001)}})
    with pytest.raises(AttachmentRefused, match="bom zip"):
        attachment_add(practice_id=practice.pk, uploaded=SimpleUploadedFile("banyak.docx", many), by=user)
    huge = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * (300 * 1024 * 1024)})
    assert len(huge) < 1024 * 1024
    with pytest.raises(AttachmentRefused, match="bom zip"):
        attachment_add(practice_id=practice.pk, uploaded=SimpleUploadedFile("bom.docx", huge), by=user)
    macro = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<d/>", "word/vbaProject.bin": b"x"})
    with pytest.raises(AttachmentRefused, match="makro"):
        attachment_add(practice_id=practice.pk, uploaded=SimpleUploadedFile("makro.docx", macro), by=user)


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "KameraUji"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90°
    gps = exif.get_ifd(0x8825)
    gps[1] = "S"
    gps[2] = (7.0, 15.0, 30.0)
    gps[3] = "E"
    gps[4] = (112.0, 45.0, 10.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_images_are_re_encoded_without_exif_or_gps(owner_client):
    original = _jpeg_with_gps()
    check = Image.open(io.BytesIO(original)).getexif()
    assert check.get_ifd(0x8825) and b"KameraUji" in original  # the fixture really carries GPS
    response = _upload(owner_client, owner_client.practice, "foto.pdf", original)  # the name does not matter
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    stored = attachment.file.read()
    assert attachment.mime_type == "image/jpeg" and stored != original
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif() and b"Exif" not in stored and b"KameraUji" not in stored
    assert image.size == (48, 64)  # the orientation was applied to the pixels before EXIF was dropped


def test_png_and_webp_are_re_encoded(owner_client):
    user, practice = owner_client.user, owner_client.practice
    for fmt, mime in (("PNG", "image/png"), ("WEBP", "image/webp")):
        out = io.BytesIO()
        Image.new("RGB", (10, 10)).save(out, format=fmt)
        assert (
            attachment_add(practice_id=practice.pk, uploaded=SimpleUploadedFile("g", out.getvalue()), by=user).mime_type
            == mime
        )


def test_download_is_an_attachment_with_nosniff_and_follows_access(client):
    user = member()
    practice = new_practice(user)
    attachment = attachment_add(
        practice_id=practice.pk, uploaded=SimpleUploadedFile("<b>SOP</b>.pdf", PDF_BYTES), by=user
    )
    url = reverse("manage:attachment_download", kwargs={"attachment_pk": attachment.pk})
    assert client.get(url).status_code == 404  # anonymous, draft
    client.force_login(member("32.04"))
    assert client.get(url).status_code == 404  # another agency
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES

    # Evidence added while the practice was a draft is public once that revision is published.
    draft = new_practice(user)
    public = attachment_add(practice_id=draft.pk, uploaded=SimpleUploadedFile("bukti.pdf", PDF_BYTES), by=user)
    practice_publish(practice=draft, revision=revision_complete(draft, title="Terbit"))
    client.logout()
    response = client.get(reverse("manage:attachment_download", kwargs={"attachment_pk": public.pk}))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")


def test_a_revision_in_review_takes_no_new_files():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from practices.services.attachments import AttachmentRefused, attachment_add
    from tests.practices.factories import practice_in_state

    practice = practice_in_state("submitted")
    pdf = SimpleUploadedFile("bukti.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    with pytest.raises(AttachmentRefused) as refused:
        attachment_add(practice_id=practice.pk, uploaded=pdf, by=practice.created_by)
    assert refused.value.code == "not_editable"
    assert not practice.attachments.exists()
