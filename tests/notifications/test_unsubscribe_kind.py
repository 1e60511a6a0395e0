"""One-click unsubscribe per kind group (notifications:unsubscribe_kind): the link and RFC 8058 headers in every
non-mandatory email to a user, a GET that changes nothing, a POST (button or one-click) that stops that group
only, and a changed link that is a 404."""

import email

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse

from notifications.models import Delivery, NotificationSetting
from notifications.selectors import notification_settings_for
from notifications.services.delivery import delivery_send_now
from notifications.services.notify import notify
from notifications.tokens import kind_unsubscribe_path, kind_unsubscribe_token
from tests.agencies.factories import member

from .test_delivery import smtp_server  # noqa: F401 - the local SMTP server fixture

pytestmark = pytest.mark.django_db

G = NotificationSetting.Group


def _emailed(person, kind: str, **context) -> bool:
    [notification] = notify(recipients=[person], kind=kind, context={"title": "Izin", **context})
    return notification.deliveries.exists()


def test_a_users_email_carries_the_unsubscribe_link_of_its_group(smtp_server):  # noqa: F811
    person = member()
    [notification] = notify(recipients=[person], kind="question_asked", context={"practice": "Izin"})
    assert delivery_send_now(delivery_id=notification.deliveries.get().pk)
    message = email.message_from_bytes(smtp_server.messages[0].content)
    link = f"{settings.SITE_URL}{kind_unsubscribe_path(user_id=person.pk, group=G.QUESTIONS)}"
    assert "".join(message["List-Unsubscribe"].split()) == f"<{link}>"  # a long header is folded
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.get_payload(decode=True).decode()


def test_get_asks_and_changes_nothing_then_one_click_post_stops_that_group_only():
    person = member()
    url = kind_unsubscribe_path(user_id=person.pk, group=G.DECISIONS)
    # Mail scanners fetch links: the GET page asks, in either language, and stores nothing.
    response = Client().get(url)
    assert response.status_code == 200 and "Keputusan atas praktik saya" in response.text
    assert person.email in response.text and '<form method="post"' in response.text
    english = Client().get(url.replace("/notifikasi/berhenti-jenis/", "/en/notifications/unsubscribe-kind/"))
    assert english.status_code == 200 and "Decisions on my practices" in english.text
    assert not NotificationSetting.objects.exists()
    # RFC 8058: the mail provider POSTs this body, without a session or a CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert notification_settings_for(user=person)["decisions"] == "in_app"
    assert not _emailed(person, "published")  # that group: in the portal only
    assert _emailed(person, "review_assigned", agency="Kota")  # any other group: still emailed
    assert _emailed(person, "question_asked", practice="Izin")
    assert Delivery.objects.filter(notification__recipient=person).count() == 2
    # The button on the page posts the same; a second time is harmless.
    assert Client().post(url).status_code == 200
    assert list(NotificationSetting.objects.values_list("group", "channel")) == [("decisions", "in_app")]


def test_a_changed_or_foreign_token_is_a_clear_404():
    person = member()
    token = kind_unsubscribe_token(user_id=person.pk, group=G.REMINDERS)
    forged = kind_unsubscribe_token(user_id=person.pk, group=G.REMINDERS)[:-3] + "abc"
    other_salt = signing.Signer(salt="elsewhere").sign_object([person.pk, "reminders"])  # another link's token
    nobody = kind_unsubscribe_token(user_id=person.pk + 1000, group=G.REMINDERS)
    mandatory = kind_unsubscribe_token(user_id=person.pk, group="password_reset")  # signed, but not a group
    for bad in (forged, other_salt, nobody, mandatory, token.upper(), "bukan-token"):
        url = reverse("notifications:unsubscribe_kind", args=[bad])
        for method in ("get", "post"):
            response = getattr(Client(), method)(url)
            assert response.status_code == 404, (bad, method)
            assert "Tautan tidak berlaku" in response.text
    assert not NotificationSetting.objects.exists()
