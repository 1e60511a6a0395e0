"""Two-factor for API tokens: a moderator's token decides only when it was made from a 2FA-verified session,
works only while the moderator has a device, and expires; members' tokens are unchanged."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import TokenGrant, User
from practices.models import PracticeRevision
from tests.agencies.factories import member
from tests.api.factories import token_client
from tests.practices.factories import practice_draft, practice_in_state

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-uji-123"


@pytest.fixture(autouse=True)
def _require_2fa_for_moderators(settings):
    settings.ACCOUNTS_2FA_REQUIRED_FOR_MODERATORS = True
    cache.clear()


def _verified_session_token(client, user, device) -> str:
    """Sign in with password and TOTP through the pages, then make a token on the token page."""
    client.post("/akun/masuk/", {"username": user.email, "password": PASSWORD})
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post("/akun/2fa/verifikasi/", {"token": code, "next": "/"}).status_code == 302
    response = client.post("/akun/token/")
    assert response.status_code == 200
    return response.context["new_key"]


def _api(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def _reject(api, practice):
    return api.post(
        f"/api/v1/practices/{practice.pk}/decision/", {"action": "reject", "comment": "Bukan praktik."}, format="json"
    )


@pytest.fixture
def mod():
    user = User.objects.create_user(email="mod.token@menpan.go.id", password=PASSWORD, ministry_role="moderator")
    return user, TOTPDevice.objects.create(user=user, name="default", confirmed=True)


def test_a_token_from_a_verified_session_decides_and_expires(client, mod):
    user, device = mod
    key = _verified_session_token(client, user, device)
    grant = TokenGrant.objects.get(token_id=key)
    assert grant.two_factor_verified and grant.expires_at > timezone.now() + timedelta(days=29)
    practice = practice_in_state(PracticeRevision.State.IN_REVIEW)
    decided = _reject(_api(key), practice)
    assert decided.status_code == 200, decided.content

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        expired = _api(key).get("/api/v1/practices/")
    assert expired.status_code == 401 and "kedaluwarsa" in expired.json()["error"]["message"]


def test_a_moderator_token_without_two_factor_is_refused_for_decisions(mod):
    user, _device = mod
    api = token_client(user)  # made outside a verified session (no grant): reads work, decisions do not
    practice = practice_in_state(PracticeRevision.State.IN_REVIEW)
    assert api.get("/api/v1/practices/").status_code == 200
    refused = _reject(api, practice)
    assert refused.status_code == 403
    assert "dua faktor" in refused.json()["error"]["message"]
    assert PracticeRevision.objects.get(pk=practice.working_revision_id).state == PracticeRevision.State.IN_REVIEW


def test_a_moderator_token_stops_working_when_the_device_is_removed(client, mod):
    user, device = mod
    key = _verified_session_token(client, user, device)
    device.delete()
    response = _api(key).get("/api/v1/practices/")
    assert response.status_code == 401 and "dua faktor" in response.json()["error"]["message"]


def test_a_moderator_cannot_make_a_token_without_a_verified_session(client, mod):
    user, _device = mod
    client.force_login(user)  # signed in with the password only
    client.post("/akun/token/")
    assert not Token.objects.filter(user=user).exists()


def test_members_tokens_are_unchanged():
    author = member("35.78")
    draft = practice_draft(by=author)
    api = token_client(author)
    assert api.get(f"/api/v1/practices/{draft.pk}/").status_code in {200, 404}
    assert api.get("/api/v1/practices/").status_code == 200
