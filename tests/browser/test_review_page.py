"""The review page in Chromium: a moderator opens the PDF and the image of a practice from the review page
(served inline from the sandboxed preview URL), and axe finds no duplicate ids, no unlabelled fields and no
serious or critical violation, in both languages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from agencies.models import Membership
from practices.models import PracticeRevision, Screening
from practices.services.attachments import attachment_add
from practices.workflow import revision_transition
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import png_upload, practice_draft, practice_published

from .conftest import axe_run, login_as, screenshot
from .pdf import small_pdf

S = PracticeRevision.State
# Rules about the ids and labels the merged review form must get right (any impact fails).
ID_AND_LABEL_RULES = {"duplicate-id", "duplicate-id-aria", "duplicate-id-active", "label"}


def _is_preview(url: str) -> bool:
    return url.rstrip("/").rsplit("/", 1)[-1] in {"pratinjau", "preview"}


def _practice_in_review_with_files():
    author = member("35.78")
    practice = practice_draft(agency_code="35.78", by=author, title="Mal pelayanan publik kecamatan")
    pdf = SimpleUploadedFile("sop_layanan.pdf", small_pdf("SOP layanan"), content_type="application/pdf")
    attachment_add(practice_id=practice.pk, uploaded=pdf, by=author, title="SOP layanan")
    attachment_add(practice_id=practice.pk, uploaded=png_upload("loket.png", size=(40, 30)), by=author)
    revision_transition(practice_id=practice.pk, to_state=S.AGENCY_REVIEW, by=author)
    revision_transition(practice_id=practice.pk, to_state=S.SUBMITTED, by=member("35.78", role=Membership.Role.ADMIN))
    revision_transition(practice_id=practice.pk, to_state=S.IN_REVIEW, by=None)
    twin = practice_published(title="Mal pelayanan publik")
    Screening.objects.create(
        revision_id=practice.working_revision_id,
        completeness=1.0,
        duplicates=[{"practice_id": twin.pk, "title": twin.title, "score": 0.9}],
    )
    return practice


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_moderator_opens_the_pdf_and_the_image_and_the_page_passes_axe(new_context, live_server):
    practice = _practice_in_review_with_files()
    context = new_context()
    login_as(context, moderator(lead=True), live_server.url)
    page = context.new_page()

    for lang in ("id", "en"):
        with translation.override(lang):
            url = reverse("review:detail", args=[practice.pk])
        response = page.goto(url)
        assert response.status == 200
        violations = axe_run(page)
        assert [v for v in violations if v["id"] in ID_AND_LABEL_RULES] == [], lang
        assert [v for v in violations if v["impact"] in ("serious", "critical")] == [], lang
        assert page.evaluate("() => new Set([...document.querySelectorAll('[id]')].map(e => e.id)).size") == (
            page.evaluate("() => document.querySelectorAll('[id]').length")
        )
    screenshot(page, "review_detail_files")

    # The PDF: its preview frame loads the file inline from the preview URL.
    pdf = page.locator("details[data-preview=pdf]")
    with page.expect_response(lambda r: _is_preview(r.url) and r.request.resource_type == "document") as pdf_load:
        pdf.locator("summary").click()
    pdf_response = pdf_load.value
    assert pdf_response.status == 200
    headers = pdf_response.all_headers()  # as sent (`.headers` leaves security headers out)
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("inline;")
    assert headers["content-security-policy"].startswith("sandbox;")
    assert headers["x-frame-options"] == "SAMEORIGIN"
    frame = pdf.locator("iframe")
    assert frame.is_visible()
    assert frame.bounding_box()["height"] > 200

    # The image: decoded and drawn in the page.
    image = page.locator("details[data-preview=image]")
    with page.expect_response(lambda r: _is_preview(r.url) and r.request.resource_type == "image") as png_load:
        image.locator("summary").click()
    assert png_load.value.status == 200
    assert png_load.value.all_headers()["content-type"] == "image/png"
    img = image.locator("img")
    img.evaluate("img => img.decode()")
    assert img.evaluate("img => img.naturalWidth") == 40
    assert img.evaluate("img => img.complete && img.naturalHeight") == 30

    # Nothing the previews did tripped the page's own policy, and the decision form is within reach.
    assert page.locator("#guard-duplicates").is_visible()
    assert page.locator("#id_decision-not_duplicate").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_preview_opens_in_its_own_tab_too(new_context, live_server):
    practice = _practice_in_review_with_files()
    context = new_context()
    login_as(context, moderator(), live_server.url)
    page = context.new_page()
    page.goto(reverse("review:detail", args=[practice.pk]))
    href = page.locator("a", has_text="Buka di tab baru").first.get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
