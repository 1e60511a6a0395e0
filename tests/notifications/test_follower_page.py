"""The email-only follower's page (notifications:follower_manage): reached by the signed link in every follower
email, it lists all follows of the address and changes or stops each, or all; a changed link is a 404."""

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse

from notifications.models import Follow, Notification
from notifications.services.delivery import _email_body
from notifications.services.digests import digests_send
from notifications.tokens import follower_manage_path, follower_manage_token
from tests.practices.factories import practice_published

from .factories import announce, email_follow, jatim, surabaya, theme

pytestmark = pytest.mark.django_db

ADDRESS = "warga@example.com"


def _follows():
    return [
        email_follow(ADDRESS, kind="theme", target=theme()),
        email_follow(ADDRESS, kind="agency", target=surabaya(), frequency="daily"),
        email_follow(ADDRESS, kind="province", target=jatim(), confirmed=False),
    ]


def test_every_follower_email_carries_the_page_link_next_to_the_unsubscribe_link():
    _follows()
    email_follow("harian@example.com", kind="agency", target=surabaya(), frequency="daily")
    announce(practice_published(title="Antrean Daring"))
    assert digests_send(frequency="daily") == 1
    told = Notification.objects.filter(email__in=[ADDRESS, "harian@example.com"]).order_by("kind")
    assert [(n.email, n.kind) for n in told] == [("harian@example.com", "digest_daily"), (ADDRESS, "follow_published")]
    for notification in told:
        page = f"{settings.SITE_URL}{follower_manage_path(email=notification.email)}"
        body = _email_body(notification)
        assert f"Atur semua langganan Anda: {page}" in body
        assert body.index("Berhenti berlangganan") < body.index(page)


def test_the_page_lists_the_follows_and_changes_or_stops_each_or_all():
    by_theme, by_agency, by_province = _follows()
    someone_else = email_follow("lain@example.com", kind="agency", target=surabaya())
    client = Client()
    url = follower_manage_path(email=ADDRESS)
    response = client.get(url)
    assert response.status_code == 200
    assert ADDRESS in response.text and "lain@example.com" not in response.text
    for target in (by_theme.theme, by_agency.agency, by_province.province):
        assert str(target) in response.text
    assert client.get(f"/en{url.replace('/notifikasi/pengikut/', '/notifications/follower/')}").status_code == 200

    response = client.post(url, {"follow": by_theme.pk, "frequency": "weekly"})
    assert response.status_code == 302 and response["Location"] == url
    response = client.post(url, {"follow": by_agency.pk, "stop": "on"})
    assert response.status_code == 302
    by_theme.refresh_from_db()
    by_agency.refresh_from_db()
    assert (by_theme.frequency, by_agency.frequency) == ("weekly", "off")
    # Another address's follow cannot be changed from this page.
    client.post(url, {"follow": someone_else.pk, "stop": "on"})
    someone_else.refresh_from_db()
    assert someone_else.frequency == "immediate"
    # Nonsense is refused without a 500 and changes nothing.
    assert client.post(url, {"follow": by_theme.pk, "frequency": "hourly"}).status_code == 400
    assert client.post(url, {}).status_code == 400

    assert client.post(url, {"everything": "on"}).status_code == 302
    assert set(Follow.objects.filter(email=ADDRESS).values_list("frequency", flat=True)) == {"off"}
    assert Follow.objects.get(pk=someone_else.pk).frequency == "immediate"
    assert "Dihentikan" in client.get(url).text


def test_a_changed_link_is_a_clear_404():
    _follows()
    token = follower_manage_token(email=ADDRESS)
    other_salt = signing.Signer(salt="elsewhere").sign_object(ADDRESS)
    for bad in (token[:-2] + "xx", token.upper(), other_salt, "bukan-token"):
        url = reverse("notifications:follower_manage", args=[bad])
        for response in (Client().get(url), Client().post(url, {"everything": "on"})):
            assert response.status_code == 404
            assert "Tautan tidak berlaku" in response.text
    assert set(Follow.objects.values_list("frequency", flat=True)) == {"immediate", "daily"}
