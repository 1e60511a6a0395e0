"""axe-core on every page template, in both languages, logged out and as each role; the public pages at 360 px.

The data (a draft, a practice waiting for the agency admin, a submitted one, a published one with an indicator,
a PDF and a second revision, a replication and a question) is made through the services and the ORM: what is
tested here is how each page renders, not how it was reached. Serious and critical violations fail the test;
the rest are counted per page and recorded for docs/QUALITY.md.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from agencies.models import Agency, Membership
from agencies.services.invitations import invitation_create
from common.cache import public_cache_invalidate
from ledger.services.questions import question_ask
from ledger.services.replication import replication_start
from notifications.models import Notification
from notifications.tokens import follower_manage_token, kind_unsubscribe_token
from practices.models import Indicator, Practice, PracticeRevision
from practices.services.attachments import attachment_add
from practices.services.submission import revision_start_from_live
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.notifications.factories import email_follow
from tests.practices.factories import practice_draft, practice_in_state, practice_published

from .conftest import axe_run, horizontal_overflow, login_as, screenshot
from .pdf import small_pdf

S = PracticeRevision.State
OVERFLOW_TOLERANCE = 2  # px: sub-pixel rounding of a scrollbar-less layout


def _data():
    author = member("35.78")
    admin = member("35.78", role=Membership.Role.ADMIN)
    mod = moderator()
    lead = moderator(lead=True)
    other = member("32.04", role=Membership.Role.ADMIN)

    published = practice_published(
        title="Pengurangan kemiskinan ekstrem berbasis data desa",
        summary="Data desa dipakai untuk menyasar bantuan sosial kepada rumah tangga miskin ekstrem.",
        theme="kemiskinan",
        other_themes=("pelayanan-publik",),
        indicator={
            "name": "Rumah tangga miskin ekstrem",
            "unit": "KK",
            "baseline_value": Decimal(1200),
            "baseline_year": 2021,
            "target_value": Decimal(300),
            "target_year": 2024,
            "higher_is_better": False,
            "values": [("2022-06-30", "900"), ("2023-06-30", "520")],
        },
        problem="Bantuan tidak tepat sasaran.",
        approach="Pendataan ulang oleh kader desa.",
        contact_name="Sari",
        contact_email="sari@example.go.id",
    )
    # A readable slug for the page list below.
    Practice.objects.filter(pk=published.pk).update(slug="kemiskinan-ekstrem-data-desa")
    published.refresh_from_db()
    public_cache_invalidate()
    draft = practice_draft(by=author, title="Draf layanan kependudukan keliling")
    waiting = practice_in_state(S.AGENCY_REVIEW, author=author, title="Antrean izin usaha daring")
    submitted = practice_in_state(S.SUBMITTED, author=author, admin=admin, title="Pengaduan warga terpadu")
    revision_start_from_live(practice_id=published.pk, by=author)  # a second revision: the compare page
    attachment_add(  # added to the new (editable) revision, listed on the attachments page
        practice_id=published.pk, uploaded=SimpleUploadedFile("sop.pdf", small_pdf()), by=author, title="SOP"
    )
    replication = replication_start(
        source=published, by=other, date=datetime.date(2025, 1, 15), note="Kami tertarik menerapkannya."
    )
    question_ask(practice=published, by=other, text="Berapa lama pendataan ulang di satu desa?")
    email_follow("warga@example.com", kind="agency", target=Agency.objects.get(code="35.78"), frequency="daily")
    invitation_create(email="calon@example.go.id", agency=Agency.objects.get(code="35.78"), role="member", by=admin)
    invitation_path = Notification.objects.get(kind="invitation", email="calon@example.go.id").target_url
    assert Indicator.objects.filter(revision__practice=published).exists()
    return {
        "author": author,
        "admin": admin,
        "moderator": mod,
        "lead": lead,
        "other": other,
        "draft": draft,
        "waiting": waiting,
        "submitted": submitted,
        "published": published,
        "replication": replication,
        "invitation_token": invitation_path.rstrip("/").rsplit("/", 1)[1],
    }


def _pages(d: dict) -> dict[str, list[tuple[str, str]]]:
    """(name, URL) of every page template, grouped by who looks at it. Built with reverse() in the active language."""
    published, draft = d["published"], d["draft"]
    agency = Agency.objects.get(code="35.78")
    public = [
        ("home", reverse("home")),
        ("practice_list", reverse("practices:list")),
        ("practice_search", reverse("practices:list") + "?q=miskin"),
        ("practice_search_nothing", reverse("practices:list") + "?q=kemiskinnan+ekstrim"),
        ("practice_detail", reverse("practices:detail", args=[published.slug])),
        ("theme_index", reverse("practices:theme_index")),
        ("theme_detail", reverse("practices:theme", args=["kemiskinan"])),
        ("agency_list", reverse("agencies:list")),
        ("agency_detail", reverse("agencies:detail", args=[agency.slug])),
        ("map", reverse("insights:map")),
        ("statistics", reverse("insights:statistics")),
        ("data_dictionary", reverse("exports:data_dictionary")),
        ("replication_list", reverse("ledger:replication_list", args=[published.slug])),
        ("question_list", reverse("ledger:question_list", args=[published.slug])),
        # The signed links of emails (no login).
        (
            "unsubscribe_kind",
            reverse(
                "notifications:unsubscribe_kind",
                args=[kind_unsubscribe_token(user_id=d["author"].pk, group="decisions")],
            ),
        ),
        (
            "follower_manage",
            reverse("notifications:follower_manage", args=[follower_manage_token(email="warga@example.com")]),
        ),
        ("practice_handout", reverse("practices:handout", args=[published.slug])),  # issue #17 (appended: indices)
    ]
    logged_out_only = [
        ("invitation_accept", reverse("agencies:invitation_accept", args=[d["invitation_token"]])),
        ("password_reset", reverse("accounts:password_reset")),
        ("password_reset_done", reverse("accounts:password_reset_done")),
        ("login", reverse("accounts:login")),
        ("password_reset_confirm", reverse("accounts:password_reset_confirm", args=["MQ", "tidak-sah"])),
        ("password_reset_complete", reverse("accounts:password_reset_complete")),
    ]
    member_pages = [
        ("manage_list", reverse("manage:list")),
        *[
            (f"section_{key}", reverse("manage:section", args=[draft.pk, key]))
            for key in ("identity", "problem", "approach", "impact", "resources", "kit", "lessons", "contact")
        ],
        ("attachments", reverse("manage:attachments", args=[published.pk])),
        ("submit", reverse("manage:submit", args=[draft.pk])),
        ("compare", reverse("manage:compare", args=[published.pk])),
        ("notifications", reverse("notifications:list")),
        ("notification_settings", reverse("notifications:settings")),
        ("two_factor_setup", reverse("accounts:2fa_setup")),
        ("account", reverse("accounts:account")),
        ("password_change", reverse("accounts:password_change")),
        ("recovery_codes", reverse("accounts:recovery_codes")),
    ]
    return {
        "anonymous": public + logged_out_only,
        # Signed in, the public pages differ in the header and in what the person may do on them.
        "member": [public[0], public[1], public[4], public[11], public[12], *member_pages],
        "other_agency": [
            ("replication_list", reverse("ledger:replication_list", args=[published.slug])),
            ("question_list", reverse("ledger:question_list", args=[published.slug])),
            ("manage_list", reverse("manage:list")),
        ],
        "agency_admin": [
            ("agency_queue", reverse("review:agency_queue")),
            ("review_detail_agency", reverse("review:detail", args=[d["waiting"].pk])),
            ("notifications", reverse("notifications:list")),
            ("mentoring", reverse("insights:mentoring")),
            ("people", reverse("agencies:people")),
            ("invite", reverse("agencies:invite")),
        ],
        "moderator": [
            ("moderator_queue", reverse("review:queue")),
            ("review_detail", reverse("review:detail", args=[d["submitted"].pk])),
            ("review_detail_published", reverse("review:detail", args=[published.pk])),
            ("practice_detail", reverse("practices:detail", args=[published.slug])),
            ("mentoring", reverse("insights:mentoring")),
        ],
        "lead": [
            ("moderator_queue", reverse("review:queue")),
            ("review_detail", reverse("review:detail", args=[d["submitted"].pk])),
            ("moderators", reverse("agencies:moderators")),
            ("moderator_invite", reverse("agencies:moderator_invite")),
        ],
    }


# The main pages, saved under test-artifacts/screenshots/ at 1280 px (and the public ones at 360 px).
SCREENSHOTS = {
    "anonymous": {
        "home",
        "practice_list",
        "practice_search",
        "practice_detail",
        "theme_detail",
        "agency_detail",
        "map",
        "statistics",
        "replication_list",
        "login",
    },
    "member": {"manage_list", "section_identity", "section_impact", "attachments", "submit"},
    "agency_admin": {"agency_queue"},
    "moderator": {"moderator_queue", "review_detail"},
}
ROLE_USER = {"member": "author", "other_agency": "other", "agency_admin": "admin", "moderator": "moderator"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_page_passes_axe_and_public_pages_fit_360_px(new_context, live_server, lang, record_figure):
    data = _data()
    with translation.override(lang):
        pages = _pages(data)
        not_found = reverse("practices:detail", args=["tidak-ada-praktik-ini"])
    serious: dict[str, list] = {}
    remaining: dict[str, int] = {}

    def audit(page, role: str, name: str) -> None:
        violations = axe_run(page)
        found = [v for v in violations if v["impact"] in ("serious", "critical")]
        if found:
            serious[f"{role} {name} {page.url}"] = found
        remaining[f"{role}:{name}"] = len(violations) - len(found)

    for role, urls in pages.items():
        context = new_context()
        if role != "anonymous":
            login_as(context, data[ROLE_USER.get(role, role)], live_server.url)
        page = context.new_page()
        for name, url in urls:
            response = page.goto(url)
            assert response is not None and response.status == 200, f"{role} {name} {url}: {response}"
            assert page.url == live_server.url + url, f"{role} {name}: {url} ended at {page.url}"
            assert page.evaluate("() => document.documentElement.lang") == lang, url
            if role != "anonymous":
                assert page.locator(".nav-user form").count() == 1, f"{role} is not logged in on {url}"
            audit(page, role, name)
            if lang == "id" and name in SCREENSHOTS.get(role, ()):
                screenshot(page, f"{role}-{name}")
        # Pages in their error states: the error summary and the field errors are part of the template.
        if role == "anonymous":
            assert page.goto(not_found).status == 404
            audit(page, role, "not_found")
            page.goto(pages["anonymous"][-3][1])  # the login page
            page.locator("#id_username").fill(data["author"].email)
            page.locator("#id_password").fill("bukan-kata-sandinya")
            # Wait for the answer to the POST: counting before it arrives sees the empty form (a flaky CI run).
            with page.expect_navigation():
                page.locator("main form button[type=submit]").click()
            assert page.locator("main .error-summary, main [role=alert]").count() >= 1
            audit(page, role, "login_error")
        if role == "moderator":
            page.goto(dict(urls)["review_detail"])
            # "Request changes" without saying which: refused by the server with the form kept.
            page.locator("#id_decision-decision input[value=request_changes]").check()
            with page.expect_navigation():
                page.locator("#decision-h ~ form button[type=submit]:not([formaction])").click()
            assert page.locator("#decision-h ~ form .error").count() >= 1
            audit(page, role, "decision_error")
        context.close()

    # The public pages on a 360 px phone: nothing may scroll sideways (tables scroll inside their own box).
    narrow = new_context(width=360, height=740).new_page()
    overflow = {}
    for name, url in pages["anonymous"]:
        assert narrow.goto(url).status == 200
        extra = horizontal_overflow(narrow)
        if lang == "id" and name in SCREENSHOTS["anonymous"]:
            screenshot(narrow, f"anonymous-{name}")
        if extra > OVERFLOW_TOLERANCE:
            overflow[name] = extra
    record_figure("narrow_screen", {"language": lang, "pages": len(pages["anonymous"]), "overflowing": overflow})
    record_figure(
        "axe",
        {
            "language": lang,
            "pages_checked": len(remaining),
            "serious_or_critical": sum(len(v) for v in serious.values()),
            "moderate_or_minor_total": sum(remaining.values()),
            "moderate_or_minor_per_page": remaining,
        },
    )
    assert serious == {}, serious
    assert overflow == {}, f"pages wider than 360 px (extra px): {overflow}"
