"""Attachments: the file's type is decided from its content, never from its name or declared content type.

Accepted: PDF, JPEG/PNG/WebP images (re-encoded with Pillow, so EXIF including GPS is dropped), and office
documents (docx/xlsx/pptx, odt/ods) whose zip structure is checked and capped against zip bombs. Refused files
raise `AttachmentRefused` with a message saying why, for the upload form to show.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zipfile
from dataclasses import dataclass

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from common.tasks import enqueue_on_commit

from ..models import Attachment, Indicator, Practice, RevisionAttachment
from .covers import cover_variants_delete_on_commit
from .submission import EDITABLE_STATES

MB = 1024 * 1024
# Zip-container limits: more entries or more uncompressed bytes than this is treated as a zip bomb.
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNCOMPRESSED = 250 * MB
ZIP_MAX_RATIO = 200
IMAGE_MAX_PIXELS = 40_000_000

PDF = "application/pdf"
OOXML = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ODF = {"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet"}
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# PDF actions that run something: scripts (/JavaScript, /JS) and launching programs (/Launch). Searched in the
# PDF's object syntax outside stream data (where binary bytes would give false alarms; `pdf_syntax`), with `#xx`
# escapes in names decoded. Objects hidden inside compressed object streams are not seen: this refuses the plain cases;
# the download headers (attachment, nosniff, sandbox CSP) remain the protection for the rest.
PDF_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch)(?=[\s/<>\[\]()%]|$)")


def attachment_max_bytes() -> int:
    return getattr(settings, "ATTACHMENT_MAX_BYTES", 20 * MB)


def attachment_practice_max_bytes() -> int:
    return getattr(settings, "ATTACHMENT_PRACTICE_MAX_BYTES", 100 * MB)


class AttachmentRefused(ValidationError):
    pass


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    mime_type: str


def _describe_refused(head: bytes) -> str:
    """A human name for a refused file, from its first bytes."""
    stripped = head.lstrip().lower()
    if head.startswith((b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"\xca\xfe\xba\xbe", b"#!")):
        return _("program atau skrip yang dapat dijalankan")
    if b"<svg" in stripped[:4096]:
        return _("gambar SVG (dapat berisi skrip)")
    if stripped.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe")):
        return _("halaman HTML")
    try:
        guess = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        guess = []
    if guess and guess[0].name:
        return guess[0].name
    return _("jenis tidak dikenal")


def _refuse_type(head: bytes, original_name: str) -> AttachmentRefused:
    return AttachmentRefused(
        _(
            "Berkas “%(name)s” ditolak: isinya %(kind)s, bukan jenis yang diizinkan. Jenis yang diterima: PDF, "
            "JPEG, PNG, WebP, docx, xlsx, pptx, odt, ods. Nama berkas tidak menentukan jenisnya."
        )
        % {"name": original_name, "kind": _describe_refused(head)},
        code="type",
    )


def _check_zip(content: bytes, original_name: str) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise AttachmentRefused(
            _("Berkas “%(name)s” rusak atau bukan dokumen kantor yang sah.") % {"name": original_name}
        ) from exc
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos) or 1
    if len(infos) > ZIP_MAX_ENTRIES or total > ZIP_MAX_UNCOMPRESSED or total / compressed > ZIP_MAX_RATIO:
        raise AttachmentRefused(
            _("Berkas “%(name)s” ditolak: isinya mengembang terlalu besar saat dibuka (kemungkinan bom zip).")
            % {"name": original_name},
            code="zip_bomb",
        )
    names = {info.filename for info in infos}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise AttachmentRefused(
            _("Berkas “%(name)s” ditolak: dokumen berisi makro. Simpan ulang tanpa makro.") % {"name": original_name},
            code="macro",
        )
    if "[Content_Types].xml" in names:
        for part, mime in OOXML.items():
            if part in names:
                return mime
    if infos and infos[0].filename == "mimetype":
        mime = archive.read("mimetype").decode("ascii", "replace").strip()
        if mime in ODF:
            return mime
    raise AttachmentRefused(
        _("Berkas “%(name)s” ditolak: arsip zip yang bukan dokumen docx, xlsx, pptx, odt, atau ods.")
        % {"name": original_name},
        code="type",
    )


def _reencode_image(content: bytes, original_name: str) -> CheckedFile:
    """Decode and re-encode the image: only pixels survive (EXIF, GPS, XMP, text chunks are dropped)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            fmt = image.format
            if fmt not in IMAGE_FORMATS or image.width * image.height > IMAGE_MAX_PIXELS:
                raise ValueError(fmt)
            image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise AttachmentRefused(
            _("Gambar “%(name)s” rusak atau terlalu besar untuk dibuka.") % {"name": original_name}, code="image"
        ) from exc
    # Apply the EXIF orientation to the pixels before the EXIF block is dropped.
    image = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
    elif fmt == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="WEBP", quality=88)
    return CheckedFile(content=out.getvalue(), mime_type=IMAGE_FORMATS[fmt])


