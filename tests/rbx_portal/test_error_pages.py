"""The pages a portal is expected to have when something is not there or not allowed: /robots.txt, and styled
404, 403 and 500 pages in both languages (Django's bare defaults before)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from tests.agencies.factories import member
from tests.i18n import en_url

pytestmark = pytest.mark.django_db


def test_robots_txt_keeps_crawlers_out_of_private_areas_in_both_languages_and_names_the_sitemap(client, settings):
    settings.SITE_URL = "https://rbx.example.go.id"
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    for path in ("/admin/", "/akun/", "/en/account/", "/kelola/", "/en/manage/", "/tinjauan/", "/en/review/"):
        assert f"Disallow: {path}" in lines, path
    assert "Disallow: /" not in lines  # the public pages stay crawlable
    assert "Sitemap: https://rbx.example.go.id/sitemap.xml" in lines


@pytest.mark.parametrize(
    ("path", "heading", "other"),
    [
        ("/praktik/tidak-ada-praktik-ini/", "Halaman tidak ditemukan", "Page not found"),
        ("/en/practices/no-such-practice/", "Page not found", "Halaman tidak ditemukan"),
    ],
)
def test_not_found_is_the_portals_page_in_the_address_language(client, path, heading, other):
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 404
    assert f"<h1>{heading}</h1>" in html and other not in html
    assert 'role="search"' in html and 'class="site-header"' in html  # a way on: search and the navigation
    assert '<meta name="robots" content="noindex">' in html


def test_forbidden_says_who_to_ask_in_each_language(client):
    client.force_login(member("35.78"))
    indonesian = client.get(reverse("review:index"))
    english = client.get(en_url("review:index"))
    assert indonesian.status_code == english.status_code == 403
    assert "<h1>Akses ditolak</h1>" in indonesian.content.decode()
    assert "<h1>Access denied</h1>" in english.content.decode()
    assert "admin instansi" in indonesian.content.decode() and "agency's" in english.content.decode()


@pytest.mark.parametrize(("language", "heading"), [("id", "Terjadi gangguan"), ("en", "Something went wrong")])
def test_server_error_page_renders_without_a_request_context(language, heading):
    """Django renders 500.html with an empty context: the page must not need the database, a session or a
    context processor, and it tells the person their typing was not sent."""
    request = RequestFactory().get("/")
    with translation.override(language):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert f"<h1>{heading}</h1>" in html and f'<html lang="{language}">' in html
    assert ("Kembali" in html) if language == "id" else ("Back" in html)


def test_an_api_address_that_matches_no_route_answers_json_in_the_api_error_shape(client):
    """Not the HTML page: an API client reads the same error shape for every 404 (schemathesis found
    `/api/v1/invitations/%C2%84/` answering HTML)."""
    response = client.get("/api/v1/invitations/%C2%84/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}
    assert client.get("/api/v1/tidak-ada/").json()["error"]["code"] == "not_found"
