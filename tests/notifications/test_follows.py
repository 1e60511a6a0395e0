"""Follows: themes, provinces and agencies; double opt-in by email; publish notifications; unsubscribe; digests."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Region
from notifications.models import Delivery, DigestEntry, Follow, Notification, PublishFanOut
from notifications.services import (
    delivery_send_now,
    digests_send,
    follow_set,
    follows_notify_published,
)
from notifications.tasks import publish_fanout_send
from practices.models import PracticeRevision, Theme
from practices.services import decisions
from tests.practices.factories import member, moderator, practice_in_state
from tests.practices.public_factories import make_practice

pytestmark = pytest.mark.django_db
S = PracticeRevision.State
JKT = ZoneInfo("Asia/Jakarta")


def theme(code="kemiskinan"):
    return Theme.objects.get(code=code)


def surabaya():
    return Agency.objects.get(code="35.78")


def jatim():
    return Region.objects.get(code="35")


def email_follow(address, *, kind="theme", target=None, frequency="immediate", language="id", confirmed=True):
    target = target or theme()
    return Follow.objects.create(
        email=address,
        kind=kind,
        frequency=frequency,
        language=language,
        token=f"tok-{address}-{kind}-{target.pk}",
        confirmed_at=dt.datetime(2025, 1, 1, tzinfo=JKT) if confirmed else None,
        **{kind: target},
    )


def approve(practice):
    """Approve as a moderator, then tell the followers as the worker would: the task, called directly (the test's
    transaction never commits, so nothing is queued; tests/notifications/test_fanout.py uses the real worker)."""
    practice = decisions.revision_approve(practice=practice, by=moderator())
    for fanout in PublishFanOut.objects.filter(practice=practice, state=PublishFanOut.State.PENDING):
        publish_fanout_send(fanout.pk)
    return practice


# Database constraints -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"email": ""},  # neither a user nor an email
        {"email": "a@example.com", "with_user": True},  # both
        {"email": "a@example.com", "kind": "agency"},  # kind does not match the target
        {"email": "A@example.com"},  # emails are stored lower-case
    ],
)
def test_the_database_refuses_an_inconsistent_follow(fields):
    fields = dict(fields)
    user = member() if fields.pop("with_user", False) else None
    kind = fields.pop("kind", "theme")
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=user, kind=kind, theme=theme(), token="t1", **fields)


def test_a_follower_follows_a_target_once():
    user = member()
    Follow.objects.create(user=user, kind="theme", theme=theme(), token="t1")
    Follow.objects.create(email="a@example.com", kind="theme", theme=theme(), token="t2")
    Follow.objects.create(user=user, kind="agency", agency=surabaya(), token="t3")  # another target is fine
    for dup in [{"user": user}, {"email": "a@example.com"}]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Follow.objects.create(kind="theme", theme=theme(), token="t9", **dup)


# Following from the pages ---------------------------------------------------------------------------------


def test_a_user_follows_a_theme_from_its_page_and_manages_it_on_my_follows(client):
    user = member()
    client.force_login(user)
    theme_url = reverse("practices:theme", args=["kemiskinan"])
    page = client.get(theme_url)
    assert page.status_code == 200 and 'action="/notifikasi/langganan/ikuti/"' in page.text
    response = client.post(
        reverse("notifications:follow"),
        {"kind": "theme", "target": theme().pk, "frequency": "daily", "next": theme_url},
    )
    assert response.status_code == 302 and response["Location"] == theme_url
    follow = Follow.objects.get(user=user)
    assert (follow.kind, follow.theme, follow.frequency, follow.is_confirmed) == ("theme", theme(), "daily", True)
    assert "Anda mengikuti ini." in client.get(theme_url).text
    # The same button again changes the frequency instead of adding a second follow.
    client.post(reverse("notifications:follow"), {"kind": "theme", "target": theme().pk, "frequency": "weekly"})
    assert Follow.objects.get(user=user).frequency == "weekly"

    listing = client.get(reverse("notifications:follows"))
    assert listing.status_code == 200 and theme().name in listing.text
    assert client.get("/en/notifications/subscriptions/").status_code == 200
    client.post(reverse("notifications:follow_change", args=[follow.pk]), {f"f{follow.pk}-frequency": "off"})
    assert Follow.objects.get(pk=follow.pk).frequency == "off"
    other = Follow.objects.create(user=member(), kind="theme", theme=theme(), token="other")
    client.post(reverse("notifications:follow_change", args=[other.pk]), {f"f{other.pk}-delete": "on"})
    assert Follow.objects.filter(pk=other.pk).exists()  # not theirs: untouched
    client.post(reverse("notifications:follow_change", args=[follow.pk]), {f"f{follow.pk}-delete": "on"})
    assert not Follow.objects.filter(pk=follow.pk).exists()


def test_follow_buttons_on_agency_pages_cover_the_agency_and_its_province(client):
    user = member()
    client.force_login(user)
    page = client.get(reverse("agencies:detail", args=[surabaya().slug]))
    assert page.status_code == 200
    assert f'name="target" value="{surabaya().pk}"' in page.text and f'name="target" value="{jatim().pk}"' in page.text
    client.post(reverse("notifications:follow"), {"kind": "province", "target": jatim().pk, "frequency": "immediate"})
    assert Follow.objects.get(user=user).province == jatim()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "theme", "target": 999999, "frequency": "daily"},
        {"kind": "province", "target": "35.78", "frequency": "daily"},
        {"kind": "theme", "target": 1, "frequency": "hourly"},
        {"kind": "region", "target": 1, "frequency": "daily"},
        {},
    ],
)
def test_bad_follow_input_is_refused_without_a_500(client, data):
    client.force_login(member())
    assert client.post(reverse("notifications:follow"), data).status_code == 302
    assert not Follow.objects.exists()


def test_follow_pages_need_login(client):
    assert client.get(reverse("notifications:follows")).status_code == 302
    assert client.post(reverse("notifications:follow"), {"kind": "theme", "target": theme().pk}).status_code == 302


def test_the_public_follow_by_email_with_double_opt_in(client):
    anon_page = client.get(reverse("practices:theme", args=["kemiskinan"]))
    assert 'action="/notifikasi/langganan/email/"' in anon_page.text
    data = {"kind": "theme", "target": theme().pk, "frequency": "immediate", "email": "Warga@Example.com"}
    response = client.post(reverse("notifications:follow_email"), data)
    assert response.status_code == 200 and "Periksa email Anda" in response.text
    follow = Follow.objects.get(email="warga@example.com")
    assert follow.confirmed_at is None
    [confirm] = Notification.objects.filter(email="warga@example.com", kind="follow_confirm")
    assert confirm.target_url == reverse("notifications:follow_confirm", args=[follow.token])

    # Not confirmed yet: a publish tells nobody at that address.
    approve(practice_in_state(S.IN_REVIEW))
    assert not Notification.objects.filter(email="warga@example.com", kind="follow_published").exists()

    page = client.get(confirm.target_url)  # a link scanner's GET does not confirm
    assert page.status_code == 200 and "Ya, aktifkan langganan" in page.text
    assert Follow.objects.get(pk=follow.pk).confirmed_at is None
    assert client.post(confirm.target_url).status_code == 200
    assert Follow.objects.get(pk=follow.pk).confirmed_at is not None

    approve(practice_in_state(S.IN_REVIEW))
    assert Notification.objects.filter(email="warga@example.com", kind="follow_published").count() == 1
    assert client.get(reverse("notifications:follow_confirm", args=["bukan-token"])).status_code == 404


def test_the_email_form_keeps_what_was_typed_and_does_not_500(client):
    response = client.post(
        reverse("notifications:follow_email"),
        {"kind": "theme", "target": theme().pk, "frequency": "daily", "email": "bukan email"},
    )
    assert response.status_code == 400 and 'value="bukan email"' in response.text
    assert client.post(reverse("notifications:follow_email"), {"target": "x"}).status_code == 400
    assert client.get(reverse("notifications:follow_email") + "?kind=theme&target=abc").status_code == 200
    assert client.get(f"/en/notifications/subscriptions/email/?kind=theme&target={theme().pk}").status_code == 200
    assert not Follow.objects.exists()


# Publishing tells followers --------------------------------------------------------------------------------


def test_publishing_tells_each_follower_once_at_their_most_frequent_choice():
    both = member(agency_code="32.04")  # follows the theme immediately and the agency daily
    follow_set(user=both, kind="theme", target=theme(), frequency="immediate")
    follow_set(user=both, kind="agency", target=surabaya(), frequency="daily")
    daily = member(agency_code="32.04")
    follow_set(user=daily, kind="agency", target=surabaya(), frequency="daily")
    follow_set(user=daily, kind="province", target=jatim(), frequency="weekly")
    email_follow("prov@example.com", kind="province", target=jatim(), frequency="weekly")
    email_follow("off@example.com", frequency="off")
    email_follow("unconfirmed@example.com", confirmed=False)
    other_theme = Theme.objects.exclude(code="kemiskinan").first()
    follow_set(user=member(agency_code="32.04"), kind="theme", target=other_theme, frequency="immediate")

    practice = approve(practice_in_state(S.IN_REVIEW))

    published = Notification.objects.filter(kind="follow_published")
    assert list(published.values_list("recipient", flat=True)) == [both.pk]
    note = published.get()
    assert note.target_url == reverse("practices:detail", args=[practice.slug])
    assert note.unsubscribe_url.startswith("/notifikasi/berhenti/")
    entries = DigestEntry.objects.filter(practice=practice)
    assert sorted((str(e.user_id or e.email), e.follow.frequency) for e in entries) == sorted(
        [(str(daily.pk), "daily"), ("prov@example.com", "weekly")]
    )
    # Published again (a later revision): nobody is told twice.
    assert follows_notify_published(practice=practice) == {"immediate": 0, "digest": 0}
    fanout = PublishFanOut.objects.get(practice=practice)
    assert (fanout.state, fanout.notified, fanout.digested) == ("done", 1, 2)


def test_follower_emails_carry_a_one_click_unsubscribe_that_works_without_login():
    follow = email_follow("warga@example.com", language="en")
    approve(practice_in_state(S.IN_REVIEW))
    delivery = Delivery.objects.get(notification__email="warga@example.com")
    mail.outbox.clear()
    assert delivery_send_now(delivery_id=delivery.pk)
    [message] = mail.outbox
    url = f"{settings.SITE_URL}/notifikasi/berhenti/{follow.token}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body and "Unsubscribe (no login needed)" in message.body
    assert message.subject.startswith("New practice")

    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/notifikasi/berhenti/{follow.token}/")
    assert page.status_code == 200 and Follow.objects.get(pk=follow.pk).frequency == "immediate"
    # RFC 8058: the mail provider POSTs this body, with no cookie and no CSRF token.
    response = client.post(
        f"/notifikasi/berhenti/{follow.token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Follow.objects.get(pk=follow.pk).frequency == "off"
    assert client.post("/notifikasi/berhenti/tidak-ada/").status_code == 404


def test_unsubscribe_everything_stops_all_follows_of_that_person_only(client):
    a = email_follow("a@example.com")
    email_follow("a@example.com", kind="agency", target=surabaya(), frequency="daily")
    b = email_follow("b@example.com")
    client.post(f"/notifikasi/berhenti/{a.token}/?semua=1")
    assert set(Follow.objects.filter(email="a@example.com").values_list("frequency", flat=True)) == {"off"}
    assert Follow.objects.get(pk=b.pk).frequency == "immediate"


# Digests (frozen clock) ------------------------------------------------------------------------------------


def at(day, month=3, hour=7):
    return dt.datetime(2026, month, day, hour, tzinfo=JKT)


def test_daily_digest_once_per_follower_per_day_in_their_language():
    english = member(agency_code="32.04", language="en")
    follow_set(user=english, kind="theme", target=theme(), frequency="daily")
    follow_set(user=english, kind="agency", target=surabaya(), frequency="daily")
    email_follow("warga@example.com", frequency="daily")
    with time_machine.travel(at(4, hour=15), tick=False):
        first = make_practice(title="Layanan Satu Pintu")
        second = make_practice(title="Antrean Daring")
        for practice in (first, second):
            follows_notify_published(practice=practice)
    with time_machine.travel(at(5), tick=False):
        assert digests_send(frequency="daily") == 2
        assert digests_send(frequency="daily") == 0  # the job ran twice: nothing more
        third = make_practice(title="Arsip Digital")
        follows_notify_published(practice=third)
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
        follows_notify_published(practice=make_practice(title="Satu"))
    with time_machine.travel(at(2, hour=8), tick=False):
        assert digests_send(frequency="daily") == 0
        assert digests_send(frequency="weekly") == 1
    with time_machine.travel(at(6), tick=False):  # Friday, same week
        follows_notify_published(practice=make_practice(title="Dua"))
        assert digests_send(frequency="weekly") == 0
    with time_machine.travel(at(9), tick=False):  # next Monday
        assert digests_send(frequency="weekly") == 1
    assert Notification.objects.filter(kind="digest_weekly").count() == 2


def test_digest_jobs_are_scheduled():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"notifications.tasks.digests_send_daily", "notifications.tasks.digests_send_weekly"} <= tasks


def test_demo_follows_are_loaded_once():
    from django.core.management import call_command

    from demo.management.commands.load_demo_data import load_demo_follows

    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    count = Follow.objects.count()
    assert count == 3 and load_demo_follows() == 3 and Follow.objects.count() == count
    assert Follow.objects.active().count() == 3