def pdf_syntax(content: bytes) -> bytes:
    """The PDF's object syntax with stream data cut out, in linear time.

    A lazy `stream.*?endstream` over the whole file rescans the rest of it for every "stream" that has no
    "endstream" after it: quadratic, hours for a crafted 20 MB file. Up to the last "endstream" every match
    attempt succeeds at the nearest one and the scan moves past it, so each byte is read once; what follows the
    last "endstream" has no stream end and is kept whole (searched, as before).
    """
    last = content.rfind(b"endstream")
    if last == -1:
        return content
    cut = last + len(b"endstream")
    return PDF_STREAM.sub(b" ", content[:cut]) + content[cut:]


def _check_pdf(content: bytes, original_name: str) -> CheckedFile:
    syntax = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), pdf_syntax(content))
    if PDF_ACTIVE.search(syntax):
        raise AttachmentRefused(
            _("Berkas “%(name)s” ditolak: PDF berisi skrip atau perintah menjalankan program. Cetak ulang ke PDF.")
            % {"name": original_name},
            code="pdf_active",
        )
    return CheckedFile(content=content, mime_type=PDF)


def attachment_check(*, content: bytes, original_name: str) -> CheckedFile:
    """Decide the type of `content` from its bytes and return what will be stored (images re-encoded)."""
    head = content[:8192]
    if head.startswith(b"%PDF-"):
        return _check_pdf(content, original_name)
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return _reencode_image(content, original_name)
    if head.startswith(b"PK\x03\x04"):
        return CheckedFile(content=content, mime_type=_check_zip(content, original_name))
    raise _refuse_type(head, original_name)


