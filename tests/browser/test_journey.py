"""The whole story of one practice, through the real pages, as the people who use the portal do it.

An agency member drafts over two sessions, adds an indicator and a PDF, submits; the agency admin approves; the
pre-screen runs on a real Celery worker; a moderator asks for changes; the member revises and resubmits; the
moderator approves; the public finds it by an inflected word, by theme and by province; another agency starts a
replication; the source agency receives the email through a real SMTP server on localhost.

Run in Indonesian and in English with JavaScript on, and once in Indonesian with JavaScript off in every context
(the submission forms and the public search must work without scripts). Only the people and the competing
practice are made through the ORM/services; every step a person takes is a click or a keystroke.
"""

from __future__ import annotations

import email
import email.header
import socket
import time

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from agencies.models import Agency, Membership
from practices.models import Practice, PracticeRevision, Screening, Theme
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import practice_published

from .conftest import login_via_form, logout_via_form, screenshot
from .pdf import small_pdf

S = PracticeRevision.State

TEXT = {
    "id": {
        "title": "Pengentasan kemiskinan melalui dapur umum desa",
        "search": "miskin",  # the title says "kemiskinan": found through the Indonesian stemmer
        "subject": "mulai mereplikasi",
        "changes": "Tambahkan data penerima manfaat per desa.",
    },
    "en": {
        "title": "Pengentasan kemiskinan melalui dapur umum desa",  # content stays in the author's language
        "search": "miskin",
        "subject": "started replicating",
        "changes": "Please add beneficiary figures per village.",
    },
}
SECTIONS = {
    "problem": {"problem": "Rumah tangga miskin ekstrem sulit dijangkau bantuan.", "affected": "Warga desa."},
    "approach": {
        "approach": "Dapur umum dikelola kader PKK.",
        "novelty": "Data sasaran dari musyawarah desa.",
        "beneficiaries": "Rumah tangga miskin ekstrem.",
    },
    "impact": {"impact": "Rumah tangga miskin ekstrem turun."},
    "resources": {"budget_source": "Dana desa", "sustainability": "Masuk RKP Desa."},
    "kit": {"success_conditions": "Kader aktif.", "replication_steps": "1. Petakan sasaran. 2. Bentuk dapur."},
    "lessons": {"challenges": "Data awal tidak mutakhir."},
    "contact": {"contact_name": "Sari Wulandari", "contact_email": "sari@surabaya.go.id"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], email.message.Message]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"

    def subjects_for(self, address: str) -> list[str]:
        return [
            str(email.header.make_header(email.header.decode_header(message["Subject"])))
            for rcpt, message in self.messages
            if address in rcpt
        ]


@pytest.fixture
def smtp_inbox():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=controller.port,
            EMAIL_USE_TLS=False,
        ):
            yield inbox
    finally:
        controller.stop()


