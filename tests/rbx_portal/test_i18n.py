import pytest

pytestmark = pytest.mark.django_db


def test_home_is_indonesian_by_default(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="id">' in html
    assert "Pengentasan Kemiskinan" in html and "Langsung ke isi" in html


def test_english_under_en_prefix(client):
    response = client.get("/en/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Poverty Reduction" in html and "Skip to content" in html
    assert "Pengentasan Kemiskinan" not in html


def test_language_switch_posts_to_the_same_page_in_the_other_language(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/akun/masuk/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/account/login/"
    response = client.post("/en/i18n/setlang/", {"language": "id", "next": "/en/account/login/"})
    assert response["Location"] == "/akun/masuk/"


def test_every_page_has_the_switch_and_landmarks(client):
    html = client.get("/akun/masuk/").content.decode()
    for needle in ['href="/en/account/login/" hreflang="en"', '<nav class="lang-switch"', "<main", 'href="#main"']:
        assert needle in html


def test_every_translated_url_segment_keeps_its_shape():
    """A URL pattern's English translation must keep the trailing slash and every <converter:name>."""
    import re
    from pathlib import Path

    from django.conf import settings

    po = (Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    pairs = re.findall(r'^msgid "([^"]*/)"\nmsgstr "([^"]*)"$', po, flags=re.M)
    assert len(pairs) > 20
    for source, english in pairs:
        assert english.endswith("/"), (source, english)
        assert re.findall(r"<[^>]+>", source) == re.findall(r"<[^>]+>", english), (source, english)


def test_ledger_pages_live_under_the_practice_address_in_both_languages(client):
    from django.urls import reverse
    from django.utils import translation

    assert reverse("ledger:replication_list", kwargs={"slug": "x"}) == "/praktik/x/replikasi/"
    with translation.override("en"):
        assert reverse("ledger:question_list", kwargs={"slug": "x"}) == "/en/practices/x/questions/"
