"""The rate limits applied to the portal's own views: search, section saves, submissions, uploads.

Real Redis counters; the rates are lowered with `RATELIMIT_RATES` so a few requests reach them. Each refusal is
a 429 with Retry-After, in the language of the page.
"""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from practices.models import Practice
from tests.agencies.factories import member
from tests.practices.factories import practice_draft, practice_published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _one_window():
    """The counters use fixed windows: a slow run must not straddle a window boundary and reset the count."""
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2026, 5, 4, 10, 0, 5, tzinfo=datetime.UTC), tick=False):
        yield


def _url(name, lang, **kwargs):
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


def _assert_refused(response, lang):
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    text = "Terlalu banyak permintaan" if lang == "id" else "Too many requests"
    assert text in response.text


@pytest.mark.parametrize("lang", ["id", "en"])
@override_settings(RATELIMIT_RATES={"search": "3/m"})
def test_search_is_limited_but_browsing_is_not(lang):
    practice_published(title="Layanan perizinan daring")
    client = Client(REMOTE_ADDR="10.20.30.40")
    url = _url("practices:list", lang)
    codes = [client.get(url, {"q": f"perizinan {n}"}).status_code for n in range(3)]
    assert codes == [200, 200, 200]
    _assert_refused(client.get(url, {"q": "perizinan"}), lang)
    # Browsing the list (no query) and another client's search still work.
    assert client.get(url, {"tema": "kemiskinan"}).status_code == 200
    assert Client(REMOTE_ADDR="10.20.30.41").get(url, {"q": "perizinan"}).status_code == 200


@override_settings(RATELIMIT_RATES={"search": "2/m"})
def test_cached_search_pages_are_counted_too():
    """The limit sits in front of the page cache: repeating one cached query is not a way around it."""
    client = Client(REMOTE_ADDR="10.20.30.50")
    url = _url("practices:list", "id")
    assert [client.get(url, {"q": "sama"}).status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.parametrize("lang", ["id", "en"])
@override_settings(RATELIMIT_RATES={"section-save": "2/h"})
def test_section_saves_are_limited_per_user(client, lang):
    author = member("35.78")
    practice = practice_draft(by=author)
    client.force_login(author)
    url = _url("manage:section", lang, pk=practice.pk, section="identity")
    for n in range(2):
        version = Practice.objects.get(pk=practice.pk).working_revision.version
        response = client.post(url, {"version": version, "title": f"Judul ke-{n}"})
        assert response.status_code in (200, 302)
    assert client.get(url).status_code == 200  # reading the form is not limited
    _assert_refused(client.post(url, {"version": 1, "title": "Sekali lagi"}), lang)
    colleague = member("35.78")
    client.force_login(colleague)
    assert client.post(url, {"version": 1, "title": "Rekan"}).status_code != 429


@pytest.mark.parametrize("lang", ["id", "en"])
@override_settings(RATELIMIT_RATES={"practice-submit": "1/h", "attachment-upload": "1/h"})
def test_submissions_and_uploads_are_limited(client, lang):
    author = member("35.78")
    practice = practice_draft(by=author)
    client.force_login(author)
    submit = _url("manage:submit", lang, pk=practice.pk)
    assert client.post(submit, {}).status_code != 429
    _assert_refused(client.post(submit, {}), lang)
    uploads = _url("manage:attachments", lang, pk=practice.pk)
    pdf = b"%PDF-1.4\n%%EOF\n"
    assert client.post(uploads, {"file": SimpleUploadedFile("a.pdf", pdf), "purpose": "evidence"}).status_code != 429
    _assert_refused(client.post(uploads, {"file": SimpleUploadedFile("b.pdf", pdf), "purpose": "evidence"}), lang)
    assert practice.attachments.count() == 1
