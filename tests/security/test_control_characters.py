"""One control character (U+000B) in a published summary broke every feed that carried it and the XLSX export.
Now they are refused where text comes in (forms and API, with a field message) and stripped where it goes out
(feeds, exports), for rows written before the refusal."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.urls import reverse

from common.cache import public_cache_invalidate
from practices.models import Practice, PracticeRevision
from tests.agencies.factories import member
from tests.api.factories import token_client
from tests.i18n import en_url
from tests.practices.factories import new_practice, practice_published

pytestmark = pytest.mark.django_db

MESSAGE = {
    "id": "Teks ini berisi karakter kendali tak terlihat",
    "en": "This text contains invisible control characters",
}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_section_form_refuses_a_control_character_on_its_field(client, lang):
    author = member()
    client.force_login(author)
    practice = new_practice(author)
    url = (
        en_url("manage:section", pk=practice.pk, section="identity")
        if lang == "en"
        else reverse("manage:section", kwargs={"pk": practice.pk, "section": "identity"})
    )
    response = client.post(url, {"version": 1, "title": "Layanan\x0bkeliling", "summary": "Ringkas"})
    text = response.content.decode()
    assert response.status_code in (200, 400)
    assert MESSAGE[lang] in text
    assert 'href="#id_title"' in text
    assert "Ringkas</textarea>" in text  # the rest of what was typed is kept
    assert PracticeRevision.objects.get(pk=practice.working_revision_id).title == ""


def test_the_api_refuses_a_control_character_with_a_field_error():
    cache.clear()
    author = member()
    practice = new_practice(author)
    response = token_client(author).patch(
        f"/api/v1/practices/{practice.pk}/", {"version": 1, "summary": "a\x0bb"}, format="json"
    )
    assert response.status_code == 400
    assert "summary" in response.json()["error"]["fields"]


def test_a_legacy_row_with_a_control_character_breaks_no_feed_and_no_export(client):
    practice = practice_published(title="Layanan\x0b terpadu", summary="Ringkasan\x0b dengan\x1f kendali")
    Practice.objects.filter(pk=practice.pk).update(title="Layanan\x0b terpadu", summary="Ringkasan\x0b kendali")
    public_cache_invalidate()
    province = practice.agency.region.province.code if practice.agency.region else "35"
    urls = [
        reverse("feeds:latest"),
        en_url("feeds:latest"),
        reverse("feeds:province", kwargs={"code": province}),
        reverse("feeds:theme", kwargs={"code": practice.primary_theme.code}),
        reverse("exports:practices", kwargs={"fmt": "xlsx"}),
        reverse("exports:practices", kwargs={"fmt": "csv"}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if url.endswith(".xlsx"):
            from openpyxl import load_workbook

            cells = [c for row in load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True) for c in row]
            assert "Layanan terpadu" in cells and not any("\x0b" in str(c) for c in cells)
        else:
            assert b"\x0b" not in body, url
    assert "Layanan terpadu" in client.get(reverse("feeds:latest")).content.decode()
