"""Login throttling (django-axes, database handler): per email+IP cool-off, never permanent."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-uji-123"


def _user(email="staf@example.go.id"):
    return User.objects.create_user(email=email, password=PASSWORD)


def _login(client, email, password, ip):
    return client.post("/akun/masuk/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_email_and_ip_pair_for_fifteen_minutes(client):
    user = _user("staf@surabaya.go.id")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(4):
            response = _login(client, user.email, "salah", "10.0.0.1")
            assert response.status_code == 200  # the form again, with its error
        response = _login(client, user.email, "salah", "10.0.0.1")
        assert response.status_code == 429
        assert "Terlalu banyak percobaan masuk" in response.text and "15 menit" in response.text

        # Locked: even the right password is refused from this IP ...
        response = _login(client, user.email, PASSWORD, "10.0.0.1")
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        # ... but the same account from another IP is not locked.
        other = client.__class__()
        assert _login(other, user.email, PASSWORD, "10.0.0.2").status_code == 302

        # The lock lasts 15 minutes, then the account logs in again from the same IP (no permanent lockout).
        clock.shift(timedelta(minutes=14))
        assert _login(client, user.email, PASSWORD, "10.0.0.1").status_code == 429
        clock.shift(timedelta(minutes=2))
        assert _login(client, user.email, PASSWORD, "10.0.0.1").status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)

    assert AccessAttempt.objects.filter(username=user.email, ip_address="10.0.0.1").count() == 0  # reset on success
    assert AuditEvent.objects.filter(action="login.failed", data__username=user.email).count() >= 5
    assert AuditEvent.objects.filter(action="login.locked_out", data__username=user.email).exists()


def test_failures_for_another_email_from_the_same_ip_do_not_lock_this_account(client):
    user = _user()
    for _ in range(5):
        _login(client, "orang-lain@example.go.id", "salah", "10.0.0.9")
    assert _login(client, "orang-lain@example.go.id", "salah", "10.0.0.9").status_code == 429
    assert _login(client, user.email, PASSWORD, "10.0.0.9").status_code == 302


def test_lockout_page_in_english(client):
    user = _user()
    for _ in range(5):
        response = client.post(
            "/en/account/login/", {"username": user.email, "password": "wrong"}, REMOTE_ADDR="10.0.0.3"
        )
    assert response.status_code == 429
    assert "Too many login attempts" in response.text


def test_a_mixed_case_email_signs_in(client):
    user = _user("staf.case@surabaya.go.id")
    response = _login(client, "  Staf.CASE@Surabaya.GO.ID ", PASSWORD, "10.0.0.20")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_changing_the_case_of_the_email_does_not_reset_the_failure_count(client):
    user = _user("staf.kunci@surabaya.go.id")
    for variant in ["staf.kunci@surabaya.go.id", "STAF.KUNCI@surabaya.go.id", "Staf.Kunci@Surabaya.go.id"] * 2:
        response = _login(client, variant, "salah", "10.0.0.21")
    assert response.status_code == 429
    assert _login(client, user.email.upper(), PASSWORD, "10.0.0.21").status_code == 429
