"""The follower fan-out of a publish (notifications/services/fanout.py): recorded in the publish transaction with
what the followers are told, carried out by the worker in batches.

Who is told and how (each person once, at their most frequent choice), then where and when: nothing per follower
in the moderator's request, batches, idempotence, a withdrawal, the broker down. Digests: test_digests.py.
"""

import datetime as dt
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from common.breaker import breakers_reset
from notifications.models import Delivery, DigestEntry, Follow, Notification, PublishFanOut
from notifications.services import fanout as fanout_services
from notifications.services.delivery import _email_body
from notifications.services.fanout import publish_fanout_run, publish_fanouts_requeue
from notifications.services.follows import follow_set
from practices.models import Practice, PracticeRevision, Theme
from practices.services import decisions
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import practice_in_state, verified

from .factories import approve, email_follow, jatim, surabaya, theme
from .test_delivery import _free_port, _wait_for

S = PracticeRevision.State
CONFIRMED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def bulk_followers(count: int, *, start: int = 0, frequency: str = "immediate", **user_fields) -> list[User]:
    """`count` users following Surabaya's agency, written with bulk_create (thousands in well under a second)."""
    users = User.objects.bulk_create(
        User(email=f"pengikut{start + i}@example.com", password="!", **user_fields) for i in range(count)
    )
    Follow.objects.bulk_create(
        Follow(
            user=user,
            kind="agency",
            agency=surabaya(),
            frequency=frequency,
            token=f"tok-u{start + i}",
            confirmed_at=CONFIRMED,
        )
        for i, user in enumerate(users)
    )
    return users


def email_followers(count: int, *, start: int = 0, confirmed=True, language="id") -> None:
    Follow.objects.bulk_create(
        Follow(
            email=f"warga{start + i}@example.com",
            kind="agency",
            agency=surabaya(),
            language=language,
            token=f"tok-warga{start + i}",
            confirmed_at=CONFIRMED if confirmed else None,
        )
        for i in range(count)
    )


def pending_fanout(practice) -> PublishFanOut:
    return PublishFanOut.objects.get(practice=practice, state=PublishFanOut.State.PENDING)


# Who is told, and how ------------------------------------------------------------------------------------


@pytest.mark.django_db
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
    fanout = PublishFanOut.objects.get(practice=practice)
    assert fanout_services.follows_notify_published(fanout=fanout) == {"immediate": 0, "digest": 0}
    fanout.refresh_from_db()
    assert (fanout.state, fanout.notified, fanout.digested) == ("done", 1, 2)


# In the publish request: one outbox row, whatever the number of followers ------------------------------------


@pytest.mark.django_db
def test_publishing_writes_only_the_fanout_row_and_its_queries_do_not_grow_with_followers():
    mod = moderator()
    warm_up, few, many = (practice_in_state(S.IN_REVIEW) for _ in range(3))  # same agency, same people to tell
    decisions.revision_approve(practice=warm_up, by=mod)
    bulk_followers(2)
    with CaptureQueriesContext(connection) as with_two:
        decisions.revision_approve(practice=few, by=mod)
    bulk_followers(300, start=2)
    email_followers(50)
    with CaptureQueriesContext(connection) as with_352:
        decisions.revision_approve(practice=many, by=mod)

    assert len(with_352) == len(with_two)
    assert not Notification.objects.filter(kind="follow_published").exists()
    assert not DigestEntry.objects.exists()
    fanout = pending_fanout(many)
    live = Practice.objects.get(pk=many.pk).live_revision_id
    assert (fanout.revision_id, fanout.notified, fanout.queued_at) == (live, 0, None)
    assert PublishFanOut.objects.count() == 3  # one per published revision (unique in the database)

    # The worker's side, here called directly: everyone is told.
    assert publish_fanout_run(fanout_id=fanout.pk) == {"immediate": 352, "digest": 0}
    assert (
        Notification.objects.filter(kind="follow_published", dedupe_key__startswith=f"follow-pub:p{many.pk}:").count()
        == 352
    )


