"""Notifications in the portal (notifications/services/notify.py): the list, the unread count, mark read, escaping."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from notifications.services.notify import notify
from tests.agencies.factories import member


@pytest.mark.django_db
def test_notification_list_unread_count_and_mark_read(client, django_assert_max_num_queries):
    user = member()
    notify(recipients=[user], kind="rejected", context={"title": "Satu", "agency": "A", "comment": "x"})
    notify(recipients=[user], kind="rejected", context={"title": "Dua", "agency": "A", "comment": "y"})
    notify(recipients=[member()], kind="rejected", context={"title": "Lain", "agency": "A", "comment": "z"})
    client.force_login(user)
    client.get(reverse("notifications:list"))  # the first request after login also settles the 2FA check
    with django_assert_max_num_queries(8):
        response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert "Notifikasi (2)" in response.text and "Lain" not in response.text
    first = Notification.objects.filter(recipient=user).last()
    client.post(reverse("notifications:read"), {"notification": first.pk})
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 1
    client.post(reverse("notifications:read"), {"notification": "bukan angka"})  # no 500 on bad input
    client.post(reverse("notifications:read"), {})
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert client.get("/en/notifications/").status_code == 200


@pytest.mark.django_db
def test_notification_pages_need_login(client):
    assert client.get(reverse("notifications:list")).status_code == 302
    assert client.post(reverse("notifications:read")).status_code == 302


@pytest.mark.django_db
def test_plain_text_emails_are_not_html_escaped_but_the_portal_page_escapes_them(client):
    user = member()
    [notification] = notify(
        recipients=[user], kind="rejected", context={"title": "Kopi & <Teh>", "agency": "A", "comment": "x"}
    )
    assert "Kopi & <Teh>" in notification.subject and "&amp;" not in notification.subject
    client.force_login(user)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "Kopi &amp; &lt;Teh&gt;" in html and "<Teh>" not in html
