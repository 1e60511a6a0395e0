"""The authorisation matrix: every URL pattern of the project × every role, with its expected outcome.

The routes come from the URL configuration itself (`get_resolver().url_patterns`, walked recursively, the
i18n patterns and the admin included), so a new URL without an entry in `EXPECTED` fails
`test_every_route_has_an_entry`. Each route is then requested by each role with kwargs built from fixtures
(a draft of Kota Surabaya, a submitted practice, a published one, a replication by Kabupaten Bandung, a
question, an attachment, a notification). Nothing may answer 500.

Outcomes, one token per role in the order of `ROLES`:
  200 / 204 / 400 / 403 / 404 / 405   that status code;
  login                               302 to the portal's login page (with ?next=);
  adminlogin                          302 to the admin's login page;
  302                                 a redirect elsewhere (after a successful POST, or to another page).

`get` is what a GET answers; `post` (for routes that take a POST) what an empty POST answers: a role that may
act gets the form back with errors (400/200) or is redirected (302); a role that may not gets 404/403/login.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from agencies.models import Agency, Membership
from agencies.services.invitations import invitation_create
from ledger.services.questions import question_ask
from ledger.services.replication import replication_start
from notifications.models import Notification
from notifications.services.follows import follow_set
from notifications.services.notify import notify
from notifications.tokens import follower_manage_token, kind_unsubscribe_token
from practices.models import PracticeRevision
from practices.services.attachments import attachment_add
from practices.services.covers import cover_variants_make
from showcases.services import collection_create, note_save
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.competitions.factories import matrix_world as competitions_matrix_world
from tests.practices.factories import practice_draft, practice_in_state, published_practice
from tests.showcases.factories import expert

ROLES = ("anonymous", "other_agency", "member", "agency_admin", "moderator", "lead")
S = PracticeRevision.State

ALL_200 = "200 200 200 200 200 200"
LOGGED_IN_ONLY = "login 200 200 200 200 200"
POST_ONLY = "login 405 405 405 405 405"
API_POST_ONLY = "405 405 405 405 405 405"

# Route name (or the regex of an unnamed route) -> {"get": six tokens, "post": six tokens (optional)}.
EXPECTED: dict[str, dict[str, str]] = {
    # Wiring, API, sitemap ------------------------------------------------------------------------------------
    "healthz": {"get": ALL_200},
    # --- TOPO (issue #19): Prometheus metrics, 404 for every role without the METRICS_TOKEN bearer/basic auth.
    "metrics": {"get": "404 404 404 404 404 404", "post": "405 405 405 405 405 405"},
    # --- end TOPO
    "api-root": {"get": ALL_200},
    "theme-list": {"get": ALL_200},
    "theme-detail": {"get": ALL_200},
    "api-schema": {"get": ALL_200},
    "api-docs": {"get": ALL_200},
    "sitemap": {"get": ALL_200},
    "robots_txt": {"get": ALL_200},
    "set_language": {"get": "302 302 302 302 302 302", "post": "302 302 302 302 302 302"},
    # Media files are served by Django only in DEBUG; stored names are random, and a missing one is a 404.
    r"^media/(?P<path>.*)$": {"get": "404 404 404 404 404 404"},
    # Public pages ----------------------------------------------------------------------------------------------
    "home": {"get": ALL_200, "post": "405 405 405 405 405 405"},
    "practices:home": {"get": ALL_200},
    "practices:list": {"get": ALL_200, "post": "405 405 405 405 405 405"},
    "feeds:latest": {"get": ALL_200},
    "feeds:province": {"get": ALL_200},
    "practices:detail": {"get": ALL_200, "post": "405 405 405 405 405 405"},
    "practices:history": {"get": ALL_200, "post": "405 405 405 405 405 405"},
    "practices:handout": {"get": ALL_200, "post": "405 405 405 405 405 405"},
    # A draft's cover image: its agency only (the published one is public, tests/practices/test_covers.py).
    "practice_cover": {"get": "404 404 200 200 404 404", "post": "405 405 405 405 405 405"},
    "practices:theme_index": {"get": ALL_200},
    "practices:theme": {"get": ALL_200},
    "feeds:theme": {"get": ALL_200},
    "agencies:list": {"get": ALL_200},
    "agencies:detail": {"get": ALL_200},
    "agencies:feed": {"get": ALL_200},
    # People of an agency (issue #16): its admin only, 404 for everyone else (the pages do not announce
    # themselves); the moderators' pages: lead moderators only. The fixtures are Surabaya's.
    "agencies:people": {"get": "login 404 404 200 404 404"},
    "agencies:invite": {"get": "login 404 404 200 404 404", "post": "login 404 404 400 404 404"},
    "agencies:member_remove": {"get": POST_ONLY, "post": "login 404 404 302 404 404"},
    "agencies:invitation_resend": {"get": POST_ONLY, "post": "login 404 404 302 404 404"},
    "agencies:invitation_revoke": {"get": POST_ONLY, "post": "login 404 404 302 404 404"},
    "agencies:moderators": {"get": "login 404 404 404 404 200"},
    "agencies:moderator_invite": {"get": "login 404 404 404 404 200", "post": "login 404 404 404 404 400"},
    # The link is the authorisation. Signed in as someone else, the page says so (200) and creates nothing; an
    # empty POST by the invited (anonymous) person gets the form back with its errors.
    "agencies:invitation_accept": {"get": ALL_200, "post": "400 200 200 200 200 200"},
    # Ledger: public reads; acting needs the right agency ----------------------------------------------------
    # Starting a replication: the owning agency may not (its members get the form back with the refusal).
    "ledger:replication_list": {"get": ALL_200, "post": "login 400 400 400 400 400"},
    "ledger:question_list": {"get": ALL_200, "post": "login 400 400 400 400 400"},
    # Answering: only the owning agency (Surabaya) or the asker's agency (Bandung) may see the question.
    "ledger:question_answer": {"get": POST_ONLY, "post": "login 400 400 400 404 404"},
    # Recording a stage: the replicating agency (Bandung); the source agency sees it too (the service refuses).
    "ledger:replication_advance": {"get": POST_ONLY, "post": "login 400 400 400 404 404"},
    "ledger:replication_respond": {"get": POST_ONLY, "post": "login 400 400 400 404 404"},
    # Only the replicating agency turns it into a practice; the source agency is refused by the service (403).
    "ledger:replication_make_practice": {"get": POST_ONLY, "post": "login 302 403 403 404 404"},
    "ledger:replication_mark": {"get": POST_ONLY, "post": "login 404 400 400 404 404"},
    "ledger:replication_mark_undo": {"get": POST_ONLY, "post": "login 404 302 302 404 404"},
    "insights:map": {"get": ALL_200},
    "insights:statistics": {"get": ALL_200},
    # Mentoring: agency admins (suggestions for their agency) and moderators (agencies needing mentoring).
    "insights:mentoring": {"get": "login 404 404 200 200 200"},
    # Accounts ----------------------------------------------------------------------------------------------
    "accounts:login": {"get": "200 302 302 302 302 302"},
    "accounts:logout": {"get": "405 405 405 405 405 405", "post": "302 302 302 302 302 302"},
    # Asking for a reset link: anyone; an empty form comes back with its error.
    "accounts:password_reset": {"get": ALL_200, "post": "400 400 400 400 400 400"},
    "accounts:password_reset_done": {"get": ALL_200},
    "accounts:password_reset_confirm": {"get": ALL_200},
    "accounts:password_reset_complete": {"get": ALL_200},
    "accounts:password_change": {"get": LOGGED_IN_ONLY, "post": "login 200 200 200 200 200"},
    # New recovery codes need a 2FA-verified session (nobody in this matrix has a device: 403).
    "accounts:recovery_codes": {"get": LOGGED_IN_ONLY, "post": "login 403 403 403 403 403"},
    # Only a lead moderator resets another person's two-factor (here the moderator's); 404 for everyone else.
    "accounts:2fa_reset": {"get": POST_ONLY, "post": "login 404 404 404 404 302"},
    "accounts:sessions_end_all": {"get": POST_ONLY, "post": "login 302 302 302 302 302"},
    "accounts:2fa_setup": {"get": LOGGED_IN_ONLY},
    # Without a device there is nothing to verify: the page sends the user on.
    "accounts:2fa_verify": {"get": "login 302 302 302 302 302"},
    # Notifications -----------------------------------------------------------------------------------------
    "notifications:list": {"get": LOGGED_IN_ONLY},
    "notifications:read": {"get": POST_ONLY, "post": "login 302 302 302 302 302"},
    # Management ("Praktik saya"): own agency only; moderators never edit ---------------------------------------
    "manage:list": {"get": "login 200 200 200 404 404"},
    "manage:new": {"get": POST_ONLY, "post": "login 302 302 302 404 404"},
    "manage:section": {"get": "login 404 200 200 404 404", "post": "login 404 200 200 404 404"},
    "manage:submit": {"get": "login 404 200 200 404 404", "post": "login 404 200 200 404 404"},
    "manage:revision_new": {"get": POST_ONLY, "post": "login 404 302 302 404 404"},
    # Reading the comparison: the agency, and moderators once the practice has left it (not this draft).
    "manage:compare": {"get": "login 404 200 200 404 404"},
    "manage:attachments": {"get": "login 404 200 200 404 404", "post": "login 404 200 200 404 404"},
    "manage:attachment_delete": {"get": POST_ONLY, "post": "login 404 302 302 404 404"},
    # A file of a draft: only its agency.
    "manage:attachment_download": {"get": "404 404 200 200 404 404"},
    # English versions (issue #17): the owning agency and ministry translators write, moderators verify.
    "manage:translation": {"get": "login 404 200 200 200 200", "post": "login 404 400 400 400 400"},
    "manage:translation_verify": {"get": POST_ONLY, "post": "login 404 403 403 302 302"},
    "manage:translation_machine": {"get": POST_ONLY, "post": "login 404 302 302 302 302"},
    # The moderators' queue of English versions awaiting verification (brief LANG): moderators only.
    "review:translations": {"get": "login 403 403 403 200 200", "post": "login 405 405 405 405 405"},
    # Review ------------------------------------------------------------------------------------------------
    "review:index": {"get": "login 403 403 302 302 302"},
    "review:queue": {"get": "login 403 403 403 200 200"},
    "review:reassign": {"get": POST_ONLY, "post": "login 403 403 403 403 302"},
    "review:agency_queue": {"get": "login 403 403 200 403 403"},
    # A submitted practice of Surabaya: its agency admin and the moderators.
    "review:detail": {"get": "login 404 404 200 200 200"},
    "review:agency_decide": {"get": POST_ONLY, "post": "login 404 404 400 400 400"},
    "review:decide": {"get": POST_ONLY, "post": "login 404 404 403 400 400"},
    "review:review": {"get": POST_ONLY, "post": "login 404 404 403 400 400"},
    # Archiving and confirming a published practice of Surabaya.
    "review:archive": {"get": POST_ONLY, "post": "login 404 404 400 400 400"},
    # Any member of the owning agency confirms that the practice still runs (the freshness check).
    "review:confirm": {"get": POST_ONLY, "post": "login 404 302 302 403 403"},
    # Only a lead moderator sets "two reviewers must agree".
    "review:two_reviewers": {"get": POST_ONLY, "post": "login 404 404 403 403 302"},
    "review:verification_add": {"get": POST_ONLY, "post": "login 404 404 400 400 400"},
    "review:evidence_level_set": {"get": POST_ONLY, "post": "login 404 404 403 400 400"},
    # The review page's preview of a file: the download's access check (a draft's file: its agency only).
    "review:attachment_preview": {"get": "login 404 200 200 404 404"},
    # Follows and subscriptions ---------------------------------------------------------------------------
    "notifications:follows": {"get": LOGGED_IN_ONLY},
    "notifications:follow": {"get": POST_ONLY, "post": "login 302 302 302 302 302"},
    # The public follows by email (double opt-in); an empty form is refused with its errors.
    "notifications:follow_email": {"get": ALL_200, "post": "400 400 400 400 400 400"},
    # A follow of the member: others are sent back to their own list (the service finds no follow of theirs).
    "notifications:follow_change": {"get": POST_ONLY, "post": "login 302 302 302 302 302"},
    # The token in the link is the authorisation: the page asks, the POST acts, whoever holds the link.
    "notifications:follow_confirm": {"get": ALL_200, "post": ALL_200},
    "notifications:unsubscribe": {"get": ALL_200, "post": ALL_200},
    # Settings: an empty POST misses every group (400 with the errors). The signed links need no login: the
    # one-click unsubscribe answers anyone holding it (RFC 8058); the follower page refuses an empty POST.
    "notifications:settings": {"get": LOGGED_IN_ONLY, "post": "login 400 400 400 400 400"},
    "notifications:unsubscribe_kind": {"get": ALL_200, "post": ALL_200},
    "notifications:follower_manage": {"get": ALL_200, "post": "400 400 400 400 400 400"},
    # API v1 and exports ------------------------------------------------------------------------------------
    "agency-list": {"get": ALL_200},
    "agency-detail": {"get": ALL_200},
    # The caller's own agency's people: its admin; other signed-in callers are told why (403). No retrieve:
    # the detail routes take DELETE only (tested in tests/agencies/test_people.py).
    "member-list": {"get": "401 403 403 200 403 403"},
    "member-detail": {"get": "401 405 405 405 405 405"},
    "invitation-list": {"get": "401 403 403 200 403 403", "post": "401 403 403 400 403 403"},
    "invitation-detail": {"get": "401 405 405 405 405 405"},
    # A lead moderator manages ministry invitations, not this agency's: 404 for them.
    "invitation-resend": {"get": "401 405 405 405 405 405", "post": "401 403 403 200 403 404"},
    # Writes take JSON (415 for the form-encoded empty POST) and a token or session (401 without).
    "practice-list": {"get": ALL_200, "post": "401 415 415 415 415 415"},
    "practice-detail": {"get": ALL_200},
    # Writes on a draft of Surabaya: other agencies and moderators get 404 (the draft does not exist for them).
    "practice-attachments": {"get": API_POST_ONLY, "post": "401 404 400 400 404 404"},
    "practice-indicators": {"get": API_POST_ONLY, "post": "401 404 415 415 404 404"},
    "practice-submit": {"get": API_POST_ONLY, "post": "401 404 415 415 404 404"},
    # Decisions: moderators only, checked before the body is read.
    "practice-decision": {"get": API_POST_ONLY, "post": "401 404 403 403 415 415"},
    "replication-list": {"get": ALL_200},
    "replication-detail": {"get": ALL_200},
    "api-dump": {"get": ALL_200},
    # Each user manages their own token.
    "accounts:api_token": {"get": LOGGED_IN_ONLY, "post": "login 200 200 200 200 200"},
    "accounts:account": {"get": LOGGED_IN_ONLY, "post": "login 400 400 400 400 400"},
    "accounts:api_token_delete": {"get": POST_ONLY, "post": "login 302 302 302 302 302"},
    "exports:practices": {"get": ALL_200},
    "exports:agencies": {"get": ALL_200},
    "exports:map": {"get": ALL_200},
    "exports:data_dictionary": {"get": ALL_200},
    "exports:replications": {"get": ALL_200},
    "exports:catalogue": {"get": ALL_200},
    # Competitions (issue #18), calls, entries, stages, reviews (COMP-A) ------------------------------------------
    # The fixtures: a call of the lead, closed by the deadline job, Surabaya's published practice entered by its
    # admin, the first stage open, an external expert assigned to that entry (the external reviewer's row is in
    # EXTERNAL_REVIEWER below). Lead pages are 404 for everyone else; an entry is its agency's (members read,
    # the admin withdraws: after the deadline the refusal is a message and a redirect); a review is its reviewer's.
    "competitions:call_list": {"get": ALL_200},
    "competitions:call_detail": {"get": ALL_200},
    "competitions:call_enter": {"get": POST_ONLY, "post": "login 403 403 400 403 403"},
    "competitions:call_new": {"get": "login 404 404 404 404 200", "post": "login 404 404 404 404 400"},
    "competitions:call_manage": {"get": "login 404 404 404 404 200"},
    "competitions:call_edit": {"get": "login 404 404 404 404 200", "post": "login 404 404 404 404 400"},
    "competitions:call_publish": {"get": POST_ONLY, "post": "login 404 404 404 404 302"},
    "competitions:call_reviewer_invite": {"get": POST_ONLY, "post": "login 404 404 404 404 400"},
    "competitions:entry_detail": {"get": "login 404 200 200 404 404"},
    "competitions:entry_withdraw": {"get": POST_ONLY, "post": "login 404 404 302 404 404"},
    "competitions:stage_manage": {"get": "login 404 404 404 404 200"},
    "competitions:stage_assign": {"get": POST_ONLY, "post": "login 404 404 404 404 400"},
    "competitions:stage_assign_auto": {"get": POST_ONLY, "post": "login 404 404 404 404 302"},
    "competitions:stage_advance": {"get": POST_ONLY, "post": "login 404 404 404 404 400"},
    "competitions:review_dashboard": {"get": LOGGED_IN_ONLY},
    # The review of the external expert: nobody else opens it, not even the lead.
    "competitions:review_form": {"get": "login 404 404 404 404 404", "post": "login 404 404 404 404 404"},
    "competitions:review_conflict": {"get": POST_ONLY, "post": "login 404 404 404 404 404"},
}

# Competitions (issue #18): the seventh role, an external reviewer (an expert invited to the call, assigned to
# one entry), for every competitions route; one token per method. COMP-B adds its routes' rows at the end.
EXTERNAL_REVIEWER: dict[str, dict[str, str]] = {
    "competitions:call_list": {"get": "200"},
    "competitions:call_detail": {"get": "200"},
    "competitions:call_enter": {"get": "405", "post": "403"},
    "competitions:call_new": {"get": "404", "post": "404"},
    "competitions:call_manage": {"get": "404"},
    "competitions:call_edit": {"get": "404", "post": "404"},
    "competitions:call_publish": {"get": "405", "post": "404"},
    "competitions:call_reviewer_invite": {"get": "405", "post": "404"},
    "competitions:entry_detail": {"get": "404"},
    "competitions:entry_withdraw": {"get": "405", "post": "404"},
    "competitions:stage_manage": {"get": "404"},
    "competitions:stage_assign": {"get": "405", "post": "404"},
    "competitions:stage_assign_auto": {"get": "405", "post": "404"},
    "competitions:stage_advance": {"get": "405", "post": "404"},
    "competitions:review_dashboard": {"get": "200"},
    "competitions:review_form": {"get": "200", "post": "400"},
    "competitions:review_conflict": {"get": "405", "post": "400"},
}

# Showcases (issue #18): collections, experts and expert notes ---------------------------------------------------
# Public reads of a published award collection (with its decree PDF); curating: ministry moderators; experts'
# profiles: lead moderators; the fixture's note was written by an expert (outside the six roles, tested in
# tests/showcases/). The management pages are 404 for everyone else (they do not announce themselves).
SHOWCASES_CURATORS = "login 404 404 404 200 200"
EXPECTED.update(
    {
        "showcases:list": {"get": ALL_200},
        "showcases:feed": {"get": ALL_200},
        "showcases:detail": {"get": ALL_200, "post": "405 405 405 405 405 405"},
        "showcases:collection_feed": {"get": ALL_200},
        "showcases:decree": {"get": ALL_200},
        "showcases:manage_list": {"get": SHOWCASES_CURATORS},
        "showcases:manage_create": {"get": SHOWCASES_CURATORS, "post": "login 404 404 404 400 400"},
        "showcases:manage_edit": {"get": SHOWCASES_CURATORS, "post": "login 404 404 404 400 400"},
        "showcases:manage_publish": {"get": POST_ONLY, "post": "login 404 404 404 400 400"},
        "showcases:manage_feature": {"get": POST_ONLY, "post": "login 404 404 404 400 400"},
        "showcases:manage_items": {"get": SHOWCASES_CURATORS, "post": "login 404 404 404 400 400"},
        "showcases:manage_item_add": {"get": POST_ONLY, "post": "login 404 404 404 400 400"},
        "showcases:experts": {"get": "login 404 404 404 404 200", "post": "login 404 404 404 404 400"},
        "showcases:expert_edit": {"get": "login 404 404 404 404 200", "post": "login 404 404 404 404 400"},
        # Writing notes: experts and moderators; moderating: moderators.
        "showcases:notes": {"get": SHOWCASES_CURATORS},
        "showcases:note_write": {"get": SHOWCASES_CURATORS, "post": "login 404 404 404 400 400"},
        "showcases:note_queue": {"get": SHOWCASES_CURATORS},
        "showcases:note_moderate": {"get": POST_ONLY, "post": "login 404 404 404 400 400"},
        "collection-list": {"get": ALL_200},
        "collection-detail": {"get": ALL_200},
    }
)


def _showcases_world(published) -> dict:
    """A published award collection (with a decree PDF) holding the published practice; an expert's note."""
    award = collection_create(
        actor=moderator(email="kurator@matriks.go.id"),
        title="Koleksi matriks",
        kind="award",
        items=[(published, "Juara 1")],
        decree_number="1/2027",
        decree_file=SimpleUploadedFile("sk.pdf", PDF_BYTES),
    )
    author = expert(email="pakar@matriks.go.id").user
    return {
        "collection": award,
        "expert": author.expert_profile,
        "expert_note": note_save(author=author, practice=published, transferable="Dapat ditiru."),
    }