@pytest.mark.django_db
def test_the_fanout_row_carries_what_the_followers_are_told():
    """Written by the publish (practices/selectors/followers.py): the worker reads nothing else of the practice."""
    practice = decisions.revision_approve(practice=practice_in_state(S.IN_REVIEW), by=moderator())
    fanout = pending_fanout(practice)
    practice = Practice.objects.select_related("agency").get(pk=practice.pk)
    themes = sorted(practice.themes.values_list("pk", flat=True))
    assert fanout.targets == {"theme": themes, "agency": [surabaya().pk], "province": [jatim().pk]} and themes
    assert (fanout.kind, fanout.target_url) == ("follow_published", reverse("practices:detail", args=[practice.slug]))
    assert fanout.context == {"title": practice.title, "agency": practice.agency.name}


# Batches ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_fanout_larger_than_one_batch_tells_each_person_once_with_their_own_unsubscribe_link(
    django_assert_max_num_queries, monkeypatch
):
    english = bulk_followers(400, language="en")
    indonesian = bulk_followers(700, start=400)
    # 100 of them also follow the theme daily (immediate wins), 40 are deactivated, 60 follow by email,
    # 30 more by email without confirming, 20 users follow daily only (digest entries).
    theme = Theme.objects.get(code="kemiskinan")
    Follow.objects.bulk_create(
        Follow(user=u, kind="theme", theme=theme, frequency="daily", token=f"tok-t-{u.pk}", confirmed_at=CONFIRMED)
        for u in indonesian[:100]
    )
    User.objects.filter(pk__in=[u.pk for u in indonesian[-40:]]).update(is_active=False)
    email_followers(60, language="en")
    email_followers(30, start=60, confirmed=False)
    bulk_followers(20, start=2000, frequency="daily")
    people = 400 + 700 - 40 + 60  # told at once: 1,120 (1,140 with the digest people: three batches of 500)

    practice = decisions.revision_approve(practice=practice_in_state(S.IN_REVIEW), by=moderator())
    fanout = pending_fanout(practice)
    renders = []
    real_render = fanout_services.notification_render
    monkeypatch.setattr(
        fanout_services, "notification_render", lambda **kw: renders.append(kw["language"]) or real_render(**kw)
    )
    with django_assert_max_num_queries(40):  # ~8 per batch and a few around them; not ~4 per follower
        counts = publish_fanout_run(fanout_id=fanout.pk, batch_size=500)

    assert counts == {"immediate": people, "digest": 20}
    fanout.refresh_from_db()
    assert (fanout.state, fanout.notified, fanout.digested) == ("done", people, 20) and fanout.done_at
    notes = Notification.objects.filter(kind="follow_published")
    assert notes.count() == people
    assert Delivery.objects.filter(notification__kind="follow_published").count() == people
    assert not notes.filter(deliveries__isnull=True).exists()
    assert not notes.filter(recipient__is_active=False).exists()
    assert not notes.filter(email__in=[f"warga{i}@example.com" for i in range(60, 90)]).exists()  # unconfirmed
    assert DigestEntry.objects.filter(practice=practice).count() == 20
    # Rendered once per language and followed target (the agency), not once per person.
    assert sorted(renders) == ["en", "id"]
    sample = notes.get(recipient=english[7])
    assert sample.subject.startswith("New practice") and sample.language == "en"
    assert notes.get(recipient=indonesian[5]).subject.startswith("Praktik baru")
    # The unsubscribe link is each person's own: the token of the follow that told them.
    tokens = dict(Follow.objects.filter(kind="agency").values_list("user_id", "token"))
    for note in notes.filter(recipient__isnull=False).only("recipient_id", "unsubscribe_url"):
        assert note.unsubscribe_url == reverse("notifications:unsubscribe", args=[tokens[note.recipient_id]])
    public = notes.get(email="warga3@example.com")
    assert public.unsubscribe_url.endswith("/tok-warga3/") and public.subject.startswith("New practice")
    assert f"Unsubscribe (no login needed): {settings.SITE_URL}{public.unsubscribe_url}" in _email_body(public)