@transaction.atomic
def attachment_add(
    *,
    practice_id: int,
    uploaded,
    by,
    purpose: str = Attachment.Purpose.EVIDENCE,
    title: str = "",
    alt_text: str = "",
    indicator_id: int | None = None,
) -> Attachment:
    """Store an uploaded file of the practice and link it to the working revision, after checking size and content.

    The practice row is locked so that two uploads at once cannot together pass the per-practice total, and
    so that the revision's state (only a draft or a revision with changes requested takes files) cannot change.
    The stored name is generated (see `attachment_upload_to`); the original name is kept for display.
    A cover image needs its alt text and must be an image; its resized variants are made by a task queued
    after commit (`practices.services.covers`).
    """
    alt_text = " ".join(alt_text.split())
    if purpose == Attachment.Purpose.COVER and not alt_text:
        raise AttachmentRefused(
            _(
                "Gambar sampul perlu teks alternatif: tulis singkat apa yang tampak pada gambar, untuk pembaca "
                "yang tidak dapat melihatnya."
            ),
            code="alt_text",
        )
    original_name = (getattr(uploaded, "name", "") or "berkas").rsplit("/", 1)[-1][:255]
    limit = attachment_max_bytes()
    if uploaded.size > limit:
        raise AttachmentRefused(
            _("Berkas “%(name)s” (%(size)s) melebihi batas %(limit)s per berkas.")
            % {"name": original_name, "size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    uploaded.seek(0)
    content = uploaded.read(limit + 1)
    if len(content) > limit:  # the declared size lied
        raise AttachmentRefused(
            _("Berkas “%(name)s” melebihi batas %(limit)s per berkas.")
            % {"name": original_name, "limit": filesizeformat(limit)},
            code="too_large",
        )
    checked = attachment_check(content=content, original_name=original_name)
    if purpose == Attachment.Purpose.COVER and not checked.mime_type.startswith("image/"):
        raise AttachmentRefused(
            _("Gambar sampul harus berupa gambar JPEG, PNG, atau WebP; “%(name)s” bukan gambar.")
            % {"name": original_name},
            code="cover_type",
        )

    practice = Practice.objects.select_for_update(of=("self",)).select_related("working_revision").get(pk=practice_id)
    if practice.working_revision is None or practice.working_revision.state not in EDITABLE_STATES:
        # Files belong to the revision being written; one in review or published is not changed underneath.
        raise AttachmentRefused(_("Revisi ini tidak bisa diubah saat ini."), code="not_editable")
    # Each stored file once, however many revisions show it (carried files are links, not copies).
    used = practice.attachments.aggregate(total=Sum("size"))["total"] or 0
    total_limit = attachment_practice_max_bytes()
    if used + len(checked.content) > total_limit:
        raise AttachmentRefused(
            _("Lampiran praktik ini sudah %(used)s; berkas ini melewati batas %(limit)s per praktik.")
            % {"used": filesizeformat(used), "limit": filesizeformat(total_limit)},
            code="practice_total",
        )
    indicator = None
    if indicator_id:
        indicator = Indicator.objects.filter(pk=indicator_id, revision_id=practice.working_revision_id).first()
    attachment = Attachment(
        practice=practice,
        revision_id=practice.working_revision_id,
        indicator=indicator,
        purpose=purpose,
        original_name=original_name,
        title=title,
        alt_text=alt_text if purpose == Attachment.Purpose.COVER else "",
        mime_type=checked.mime_type,
        size=len(checked.content),
        sha256=hashlib.sha256(checked.content).hexdigest(),
        uploaded_by=by,
    )
    upload = ContentFile(checked.content)
    upload.content_type = checked.mime_type  # stored with the object on S3 storage (common/storage.py)
    attachment.file.save("upload", upload, save=False)
    attachment.save()
    RevisionAttachment.objects.create(revision_id=practice.working_revision_id, attachment=attachment)
    if purpose == Attachment.Purpose.COVER:
        enqueue_on_commit("practices.tasks.cover_variants_make", attachment.pk)
    return attachment


@transaction.atomic
def attachment_delete(*, attachment_id: int, practice_id: int) -> None:
    """Remove a file from the working revision while it is still editable.

    The file is unlinked from the working revision only: the revisions that had it (the live one, earlier
    published ones) keep showing it. The row goes only when no other revision references it, and its stored
    bytes after that, once the transaction commits. The practice row lock serialises this with uploads and
    with a new revision starting (which links the same files).
    """
    practice = Practice.objects.select_for_update(of=("self",)).select_related("working_revision").get(pk=practice_id)
    revision = practice.working_revision
    attachment = practice.attachments.filter(pk=attachment_id).first()
    if attachment is None or revision is None or revision.state not in EDITABLE_STATES:
        raise ValidationError(_("Lampiran ini tidak dapat dihapus dari revisi saat ini."), code="not_deletable")
    unlinked, _rows = RevisionAttachment.objects.filter(revision=revision, attachment=attachment).delete()
    if not unlinked:
        raise ValidationError(_("Lampiran ini tidak dapat dihapus dari revisi saat ini."), code="not_deletable")
    if RevisionAttachment.objects.filter(attachment=attachment).exists():
        return
    name, storage = attachment.file.name, attachment.file.storage
    cover_variants_delete_on_commit(attachment=attachment)
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