def _showcases_kwargs(w: dict) -> dict:
    slug = {"slug": w["collection"].slug}
    pk = {"pk": w["collection"].pk}
    return {
        "showcases:detail": slug,
        "showcases:collection_feed": slug,
        "showcases:decree": slug,
        "showcases:manage_edit": pk,
        "showcases:manage_publish": pk,
        "showcases:manage_feature": pk,
        "showcases:manage_items": pk,
        "showcases:manage_item_add": pk,
        "showcases:expert_edit": {"pk": w["expert"].pk},
        "showcases:note_write": {"slug": w["published"].slug},
        "showcases:note_moderate": {"pk": w["expert_note"].pk},
        "collection-detail": slug,
    }


# Finalists, objection window and results (issue #18, COMP-B) -----------------------------------------------------
# A call with its objection window open: finalists of Surabaya (the member's and admin's agency) and Kabupaten
# Bandung (other_agency's). The public reads and objects; moderators check objections (their personal data: the
# lead only, tested in tests/competitions/test_objections.py); the lead announces, decides and publishes; the
# entry's agency (any member) reads and answers its accepted objection. The fixture's objection is accepted, so an
# empty moderation POST is refused (400) and the agency's empty answer comes back with its error (400).
COMP_B_MODERATORS = "login 404 404 404 200 200"
EXPECTED.update(
    {
        "competitions:finalists": {"get": ALL_200},
        "competitions:finalists_announce": {"get": "405 405 405 405 405 405", "post": "login 403 403 403 403 302"},
        "competitions:objection_new": {"get": ALL_200, "post": "400 400 400 400 400 400"},
        # The link is the authorisation (GET asks, POST confirms), whoever holds it.
        "competitions:objection_confirm": {"get": ALL_200, "post": ALL_200},
        "competitions:results": {"get": ALL_200},
        "competitions:results_publish": {"get": "login 404 404 404 404 200", "post": "login 404 404 404 404 400"},
        "competitions:export": {"get": ALL_200},
        "competitions:objection_queue": {"get": COMP_B_MODERATORS},
        "competitions:objection_moderate": {"get": POST_ONLY, "post": "login 404 404 404 400 400"},
        "competitions:objection_decide": {"get": POST_ONLY, "post": "login 404 404 404 403 400"},
        "competitions:agency_objections": {"get": "login 200 200 200 404 404"},
        "competitions:objection_answer": {"get": POST_ONLY, "post": "login 404 400 400 404 404"},
        "competitions:objection_file": {"get": "login 404 200 200 200 200"},
        "call-list": {"get": ALL_200},
        "call-detail": {"get": ALL_200},
        "call-entries": {"get": ALL_200},
    }
)


