"""Notification settings per kind group (notifications/services/preferences.py, notify, fanout, digests): each
group honours each setting, mandatory kinds cannot be switched off, the settings page, digests in batches."""

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.signals import SECURITY_KINDS
from notifications.models import (
    KIND_GROUPS,
    MANDATORY_KINDS,
    Delivery,
    DigestEntry,
    Notification,
    NotificationSetting,
)
from notifications.selectors import notification_settings_for
from notifications.services.digests import digests_send
from notifications.services.follows import follow_set
from notifications.services.notify import notify
from notifications.services.preferences import notification_setting_set, notification_settings_save
from notifications.tokens import kind_unsubscribe_path
from tests.agencies.factories import member
from tests.practices.factories import practice_published

from .factories import JKT, announce, surabaya

pytestmark = pytest.mark.django_db

G, C = NotificationSetting.Group, NotificationSetting.Channel
KINDS_DIR = Path(settings.BASE_DIR) / "templates" / "notifications" / "kinds"
# The groups whose kinds go through `notify` (followed topics go through the fan-out, digests are the digest job).
NOTIFY_GROUPS = [g for g in G.values if g not in (G.FOLLOWS, G.DIGESTS)]
CONTEXT = {"title": "Izin Cepat", "agency": "Kota Surabaya", "practice": "Izin Cepat", "source": "Izin Cepat"}


def at(day, hour=7, month=3):
    return dt.datetime(2026, month, day, hour, tzinfo=JKT)


def test_every_kind_template_is_in_exactly_one_group_or_mandatory():
    kinds = {path.stem for path in KINDS_DIR.glob("*.txt")}
    assert len(kinds) >= 22
    for kind in kinds:
        assert (kind in KIND_GROUPS) != (kind in MANDATORY_KINDS), kind
    assert set(KIND_GROUPS) <= kinds  # no group lists a kind that does not exist
    assert SECURITY_KINDS <= MANDATORY_KINDS and "follow_confirm" in MANDATORY_KINDS
    assert not MANDATORY_KINDS & set(G.values)  # a mandatory kind can never be a stored group


@pytest.mark.parametrize("channel", C.values)
@pytest.mark.parametrize("group", NOTIFY_GROUPS)
def test_each_kind_of_each_group_honours_each_setting(group, channel):
    person, other = member(), member()
    notification_setting_set(user=person, group=group, channel=channel)
    kinds = [kind for kind, g in KIND_GROUPS.items() if g == group]
    with time_machine.travel(at(4, hour=15), tick=False):
        for kind in kinds:
            notify(recipients=[person, other], kind=kind, context=CONTEXT, target_url="/t/")
    mine = Notification.objects.filter(recipient=person)
    assert sorted(mine.values_list("kind", flat=True)) == sorted(kinds)  # always in the portal
    emails = Delivery.objects.filter(notification__recipient=person)
    # Someone with the default is emailed at once, whatever the other person chose.
    assert Delivery.objects.filter(notification__recipient=other).count() == len(kinds)
    if channel == C.IN_APP:
        assert not emails.exists() and not mine.exclude(digest_frequency="").exists()
    elif channel == C.IMMEDIATE:
        assert emails.count() == len(kinds)
        unsubscribe = kind_unsubscribe_path(user_id=person.pk, group=group)
        assert set(mine.values_list("unsubscribe_url", flat=True)) == {unsubscribe}
    else:
        assert not emails.exists()
        assert set(mine.values_list("digest_frequency", flat=True)) == {channel}
        other_frequency = "weekly" if channel == "daily" else "daily"
        with time_machine.travel(at(9), tick=False):  # a Monday: the weekly run is due too
            assert digests_send(frequency=other_frequency) == 0
            assert digests_send(frequency=channel) == 1
            assert digests_send(frequency=channel) == 0  # the job ran twice: one digest
        digest = Notification.objects.get(recipient=person, kind=f"digest_{channel}")
        assert digest.deliveries.count() == 1
        assert set(mine.exclude(pk=digest.pk).values_list("digest", flat=True)) == {digest.pk}
        for subject in mine.exclude(pk=digest.pk).values_list("subject", flat=True):
            assert subject in digest.body
        assert digest.unsubscribe_url == kind_unsubscribe_path(user_id=person.pk, group=G.DIGESTS)


