"""Malformed input answers 400 (or 415) in the common error shape with field messages; never a 500."""

import pytest
from django.core.cache import cache

from practices.models import PracticeRevision
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.api.factories import token_client
from tests.practices.factories import practice_draft, practice_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle_leftovers():
    cache.clear()


@pytest.fixture
def author():
    return member("35.78")


@pytest.fixture
def api(author):
    return token_client(author)


def fields_of(response, status=400):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] and error["message"]
    return error["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start_year": "dua ribu"}, "start_year"),
        ({"start_year": 1800}, "start_year"),
        ({"is_digital": "mungkin"}, "is_digital"),
        ({"cost": "banyak"}, "cost"),
        ({"cost": -5}, "cost"),
        ({"stage": "selesai"}, "stage"),
        ({"primary_theme": "tidak-ada"}, "primary_theme"),
        ({"other_themes": "kemiskinan"}, "other_themes"),
        ({"contact_email": "bukan-email"}, "contact_email"),
        ({"title": ["daftar"]}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"problem": "x" * 20_001}, "problem"),
        ({"title": "nul\x00"}, "title"),
        ({"owner": "saya", "title": "ok"}, "owner"),
        ({"status": "published"}, "status"),
    ],
)
def test_create_rejects_bad_fields_by_name(api, body, field):
    assert field in fields_of(api.post("/api/v1/practices/", body, format="json"))


def test_lone_surrogates_cannot_reach_the_database(api):
    # Valid JSON, but not encodable as UTF-8: PostgreSQL would fail on it.
    raw = b'{"title": "\\ud800", "other_regions": ["\\udfff"]}'
    response = api.generic("POST", "/api/v1/practices/", raw, content_type="application/json")
    assert set(fields_of(response)) == {"title", "other_regions"}


def test_unknown_fields_are_rejected_explicitly_and_nothing_is_written(api, author):
    draft = practice_draft(by=author)
    version = draft.working_revision.version
    response = api.patch(
        f"/api/v1/practices/{draft.pk}/", {"version": version, "title": "Baru", "judul": "x"}, format="json"
    )
    assert fields_of(response) == {"judul": ["Kolom tidak dikenal."]}
    assert PracticeRevision.objects.get(pk=draft.working_revision_id).title != "Baru"


def test_missing_required_fields(api, author):
    draft = practice_draft(by=author)
    fields = fields_of(api.post(f"/api/v1/practices/{draft.pk}/indicators/", {}, format="json"))
    assert {"version", "name", "unit"} <= set(fields)
    values = api.post(
        f"/api/v1/practices/{draft.pk}/indicators/",
        {"version": 1, "name": "a", "unit": "b", "values": [{"value": "x"}]},
        format="json",
    )
    assert "values" in fields_of(values)
    submitted = practice_in_state("submitted")
    decision = token_client(moderator()).post(f"/api/v1/practices/{submitted.pk}/decision/", {}, format="json")
    assert "action" in fields_of(decision)
    # A member is refused for the role before the body is even read.
    refused = token_client(member("35.78")).post(f"/api/v1/practices/{draft.pk}/decision/", {}, format="json")
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "raw",
    [
        b'{"title": "tak ditutup"',
        b"\xff\xfe\x00{",
        b'{"title": "\xc3\x28"}',
        b"[1, 2, 3]",
        b'"teks"',
        b"null",
        b"",
        b'{"version": NaN}',
        b'{"version": 1e400}',
    ],
)
def test_malformed_json_and_invalid_utf8_answer_400(api, author, raw):
    draft = practice_draft(by=author)
    response = api.generic("PATCH", f"/api/v1/practices/{draft.pk}/", raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] in {"parse_error", "invalid"}


def test_wrong_content_type_is_415(api):
    response = api.generic("POST", "/api/v1/practices/", b"title=x", content_type="text/plain")
    assert response.status_code == 415 and response.json()["error"]["code"] == "unsupported_media_type"


def test_bad_query_parameters_are_400_not_500(client):
    for query in ["year_from=abc", "province=jawa", "theme=bukan slug", "stage=akhir", "q=" + "x" * 300]:
        response = client.get(f"/api/v1/practices/?{query}")
        assert response.status_code == 400, query
        assert response.json()["error"]["fields"], query
    assert client.get("/api/v1/practices/?page=999").status_code == 404
    assert client.get("/api/v1/practices/abc/").status_code == 404
    assert client.get("/api/v1/replications/?source=-1").status_code == 400


def test_huge_decimal_and_integer_values(api, author):
    draft = practice_draft(by=author)
    version = draft.working_revision.version
    body = {"version": version, "name": "a", "unit": "b", "target_value": "1" * 30, "baseline_year": 10**12}
    fields = fields_of(api.post(f"/api/v1/practices/{draft.pk}/indicators/", body, format="json"))
    assert {"target_value", "baseline_year"} <= set(fields)
    assert "version" in fields_of(api.patch(f"/api/v1/practices/{draft.pk}/", {"version": 2**40}, format="json"))