# The external reviewer (an expert, no agency, not ministry staff): the public's pages only.
EXTERNAL_REVIEWER.update(
    {
        "competitions:finalists": {"get": "200"},
        "competitions:finalists_announce": {"get": "405", "post": "403"},
        "competitions:objection_new": {"get": "200", "post": "400"},
        "competitions:objection_confirm": {"get": "200", "post": "200"},
        "competitions:results": {"get": "200"},
        "competitions:results_publish": {"get": "404", "post": "404"},
        "competitions:export": {"get": "200"},
        "competitions:objection_queue": {"get": "404"},
        "competitions:objection_moderate": {"get": "405", "post": "404"},
        "competitions:objection_decide": {"get": "405", "post": "404"},
        "competitions:agency_objections": {"get": "404"},
        "competitions:objection_answer": {"get": "405", "post": "404"},
        "competitions:objection_file": {"get": "404"},
    }
)


def _objections_world(*, lead) -> dict:
    """A call in its objection window; an accepted objection (with a PDF) against Surabaya's finalist, and an
    unconfirmed one with its link's token."""
    from competitions.services.objections import objection_confirm, objection_file, objection_moderate
    from tests.competitions.factories_results import finalists_call, objection_token

    call, finalists, _lead = finalists_call(lead=lead, slug="kipp-matriks")

    def filed(email: str, files=()):
        objection_file(
            entry_id=finalists[0].pk,
            name="Warga Matriks",
            email=email,
            relation="service_user",
            ground="not_implemented",
            text="Inovasi ini belum berjalan di kecamatan kami.",
            files=list(files),
        )
        return objection_token(Notification.objects.filter(kind="objection_confirm").latest("pk"))

    accepted = objection_confirm(token=filed("sanggah@matriks.go.id", [SimpleUploadedFile("bukti.pdf", PDF_BYTES)]))
    objection_moderate(objection_id=accepted.pk, by=lead, accept=True)
    return {
        "comp_call": call,
        "comp_finalist": finalists[0],
        "comp_objection": accepted,
        "comp_objection_file": accepted.files.get(),
        "comp_token": filed("belum@matriks.go.id"),
    }


