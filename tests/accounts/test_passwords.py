"""Password reset by email (no account enumeration, one-time link, rate limits) and password change."""

from __future__ import annotations

import email
import re
import time

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.services.passwords import password_reset_send
from audit.models import AuditEvent
from notifications.models import Notification
from tests.accounts.factories import PASSWORD, user
from tests.notifications.test_delivery import smtp_server  # noqa: F401 - the local aiosmtpd server fixture

pytestmark = pytest.mark.django_db

RESET = "/akun/kata-sandi/lupa/"
DONE = "/akun/kata-sandi/lupa/terkirim/"


def _ask(client, address, **extra):
    return client.post(RESET, {"email": address}, **extra)


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_account_a_link(client):
    person = user(email="ada@surabaya.go.id")
    user(email="nonaktif@surabaya.go.id", is_active=False)

    page = client.get(RESET)
    assert page.status_code == 200 and "Lupa kata sandi" in page.text
    answers = [_ask(client, address) for address in ("ADA@surabaya.go.id", "tidak-ada@surabaya.go.id")]
    assert [(r.status_code, r["Location"]) for r in answers] == [(302, DONE), (302, DONE)]
    assert client.get(DONE).templates[0].name == "registration/password_reset_done.html"
    requested = AuditEvent.objects.filter(action="password.reset_requested").order_by("pk")
    assert [event.data["email"] for event in requested] == ["ada@surabaya.go.id", "tidak-ada@surabaya.go.id"]

    # What the worker does with each address (accounts.tasks.password_reset_send).
    assert password_reset_send(email="ada@surabaya.go.id") == 1
    assert password_reset_send(email="tidak-ada@surabaya.go.id") == 0
    assert password_reset_send(email="nonaktif@surabaya.go.id") == 0
    [notice] = Notification.objects.filter(kind="password_reset")
    assert notice.recipient == person and notice.deliveries.count() == 1
    assert notice.target_url.startswith("/akun/kata-sandi/atur/")
    assert "Atur ulang kata sandi" in notice.subject


def test_the_link_sets_a_password_once_and_ends_the_accounts_sessions(client):
    person = user(email="sekali@surabaya.go.id")
    elsewhere = Client()
    elsewhere.force_login(person)
    assert elsewhere.get("/akun/").status_code == 200

    password_reset_send(email=person.email)
    link = Notification.objects.get(kind="password_reset", recipient=person).target_url
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    new = "kata-sandi-baru-yang-panjang-42"
    response = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302 and response["Location"] == "/akun/kata-sandi/selesai/"
    person.refresh_from_db()
    assert person.check_password(new)
    assert AuditEvent.objects.filter(action="password.reset_completed", target_id=str(person.pk)).exists()
    # The old session is signed out, and the link does not work a second time.
    assert elsewhere.get("/akun/").status_code == 302
    again = Client().get(link, follow=True)
    assert again.status_code == 200 and not again.context["validlink"]
    assert "sudah dipakai atau kedaluwarsa" in again.text


def test_too_many_requests_get_the_429_page_per_address_and_per_client(client, settings):
    settings.RATELIMIT_RATES = {"password-reset": "5/h", "password-reset-address": "2/h"}
    cache.clear()
    address = f"batas-{time.time_ns()}@example.go.id"
    assert [_ask(client, address, REMOTE_ADDR=f"198.51.100.{i}").status_code for i in (1, 2)] == [302, 302]
    # A third request for the same address is refused, whatever the client's address...
    refused = _ask(client, address, REMOTE_ADDR="198.51.100.3")
    assert refused.status_code == 429 and "Terlalu banyak permintaan" in refused.text and refused["Retry-After"]
    # ...and one client is refused after five requests, whatever the addresses.
    statuses = [
        _ask(client, f"lain{i}-{time.time_ns()}@example.go.id", REMOTE_ADDR="203.0.113.9").status_code for i in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    english = client.post("/en/account/password/forgot/", {"email": address}, REMOTE_ADDR="198.51.100.4")
    assert english.status_code == 429 and "Too many requests" in english.text


def test_change_password_keeps_this_session_and_ends_the_others(client):
    person = user(email="ubah@surabaya.go.id")
    other = Client()
    other.force_login(person)
    assert other.get("/akun/").status_code == 200
    client.force_login(person)

    page = client.get("/akun/kata-sandi/ubah/")
    assert page.status_code == 200 and "Ubah kata sandi" in page.text
    wrong = client.post("/akun/kata-sandi/ubah/", {"old_password": "salah", "new_password1": "x", "new_password2": "x"})
    assert wrong.status_code == 200 and wrong.context["form"].errors["old_password"]

    new = "kata-sandi-baru-yang-panjang-43"
    response = client.post(
        "/akun/kata-sandi/ubah/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302 and response["Location"] == "/akun/"
    assert client.get("/akun/").status_code == 200  # still signed in here
    assert other.get("/akun/").status_code == 302  # signed out there
    assert AuditEvent.objects.filter(action="password.changed", actor=person).count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reset_email_goes_through_the_worker_and_smtp_only_for_a_known_address(
    celery_worker,
    smtp_server,  # noqa: F811
    settings,
):
    person = user(email="lewat-worker@surabaya.go.id", language="en")
    client = Client()
    assert _ask(client, "nobody-here@surabaya.go.id")["Location"] == DONE
    assert _ask(client, person.email)["Location"] == DONE

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not smtp_server.messages:
        time.sleep(0.1)
    time.sleep(1.0)  # give the unknown address's task (queued first) every chance to send something
    assert [envelope.rcpt_tos for envelope in smtp_server.messages] == [[person.email]]
    message = email.message_from_bytes(smtp_server.messages[0].content)
    body = message.get_payload(decode=True).decode()
    link = re.search(re.escape(settings.SITE_URL) + r"(/akun/kata-sandi/atur/\S+)", body).group(1)
    assert "Reset your RBX Portal password" in str(
        email.header.make_header(email.header.decode_header(message["Subject"]))
    )
    # The emailed link opens the form to set a password.
    page = client.get(link, follow=True)
    assert page.status_code == 200 and page.context["validlink"]
