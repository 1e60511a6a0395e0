"""Content in two languages (issue #17): English versions of practices, verified by a moderator before they are
shown, searched or exposed by the API; the machine-translation adapter against a local fake server."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from common.cache import public_cache_invalidate
from practices.machine_translation import LibreTranslateBackend, MachineTranslationError
from practices.models import PracticeTranslation
from practices.services.translations import (
    TranslationVerifyRefused,
    translation_machine_draft,
    translation_machine_request,
    translation_save,
    translation_verify,
)
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import practice_published, revision_next, revision_publish

pytestmark = pytest.mark.django_db

ENGLISH = {
    "title": "Village data for poverty reduction",
    "summary": "Villages update the list of poor households every month.",
    "approach": "Each village runs a lighthouse registry of poor households.",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    public_cache_invalidate()


@pytest.fixture
def practice():
    return practice_published(
        title="Data desa untuk pengentasan kemiskinan",
        summary="Desa memutakhirkan daftar keluarga miskin tiap bulan.",
        agency="35.78",
        approach="Setiap desa mengelola daftar keluarga miskin.",
        slug="data-desa-kemiskinan",
    )


def en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def in_indonesian(name: str, *args) -> str:
    # A request to an /en/ page leaves English active in the test's thread: name the language.
    with translation.override("id"):
        return reverse(name, args=args)


def verified(practice, mod, *, capture) -> PracticeTranslation:
    translation_save(practice_id=practice.pk, language="en", fields=ENGLISH, by=member("35.78"))
    with capture(execute=True):
        return translation_verify(practice_id=practice.pk, language="en", by=mod)


# The model and the services ------------------------------------------------------------------------------------


def test_the_database_refuses_a_verified_translation_without_its_date_and_the_source_language(practice):
    row = {"practice": practice, "revision_id": practice.live_revision_id, "fields": {"title": "x"}}
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeTranslation.objects.create(state="verified", **row)
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeTranslation.objects.create(language="id", **row)
    PracticeTranslation.objects.create(state="verified", verified_at=timezone.now(), **row)
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeTranslation.objects.create(**row)  # one per language


def test_saving_after_verification_makes_it_a_draft_again(practice, django_capture_on_commit_callbacks):
    mod = moderator()
    done = verified(practice, mod, capture=django_capture_on_commit_callbacks)
    assert done.state == "verified" and done.verified_by == mod and done.is_public
    again = translation_save(
        practice_id=practice.pk, language="en", fields={**ENGLISH, "title": "Village data"}, by=member("35.78")
    )
    assert again.state == "draft" and again.verified_at is None and not again.is_public
    # Saving the same text again changes nothing (a verified translation stays verified).
    verified_again = translation_verify(practice_id=practice.pk, language="en", by=mod)
    same = translation_save(practice_id=practice.pk, language="en", fields=verified_again.fields, by=mod)
    assert same.state == "verified"


def test_translated_markdown_is_sanitised_and_bad_input_is_refused_per_field(practice):
    saved = translation_save(
        practice_id=practice.pk,
        language="en",
        fields={"title": "T", "approach": "Safe <script>alert(1)</script>**bold**", "cost": "not translatable"},
        by=member("35.78"),
    )
    assert "<script" not in saved.fields["approach"] and "**bold**" in saved.fields["approach"]
    assert "cost" not in saved.fields
    with pytest.raises(ValidationError) as refused:
        translation_save(practice_id=practice.pk, language="en", fields={"title": "a\x0bb"}, by=member("35.78"))
    assert "title" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        translation_save(practice_id=practice.pk, language="en", fields={"summary": "no title"}, by=member("35.78"))
    assert "title" in refused.value.message_dict


def test_a_new_publication_leaves_the_translation_needing_review(practice, client, django_capture_on_commit_callbacks):
    mod = moderator()
    verified(practice, mod, capture=django_capture_on_commit_callbacks)
    author = member("35.78")
    revision_publish(practice, revision_next(practice, by=author, summary="Ringkasan baru."))
    public_cache_invalidate()
    page = client.get(en("practices:detail", practice.slug)).content.decode()
    assert ENGLISH["title"] not in page and "available in Indonesian only" in page
    with pytest.raises(TranslationVerifyRefused):
        translation_verify(practice_id=practice.pk, language="en", by=mod)
    client.force_login(author)
    editor = client.get(in_indonesian("manage:translation", practice.pk)).content.decode()
    assert "Perlu ditinjau" in editor
    # Saved against the new revision, then verified: public again.
    translation_save(practice_id=practice.pk, language="en", fields=ENGLISH, by=author)
    with django_capture_on_commit_callbacks(execute=True):
        translation_verify(practice_id=practice.pk, language="en", by=mod)
    client.logout()
    assert ENGLISH["title"] in client.get(en("practices:detail", practice.slug)).content.decode()


# Public pages, search, API ---------------------------------------------------------------------------------------


def test_english_page_shows_only_a_verified_translation_and_says_which_language(
    practice, client, django_capture_on_commit_callbacks
):
    translation_save(practice_id=practice.pk, language="en", fields=ENGLISH, by=member("35.78"))
    page = client.get(en("practices:detail", practice.slug)).content.decode()
    assert ENGLISH["title"] not in page  # a draft is never public
    assert "This practice is available in Indonesian only" in page
    assert '<h1 lang="id">Data desa untuk pengentasan kemiskinan</h1>' in page
    assert '<div class="practice-content" lang="id">' in page

    with django_capture_on_commit_callbacks(execute=True):
        translation_verify(practice_id=practice.pk, language="en", by=moderator())
    page = client.get(en("practices:detail", practice.slug)).content.decode()
    assert f'<h1 lang="en">{ENGLISH["title"]}</h1>' in page
    assert "Translated from Indonesian, verified by the ministry" in page
    assert "lighthouse registry" in page and '<div class="practice-content" lang="en">' in page
    # The Indonesian page keeps the original and says the English version exists.
    page = client.get(in_indonesian("practices:detail", practice.slug)).content.decode()
    assert "Data desa untuk pengentasan kemiskinan" in page and ENGLISH["title"] not in page
    assert "Praktik ini juga tersedia dalam bahasa Inggris" in page


def test_search_finds_the_verified_english_text_only(practice, client, django_capture_on_commit_callbacks):
    def found(query: str) -> list[str]:
        response = client.get(en("practices:list"), {"q": query})
        return [p.slug for p in response.context["page_obj"].object_list]

    translation_save(practice_id=practice.pk, language="en", fields=ENGLISH, by=member("35.78"))
    public_cache_invalidate()
    assert found("lighthouse") == []
    with django_capture_on_commit_callbacks(execute=True):
        translation_verify(practice_id=practice.pk, language="en", by=moderator())
    assert found("lighthouse") == [practice.slug]
    assert found("registries") == [practice.slug]  # English stemming
    # Editing after verification takes the English words out of the index again.
    with django_capture_on_commit_callbacks(execute=True):
        translation_save(
            practice_id=practice.pk, language="en", fields={**ENGLISH, "approach": "Changed."}, by=member("35.78")
        )
    assert found("lighthouse") == []


def test_api_exposes_the_language_and_verified_translations(practice, client, django_capture_on_commit_callbacks):
    url = f"/api/v1/practices/{practice.pk}/"
    translation_save(practice_id=practice.pk, language="en", fields=ENGLISH, by=member("35.78"))
    data = client.get(url).json()
    assert data["language"] == "id" and data["translations"] == []
    with django_capture_on_commit_callbacks(execute=True):
        translation_verify(practice_id=practice.pk, language="en", by=moderator())
    [english] = client.get(url).json()["translations"]
    assert english["language"] == "en" and english["verified"] is True and english["source"] == "human"
    assert english["title"] == ENGLISH["title"] and english["problem"] == "" and english["verified_at"]


# The editor ------------------------------------------------------------------------------------------------------


def test_agency_member_writes_and_moderator_verifies_through_the_pages(practice, client):
    author, mod = member("35.78"), moderator()
    client.force_login(author)
    url = in_indonesian("manage:translation", practice.pk)
    page = client.get(url).content.decode()
    assert 'lang="en"' in page and 'lang="id"' in page and "Verifikasi terjemahan" not in page
    response = client.post(url, {"title": "", "summary": "x"})
    assert response.status_code == 400 and "title" in response.context["form"].errors
    response = client.post(url, ENGLISH)
    assert response.status_code == 302
    assert PracticeTranslation.objects.get(practice=practice).fields["title"] == ENGLISH["title"]
    assert client.post(in_indonesian("manage:translation_verify", practice.pk)).status_code == 403

    client.force_login(mod)
    assert "Verifikasi terjemahan" in client.get(url).content.decode()
    assert client.post(in_indonesian("manage:translation_verify", practice.pk)).status_code == 302
    row = PracticeTranslation.objects.get(practice=practice)
    assert row.state == "verified" and row.verified_by == mod


def test_other_agencies_and_unpublished_practices_get_404(practice, client):
    client.force_login(member("32.04"))
    assert client.get(in_indonesian("manage:translation", practice.pk)).status_code == 404
    draft = practice_published(agency="35.78", publish=False)
    client.force_login(member("35.78"))
    assert client.get(in_indonesian("manage:translation", draft.pk)).status_code == 404


# The machine-translation adapter against a local fake LibreTranslate ---------------------------------------------


class FakeLibreTranslate(BaseHTTPRequestHandler):
    mode = "ok"
    requests: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, **body})
        if self.mode == "slow":
            time.sleep(1.5)
        if self.mode == "error":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"boom")
            return
        answer = {"translatedText": f"[en] {body['q']}"} if self.mode != "garbage" else {"nothing": 1}
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_mt():
    FakeLibreTranslate.mode, FakeLibreTranslate.requests = "ok", []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLibreTranslate)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", FakeLibreTranslate
    server.shutdown()
    server.server_close()


def test_adapter_speaks_the_libretranslate_api(fake_mt):
    url, handler = fake_mt
    backend = LibreTranslateBackend(url=url, api_key="k3y", timeout=1)
    assert backend.translate("Desa", source="id", target="en") == "[en] Desa"
    assert handler.requests == [
        {"path": "/translate", "q": "Desa", "source": "id", "target": "en", "format": "text", "api_key": "k3y"}
    ]
    assert backend.translate("  ", source="id", target="en") == "" and len(handler.requests) == 1


@pytest.mark.parametrize(
    ("mode", "message"), [("error", "HTTP 500"), ("slow", "tidak menjawab"), ("garbage", "tidak dapat dibaca")]
)
def test_adapter_turns_failures_into_one_error(fake_mt, mode, message):
    url, handler = fake_mt
    handler.mode = mode
    with pytest.raises(MachineTranslationError, match=message):
        LibreTranslateBackend(url=url, timeout=0.5).translate("Desa", source="id", target="en")


def test_adapter_reports_an_unreachable_server():
    with pytest.raises(MachineTranslationError, match="tidak dapat dihubungi"):
        LibreTranslateBackend(url="http://127.0.0.1:9", timeout=0.5).translate("x", source="id", target="en")


def test_machine_translation_is_off_by_default(practice, client):
    with pytest.raises(ValidationError):
        translation_machine_request(practice_id=practice.pk, language="en", by=member("35.78"))
    client.force_login(member("35.78"))
    assert "terjemahan mesin" not in client.get(in_indonesian("manage:translation", practice.pk)).content.decode()


def test_a_failed_machine_draft_is_recorded_not_raised(practice, fake_mt, settings):
    url, handler = fake_mt
    settings.MT_LIBRETRANSLATE_URL, settings.MT_TIMEOUT_SECONDS = url, 0.5
    handler.mode = "error"
    row = translation_machine_request(practice_id=practice.pk, language="en", by=member("35.78"))
    assert translation_machine_draft(translation_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.machine_state == "failed" and "HTTP 500" in row.machine_error and row.fields == {}
    assert translation_machine_draft(translation_id=row.pk) == "skipped"  # a repeated task does nothing


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_machine_draft_through_the_worker_fills_only_empty_fields_and_stays_unverified(
    celery_worker, fake_mt, settings, client
):
    url, handler = fake_mt
    settings.MT_LIBRETRANSLATE_URL = url
    practice = practice_published(
        title="Data desa", summary="Desa memutakhirkan data.", agency="35.78", approach="Daftar keluarga."
    )
    author = member("35.78")
    translation_save(practice_id=practice.pk, language="en", fields={"title": "Village data (human)"}, by=author)
    client.force_login(author)
    page = client.get(in_indonesian("manage:translation", practice.pk)).content.decode()
    assert "Buat draf dengan terjemahan mesin" in page
    assert client.post(in_indonesian("manage:translation_machine", practice.pk)).status_code == 302
    row = PracticeTranslation.objects.get(practice=practice)
    for _ in range(100):
        row.refresh_from_db()
        if row.machine_state != "pending":
            break
        time.sleep(0.1)
    assert row.machine_state == "done"
    assert row.fields == {
        "title": "Village data (human)",  # a translator's words are never overwritten
        "summary": "[en] Desa memutakhirkan data.",
        "approach": "[en] Daftar keluarga.",
    }
    assert row.state == "draft" and row.source == "machine"
    client.logout()
    public_cache_invalidate()
    assert "[en]" not in client.get(en("practices:detail", practice.slug)).content.decode()