def _wait_for(predicate, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _state(practice_pk: int) -> str:
    return Practice.objects.select_related("working_revision").get(pk=practice_pk).working_revision.state


def _submit(page, label_or_selector: str = "main form .actions button[type=submit] >> nth=0") -> None:
    page.locator(label_or_selector).click()
    page.wait_for_load_state()


def _nav(page, href_suffix: str) -> None:
    """Follow a link of the page (as a person would) whose address ends with `href_suffix`."""
    page.locator(f"a[href$='{href_suffix}']").first.click()
    page.wait_for_load_state()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(("lang", "js"), [("id", True), ("en", True), ("id", False)], ids=["id", "en", "id-nojs"])
def test_a_practice_from_first_draft_to_replication(
    new_context, live_server, celery_worker, smtp_inbox, lang, js, record_figure
):
    started = time.monotonic()
    t = TEXT[lang]
    author = member("35.78", language=lang)
    admin = member("35.78", role=Membership.Role.ADMIN, language=lang)
    mod = moderator(language=lang)
    adopter = member("32.04", language=lang)  # Kabupaten Bandung
    # A published practice of another province and theme: the filters must leave it out.
    other = practice_published(title="Mal pelayanan publik terpadu", agency="32.04", theme="pelayanan-publik")
    theme = Theme.objects.get(code="kemiskinan")
    prefix = "/en" if lang == "en" else ""

    def open_page(*, width: int = 1280):
        return new_context(js=js, width=width).new_page()

    # 1. First session: log in, create the draft, fill section 1, log out and close the browser.
    page = open_page()
    login_via_form(page, author.email, lang=lang)
    _nav(page, "/kelola/" if lang == "id" else "/manage/")
    page.locator("main form[action$='/'] button[type=submit]").first.click()  # "Write a new practice"
    page.wait_for_load_state()
    page.locator("#id_title").fill(t["title"])
    page.locator("#id_summary").fill("Dapur umum desa memberi makan rumah tangga miskin ekstrem setiap hari.")
    page.locator("#id_start_year").fill("2022")
    page.locator("#id_stage").select_option(index=2)
    page.locator("#id_primary_theme").select_option(str(theme.pk))
    _submit(page)
    assert page.locator(".message-success").count() == 1, page.content()[:2000]
    practice = Practice.objects.get(working_revision__title=t["title"])
    logout_via_form(page)
    page.context.close()

    # 2. Second session: resume from "My practices", fill the other sections, one indicator, a PDF; submit.
    page = open_page()
    login_via_form(page, author.email, lang=lang)
    _nav(page, "/kelola/" if lang == "id" else "/manage/")  # "Praktik saya" in the main navigation
    page.locator("main table a").filter(has_text=t["title"]).first.click()
    page.wait_for_load_state()
    assert page.locator("#id_title").input_value() == t["title"]  # section 1 kept from the first session
    for section, fields in SECTIONS.items():
        _nav(page, f"/{section}/")
        for name, value in fields.items():
            page.locator(f"#id_{name}").fill(value)
        if section == "impact":
            page.locator("#id_ind-0-name").fill("Rumah tangga miskin ekstrem")
            page.locator("#id_ind-0-unit").fill("KK")
            page.locator("#id_ind-0-baseline_value").fill("420")
            page.locator("#id_ind-0-baseline_year").fill("2021")
            page.locator("#id_ind-0-target_value").fill("100")
            page.locator("#id_ind-0-target_year").fill("2025")
        _submit(page)
        assert page.locator(".message-success").count() == 1, f"{section}: {page.locator('main').inner_text()[:800]}"
    revision = PracticeRevision.objects.get(pk=practice.working_revision_id)
    assert revision.indicators.get().target_value == 100
    assert revision.contact_email == "sari@surabaya.go.id"

    _nav(page, f"/{practice.pk}/" + ("lampiran/" if lang == "id" else "attachments/"))
    page.locator("#id_file").set_input_files(
        files=[{"name": "sop-dapur-umum.pdf", "mimeType": "application/pdf", "buffer": small_pdf()}]
    )
    page.locator("#id_title").fill("SOP dapur umum")
    _submit(page)
    assert page.locator("main table").filter(has_text="sop-dapur-umum.pdf").count() == 1
    assert revision.attachments.get().mime_type == "application/pdf"

    _nav(page, f"/{practice.pk}/" + ("ajukan/" if lang == "id" else "submit/"))
    assert page.locator(".missing-list").count() == 0, page.locator("main").inner_text()[:1500]
    if lang == "id" and js:
        screenshot(page, "submit")
    _submit(page, "main form button[type=submit] >> nth=-1")
    assert _state(practice.pk) == S.AGENCY_REVIEW
    page.context.close()

    # 3. The agency admin approves it for the ministry; the pre-screen then runs on the worker.
    page = open_page()
    login_via_form(page, admin.email, lang=lang)
    page.goto(f"{prefix}/" + ("tinjauan/" if lang == "id" else "review/"))
    page.locator("main a").filter(has_text=t["title"]).click()
    page.locator("input[name=decision][value=approve]").check()
    _submit(page, "#agency-h ~ form button[type=submit]")
    assert _state(practice.pk) in {S.SUBMITTED, S.IN_REVIEW}
    page.context.close()
    screening = _wait_for(lambda: Screening.objects.filter(revision=revision).first(), "the pre-screen")
    _wait_for(lambda: _state(practice.pk) == S.IN_REVIEW, "the pre-screen to start the review")
    assert screening.completeness == 1

    # 4. The moderator reads the pre-screen and asks for changes to the impact section.
    page = open_page()
    login_via_form(page, mod.email, lang=lang)
    page.goto(f"{prefix}/" + ("tinjauan/" if lang == "id" else "review/"))
    page.locator("main a").filter(has_text=t["title"]).click()
    assert "100%" in page.locator("#screening-h + p, #screening-h ~ p").first.inner_text()
    page.locator("#id_decision-decision input[value=request_changes]").check()
    page.locator(".review-comments").locator("xpath=..").locator("summary").click()  # the comments box opens
    page.locator("#id_sections-section_impact").fill(t["changes"])
    _submit(page, "#decision-h ~ form button[type=submit]:not([formaction])")
    assert _state(practice.pk) == S.CHANGES_REQUESTED
    logout_via_form(page)

    # 5. The member revises the impact section and resubmits.
    login_via_form(page, author.email, lang=lang)
    _nav(page, "/kelola/" if lang == "id" else "/manage/")
    page.locator("main table a").filter(has_text=t["title"]).first.click()
    _nav(page, "/impact/")
    page.locator("#id_impact").fill("Rumah tangga miskin ekstrem turun dari 420 menjadi 150 KK di 12 desa.")
    _submit(page)
    assert page.locator(".message-success").count() == 1
    _nav(page, f"/{practice.pk}/" + ("ajukan/" if lang == "id" else "submit/"))
    _submit(page, "main form button[type=submit] >> nth=-1")
    assert _state(practice.pk) == S.AGENCY_REVIEW  # a member's resubmission goes to the agency admin again
    logout_via_form(page)
    login_via_form(page, admin.email, lang=lang)
    page.goto(f"{prefix}/" + ("tinjauan/" if lang == "id" else "review/"))
    page.locator("main a").filter(has_text=t["title"]).first.click()
    page.locator("input[name=decision][value=approve]").check()
    _submit(page, "#agency-h ~ form button[type=submit]")
    assert _state(practice.pk) in {S.SUBMITTED, S.IN_REVIEW}
    logout_via_form(page)

    # 6. The moderator approves: published.
    login_via_form(page, mod.email, lang=lang)
    page.goto(f"{prefix}/" + ("tinjauan/" if lang == "id" else "review/"))
    page.locator("main a").filter(has_text=t["title"]).first.click()
    page.locator("#id_decision-decision input[value=approve]").check()
    _submit(page, "#decision-h ~ form button[type=submit]:not([formaction])")
    practice.refresh_from_db()
    assert practice.status == Practice.Status.PUBLISHED
    page.context.close()

    # 7. The public finds it: an inflected word, the theme, the province.
    page = open_page()
    page.goto(f"{prefix}/")
    page.locator("#id_home_q").fill(t["search"])
    _submit(page, "form.search-box button[type=submit]")
    results = page.locator("main .practice-list")
    assert results.filter(has_text=t["title"]).count() == 1, page.locator("main").inner_text()[:1500]
    page.locator(".main-nav a").nth(2).click()  # Themes
    page.locator("main a").filter(has_text=theme.name_en if lang == "en" else theme.name_id).first.click()
    page.wait_for_load_state()
    assert page.locator("main").filter(has_text=t["title"]).count() == 1
    assert other.title not in page.locator("main").inner_text()
    page.locator(".main-nav a").nth(1).click()  # Practices
    page.wait_for_load_state()
    if not js:  # without scripts the filters start folded behind "Saring" (results first): the person opens them
        page.locator("details[data-filter-toggle] > summary").click()
    page.locator("#id_province").select_option("35")  # Jawa Timur
    if js:  # htmx swaps the list on change; without scripts the person presses "Apply"
        page.wait_for_url("**province=35**")
    else:
        _submit(page, "form.filters .actions button[type=submit]")
    page.wait_for_load_state()
    listing = page.locator("#browser .results")
    _wait_for(lambda: listing.filter(has_text=t["title"]).count() == 1, "the province filter")
    assert other.title not in listing.inner_text()
    page.locator("#browser .results a").filter(has_text=t["title"]).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == t["title"]
    if lang == "id" and js:
        screenshot(page, "practice-detail-after-journey")
    page.context.close()

    # 8. Another agency (Kabupaten Bandung) starts a replication from the practice page.
    page = open_page()
    login_via_form(page, adopter.email, lang=lang)
    page.goto(f"{prefix}/" + ("praktik/" if lang == "id" else "practices/") + f"{practice.slug}/")
    _nav(page, f"/{practice.slug}/" + ("replikasi/" if lang == "id" else "replication/"))
    page.locator("#id_start_note").fill("Kami ingin menerapkan dapur umum di 5 desa.")
    _submit(page, "#start-heading ~ form button[type=submit]")
    bandung = Agency.objects.get(code="32.04").name
    assert page.locator("main .replication-rows").filter(has_text=bandung).count() == 1, page.locator(
        "main"
    ).inner_text()
    page.context.close()

    # 9. The source agency's people get the email, sent by the worker through the SMTP server.
    subjects = _wait_for(
        lambda: [s for s in smtp_inbox.subjects_for(author.email) if t["subject"] in s], "the replication email"
    )
    assert len(subjects) == 1 and t["title"] in subjects[0], subjects
    # Each recipient's email is its own delivery: wait for the admin's too, it may come a moment later.
    assert _wait_for(
        lambda: [s for s in smtp_inbox.subjects_for(admin.email) if t["subject"] in s], "the admin's email"
    )
    assert Agency.objects.get(code="32.04").name in subjects[0]
    record_figure(
        "journey",
        {
            "language": lang,
            "javascript": js,
            "seconds": round(time.monotonic() - started, 1),
            "emails_received": len(smtp_inbox.messages),
        },
    )
