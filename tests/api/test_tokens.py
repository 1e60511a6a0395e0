"""The token page: create, regenerate and revoke one's own token (permission ladder), both languages."""

import pytest
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from tests.agencies.factories import member

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    assert client.get("/akun/token/").status_code == 302
    assert client.post("/akun/token/").status_code == 302
    assert not Token.objects.exists()


def test_create_regenerate_and_revoke_own_token(client):
    user = member("35.78")
    client.force_login(user)
    page = client.get("/akun/token/")
    assert page.status_code == 200 and "Anda belum memiliki token" in page.content.decode()
    created = client.post("/akun/token/")
    key = Token.objects.get(user=user).key
    assert key in created.content.decode() and created["Cache-Control"].startswith("max-age=0")
    assert key not in client.get("/akun/token/").content.decode()  # shown once only
    client.post("/akun/token/")
    new_key = Token.objects.get(user=user).key
    assert new_key != key
    assert client.post("/akun/token/cabut/").status_code == 302
    assert not Token.objects.filter(user=user).exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="api_token").order_by("id").values_list("action", flat=True)
    ) == ["api_token.created", "api_token.created", "api_token.revoked"]


def test_revoking_only_touches_ones_own_token(client):
    other = member("32.04")
    other_key = Token.objects.create(user=other).key
    client.force_login(member("35.78"))
    client.post("/akun/token/cabut/")
    assert Token.objects.get(user=other).key == other_key
    assert client.get("/akun/token/cabut/").status_code == 405


def test_english_page(client):
    client.force_login(member("35.78"))
    response = client.get("/en/account/token/")
    assert response.status_code == 200
