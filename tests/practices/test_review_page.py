"""The review page a moderator works from: the revision as the public reads it (labels, formatted numbers,
rendered Markdown, themes and regions, indicators with achieved values and chart), every file previewable
from a sandboxed URL, changes since the last round, one form with unique ids, and a flat query count."""

from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from agencies.models import Membership, Region
from practices.models import IndicatorValue, PracticeRevision, Review, RevisionSnapshot, Screening, Theme
from practices.services import assignment, decisions
from practices.services.attachments import attachment_add
from practices.services.submission import revision_section_save
from practices.workflow import revision_transition
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import pdf_upload, png_upload, practice_draft, practice_in_state

pytestmark = pytest.mark.django_db
S = PracticeRevision.State


@pytest.fixture(autouse=True)
def _indonesian():
    with translation.override("id"):
        yield


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.ids += [value for name, value in attrs if name == "id"]


def _duplicate_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    return sorted({i for i in parser.ids if parser.ids.count(i) > 1})


def _in_review_with_content(*, files: bool = False, indicators: int = 1, extra_files: int = 0):
    """A practice in review whose revision holds what the page must show in words: a boolean, a cost, Markdown,
    two themes, another region, an indicator with achieved values; with `files` a PDF and an image."""
    author = member()
    practice = practice_draft(
        by=author,
        is_digital=True,
        cost=Decimal("250000000"),
        problem="Antrean **sangat** panjang.",
        partners="Dinas Kominfo",
    )
    revision = practice.working_revision
    revision.other_themes.set([Theme.objects.get(code="pelayanan-publik")])
    revision.other_regions.set([Region.objects.get(code="35.15")])
    for n, indicator in enumerate([*revision.indicators.all(), *[None] * (indicators - 1)]):
        if indicator is None:
            indicator = revision.indicators.create(
                name=f"Indikator {n}", unit="orang", baseline_value=1, target_value=5, baseline_year=2020
            )
        indicator.baseline_year, indicator.target_year = 2020, 2025
        indicator.save()
        IndicatorValue.objects.create(indicator=indicator, value=Decimal("7.5000"), date=date(2023, 6, 30))
    if files:
        attachment_add(practice_id=practice.pk, uploaded=pdf_upload("sop_layanan.pdf"), by=author, title="SOP")
        attachment_add(practice_id=practice.pk, uploaded=png_upload("loket.png"), by=author)
    for n in range(extra_files):
        attachment_add(practice_id=practice.pk, uploaded=pdf_upload(f"lampiran-{n}.pdf", marker=str(n)), by=author)
    revision_transition(practice_id=practice.pk, to_state=S.AGENCY_REVIEW, by=author)
    revision_transition(practice_id=practice.pk, to_state=S.SUBMITTED, by=member(role=Membership.Role.ADMIN))
    revision_transition(practice_id=practice.pk, to_state=S.IN_REVIEW, by=None)
    return practice


def _page(client, practice, *, user=None, lang: str = "id"):
    client.force_login(user or moderator(lead=True))
    url = reverse("review:detail", args=[practice.pk])
    if lang == "en":
        url = f"/en/review/{practice.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    return response, response.content.decode()


def test_the_revision_reads_as_on_the_public_page_with_labels_not_codes(client):
    practice = _in_review_with_content()
    reviewer = moderator()
    assignment.review_save(
        practice=practice,
        by=reviewer,
        scores=dict.fromkeys(["significance", "novelty", "adaptability", "sustainability", "evidence"], 8),
        recommendation=Review.Recommendation.APPROVE,
        section_comments={"impact": "Data capaian 2023 jelas."},
        comment="",
    )
    _response, html = _page(client, practice)
    assert "Rp 250.000.000" in html and "250000000" not in html
    assert "<strong>sangat</strong>" in html and "**sangat**" not in html
    assert "Berbasis digital</dt><dd>Ya</dd>" in html and "True" not in html
    assert "Kemiskinan" in html and "Pelayanan Publik" in html  # the revision's themes, not yet published
    assert Region.objects.get(code="35.15").name in html and practice.agency.region.name in html
    assert "7,5" in html and "7.5000" not in html and "<svg" in html  # achieved value, chart
    reviews = html.split('id="reviews-h"', 1)[1].split("</details>", 1)[0]
    assert "Signifikansi: 8" in reviews and "significance" not in reviews
    assert "Dampak dan indikator</strong>: Data capaian 2023 jelas." in reviews
    history = html.split('id="history-h"', 1)[1]
    assert "Diajukan → Sedang ditinjau" in history and "submitted" not in history