def _objections_kwargs(w: dict) -> dict:
    if "comp_call" not in w:
        return {}
    slug = {"slug": w["comp_call"].slug}
    pk = {"pk": w["comp_objection"].pk}
    return {
        "competitions:finalists": slug,
        "competitions:finalists_announce": slug,
        "competitions:objection_new": {**slug, "entry_pk": w["comp_finalist"].pk},
        "competitions:objection_confirm": {"token": w["comp_token"]},
        "competitions:results": slug,
        "competitions:results_publish": slug,
        "competitions:export": {**slug, "fmt": "csv"},
        "competitions:objection_queue": slug,
        "competitions:objection_moderate": pk,
        "competitions:objection_decide": pk,
        "competitions:objection_answer": pk,
        "competitions:objection_file": {"pk": w["comp_objection_file"].pk},
        "call-detail": slug,
        "call-entries": slug,
    }


# The admin: one rule for all of its routes (none of the six roles is staff), checked on every admin route.
ADMIN_RULES: dict[str, dict[str, str]] = {
    "admin:login": {"get": ALL_200},
    # Django sends non-staff visitors of the admin logout to the admin index (which then asks for a login).
    "admin:logout": {"get": "302 302 302 302 302 302"},
    # The admin's catch-all (unknown admin paths): the login redirect too, so that admin URLs do not leak.
    "admin:(?P<url>.*)$": {"get": "adminlogin adminlogin adminlogin adminlogin adminlogin adminlogin"},
}
ADMIN_DEFAULT = {"get": "adminlogin adminlogin adminlogin adminlogin adminlogin adminlogin"}  # view_on_site too


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), full_ns)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                key = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                key = f"{namespace}:{pattern.pattern}" if namespace else str(pattern.pattern)
            yield key, prefix + str(pattern.pattern)


