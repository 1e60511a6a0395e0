"""The PDF check reads a file in linear time: a crafted 20 MB PDF is classified within the issue's 2 s, not
held for hours by a regex that rescans the rest of the file for every "stream"."""

from __future__ import annotations

import time

import pytest

from practices.services.attachments import AttachmentRefused, attachment_check, pdf_syntax

MB = 1024 * 1024
HEAD = b"%PDF-1.4\n"
ADVERSARIAL = {
    "stream without end, repeated": b"stream\n",
    "stream with end, repeated": b"stream\nendstream",
    "endstream, repeated": b"endstream",
    "stream CRLF, repeated": b"stream\r\nx",
}


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_a_crafted_20_mb_pdf_is_classified_within_two_seconds(name):
    unit = ADVERSARIAL[name]
    content = HEAD + unit * ((20 * MB - len(HEAD)) // len(unit))
    started = time.monotonic()
    checked = attachment_check(content=content, original_name="bom.pdf")
    assert time.monotonic() - started < 2.0
    assert checked.mime_type == "application/pdf"


def test_scripts_outside_streams_are_found_and_stream_data_is_not_read_as_syntax():
    with pytest.raises(AttachmentRefused) as refused:
        attachment_check(content=HEAD + b"1 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj", original_name="a.pdf")
    assert refused.value.code == "pdf_active"
    # After the last stream, and with the name escaped (#53 is "S"): still found.
    with pytest.raises(AttachmentRefused):
        attachment_check(
            content=HEAD + b"1 0 obj<<>>stream\nxx\nendstream\n2 0 obj<</J#53 (x)>>", original_name="b.pdf"
        )
    # Inside stream data the same bytes are binary content, not an action.
    ok = attachment_check(
        content=HEAD + b"1 0 obj<<>>stream\n/JavaScript /Launch\nendstream\nendobj", original_name="c.pdf"
    )
    assert ok.mime_type == "application/pdf"


def test_the_syntax_keeps_what_follows_an_unterminated_stream():
    assert b"/Launch" in pdf_syntax(b"a stream\nxx endstream b stream\n /Launch")
    assert b"xx" not in pdf_syntax(b"a stream\nxx endstream b")
