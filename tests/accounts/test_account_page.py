"""The account page: profile and languages, the sessions list and "sign out everywhere else", and the
interface language that follows the one a person uses until they choose one."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import User, UserSession
from accounts.selectors import user_agent_summary
from accounts.services.tokens import api_token_regenerate
from audit.models import AuditEvent
from tests.accounts.factories import PASSWORD, moderator, user

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
ANDROID = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"


def _form(**fields):
    data = {"full_name": "Siti Rahma", "position": "Analis Kebijakan", "language": "id", "notification_language": ""}
    return {**data, **fields}


def test_the_page_saves_name_position_and_both_languages_and_switches_to_the_chosen_one(client):
    person = user(email="profil@surabaya.go.id")
    client.force_login(person)
    page = client.get("/akun/")
    assert page.status_code == 200 and "Profil dan bahasa" in page.text and "Sesi aktif" in page.text

    response = client.post(
        "/akun/", _form(position="Kepala Bagian Organisasi", language="en", notification_language="id")
    )
    assert response.status_code == 302 and response["Location"] == "/en/account/"
    assert response.cookies["django_language"].value == "en"
    person.refresh_from_db()
    assert (person.full_name, person.position, person.language, person.notification_language) == (
        "Siti Rahma",
        "Kepala Bagian Organisasi",
        "en",
        "id",
    )
    assert person.language_chosen
    english = client.get(response["Location"])
    assert "Changes to your account saved." in english.text and "My account" in english.text
    assert "Profile and language" in english.text and "Active sessions" in english.text
    assert AuditEvent.objects.filter(action="account.updated", actor=person).count() == 1

    # A choice sticks: browsing in Indonesian does not change it.
    client.get("/")
    person.refresh_from_db()
    assert person.language == "en"


def test_an_invalid_form_keeps_what_was_typed_and_says_what_to_do(client):
    client.force_login(user(email="salah@surabaya.go.id"))
    response = client.post("/akun/", _form(language="xx", full_name="Nama Tetap"))
    assert response.status_code == 400 and response.context["form"].errors["language"]
    assert 'value="Nama Tetap"' in response.text and "Periksa isian berikut" in response.text


def test_the_interface_language_follows_the_one_used_until_chosen(client, django_assert_max_num_queries):
    person = user(email="ikut@surabaya.go.id")
    client.force_login(person)
    client.get("/akun/")
    client.get("/en/account/")
    person.refresh_from_db()
    assert person.language == "en" and not person.language_chosen
    client.get("/")
    person.refresh_from_db()
    assert person.language == "id"
    # Nothing is written while it stays the same (the session's "last seen" is not due either).
    client.get("/akun/")
    with django_assert_max_num_queries(12) as queries:
        client.get("/akun/")
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_sessions_are_listed_and_signing_out_everywhere_else_ends_them(client):
    person = user(email="sesi@surabaya.go.id")
    phone = Client(HTTP_USER_AGENT=ANDROID, REMOTE_ADDR="203.0.113.50")
    assert phone.post("/akun/masuk/", {"username": person.email, "password": PASSWORD}).status_code == 302
    laptop = Client(HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="198.51.100.20")
    assert laptop.post("/akun/masuk/", {"username": person.email, "password": PASSWORD}).status_code == 302
    stranger = user(email="lain@surabaya.go.id")
    Client().force_login(stranger)

    page = laptop.get("/akun/")
    rows = page.context["sessions"]
    assert [(r.browser, r.ip, r.current) for r in rows] == [
        ("Firefox, Windows", "198.51.100.20", True),
        ("Chrome, Android", "203.0.113.50", False),
    ]
    assert "Chrome, Android" in page.text and "203.0.113.50" in page.text

    response = laptop.post("/akun/sesi/akhiri-semua/")
    assert response.status_code == 302 and response["Location"] == "/akun/"
    assert phone.get("/akun/").status_code == 302  # the other device lost its login
    assert laptop.get("/akun/").status_code == 200  # this one stays
    assert list(UserSession.objects.filter(user=person).values_list("ip", flat=True)) == ["198.51.100.20"]
    assert UserSession.objects.filter(user=stranger).count() == 1  # nobody else's
    assert AuditEvent.objects.get(action="sessions.ended").data["ended"] == 1

    # Signing out takes the session off the list.
    laptop.post("/akun/keluar/")
    assert not UserSession.objects.filter(user=person).exists()


def test_the_token_section_shows_dates_and_revokes_and_a_moderator_needs_two_factor(client, rf):
    person = user(email="token@surabaya.go.id")
    request = rf.post("/")
    request.user = person
    api_token_regenerate(user=person, request=request)
    client.force_login(person)
    page = client.get("/akun/")
    assert "Token dibuat pada" in page.text and "Tanpa batas waktu." in page.text
    assert client.post("/akun/token/cabut/").status_code == 302
    assert not Token.objects.filter(user=person).exists()

    mod = moderator(email="mod-token@menpan.go.id")
    client.force_login(mod)
    assert "diverifikasi dua langkah" in client.get("/akun/").text


def test_user_agent_summary():
    assert user_agent_summary(FIREFOX) == "Firefox, Windows"
    assert user_agent_summary(ANDROID) == "Chrome, Android"
    assert (
        user_agent_summary(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15"
        )
        == "Safari, macOS"
    )
    assert user_agent_summary("") == ""
    assert User.objects.count() == 0


def test_the_new_pages_are_english_in_english(client):
    anonymous = Client()
    reset = anonymous.get("/en/account/password/forgot/")
    assert reset.status_code == 200 and "Forgotten password" in reset.text and "Send the link" in reset.text
    done = anonymous.get("/en/account/password/forgot/sent/")
    assert "If that address belongs to an active account" in done.text
    assert "Forgot your password?" in anonymous.get("/en/account/login/").text

    client.force_login(user(email="english@surabaya.go.id", language="en"))
    pages = {
        "/en/account/": ["Profile and language", "Interface language", "Sign out on all other devices"],
        "/en/account/password/change/": ["Change password", "sessions on other devices end"],
        "/en/account/2fa/recovery-codes/": ["Recovery codes complement two-step verification"],
    }
    for url, phrases in pages.items():
        page = client.get(url)
        assert page.status_code == 200, url
        for phrase in phrases:
            assert phrase in page.text, (url, phrase)
        for indonesian in ("Keluar dari semua", "Profil dan bahasa", "Kode pemulihan", "Ubah kata sandi"):
            assert indonesian not in page.text, (url, indonesian)
