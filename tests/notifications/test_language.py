"""The language and dates of notifications and emails: a user's notification language
(`accounts.selectors.user_notification_language`), dates as each language writes them in Jakarta time
(rbx_portal/formats), checked on real emails at a local SMTP server and through a real Celery worker."""

import datetime as dt
import email
import email.header

import pytest
import time_machine
from django.db import transaction
from django.template import Context, Template
from django.utils import formats, translation

from notifications.models import Delivery, Notification, NotificationSetting
from notifications.services.delivery import delivery_send_now
from notifications.services.digests import digests_send
from notifications.services.follows import follow_set
from notifications.services.notify import notify
from notifications.services.preferences import notification_setting_set
from tests.agencies.factories import member
from tests.practices.factories import practice_published

from .factories import announce, surabaya
from .test_delivery import _wait_for, smtp_server  # noqa: F401 - the local SMTP server fixture

G, C = NotificationSetting.Group, NotificationSetting.Channel
# 02:32 UTC is 09:32 in Jakarta (WIB, UTC+7).
DECIDED = dt.datetime(2026, 12, 2, 2, 32, tzinfo=dt.UTC)
NEXT_MORNING = dt.datetime(2026, 12, 3, 0, 0, tzinfo=dt.UTC)


def _subject(message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


def _received(server) -> list:
    return [email.message_from_bytes(envelope.content) for envelope in server.messages]


def test_dates_are_written_as_each_language_writes_them_in_jakarta_time():
    template = Template("{{ when }} | {{ day }}")
    with translation.override("id"):
        assert template.render(Context({"when": DECIDED, "day": DECIDED.date()})) == (
            "2 Desember 2026 pukul 09.32 WIB | 2 Desember 2026"
        )
    with translation.override("en"):
        assert template.render(Context({"when": DECIDED, "day": DECIDED.date()})) == (
            "2 December 2026, 09:32 WIB | 2 December 2026"
        )
        assert "a.m." not in formats.date_format(DECIDED, "DATETIME_FORMAT")


@pytest.mark.django_db
def test_an_english_users_digest_email_is_english_with_english_dates(smtp_server):  # noqa: F811
    english = member(language="en")
    indonesian = member(language="id")
    for person in (english, indonesian):
        notification_setting_set(user=person, group=G.DECISIONS, channel=C.DAILY)
    with time_machine.travel(DECIDED, tick=False):
        notify(recipients=[english, indonesian], kind="published", context={"title": "Izin Cepat"}, target_url="/p/1/")
    with time_machine.travel(NEXT_MORNING, tick=False):
        assert digests_send(frequency="daily") == 2
    for delivery in Delivery.objects.order_by("notification__recipient_id"):
        assert delivery_send_now(delivery_id=delivery.pk) is True
    by_recipient = {m["To"]: m for m in _received(smtp_server)}
    message = by_recipient[english.email]
    assert _subject(message) == "Daily digest 3 December 2026: 1 update"
    body = message.get_payload(decode=True).decode()
    assert "Notifications you chose to receive in a digest:" in body
    assert "- Practice “Izin Cepat” published (2 December 2026, 09:32 WIB)" in body
    assert "Desember" not in body and "pukul" not in body
    assert message["List-Unsubscribe"] and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    message = by_recipient[indonesian.email]
    assert _subject(message) == "Ringkasan harian 3 Desember 2026: 1 kabar"
    body = message.get_payload(decode=True).decode()
    assert "- Praktik “Izin Cepat” terbit (2 Desember 2026 pukul 09.32 WIB)" in body


@pytest.mark.django_db
def test_the_notification_language_wins_over_the_interface_language():
    person = member(language="id", notification_language="en")
    [notification] = notify(recipients=[person], kind="published", context={"title": "Izin"})
    assert notification.language == "en" and notification.subject == "Practice “Izin” published"
    follow_set(user=person, kind="agency", target=surabaya(), frequency="immediate")
    announce(practice_published(title="Antrean Daring"))
    told = Notification.objects.get(recipient=person, kind="follow_published")
    assert told.language == "en" and told.subject == "New practice: “Antrean Daring”"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_sends_an_english_users_email_in_english(celery_worker, smtp_server):  # noqa: F811
    person = member(language="id", notification_language="en")
    with transaction.atomic():  # as a service would: queued after commit, sent by the worker
        notify(recipients=[person], kind="rejected", context={"title": "Izin", "comment": "Kurang data."})
    assert _wait_for(lambda: len(smtp_server.messages) == 1)
    [message] = _received(smtp_server)
    assert _subject(message) == "Practice “Izin” rejected"
    body = message.get_payload(decode=True).decode()
    assert "Kurang data." in body and "Unsubscribe" in body