def project_routes() -> dict[str, str]:
    """Every route of the project: name (namespaced) or, when unnamed, its regex -> the full pattern."""
    routes: dict[str, str] = {}
    for key, full in _walk(get_resolver().url_patterns):
        routes.setdefault(key, full)
    return routes


def expected_for(key: str) -> dict[str, str]:
    if key.startswith("admin:"):
        return ADMIN_RULES.get(key, ADMIN_DEFAULT)
    return EXPECTED[key]


def test_every_route_has_an_entry():
    routes = project_routes()
    non_admin = {key for key in routes if not key.startswith("admin:")}
    missing = sorted(non_admin - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - non_admin)
    assert not missing, f"routes without an entry in the authorisation matrix: {missing}"
    assert not stale, f"entries for routes that no longer exist: {stale}"
    assert len(routes) > 60  # the walk reached the included and i18n patterns, and the admin's routes
    assert {"manage:section", "review:decide", "ledger:question_answer", "admin:index"} <= routes.keys()


def test_the_walk_notices_a_new_url(settings):
    """A route added to the URLconf shows up as missing: the guard above is not vacuous."""
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path

    import rbx_portal.urls

    extra = path("baru-tanpa-entri/", lambda request: HttpResponse(), name="new_route_without_entry")
    rbx_portal.urls.urlpatterns.append(extra)
    clear_url_caches()
    try:
        assert "new_route_without_entry" in project_routes()
        assert "new_route_without_entry" not in EXPECTED
    finally:
        rbx_portal.urls.urlpatterns.remove(extra)
        clear_url_caches()


