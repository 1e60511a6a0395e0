"""The write path with tokens: draft → indicator → attachment → submit → decision → public, and every refusal."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import Membership
from practices.models import Practice, PracticeRevision, Transition
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.api.factories import token_client
from tests.practices.factories import COMPLETE_CONTENT, practice_draft, practice_in_state, verified

pytestmark = pytest.mark.django_db

S = PracticeRevision.State


@pytest.fixture(autouse=True)
def _no_throttle_leftovers():
    cache.clear()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


def test_end_to_end_draft_attachment_submit_decision_public(client):
    admin = member("35.78", role=Membership.Role.ADMIN)
    api = token_client(admin)
    fields = {k: v for k, v in COMPLETE_CONTENT.items()} | {"primary_theme": "pelayanan-publik"}
    fields["other_themes"] = ["digitalisasi"]
    fields["other_regions"] = ["35.15"]
    created = api.post("/api/v1/practices/", fields, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert body["revision_state"] == "draft" and body["agency_code"] == "35.78"
    assert body["title"] == COMPLETE_CONTENT["title"] and body["other_themes"] == ["digitalisasi"]
    assert created["Location"].endswith(f"/api/v1/practices/{pk}/")
    practice = Practice.objects.get(pk=pk)
    assert practice.created_by == admin and practice.working_revision.other_regions.get().code == "35.15"
    # Not yet public.
    assert client.get(f"/api/v1/practices/{pk}/").status_code == 404

    missing = api.post(f"/api/v1/practices/{pk}/submit/", format="json")
    assert missing.status_code == 400
    assert "indicators" in missing.json()["error"]["fields"]

    indicator = api.post(
        f"/api/v1/practices/{pk}/indicators/",
        {
            "version": body["version"],
            "name": "Waktu layanan",
            "unit": "menit",
            "baseline_value": "120",
            "target_value": "30",
            "higher_is_better": False,
            "values": [{"value": "25", "date": "2024-06-01"}],
        },
        format="json",
    )
    assert indicator.status_code == 201, indicator.content
    assert indicator.json()["values"][0]["value"] == "25.0000"

    upload = io.BytesIO(png_bytes())
    upload.name = "foto.png"
    attached = api.post(
        f"/api/v1/practices/{pk}/attachments/", {"file": upload, "title": "Foto loket"}, format="multipart"
    )
    assert attached.status_code == 201, attached.content
    assert attached.json()["mime_type"] == "image/png"

    submitted = api.post(f"/api/v1/practices/{pk}/submit/", format="json")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["revision_state"] == "submitted"  # an agency admin's submission skips agency review

    verified(Practice.objects.get(pk=pk), "agency_verified")  # the level needs its record (issue #14)
    mod = token_client(moderator())
    decided = mod.post(
        f"/api/v1/practices/{pk}/decision/",
        {"action": "approve", "comment": "Lengkap.", "evidence_level": "agency_verified"},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    public = client.get(f"/api/v1/practices/{pk}/").json()
    assert public["status"] == "published" and public["evidence_level"] == "agency_verified"
    assert (
        public["indicators"][0]["name"] == "Waktu layanan" and public["attachments"][0]["original_name"] == "foto.png"
    )
    assert pk in [row["id"] for row in client.get("/api/v1/practices/").json()["results"]]
    assert Transition.objects.filter(practice_id=pk, to_state=S.PUBLISHED).exists()


def test_patch_needs_version_and_answers_409_on_conflict():
    author = member("35.78")
    draft = practice_draft(by=author)
    api = token_client(author)
    version = draft.working_revision.version
    no_version = api.patch(f"/api/v1/practices/{draft.pk}/", {"title": "Baru"}, format="json")
    assert no_version.status_code == 400 and "version" in no_version.json()["error"]["fields"]
    ok = api.patch(
        f"/api/v1/practices/{draft.pk}/",
        {"version": version, "title": "Judul baru", "problem": "Masalah **baru**"},
        format="json",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["title"] == "Judul baru" and ok.json()["version"] == version + 2  # two sections saved
    stale = api.patch(f"/api/v1/practices/{draft.pk}/", {"version": version, "title": "Tertimpa"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    assert stale.json()["error"]["current_version"] == version + 2
    draft.working_revision.refresh_from_db()
    assert draft.working_revision.title == "Judul baru"


def test_other_agency_token_gets_404_on_every_draft_endpoint():
    draft = practice_draft(by=member("35.78"))
    outsider = token_client(member("32.04"))
    version = draft.working_revision.version
    calls = [
        ("get", f"/api/v1/practices/{draft.pk}/", None),
        ("patch", f"/api/v1/practices/{draft.pk}/", {"version": version, "title": "x"}),
        ("post", f"/api/v1/practices/{draft.pk}/indicators/", {"version": version, "name": "a", "unit": "b"}),
        ("post", f"/api/v1/practices/{draft.pk}/submit/", None),
        ("post", f"/api/v1/practices/{draft.pk}/decision/", {"action": "approve"}),
    ]
    for method, url, data in calls:
        response = getattr(outsider, method)(url, data, format="json")
        assert response.status_code == 404, (method, url, response.content)
    upload = io.BytesIO(png_bytes())
    upload.name = "a.png"
    response = outsider.post(f"/api/v1/practices/{draft.pk}/attachments/", {"file": upload}, format="multipart")
    assert response.status_code == 404
    draft.working_revision.refresh_from_db()
    assert draft.working_revision.title != "x" and draft.attachments.count() == 0


def test_anonymous_and_no_agency_users_cannot_write(client):
    anonymous = client.post("/api/v1/practices/", {}, content_type="application/json")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "not_authenticated"
    bad_token = APIClient()
    bad_token.credentials(HTTP_AUTHORIZATION="Token 0000")
    assert bad_token.get("/api/v1/practices/").status_code == 401
    no_agency = token_client(moderator())
    refused = no_agency.post("/api/v1/practices/", {"title": "x"}, format="json")
    assert refused.status_code == 403 and not Practice.objects.filter(working_revision__title="x").exists()


def test_decisions_need_a_moderator_and_moderators_see_drafts_only_once_submitted():
    admin = member("35.78", role=Membership.Role.ADMIN)
    submitted = practice_in_state(S.SUBMITTED, admin=admin)
    own_admin = token_client(admin)
    refused = own_admin.post(f"/api/v1/practices/{submitted.pk}/decision/", {"action": "approve"}, format="json")
    assert refused.status_code == 403
    mod = token_client(moderator())
    draft = practice_draft(by=member("35.78"))
    assert mod.get(f"/api/v1/practices/{draft.pk}/").status_code == 404
    assert mod.get(f"/api/v1/practices/{submitted.pk}/").json()["revision_state"] == "submitted"
    no_reason = mod.post(f"/api/v1/practices/{submitted.pk}/decision/", {"action": "reject"}, format="json")
    assert no_reason.status_code == 400
    changes = mod.post(
        f"/api/v1/practices/{submitted.pk}/decision/",
        {"action": "request_changes", "section_comments": {"impact": "Tambahkan data 2024."}},
        format="json",
    )
    assert changes.status_code == 200 and changes.json()["revision_state"] == "changes_requested"
    again = mod.post(f"/api/v1/practices/{submitted.pk}/decision/", {"action": "approve"}, format="json")
    assert again.status_code == 400  # changes_requested cannot be approved: the workflow table decides


def test_reject_with_reason():
    submitted = practice_in_state(S.SUBMITTED)
    mod = token_client(moderator())
    response = mod.post(
        f"/api/v1/practices/{submitted.pk}/decision/",
        {"action": "reject", "comment": "Bukan praktik RB."},
        format="json",
    )
    assert response.status_code == 200 and response.json()["revision_state"] == "rejected"


def test_member_submission_goes_to_agency_review_and_edits_stop():
    author = member("35.78")
    draft = practice_draft(by=author)
    api = token_client(author)
    assert api.post(f"/api/v1/practices/{draft.pk}/submit/", format="json").json()["revision_state"] == "agency_review"
    version = PracticeRevision.objects.get(pk=draft.working_revision_id).version
    locked = api.patch(f"/api/v1/practices/{draft.pk}/", {"version": version, "title": "x"}, format="json")
    assert locked.status_code == 400 and locked.json()["error"]["fields"]
    upload = io.BytesIO(png_bytes())
    upload.name = "a.png"
    assert api.post(f"/api/v1/practices/{draft.pk}/attachments/", {"file": upload}).status_code == 400


def test_attachment_type_is_checked_by_content():
    author = member("35.78")
    draft = practice_draft(by=author)
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "laporan.pdf"
    response = token_client(author).post(f"/api/v1/practices/{draft.pk}/attachments/", {"file": fake})
    assert response.status_code == 400 and "HTML" in response.json()["error"]["fields"]["file"][0]
    assert draft.attachments.count() == 0


def test_drf_create_token_command_gives_a_working_token(capsys):
    user = member("35.78", email="skrip@example.go.id")
    call_command("drf_create_token", "skrip@example.go.id")
    key = Token.objects.get(user=user).key
    assert key in capsys.readouterr().out
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.post("/api/v1/practices/", {"title": "Dari skrip"}, format="json").status_code == 201
