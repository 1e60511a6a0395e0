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
    for needle in ['action="/i18n/setlang/"', 'name="language" value="en"', "<main", "<nav", 'href="#main"']:
        assert needle in html