# Fixtures -----------------------------------------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 200), "teal").save(out, format="PNG")
    return out.getvalue()


PNG_BYTES = _png_bytes()


@pytest.fixture
def world(db):
    other = member("32.04", email="bandung@matriks.go.id")
    author = member("35.78", email="anggota@matriks.go.id")
    admin = member("35.78", role=Membership.Role.ADMIN, email="admin@matriks.go.id")
    mod = moderator(email="moderator@matriks.go.id")
    lead = moderator(lead=True, email="lead@matriks.go.id")
    draft = practice_draft(by=author)
    submitted = practice_in_state(S.SUBMITTED, author=author, admin=admin)
    published = published_practice(agency_code="35.78", slug="praktik-terbit-matriks")
    replication = replication_start(source=published, by=other, date=datetime.date(2025, 1, 10), note="Minat.")
    question = question_ask(practice=published, by=other, text="Berapa biaya awalnya?")
    draft_file = attachment_add(
        practice_id=draft.pk, uploaded=SimpleUploadedFile("bukti.pdf", PDF_BYTES), by=author, title="Bukti"
    )
    draft_cover = attachment_add(
        practice_id=draft.pk,
        uploaded=SimpleUploadedFile("sampul.png", PNG_BYTES),
        by=author,
        purpose="cover",
        alt_text="Loket pelayanan.",
    )
    cover_variants_make(attachment_id=draft_cover.pk)
    notify(recipients=[author], kind="submitted", context={"title": "x"}, target_url="/")
    follow = follow_set(user=author, kind="agency", target=Agency.objects.get(code="35.78"), frequency="daily")
    agency = Agency.objects.get(code="35.78")
    # People (issue #16): a colleague the admin may remove, an invitation of Surabaya with its link's token.
    colleague = member("35.78", email="rekan@matriks.go.id")
    invitation = invitation_create(email="calon@matriks.go.id", agency=agency, role="member", by=admin)
    invitation_token = Notification.objects.get(kind="invitation").target_url.rstrip("/").rsplit("/", 1)[1]
    competitions = competitions_matrix_world(lead=lead, admin=admin, practice=published)  # issue #18, COMP-A
    return (
        _objections_world(lead=lead)
        | _showcases_world(published)
        | {
            "competitions": competitions,
            "users": {
                "anonymous": None,
                "other_agency": other,
                "member": author,
                "agency_admin": admin,
                "moderator": mod,
                "lead": lead,
            },
            "draft": draft,
            "submitted": submitted,
            "published": published,
            "replication": replication,
            "step": replication.steps.first(),
            "question": question,
            "draft_file": draft_file,
            "draft_cover": draft_cover,
            "agency": agency,
            "follow": follow,
            "colleague_membership": colleague.memberships.get(),
            "invitation": invitation,
            "invitation_token": invitation_token,
        }
    )