# Idempotence ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_fanout_tells_nobody_twice_when_run_again_or_resumed_after_a_crash(monkeypatch):
    bulk_followers(5)
    email_followers(2)
    bulk_followers(3, start=10, frequency="weekly")
    practice = decisions.revision_approve(practice=practice_in_state(S.IN_REVIEW), by=moderator())
    fanout = pending_fanout(practice)

    # The worker dies during the third batch: the first two (3 people each) are committed with their counters.
    real_batch, calls = fanout_services._fanout_batch, []

    def crash_on_third(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise ConnectionError("worker lost")
        return real_batch(**kwargs)

    monkeypatch.setattr(fanout_services, "_fanout_batch", crash_on_third)
    with pytest.raises(ConnectionError):
        publish_fanout_run(fanout_id=fanout.pk, batch_size=3)
    fanout.refresh_from_db()
    assert fanout.state == "pending" and fanout.notified + fanout.digested == 6
    written = Notification.objects.filter(kind="follow_published").count()
    assert written == fanout.notified

    # Run again (the sweeper requeued it): the rest, and nobody from the first batches again.
    monkeypatch.setattr(fanout_services, "_fanout_batch", real_batch)
    rest = publish_fanout_run(fanout_id=fanout.pk, batch_size=3)
    assert rest["immediate"] + rest["digest"] == 4
    fanout.refresh_from_db()
    assert (fanout.state, fanout.notified, fanout.digested) == ("done", 7, 3)
    assert Notification.objects.filter(kind="follow_published").count() == 7
    assert Delivery.objects.filter(notification__kind="follow_published").count() == 7
    assert DigestEntry.objects.count() == 3

    # A duplicated task finds the row done; even a row forced back to pending writes nothing new.
    assert publish_fanout_run(fanout_id=fanout.pk) is None
    PublishFanOut.objects.filter(pk=fanout.pk).update(state="pending", done_at=None)
    assert publish_fanout_run(fanout_id=fanout.pk) == {"immediate": 0, "digest": 0}
    assert Notification.objects.filter(kind="follow_published").count() == 7
    assert Delivery.objects.count() == Notification.objects.count()
    assert publish_fanout_run(fanout_id=999999) is None


@pytest.mark.django_db
def test_a_practice_withdrawn_before_the_worker_ran_is_announced_to_nobody():
    bulk_followers(3)
    mod = moderator()
    practice = decisions.revision_approve(practice=practice_in_state(S.IN_REVIEW), by=mod)
    decisions.practice_archive(practice=practice, by=mod, reason="Tidak berlaku lagi.")
    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.ARCHIVED
    assert publish_fanout_run(fanout_id=pending_fanout(practice).pk) == {"immediate": 0, "digest": 0}
    assert PublishFanOut.objects.get(practice=practice).state == "done"
    assert not Notification.objects.filter(kind="follow_published").exists()


@pytest.mark.django_db
def test_an_email_address_too_long_for_the_dedupe_column_is_still_told_once():
    address = "a" * 64 + "@" + "b" * 174 + ".example.com"  # 251 characters: a valid length, too long for the key
    Follow.objects.create(email=address, kind="agency", agency=surabaya(), token="long", confirmed_at=CONFIRMED)
    practice = decisions.revision_approve(practice=practice_in_state(S.IN_REVIEW), by=moderator())
    fanout = pending_fanout(practice)
    assert publish_fanout_run(fanout_id=fanout.pk) == {"immediate": 1, "digest": 0}
    assert fanout_services.follows_notify_published(fanout=fanout) == {"immediate": 0, "digest": 0}
    note = Notification.objects.get(email=address)
    assert len(note.dedupe_key) <= 200 and note.dedupe_key.startswith(f"follow-pub:p{practice.pk}:e#")


# The sweeper -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweeper_leaves_recent_and_working_fanouts_alone(monkeypatch):
    queued = []
    monkeypatch.setattr(fanout_services, "publish_fanout_queue", lambda *, fanout_id: queued.append(fanout_id) or True)
    practices = [decisions.revision_approve(practice=practice_in_state(S.IN_REVIEW), by=moderator()) for _ in range(4)]
    old = timezone.now() - timedelta(minutes=10)
    fresh, lost, working, done = (pending_fanout(p) for p in practices)
    PublishFanOut.objects.filter(pk__in=[lost.pk, working.pk, done.pk]).update(created_at=old)
    PublishFanOut.objects.filter(pk=working.pk).update(queued_at=old, worked_at=timezone.now())
    PublishFanOut.objects.filter(pk=done.pk).update(state="done", done_at=old)
    assert publish_fanouts_requeue() == 1 and queued == [lost.pk]


def test_the_sweeper_is_scheduled():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "notifications.tasks.publish_fanouts_requeue" in tasks


# Through the real worker ------------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_tells_the_followers_after_the_publish_commits(celery_worker, client):
    users = bulk_followers(25)
    email_followers(5)
    theme_follower = member(agency_code="32.04")
    follow_set(user=theme_follower, kind="theme", target=Theme.objects.get(code="kemiskinan"), frequency="daily")
    practice = verified(practice_in_state(S.IN_REVIEW), "agency_verified")
    client.force_login(moderator())
    with translation.override("id"):
        url = reverse("review:decide", args=[practice.pk])
    data = {"decision-decision": "approve", "decision-evidence_level": "agency_verified"}
    assert client.post(url, data).status_code == 302

    followers = Notification.objects.filter(kind="follow_published")
    assert _wait_for(lambda: PublishFanOut.objects.filter(state="done").count() == 1)
    assert followers.count() == 30
    assert DigestEntry.objects.filter(user=theme_follower, practice=practice).exists()
    sent_rows = Delivery.objects.filter(notification__kind="follow_published", state="sent")
    assert _wait_for(lambda: sent_rows.count() == 30)
    time.sleep(0.5)  # let any duplicate arrive
    sent = [m for m in mail.outbox if m.subject.startswith("Praktik baru")]
    expected = [u.email for u in users] + [f"warga{i}@example.com" for i in range(5)]
    assert sorted(m.to[0] for m in sent) == sorted(expected)
    by_address = {m.to[0]: m for m in sent}
    assert by_address["pengikut3@example.com"].extra_headers["List-Unsubscribe"].endswith("/berhenti/tok-u3/>")
    assert by_address["warga4@example.com"].extra_headers["List-Unsubscribe"].endswith("/berhenti/tok-warga4/>")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_publish_while_the_broker_is_down_fans_out_after_the_sweeper_runs(celery_worker, monkeypatch):
    from rbx_portal.celery import app

    users = bulk_followers(12)
    practice = practice_in_state(S.IN_REVIEW)
    mod = moderator()
    with monkeypatch.context() as broken:
        broken.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{_free_port()}/0")
        broken.setattr(app, "_pool", None)
        broken.setattr(app.amqp, "_producer_pool", None)
        decisions.revision_approve(practice=practice, by=mod)  # commits; queueing the fan-out fails
    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.PUBLISHED
    fanout = pending_fanout(practice)
    assert fanout.queued_at is None
    time.sleep(1)
    assert not Notification.objects.filter(kind="follow_published").exists()

    # The broker is back (and, as the 5 s after a refusal would, the breaker lets requests try it again): the
    # sweeper queues the fan-out, the worker tells everyone and sends each email once.
    breakers_reset()
    assert publish_fanouts_requeue(older_than=timedelta(0)) == 1
    assert _wait_for(lambda: PublishFanOut.objects.get(pk=fanout.pk).state == "done")
    assert publish_fanouts_requeue(older_than=timedelta(0)) == 0
    assert _wait_for(lambda: Delivery.objects.filter(notification__kind="follow_published", state="sent").count() == 12)
    time.sleep(0.5)
    sent = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Praktik baru"))
    assert sent == sorted(u.email for u in users)
