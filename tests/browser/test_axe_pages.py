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
from showcases.services import collection_create, collection_feature_set, note_save
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.notifications.factories import email_follow
from tests.practices.factories import practice_draft, practice_in_state, practice_published
from tests.showcases.factories import expert

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
    return _showcases_data(published=published, lead=lead) | {
        "comp_b": _comp_b_data(lead),  # issue #18 (COMP-B): finalists, objections, results
        **_comp_a_data(lead=lead, admin=admin, published=published),  # issue #18 (COMP-A): calls, reviews
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


def _comp_a_data(*, lead, admin, published) -> dict:
    """Issue #18 (COMP-A): an open call (the agency admin's entry form shows the published practice), and a call
    closed by the deadline job with the published practice entered, its first stage open and an external expert
    assigned to it (the `call_reviewer` role)."""
    from competitions.services.reviews import review_assign
    from tests.competitions.factories import call, call_judging, entry, reviewer

    open_call = call(lead=lead, title="KIPP 2027", days=20, description="Kompetisi **inovasi** pelayanan publik.")
    judging, entries = call_judging(lead=lead, title="RBXperience 2027: RB Tematik kemiskinan")
    stage = judging.stages.get(position=1)
    expert_reviewer = reviewer(judging, expert=True, lead=lead, email="pakar.axe@kampus.ac.id")
    review = review_assign(actor=lead, stage_id=stage.pk, entry_id=entries[1].pk, reviewer_id=expert_reviewer.pk)
    own = entry(open_call, practice=published, admin=admin)
    return {
        "comp_a": {"open": open_call, "judging": judging, "stage": stage, "review": review, "entry": own},
        "call_reviewer": expert_reviewer,
    }


def _showcases_data(*, published, lead) -> dict:
    """Issue #18: an award collection with a decree, featured on the home page; an expert with a pending note."""
    award = collection_create(
        actor=lead,
        title="RBXperience 2023, Nusa Dua",
        kind="award",
        introduction="Praktik yang **berdampak nyata**.",
        items=[(published, "Juara 1")],
        decree_number="12/KEP/2023",
        decree_date=datetime.date(2023, 11, 20),
        decree_file=SimpleUploadedFile("sk.pdf", small_pdf()),
    )
    collection_feature_set(actor=lead, collection=award, featured=True, position=1)
    author = expert().user
    note = note_save(author=author, practice=published, transferable="Dapat ditiru.", risks="Kader berganti.")
    return {"collection": award, "expert": author, "expert_profile": author.expert_profile, "expert_note": note}


def _comp_b_data(lead) -> dict:
    """Issue #18 (COMP-B): a call with its objection window open (an accepted, a pending and an unconfirmed
    objection, the last with its link's token) and a call whose window has closed (the lead's results form)."""
    from django.utils import timezone

    from competitions.models import Call
    from competitions.services.objections import (
        objection_confirm,
        objection_file,
        objection_moderate,
        objection_windows_close,
    )
    from tests.competitions.factories_results import finalists_call, objection_token

    call, finalists, _lead = finalists_call(lead=lead, slug="kipp-axe")

    def filed(email: str) -> str:
        objection_file(
            entry_id=finalists[0].pk,
            name="Warga Axe",
            email=email,
            relation="service_user",
            ground="data_incorrect",
            text="Angka penerima manfaat di laporan tidak sama dengan data kecamatan.",
        )
        return objection_token(Notification.objects.filter(kind="objection_confirm").latest("pk"))

    accepted = objection_confirm(token=filed("a@axe.example"))
    objection_moderate(objection_id=accepted.pk, by=lead, accept=True)
    objection_confirm(token=filed("b@axe.example"))
    token = filed("c@axe.example")
    closed, _f, _l = finalists_call(lead=lead, slug="kipp-axe-selesai")
    Call.objects.filter(pk=closed.pk).update(
        objection_opens_at=timezone.now() - datetime.timedelta(days=5),
        objection_closes_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    objection_windows_close()
    return {"call": call, "finalist": finalists[0], "token": token, "closed": closed}


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
        # Issue #18 (appended: indices).
        ("collection_list", reverse("showcases:list")),
        ("collection_detail", reverse("showcases:detail", args=[d["collection"].slug])),
        # Issue #18 (COMP-B): finalists, the objection form and its email link, results (appended: indices).
        ("call_finalists", reverse("competitions:finalists", args=[d["comp_b"]["call"].slug])),
        ("call_finalists_closed", reverse("competitions:finalists", args=[d["comp_b"]["closed"].slug])),
        (
            "objection_new",
            reverse("competitions:objection_new", args=[d["comp_b"]["call"].slug, d["comp_b"]["finalist"].pk]),
        ),
        ("objection_confirm", reverse("competitions:objection_confirm", args=[d["comp_b"]["token"]])),
        ("call_results", reverse("competitions:results", args=[d["comp_b"]["call"].slug])),
        ("call_detail_objection", reverse("competitions:call_detail", args=[d["comp_b"]["call"].slug])),
        # Issue #18 (COMP-A): the calls, open and judging (appended: indices).
        ("call_list", reverse("competitions:call_list")),
        ("call_detail", reverse("competitions:call_detail", args=[d["comp_a"]["open"].slug])),
        ("call_detail_judging", reverse("competitions:call_detail", args=[d["comp_a"]["judging"].slug])),
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
            ("agency_objections", reverse("competitions:agency_objections")),  # issue #18 (COMP-B)
            # Issue #18 (COMP-A): the call page with the entry panel, the entry's page.
            ("call_detail_agency", reverse("competitions:call_detail", args=[d["comp_a"]["open"].slug])),
            ("entry_detail", reverse("competitions:entry_detail", args=[d["comp_a"]["entry"].pk])),
        ],
        "moderator": [
            ("moderator_queue", reverse("review:queue")),
            ("review_detail", reverse("review:detail", args=[d["submitted"].pk])),
            ("review_detail_published", reverse("review:detail", args=[published.pk])),
            ("practice_detail", reverse("practices:detail", args=[published.slug])),
            ("mentoring", reverse("insights:mentoring")),
            # English versions awaiting verification (issue #17, brief LANG).
            ("translation_queue", reverse("review:translations")),
            # Issue #18: collections and expert notes.
            ("collection_manage_list", reverse("showcases:manage_list")),
            ("collection_create", reverse("showcases:manage_create")),
            ("collection_edit", reverse("showcases:manage_edit", args=[d["collection"].pk])),
            ("collection_items", reverse("showcases:manage_items", args=[d["collection"].pk]) + "?q=kemiskinan"),
            ("note_queue", reverse("showcases:note_queue")),
            ("note_write_moderator", reverse("showcases:note_write", args=[published.slug])),
            ("objection_queue", reverse("competitions:objection_queue", args=[d["comp_b"]["call"].slug])),  # #18
        ],
        "expert": [
            ("practice_detail", reverse("practices:detail", args=[published.slug])),
            ("notes", reverse("showcases:notes")),
            ("note_write", reverse("showcases:note_write", args=[published.slug])),
        ],
        "lead": [
            ("moderator_queue", reverse("review:queue")),
            ("review_detail", reverse("review:detail", args=[d["submitted"].pk])),
            ("moderators", reverse("agencies:moderators")),
            ("moderator_invite", reverse("agencies:moderator_invite")),
            # Issue #18 (COMP-B): the lead sees objectors and decides; the results form of a closed window.
            ("objection_queue_lead", reverse("competitions:objection_queue", args=[d["comp_b"]["call"].slug])),
            ("results_publish", reverse("competitions:results_publish", args=[d["comp_b"]["closed"].slug])),
            ("experts", reverse("showcases:experts")),
            ("expert_edit", reverse("showcases:expert_edit", args=[d["expert_profile"].pk])),
            # Issue #18 (COMP-A): the call form with KIPP's defaults, the call's and the stage's pages.
            ("call_new", reverse("competitions:call_new")),
            ("call_manage", reverse("competitions:call_manage", args=[d["comp_a"]["judging"].pk])),
            ("call_edit", reverse("competitions:call_edit", args=[d["comp_a"]["open"].pk])),
            ("stage_manage", reverse("competitions:stage_manage", args=[d["comp_a"]["stage"].pk])),
        ],
        # Issue #18 (COMP-A): an external expert invited to a call, with one assignment.
        "call_reviewer": [
            ("review_dashboard", reverse("competitions:review_dashboard")),
            ("review_form", reverse("competitions:review_form", args=[d["comp_a"]["review"].pk])),
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