def route_kwargs(key: str, w: dict) -> dict:
    """The URL kwargs of each route, from the fixtures."""
    by_route = {
        "theme-detail": {"code": "kemiskinan"},
        "feeds:province": {"code": "35"},
        "practices:detail": {"slug": w["published"].slug},
        "practices:history": {"slug": w["published"].slug},
        "practices:handout": {"slug": w["published"].slug},
        "practice_cover": {"pk": w["draft_cover"].pk, "width": 320},
        "practices:theme": {"code": "kemiskinan"},
        "feeds:theme": {"code": "kemiskinan"},
        "agencies:detail": {"slug": w["agency"].slug},
        "agencies:feed": {"slug": w["agency"].slug},
        "ledger:replication_list": {"slug": w["published"].slug},
        "ledger:question_list": {"slug": w["published"].slug},
        "ledger:question_answer": {"slug": w["published"].slug, "pk": w["question"].pk},
        "ledger:replication_advance": {"pk": w["replication"].pk},
        "ledger:replication_respond": {"pk": w["replication"].pk, "step_pk": w["step"].pk},
        "ledger:replication_make_practice": {"pk": w["replication"].pk},
        "ledger:replication_mark": {"pk": w["draft"].pk},
        "ledger:replication_mark_undo": {"pk": w["draft"].pk},
        "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "accounts:2fa_reset": {"user_id": w["users"]["moderator"].pk},
        "manage:section": {"pk": w["draft"].pk, "section": "identity"},
        "manage:submit": {"pk": w["draft"].pk},
        "manage:revision_new": {"pk": w["published"].pk},
        "manage:compare": {"pk": w["draft"].pk},
        "manage:attachments": {"pk": w["draft"].pk},
        "manage:attachment_delete": {"pk": w["draft"].pk, "attachment_pk": w["draft_file"].pk},
        "manage:attachment_download": {"attachment_pk": w["draft_file"].pk},
        "manage:translation": {"pk": w["published"].pk},
        "manage:translation_verify": {"pk": w["published"].pk},
        "manage:translation_machine": {"pk": w["published"].pk},
        "review:detail": {"pk": w["submitted"].pk},
        "review:agency_decide": {"pk": w["submitted"].pk},
        "review:decide": {"pk": w["submitted"].pk},
        "review:review": {"pk": w["submitted"].pk},
        "review:archive": {"pk": w["published"].pk},
        "review:confirm": {"pk": w["published"].pk},
        "review:two_reviewers": {"pk": w["submitted"].pk},
        "review:verification_add": {"pk": w["submitted"].pk},
        "review:evidence_level_set": {"pk": w["submitted"].pk},
        "review:attachment_preview": {"attachment_pk": w["draft_file"].pk},
        "notifications:follow_change": {"pk": w["follow"].pk},
        "notifications:follow_confirm": {"token": w["follow"].token},
        "notifications:unsubscribe": {"token": w["follow"].token},
        "notifications:unsubscribe_kind": {
            "token": kind_unsubscribe_token(user_id=w["users"]["member"].pk, group="decisions")
        },
        "notifications:follower_manage": {"token": follower_manage_token(email="warga@matriks.go.id")},
        "agency-detail": {"code": "35.78"},
        "agencies:member_remove": {"pk": w["colleague_membership"].pk},
        "agencies:invitation_resend": {"pk": w["invitation"].pk},
        "agencies:invitation_revoke": {"pk": w["invitation"].pk},
        "agencies:invitation_accept": {"token": w["invitation_token"]},
        "member-detail": {"pk": w["colleague_membership"].pk},
        "invitation-detail": {"pk": w["invitation"].pk},
        "invitation-resend": {"pk": w["invitation"].pk},
        "practice-detail": {"pk": w["published"].pk},
        "practice-attachments": {"pk": w["draft"].pk},
        "practice-indicators": {"pk": w["draft"].pk},
        "practice-submit": {"pk": w["draft"].pk},
        "practice-decision": {"pk": w["submitted"].pk},
        "replication-detail": {"pk": w["replication"].pk},
        "exports:practices": {"fmt": "csv"},
        "exports:agencies": {"fmt": "csv"},
        "exports:map": {"fmt": "csv"},
        "exports:replications": {"fmt": "csv"},
        # Competitions (issue #18, COMP-A).
        "competitions:call_detail": {"slug": w["competitions"]["call"].slug},
        "competitions:call_enter": {"slug": w["competitions"]["call"].slug},
        "competitions:call_manage": {"pk": w["competitions"]["call"].pk},
        "competitions:call_edit": {"pk": w["competitions"]["call"].pk},
        "competitions:call_publish": {"pk": w["competitions"]["call"].pk},
        "competitions:call_reviewer_invite": {"pk": w["competitions"]["call"].pk},
        "competitions:entry_detail": {"pk": w["competitions"]["entry"].pk},
        "competitions:entry_withdraw": {"pk": w["competitions"]["entry"].pk},
        "competitions:stage_manage": {"pk": w["competitions"]["stage"].pk},
        "competitions:stage_assign": {"pk": w["competitions"]["stage"].pk},
        "competitions:stage_assign_auto": {"pk": w["competitions"]["stage"].pk},
        "competitions:stage_advance": {"pk": w["competitions"]["stage"].pk},
        "competitions:review_form": {"pk": w["competitions"]["review"].pk},
        "competitions:review_conflict": {"pk": w["competitions"]["review"].pk},
    }
    return (by_route | _showcases_kwargs(w) | _objections_kwargs(w)).get(key, {})


ADMIN_SAMPLES = {"app_label": "practices", "object_id": "1", "content_type_id": "999999", "pk": "1", "url": "x"}


def _admin_kwargs(full_pattern: str) -> dict:
    names = re.findall(r"\(\?P<(\w+)>", full_pattern) + re.findall(r"<(?:\w+:)?(\w+)>", full_pattern)
    return {name: ADMIN_SAMPLES.get(name, "1") for name in names}