def test_what_arrives_after_the_digest_waits_for_the_next_period():
    person = member()
    notification_setting_set(user=person, group=G.DECISIONS, channel=C.DAILY)
    with time_machine.travel(at(4, hour=15), tick=False):
        notify(recipients=[person], kind="published", context={"title": "Satu"})
    with time_machine.travel(at(5), tick=False):
        assert digests_send(frequency="daily") == 1
        notify(recipients=[person], kind="published", context={"title": "Dua"})
        assert digests_send(frequency="daily") == 0
    with time_machine.travel(at(6), tick=False):
        assert digests_send(frequency="daily") == 1
    first, second = Notification.objects.filter(kind="digest_daily").order_by("id")
    assert "Satu" in first.body and "Dua" not in first.body
    assert "Dua" in second.body and "Satu" not in second.body


def test_followed_topics_in_app_only_turns_email_off_for_every_follow():
    muted, daily, immediate = member(), member(), member()
    for person, frequency in ((muted, "daily"), (daily, "daily"), (immediate, "immediate")):
        follow_set(user=person, kind="agency", target=surabaya(), frequency=frequency)
    notification_setting_set(user=muted, group=G.FOLLOWS, channel=C.IN_APP)
    announce(practice_published(title="Antrean Daring"))
    told = Notification.objects.filter(kind="follow_published")
    assert set(told.values_list("recipient", flat=True)) == {muted.pk, immediate.pk}
    assert not Delivery.objects.filter(notification__recipient=muted).exists()  # in the portal only
    assert Delivery.objects.filter(notification__recipient=immediate).count() == 1
    assert not DigestEntry.objects.filter(user=muted).exists()
    assert DigestEntry.objects.filter(user=daily).count() == 1  # the follow's own frequency decides


def test_digests_in_app_only_writes_the_digest_without_an_email():
    person = member()
    notification_settings_save(user=person, channels={G.DECISIONS: C.WEEKLY, G.DIGESTS: C.IN_APP})
    with time_machine.travel(at(4), tick=False):
        notify(recipients=[person], kind="rejected", context={"title": "Satu", "comment": "x"})
    with time_machine.travel(at(9), tick=False):
        assert digests_send(frequency="weekly") == 1
    digest = Notification.objects.get(recipient=person, kind="digest_weekly")
    assert not digest.deliveries.exists() and "Satu" in digest.body


def test_mandatory_kinds_are_always_emailed_and_cannot_be_switched_off():
    person = member()
    for group in G.values:
        notification_setting_set(user=person, group=group, channel=C.IN_APP)
    mandatory = sorted(k for k in MANDATORY_KINDS if (KINDS_DIR / f"{k}.txt").exists())
    assert "follow_confirm" in mandatory
    for kind in mandatory:
        context = {"target": "Tema", "days": 7, "hours": 24, "expires_at": at(9), "by": "Lead", "agency": "Kota"}
        [notification] = notify(recipients=[person], kind=kind, context=context, target_url="/x/")
        assert notification.deliveries.count() == 1, kind
        assert notification.unsubscribe_url == "", kind  # nothing to unsubscribe from
    for kind in sorted(MANDATORY_KINDS):
        with pytest.raises(ValueError):
            notification_setting_set(user=person, group=kind, channel=C.IN_APP)
    with pytest.raises(ValueError):  # a digest of digests, or a frequency for followed topics, is not offered
        notification_setting_set(user=person, group=G.DIGESTS, channel=C.DAILY)
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database refuses them too
        NotificationSetting.objects.create(user=member(), group="password_reset", channel=C.IN_APP)
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationSetting.objects.create(user=member(), group=G.FOLLOWS, channel=C.WEEKLY)


