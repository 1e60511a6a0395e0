"""TOTP two-factor login: anyone may enrol; moderators must; a device means a token after the password."""

from binascii import unhexlify
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.twofactor import SESSION_SETUP_KEY
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-uji-123"


@pytest.fixture(autouse=True)
def _require_2fa_for_moderators(settings):
    settings.ACCOUNTS_2FA_REQUIRED_FOR_MODERATORS = True


def _user(email, role=""):
    return User.objects.create_user(email=email, password=PASSWORD, ministry_role=role)


def _token_for(key_hex: str, offset: int = 0) -> str:
    generator = TOTP(unhexlify(key_hex), step=30, t0=0, digits=6)
    generator.time += offset * 30
    return f"{generator.token():06d}"


def _device(user):
    return TOTPDevice.objects.create(user=user, name="default", confirmed=True)


def test_moderator_without_device_is_sent_to_enrolment_and_enrols_with_a_real_token(client):
    moderator = _user("moderator@menpan.go.id", role=User.MinistryRole.MODERATOR)
    client.force_login(moderator)

    response = client.get("/")
    assert response.status_code == 302 and response.url == "/akun/2fa/?next=%2F"

    page = client.get(response.url)
    assert page.status_code == 200
    assert "wajib mengaktifkan verifikasi dua langkah" in page.text
    key = client.session[SESSION_SETUP_KEY]
    assert page.context["otpauth_uri"].startswith("otpauth://totp/RBX%20Portal%3Amoderator%40menpan.go.id?secret=")
    assert page.context["qr_data_uri"].startswith("data:image/svg+xml;base64,")

    # A wrong token keeps the user on the page with an error and creates nothing.
    wrong = f"{(int(_token_for(key)) + 1) % 1_000_000:06d}"
    response = client.post("/akun/2fa/", {"token": wrong, "next": "/"})
    assert response.status_code == 200 and response.context["form"].errors["token"]
    assert not TOTPDevice.objects.filter(user=moderator).exists()

    # Confirmed: the page shows the ten recovery codes once, and a link on to where the user was going.
    response = client.post("/akun/2fa/", {"token": _token_for(key), "next": "/"})
    assert response.status_code == 200 and len(response.context["codes"]) == 10
    assert response.context["continue_url"] == "/"
    device = TOTPDevice.objects.get(user=moderator)
    assert device.confirmed and device.key == key
    assert client.get("/").status_code == 200  # verified in this session
    assert AuditEvent.objects.filter(action="otp.device_confirmed", actor=moderator).count() == 1


def test_lead_moderator_is_also_required_but_a_member_is_not(client):
    lead = _user("lead@menpan.go.id", role=User.MinistryRole.LEAD)
    client.force_login(lead)
    assert client.get("/").status_code == 302

    member = _user("staf@bandung.go.id")
    client.force_login(member)
    assert client.get("/").status_code == 200
    assert client.get("/akun/2fa/").status_code == 200  # but may enrol


def test_user_with_device_must_enter_a_token_after_the_password(client):
    member = _user("staf@surabaya.go.id")
    device = _device(member)
    response = client.post("/akun/masuk/", {"username": member.email, "password": PASSWORD, "next": "/"})
    assert response.status_code == 302

    response = client.get("/")
    assert response.status_code == 302 and response.url == "/akun/2fa/verifikasi/?next=%2F"
    # Enrolling another device is no way round the token.
    assert client.get("/akun/2fa/").url.startswith("/akun/2fa/verifikasi/")
    # Logging out is always possible.
    assert client.post("/akun/keluar/").status_code == 302

    client.post("/akun/masuk/", {"username": member.email, "password": PASSWORD})
    response = client.post("/akun/2fa/verifikasi/", {"token": "000000" if _now_token(device) != "000000" else "111111"})
    assert response.status_code == 200 and response.context["form"].errors["token"]
    assert AuditEvent.objects.filter(action="otp.failed", actor=member).exists()

    # django-otp slows guessing down after a failure (1 s, doubling); a later, right token passes.
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        response = client.post("/akun/2fa/verifikasi/", {"token": _now_token(device), "next": "/"})
        assert response.status_code == 302 and response.url == "/"
        assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="otp.verified", actor=member).count() == 1


def _now_token(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_token_is_accepted_only_once(client):
    member = _user("sekali@surabaya.go.id")
    device = _device(member)
    token = _now_token(device)
    client.post("/akun/masuk/", {"username": member.email, "password": PASSWORD})
    assert client.post("/akun/2fa/verifikasi/", {"token": token}).status_code == 302

    other = client.__class__()
    other.post("/akun/masuk/", {"username": member.email, "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")
    response = other.post("/akun/2fa/verifikasi/", {"token": token})
    assert response.status_code == 200 and response.context["form"].errors["token"]


def test_pages_work_in_english(client):
    moderator = _user("mod-en@menpan.go.id", role=User.MinistryRole.MODERATOR)
    client.force_login(moderator)
    response = client.get("/en/")
    assert response.status_code == 302 and response.url.startswith("/en/account/2fa/")
    page = client.get(response.url)
    assert page.status_code == 200 and "Two-step verification" in page.text