def _admin_unnamed_url(full_pattern: str) -> str:
    """An unnamed admin route cannot be reversed: fill its pattern's parameters with samples."""
    url = full_pattern.replace("^", "").replace("$", "").replace("(?P<url>.*)", "tidak-ada/")
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ADMIN_SAMPLES.get(m.group(1), "1"), url)


def url_for(key: str, full_pattern: str, w: dict) -> str:
    if key == r"^media/(?P<path>.*)$":
        return "/media/attachments/0/tidak-ada"
    if key.startswith("admin:"):
        try:
            return reverse(key, kwargs=_admin_kwargs(full_pattern) or None)
        except NoReverseMatch:  # an unnamed admin route, keyed by its pattern
            return _admin_unnamed_url(full_pattern)
    return reverse(key, kwargs=route_kwargs(key, w) or None)


def outcome(response) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return "adminlogin"
        if location.startswith(reverse("accounts:login")) and "next=" in location:
            return "login"
        return "302"
    return str(response.status_code)


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


# Generous limits so that a few hundred requests from one address do not meet the rate limits.
_NO_LIMITS = {key: "100000/m" for key in ("search", "section-save", "practice-submit", "attachment-upload")}


@pytest.mark.parametrize("key", sorted(k for k in project_routes() if not k.startswith("admin:")))
@override_settings(RATELIMIT_RATES=_NO_LIMITS)
def test_route_answers_each_role_as_expected(key, world):
    """GET (and, where the route takes one, an empty POST) by each of the six roles."""
    full_pattern = project_routes()[key]
    url = url_for(key, full_pattern, world)
    expected = expected_for(key)
    mismatches = []
    for method in ("get", "post"):
        if method not in expected:
            continue
        wanted = expected[method].split()
        assert len(wanted) == len(ROLES), key
        for role, want in zip(ROLES, wanted, strict=True):
            response = getattr(_client(world["users"][role]), method)(url)
            got = outcome(response)
            assert response.status_code < 500, f"{method.upper()} {url} as {role}: {response.status_code}"
            if got != want:
                mismatches.append(f"{method.upper()} {url} as {role}: expected {want}, got {got}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("key", sorted(k for k in project_routes() if k.startswith("competitions:")))
@override_settings(RATELIMIT_RATES=_NO_LIMITS)
def test_competition_route_answers_the_external_reviewer(key, world):
    """Issue #18's seventh role: an external expert invited to a call opens only what is assigned to them."""
    assert key in EXTERNAL_REVIEWER, f"{key} has no row in EXTERNAL_REVIEWER"
    url = url_for(key, project_routes()[key], world)
    client = _client(world["competitions"]["external_reviewer"])
    for method, want in EXTERNAL_REVIEWER[key].items():
        response = getattr(client, method)(url)
        assert response.status_code < 500, f"{method.upper()} {url}: {response.status_code}"
        assert outcome(response) == want, f"{method.upper()} {url} as external reviewer: {outcome(response)}"


def test_admin_routes_refuse_every_portal_role(world):
    """Every admin route (a generic rule) for the six roles; a staff user does get the admin index."""
    mismatches = []
    admin_routes = {k: v for k, v in project_routes().items() if k.startswith("admin:")}
    assert len(admin_routes) > 20
    clients = {role: _client(world["users"][role]) for role in ROLES}
    for key, full_pattern in sorted(admin_routes.items()):
        url = url_for(key, full_pattern, world)
        for role, want in zip(ROLES, expected_for(key)["get"].split(), strict=True):
            response = clients[role].get(url)
            assert response.status_code < 500, f"GET {url} as {role}: {response.status_code}"
            if outcome(response) != want:
                mismatches.append(f"GET {url} as {role}: expected {want}, got {outcome(response)}")
    assert not mismatches, "\n".join(mismatches)
    from tests.accounts.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    staff.save()
    assert _client(staff).get(reverse("admin:index")).status_code == 200
    assert admin_site.is_registered(Agency)


# Decisions through the API by the kind of credential (issue #15): with two-factor required for moderators, a
# moderator's token decides only when it was made from a 2FA-verified session and the device is still there.
TOKEN_DECISIONS = {
    "member token": 404,
    "moderator token, made without two-factor": 403,
    "moderator token, device removed since": 401,
    "moderator token, made from a 2FA-verified session": 200,
}


@pytest.mark.django_db
@pytest.mark.parametrize("credential", TOKEN_DECISIONS)
def test_api_decisions_by_credential(credential, settings):
    from django.core.cache import cache
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from accounts.models import TokenGrant
    from practices.models import PracticeRevision
    from tests.accounts.factories import moderator
    from tests.agencies.factories import member
    from tests.practices.factories import practice_in_state

    settings.ACCOUNTS_2FA_REQUIRED_FOR_MODERATORS = True
    cache.clear()
    practice = practice_in_state(PracticeRevision.State.IN_REVIEW)
    if credential == "member token":
        user = member("32.73")
    else:
        user = moderator()
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    token = Token.objects.create(user=user)
    if "verified session" in credential or "device removed" in credential:
        TokenGrant.objects.create(token=token, two_factor_verified=True)
    if "device removed" in credential:
        device.delete()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post(
        f"/api/v1/practices/{practice.pk}/decision/",
        {"action": "reject", "comment": "Bukan praktik RB."},
        format="json",
    )
    assert response.status_code == TOKEN_DECISIONS[credential], response.content[:300]