def test_only_choices_that_differ_from_the_default_are_stored():
    person = member()
    notification_setting_set(user=person, group=G.REMINDERS, channel=C.WEEKLY)
    notification_setting_set(user=person, group=G.REMINDERS, channel=C.DAILY)
    assert list(NotificationSetting.objects.values_list("group", "channel")) == [("reminders", "daily")]
    notification_setting_set(user=person, group=G.REMINDERS, channel=C.IMMEDIATE)
    assert not NotificationSetting.objects.exists()


def _page_data(**changes):
    data = {group: "immediate" for group in G.values}
    data.update(changes)
    return data


def test_settings_page_saves_each_group_and_shows_mandatory_kinds_fixed(client):
    person = member()
    client.force_login(person)
    url = reverse("notifications:settings")
    response = client.get(url)
    assert response.status_code == 200
    for label in G.labels:
        assert str(label) in response.text
    assert response.text.count("checked disabled") == len(MANDATORY_KINDS)  # shown, fixed, with the reason
    assert "tidak dapat dimatikan" in response.text
    response = client.post(url, _page_data(replication="daily", reminders="in_app", follows="in_app"))
    assert response.status_code == 302
    assert notification_settings_for(user=person) == {
        **{group: "immediate" for group in G.values},
        "replication": "daily",
        "reminders": "in_app",
        "follows": "in_app",
    }
    page = client.get(url).text
    assert re.search(r'name="replication" value="daily"[^>]*checked', page)
    assert re.search(r'name="decisions" value="immediate"[^>]*checked', page)
    english = client.get("/en/notifications/settings/")
    assert english.status_code == 200 and "Notification settings" in english.text


def test_settings_page_refuses_tampering(client):
    person = member()
    client.force_login(person)
    url = reverse("notifications:settings")
    # Mandatory kinds posted as if they were fields: not read, nothing stored, still emailed.
    response = client.post(url, _page_data(invitation="in_app", password_reset="in_app", follow_confirm="in_app"))
    assert response.status_code == 302
    assert not NotificationSetting.objects.exists()
    # A channel the group does not offer, an unknown value, a missing group: 400 with the error, nothing stored.
    for data in (_page_data(digests="daily"), _page_data(decisions="sms"), {"decisions": "in_app"}):
        response = client.post(url, data)
        assert response.status_code == 400
        assert 'class="error"' in response.text
    assert not NotificationSetting.objects.exists()
    [notification] = notify(recipients=[person], kind="follow_confirm", context={"target": "Tema"})
    assert notification.deliveries.count() == 1


def test_settings_page_needs_login(client):
    response = client.get(reverse("notifications:settings"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def _digest_queries(count: int, start: int) -> int:
    people = [member(email=f"ringkasan{start + i}@example.com") for i in range(count)]
    for person in people:
        notification_setting_set(user=person, group=G.QUESTIONS, channel=C.DAILY)
    with time_machine.travel(at(start, hour=15), tick=False):
        notify(recipients=people, kind="question_asked", context={"practice": "Izin"})
    with time_machine.travel(at(start + 1), tick=False), CaptureQueriesContext(connection) as queries:
        assert digests_send(frequency="daily") == count
    return len(queries)


def test_digests_are_built_in_batches_with_a_fixed_number_of_queries():
    few = _digest_queries(2, start=10)
    many = _digest_queries(12, start=20)
    assert many == few  # per batch, not per person
    assert Delivery.objects.filter(notification__kind="digest_daily").count() == 14


def test_a_batch_size_splits_people_into_transactions():
    people = [member() for _ in range(5)]
    for person in people:
        notification_setting_set(user=person, group=G.DECISIONS, channel=C.DAILY)
    with time_machine.travel(at(4, hour=15), tick=False):
        notify(recipients=people, kind="published", context={"title": "Izin"})
    with time_machine.travel(at(5), tick=False):
        assert digests_send(frequency="daily", batch_size=2) == 5
        assert digests_send(frequency="daily", batch_size=2) == 0
    assert Notification.objects.filter(kind="digest_daily").count() == 5
    assert not Notification.objects.filter(digest_frequency="daily", digest__isnull=True).exists()
