"""A corpus of hostile files put through the attachments service (`attachment_add`), as an upload would be.

Every file is refused, except images, which are decoded and re-encoded so that only pixels are stored (a
PNG/HTML polyglot comes out as a plain PNG without the HTML). Decision on PDFs with JavaScript or /Launch
actions: refused when the action is visible in the PDF's object syntax (see `PDF_ACTIVE` in the service);
downloads are attachment-only with a sandbox CSP either way. Well-formed files of each kind are accepted, so
the refusals are not the service refusing everything.
"""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from practices.models import Attachment
from practices.services.attachments import AttachmentRefused, attachment_add
from tests.agencies.factories import member
from tests.practices.factories import practice_draft

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 120, 30)).save(out, format="JPEG")
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    import zlib

    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _docx(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX_BASE = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def _polyglot_png_html() -> bytes:
    png = _png()
    # HTML in a text chunk before IEND, and again after IEND: a browser sniffing it would find a page.
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + _png_chunk(b"tEXt", b"Comment\x00" + HTML) + png[iend:] + HTML


def _elf() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + struct.pack("<HHI", 2, 0x3E, 1) + b"\x00" * 200


def _pe() -> bytes:
    header = bytearray(b"MZ" + b"\x90" * 58 + struct.pack("<I", 64))
    return bytes(header) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200


def _pdf(body: bytes) -> bytes:
    return b"%PDF-1.7\n" + body + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"


BAD = {
    "polyglot PNG/HTML": ("gambar.png", _polyglot_png_html, "reencoded"),
    "SVG with script": (
        "logo.svg",
        lambda: (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
            b"<script>alert(1)</script></svg>"
        ),
        "refused",
    ),
    "SVG renamed .png": ("logo.png", lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "refused"),
    "HTML named .pdf": ("laporan.pdf", lambda: b"<!DOCTYPE html>" + HTML, "refused"),
    "HTML without doctype named .pdf": ("laporan2.pdf", lambda: b"\n  " + HTML, "refused"),
    "ELF executable named .pdf": ("laporan.pdf", _elf, "refused"),
    "PE executable named .pdf": ("laporan.pdf", _pe, "refused"),
    "shell script named .pdf": ("laporan.pdf", lambda: b"#!/bin/sh\nrm -rf /\n", "refused"),
    "zip bomb named .docx": (
        "dokumen.docx",
        lambda: _docx({**DOCX_BASE, "word/media/bom.bin": b"\x00" * (20 * 1024 * 1024)}),
        "refused",
    ),
    "docx with 5000 entries": (
        "banyak.docx",
        lambda: _docx({**DOCX_BASE, **{f"word/x/{n}.xml": b"<x/>" for n in range(5000)}}, zipfile.ZIP_STORED),
        "refused",
    ),
    "docx with macros": ("makro.docx", lambda: _docx({**DOCX_BASE, "word/vbaProject.bin": b"\x00" * 64}), "refused"),
    "plain zip named .docx": ("arsip.docx", lambda: _docx({"a.txt": b"halo"}), "refused"),
    "truncated JPEG": ("foto.jpg", lambda: _jpeg()[:300], "refused"),
    "PDF with OpenAction JavaScript": (
        "js.pdf",
        lambda: _pdf(b"1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj"),
        "refused",
    ),
    "PDF with escaped /J#61vaScript name": (
        "js2.pdf",
        lambda: _pdf(b"1 0 obj<</Type/Catalog/AA<</O<</S/J#61vaScript/J#53 (app.alert(1))>>>>>>endobj"),
        "refused",
    ),
    "PDF with Launch action": (
        "launch.pdf",
        lambda: _pdf(b"1 0 obj<</Type/Catalog/OpenAction<</S/Launch/F(cmd.exe)>>>>endobj"),
        "refused",
    ),
    "empty file named .pdf": ("kosong.pdf", lambda: b"", "refused"),
}

GOOD = {
    "PDF": ("baik.pdf", lambda: _pdf(b"1 0 obj<</Type/Catalog>>endobj\n2 0 obj<</Length 5>>stream\n/JS(x\nendstream")),
    "PNG": ("baik.png", _png),
    "JPEG": ("baik.jpg", _jpeg),
    "docx": ("baik.docx", lambda: _docx(DOCX_BASE)),
}


@pytest.fixture
def draft():
    author = member("35.78")
    return practice_draft(by=author), author


def _add(draft, name, content):
    practice, author = draft
    return attachment_add(practice_id=practice.pk, uploaded=SimpleUploadedFile(name, content), by=author)


@pytest.mark.parametrize("label", sorted(BAD))
def test_bad_file_is_refused_or_made_safe(label, draft):
    name, make, outcome = BAD[label]
    content = make()
    if outcome == "refused":
        with pytest.raises(AttachmentRefused):
            _add(draft, name, content)
        assert not Attachment.objects.exists()
    else:
        attachment = _add(draft, name, content)
        stored = attachment.file.read()
        assert attachment.mime_type == "image/png"
        assert b"<script" not in stored and b"<html" not in stored and stored != content
        Image.open(io.BytesIO(stored)).verify()


@pytest.mark.parametrize("label", sorted(GOOD))
def test_good_files_are_accepted(label, draft):
    name, make = GOOD[label]
    assert _add(draft, name, make()).pk


@override_settings(ATTACHMENT_MAX_BYTES=4096)
def test_oversized_file_is_refused_even_when_it_lies_about_its_size(draft):
    with pytest.raises(AttachmentRefused) as exc:
        _add(draft, "besar.pdf", _pdf(b"%" + b"x" * 10_000))
    assert exc.value.code == "too_large"
    liar = SimpleUploadedFile("bohong.pdf", _pdf(b"%" + b"x" * 10_000))
    liar.size = 100  # a declared size below the limit; the content is read up to limit + 1 bytes
    practice, author = draft
    with pytest.raises(AttachmentRefused):
        attachment_add(practice_id=practice.pk, uploaded=liar, by=author)
    assert not Attachment.objects.exists()


def test_bad_files_figures(draft, record_figure):
    refused = reencoded = unsafe_stored = 0
    for name, make, _outcome in BAD.values():
        try:
            attachment = _add(draft, name, make())
        except AttachmentRefused:
            refused += 1
        else:
            stored = attachment.file.read()
            reencoded += 1
            unsafe_stored += int(b"<script" in stored or stored.startswith((b"MZ", b"\x7fELF", b"<")))
    total = len(BAD) + 1  # and the oversized file, tested above
    figures = {"files": total, "refused": refused + 1, "reencoded_images": reencoded, "unsafe_stored": unsafe_stored}
    print(f"\nbad files: {figures}")
    record_figure("bad_files", figures)
    assert unsafe_stored == 0 and refused + reencoded == len(BAD)