def test_the_pre_screen_is_at_the_top_with_its_findings_linked(client):
    practice = _in_review_with_content(files=True)
    twin = practice_in_state(S.IN_REVIEW, title="Praktik kembar")
    pdf = practice.working_revision.files.get(original_name="sop_layanan.pdf")
    Screening.objects.create(
        revision_id=practice.working_revision_id,
        completeness=0.95,
        duplicates=[{"practice_id": twin.pk, "title": "Praktik kembar", "score": 0.87}],
        attachments=[{"id": pdf.pk, "name": pdf.original_name, "ok": False, "problem": "sha256"}],
        links=[{"url": "https://contoh.go.id/hilang", "ok": False, "status": 404, "error": ""}],
    )
    _response, html = _page(client, practice)
    top = html.split('id="content-h"', 1)[0]
    assert "Hasil penyaringan awal" in top and "95%" in top
    assert reverse("review:detail", args=[twin.pk]) in top and "kemiripan 0,87" in top
    assert "sop_layanan.pdf: isi berkas berubah sejak diunggah" in top
    assert "https://contoh.go.id/hilang" in top and "(404)" in top


def test_every_id_on_the_page_is_unique_and_each_field_has_its_label(client):
    practice = _in_review_with_content(files=True)
    for lang in ("id", "en"):
        _response, html = _page(client, practice, lang=lang)
        assert _duplicate_ids(html) == []
        # One set of section comments: each section's box exists once, under the page form's prefix.
        assert html.count('name="sections-section_identity"') == 1 and 'name="section_identity"' not in html
        for name in ("review-comment", "decision-comment", "decision-decision_0", "review-score_novelty"):
            assert f'for="id_{name}"' in html and f'id="id_{name}"' in html


def test_saving_the_review_and_requesting_changes_share_the_section_comments(client):
    practice = _in_review_with_content()
    mod = moderator()
    client.force_login(mod)
    scores = {f"review-score_{c}": 7 for c in ("significance", "novelty", "adaptability", "sustainability", "evidence")}
    saved = client.post(
        reverse("review:review", args=[practice.pk]),
        {**scores, "review-recommendation": "changes", "sections-section_impact": "Tambahkan data 2024."},
    )
    assert saved.status_code == 302
    review = Review.objects.get(revision=practice.working_revision, reviewer=mod)
    assert review.section_comments["impact"] == "Tambahkan data 2024."
    page = client.get(reverse("review:detail", args=[practice.pk]))
    assert "Tambahkan data 2024.</textarea>" in page.content.decode()  # carried into the one set of comments
    decided = client.post(
        reverse("review:decide", args=[practice.pk]),
        {"decision-decision": "request_changes", "sections-section_impact": "Tambahkan data 2024."},
    )
    assert decided.status_code == 302
    snapshot = RevisionSnapshot.objects.get(revision=practice.working_revision)
    assert snapshot.section_comments == {"impact": "Tambahkan data 2024."}


