"""Recovery codes: made at enrolment and shown once, stored hashed, each signs in once, regenerated from a
verified session only; and a lead moderator's reset of someone's two-factor."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode, RecoveryCodeDevice
from accounts.recoverycodes import recovery_code_digest
from accounts.twofactor import recovery_codes_generate
from audit.models import AuditEvent
from notifications.models import Notification
from tests.accounts.factories import PASSWORD, moderator, user
from tests.accounts.test_two_factor import _token_for

pytestmark = pytest.mark.django_db

VERIFY = "/akun/2fa/verifikasi/"


@pytest.fixture(autouse=True)
def _require_2fa_for_moderators(settings):
    settings.ACCOUNTS_2FA_REQUIRED_FOR_MODERATORS = True


def _with_device(person):
    return TOTPDevice.objects.create(user=person, name="default", confirmed=True)


def _token(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _signed_in_with_password(person) -> Client:
    client = Client()
    assert client.post("/akun/masuk/", {"username": person.email, "password": PASSWORD}).status_code == 302
    return client


def test_enrolment_shows_ten_codes_once_and_stores_only_their_hashes(client):
    person = moderator(email="kode@menpan.go.id")
    client.force_login(person)
    client.get("/akun/2fa/")
    key = client.session["accounts_2fa_setup_key"]
    response = client.post("/akun/2fa/", {"token": _token_for(key), "next": "/"})
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10 and all(len(code) == 11 and code[5] == "-" for code in codes)
    assert all(code in response.text for code in codes) and 'href="/"' in response.text
    stored = set(RecoveryCode.objects.filter(device__user=person).values_list("digest", flat=True))
    assert stored == {recovery_code_digest(code.replace("-", "")) for code in codes}
    assert not any(code.replace("-", "") in digest for code in codes for digest in stored)
    assert "codes" not in str(dict(client.session))  # never kept in the session
    # The account page afterwards says how many are left, never the codes.
    page = client.get("/akun/")
    assert "sisa 10 kode" in page.text and codes[0] not in page.text


def test_a_recovery_code_signs_in_once_and_never_again():
    person = user(email="pulih@surabaya.go.id")
    _with_device(person)
    codes = recovery_codes_generate(user=person)

    client = _signed_in_with_password(person)
    assert client.get("/").status_code == 302  # the second step is owed
    page = client.get(VERIFY)
    assert "Masuk dengan kode pemulihan" in page.text
    response = client.post(VERIFY, {"code": codes[3].lower().replace("-", " "), "next": "/akun/"})
    assert response.status_code == 302 and response["Location"] == "/akun/"
    account = client.get("/akun/")
    assert account.status_code == 200 and account.wsgi_request.user.is_verified()
    assert "sisa 9 kode" in account.text
    assert AuditEvent.objects.filter(action="otp.recovery_code_used", actor=person).count() == 1

    other = _signed_in_with_password(person)
    reused = other.post(VERIFY, {"code": codes[3]})
    assert reused.status_code == 200 and reused.context["code_form"].errors["code"]
    assert other.get("/").status_code == 302  # still not verified
    assert AuditEvent.objects.filter(action="otp.failed", actor=person, data__stage="recovery_code").exists()
    # A wrong code costs a throttled wait (django-otp's), then another unused code works.
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        assert other.post(VERIFY, {"code": codes[4]}).status_code == 302
    assert RecoveryCode.objects.filter(device__user=person).count() == 8


def test_regenerating_needs_a_verified_session_and_voids_the_old_codes(client):
    person = user(email="baru@surabaya.go.id")
    device = _with_device(person)
    old = recovery_codes_generate(user=person)

    # Only the password: the middleware sends the session to verification, and a direct POST is refused.
    unverified = _signed_in_with_password(person)
    assert unverified.post("/akun/2fa/kode-pemulihan/").status_code == 302
    assert RecoveryCode.objects.filter(device__user=person).count() == 10

    verified = _signed_in_with_password(person)
    assert verified.post(VERIFY, {"token": _token(device)}).status_code == 302
    page = verified.get("/akun/2fa/kode-pemulihan/")
    assert page.status_code == 200 and "Sisa 10 kode" in page.text
    response = verified.post("/akun/2fa/kode-pemulihan/")
    new = response.context["codes"]
    assert response.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    assert RecoveryCodeDevice.objects.filter(user=person).count() == 1
    assert RecoveryCode.objects.filter(device__user=person).count() == 10

    again = _signed_in_with_password(person)
    assert again.post(VERIFY, {"code": old[0]}).context["code_form"].errors["code"]
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        assert again.post(VERIFY, {"code": new[0]}).status_code == 302
    assert AuditEvent.objects.filter(action="otp.recovery_codes_generated", actor=person).count() == 2


def test_without_two_factor_the_page_offers_enrolment_and_refuses_codes(client):
    client.force_login(user(email="tanpa@surabaya.go.id"))
    page = client.get("/akun/2fa/kode-pemulihan/")
    assert page.status_code == 200 and "Aktifkan verifikasi dua langkah" in page.text
    assert client.post("/akun/2fa/kode-pemulihan/").status_code == 403


def _verified_client(person) -> Client:
    device = _with_device(person)
    client = _signed_in_with_password(person)
    assert client.post(VERIFY, {"token": _token(device)}).status_code == 302
    return client


def test_a_lead_resets_a_moderators_two_factor_audited_and_told():
    lead = moderator(lead=True, email="utama@menpan.go.id")
    target = moderator(email="hilang@menpan.go.id")
    _with_device(target)
    recovery_codes_generate(user=target)
    client = _verified_client(lead)

    response = client.post(f"/akun/2fa/atur-ulang/{target.pk}/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert not RecoveryCodeDevice.objects.filter(user=target).exists()
    event = AuditEvent.objects.get(action="otp.reset")
    assert (event.actor, event.target_id, event.data["totp_devices"]) == (lead, str(target.pk), 1)
    [notice] = Notification.objects.filter(kind="two_factor_reset")
    assert notice.recipient == target and notice.deliveries.count() == 1 and notice.target_url == "/akun/2fa/"

    # The moderator must enrol again at the next page.
    again = _signed_in_with_password(target)
    assert again.get("/").url.startswith("/akun/2fa/?next=")


def test_only_a_lead_resets_and_never_their_own():
    lead = moderator(lead=True, email="utama2@menpan.go.id")
    target = moderator(email="sasaran@menpan.go.id")
    _with_device(target)
    for who in (user(email="anggota@surabaya.go.id"), moderator(email="biasa@menpan.go.id")):
        client = _verified_client(who)
        assert client.post(f"/akun/2fa/atur-ulang/{target.pk}/").status_code == 404
    lead_client = _verified_client(lead)
    assert lead_client.post(f"/akun/2fa/atur-ulang/{lead.pk}/").status_code == 404
    assert lead_client.post("/akun/2fa/atur-ulang/999999/").status_code == 404
    assert lead_client.get(f"/akun/2fa/atur-ulang/{target.pk}/").status_code == 405
    assert TOTPDevice.objects.filter(user=target).exists() and TOTPDevice.objects.filter(user=lead).exists()
    assert not AuditEvent.objects.filter(action="otp.reset").exists()
