"""Followers' digests (notifications/services/digests.py): once per follower and period, in their language."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings

from notifications.models import DigestEntry, Notification
from notifications.services.digests import digests_send
from notifications.services.follows import follow_set
from practices.services import decisions
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import practice_published

from .factories import JKT, announce, email_follow, surabaya, theme

pytestmark = pytest.mark.django_db


# Digests (frozen clock) ------------------------------------------------------------------------------------


def at(day, month=3, hour=7):
    return dt.datetime(2026, month, day, hour, tzinfo=JKT)


def test_daily_digest_once_per_follower_per_day_in_their_language():
    english = member(agency_code="32.04", language="en")
    follow_set(user=english, kind="theme", target=theme(), frequency="daily")
    follow_set(user=english, kind="agency", target=surabaya(), frequency="daily")
    email_follow("warga@example.com", frequency="daily")
    with time_machine.travel(at(4, hour=15), tick=False):
        first = practice_published(title="Layanan Satu Pintu")
        second = practice_published(title="Antrean Daring")
        for practice in (first, second):
            announce(practice=practice)
    with time_machine.travel(at(5), tick=False):
        assert digests_send(frequency="daily") == 2
        assert digests_send(frequency="daily") == 0  # the job ran twice: nothing more
        third = practice_published(title="Arsip Digital")
        announce(practice=third)
        assert digests_send(frequency="daily") == 0  # already had today's digest: waits for tomorrow
        assert digests_send(frequency="weekly") == 0
    digest = Notification.objects.get(recipient=english, kind="digest_daily")
    assert digest.subject == "Daily digest: 2 new practices" and digest.language == "en"
    assert "Layanan Satu Pintu" in digest.body and "Antrean Daring" in digest.body
    assert digest.body.count("Layanan Satu Pintu") == 1  # reached through two follows, listed once
    assert digest.unsubscribe_url.endswith("?semua=1")
    public = Notification.objects.get(email="warga@example.com", kind="digest_daily")
    assert public.subject == "Ringkasan harian: 2 praktik baru"
    with time_machine.travel(at(6), tick=False):
        assert digests_send(frequency="daily") == 2
    latest = Notification.objects.filter(recipient=english, kind="digest_daily").order_by("-id").first()
    assert "Arsip Digital" in latest.body and "Antrean Daring" not in latest.body
    assert not DigestEntry.objects.filter(notification__isnull=True).exists()


def test_weekly_digest_once_per_iso_week():
    follow_set(user=member(agency_code="32.04"), kind="theme", target=theme(), frequency="weekly")
    with time_machine.travel(at(2), tick=False):  # Monday
        announce(practice=practice_published(title="Satu"))
    with time_machine.travel(at(2, hour=8), tick=False):
        assert digests_send(frequency="daily") == 0
        assert digests_send(frequency="weekly") == 1
    with time_machine.travel(at(6), tick=False):  # Friday, same week
        announce(practice=practice_published(title="Dua"))
        assert digests_send(frequency="weekly") == 0
    with time_machine.travel(at(9), tick=False):  # next Monday
        assert digests_send(frequency="weekly") == 1
    assert Notification.objects.filter(kind="digest_weekly").count() == 2


def test_digest_jobs_are_scheduled():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"notifications.tasks.digests_send_daily", "notifications.tasks.digests_send_weekly"} <= tasks


def test_a_practice_withdrawn_before_the_digest_is_left_out_of_it():
    follow_set(user=member(agency_code="32.04"), kind="theme", target=theme(), frequency="daily")
    with time_machine.travel(at(4, hour=15), tick=False):
        kept, withdrawn = practice_published(title="Tetap Terbit"), practice_published(title="Sudah Ditarik")
        announce(practice=kept)
        announce(practice=withdrawn)
        assert DigestEntry.objects.filter(notification__isnull=True).count() == 2
        decisions.practice_archive(practice=withdrawn, by=moderator(), reason="Tidak berlaku lagi.")
    with time_machine.travel(at(5), tick=False):
        assert digests_send(frequency="daily") == 1
    digest = Notification.objects.get(kind="digest_daily")
    assert "Tetap Terbit" in digest.body and "Sudah Ditarik" not in digest.body
    assert not DigestEntry.objects.filter(practice=withdrawn).exists()