def test_a_refused_form_keeps_what_was_typed(client):
    practice = _in_review_with_content()
    client.force_login(moderator())
    response = client.post(
        reverse("review:decide", args=[practice.pk]),
        {"decision-decision": "reject", "sections-section_problem": "Masalah belum jelas."},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Alasan penolakan wajib diisi." in html and "Masalah belum jelas.</textarea>" in html


# --- changes since the last round --------------------------------------------------------------------------


def test_changes_since_the_last_request_for_changes(client):
    practice = _in_review_with_content()
    author = member()
    decisions.revision_request_changes(
        practice=practice,
        by=moderator(),
        section_comments={"resources": "Sebutkan sumber anggaran yang sebenarnya.", "lessons": "Ceritakan kegagalan."},
    )
    revision = PracticeRevision.objects.get(pk=practice.working_revision_id)
    revision_section_save(
        practice_id=practice.pk,
        section="resources",
        version=revision.version,
        data={"budget_source": "APBD dan CSR"},
        by=author,
    )
    revision_transition(practice_id=practice.pk, to_state=S.SUBMITTED, by=member(role=Membership.Role.ADMIN))
    _response, html = _page(client, practice)
    changes = html.split('id="round-h"', 1)[1].split('id="content-h"', 1)[0]
    assert "Sumber daya dan keberlanjutan" in changes and "Sebutkan sumber anggaran yang sebenarnya." in changes
    assert "APBD" in changes and "CSR</ins>" in changes
    # Asked about but not changed: said so.
    lessons = changes.split('id="round-lessons"', 1)[1]
    assert "Ceritakan kegagalan." in lessons and "belum berubah" in lessons
    assert "Identitas" not in changes  # untouched sections are left out


def test_no_round_changes_block_before_any_request_for_changes(client):
    _response, html = _page(client, _in_review_with_content())
    assert 'id="round-h"' not in html and '<details class="review-block review-content" open>' in html


# --- every file opens ---------------------------------------------------------------------------------------


def test_each_file_links_to_its_preview(client):
    practice = _in_review_with_content(files=True)
    _response, html = _page(client, practice)
    files = {a.original_name: a for a in practice.working_revision.files.all()}
    pdf_url = reverse("review:attachment_preview", kwargs={"attachment_pk": files["sop_layanan.pdf"].pk})
    png_url = reverse("review:attachment_preview", kwargs={"attachment_pk": files["loket.png"].pk})
    assert f'<iframe src="{pdf_url}"' in html and f'<img src="{png_url}"' in html
    assert reverse("manage:attachment_download", kwargs={"attachment_pk": files["loket.png"].pk}) in html


def test_the_preview_is_inline_sandboxed_and_frameable_by_the_site_only(client):
    practice = _in_review_with_content(files=True)
    client.force_login(moderator())
    for name, content_type in (("sop_layanan.pdf", "application/pdf"), ("loket.png", "image/png")):
        attachment = practice.working_revision.files.get(original_name=name)
        response = client.get(reverse("review:attachment_preview", kwargs={"attachment_pk": attachment.pk}))
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith("inline;") and name in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        policy = response["Content-Security-Policy"]
        assert "sandbox" in policy and "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
        assert "private" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == attachment.file.open("rb").read()


def test_other_files_are_served_as_downloads_and_the_access_check_holds(client):
    practice = _in_review_with_content(files=True)
    attachment = practice.working_revision.files.get(original_name="loket.png")
    attachment.__class__.objects.filter(pk=attachment.pk).update(mime_type="application/zip")
    url = reverse("review:attachment_preview", kwargs={"attachment_pk": attachment.pk})
    client.force_login(moderator())
    assert client.get(url)["Content-Disposition"].startswith("attachment;")
    client.force_login(member("32.04"))  # another agency's member
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_review_page_allows_frames_of_its_own_site(client):
    response, _html = _page(client, _in_review_with_content())
    policy = response["Content-Security-Policy"]
    # frame-src falls back to default-src 'self': the preview frame loads, nothing from elsewhere does.
    assert "default-src 'self'" in policy and "frame-src" not in policy and "child-src" not in policy


# --- a fixed number of queries -----------------------------------------------------------------------------


# Measured 27: session, user, membership, the practice, the revision and its relations (7), the pre-screen,
# snapshot, steps, reviews, assignments, answered duplicate flags (history), unread notifications, the
# agency's region, the verification panel (#14, 6) and the source practice. A query per row breaks the equality.
REVIEW_PAGE_BUDGET = 30


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_page_costs_the_same_for_one_or_four_indicators_files_and_steps(client):
    client.force_login(moderator(lead=True))
    small = _in_review_with_content(indicators=1, files=True)
    large = _in_review_with_content(indicators=4, files=True, extra_files=3)
    # A second round: more steps in the history, a snapshot to compare against.
    decisions.revision_request_changes(practice=large, by=moderator(), section_comments={"impact": "Data 2024?"})
    revision_transition(practice_id=large.pk, to_state=S.SUBMITTED, by=member(role=Membership.Role.ADMIN))
    revision_transition(practice_id=large.pk, to_state=S.IN_REVIEW, by=None)
    for n in range(3):
        assignment.review_save(
            practice=large,
            by=moderator(),
            scores=dict.fromkeys(["significance", "novelty", "adaptability", "sustainability", "evidence"], n),
            recommendation=Review.Recommendation.APPROVE,
            section_comments={},
            comment="",
        )
    few = _queries(client, reverse("review:detail", args=[small.pk]))
    many = _queries(client, reverse("review:detail", args=[large.pk]))
    assert many == few
    assert many <= REVIEW_PAGE_BUDGET
