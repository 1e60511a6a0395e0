"""The follower fan-out of a publish: recorded in the publish transaction, carried out by a worker in batches.

The publishing app says, when it creates the row, everything the followers need: which follows to tell
(`targets`: theme, province and agency ids), the notification's kind and context, and the link. This module
decides only how each person hears of it (once, at their most frequent choice) and writes it in batches;
it knows nothing of what is published.
"""

from __future__ import annotations

import functools
import operator
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone, translation

from accounts.selectors import user_notification_language
from common.tasks import enqueue

from ..models import Delivery, DigestEntry, Follow, Notification, NotificationSetting, PublishFanOut
from .delivery import NEVER_QUEUED_GRACE, deliveries_queue
from .notify import notification_render, recipient_dedupe_key

FANOUT_BATCH_SIZE = 1000
FREQUENCY_RANK = {"immediate": 0, "daily": 1, "weekly": 2}


@transaction.atomic
def publish_fanout_create(
    *, practice, revision, targets: dict[str, list[int]], kind: str, context: dict, target_url: str
) -> PublishFanOut:
    """Record, in the publish transaction, that the followers of `targets` are to be told; queue it after commit.

    `targets` maps a follow kind to the ids followed: `{"theme": [3, 5], "province": [11], "agency": [42]}`.
    Each person following any of them gets the notification `kind` with `context` (plus "followed", the target
    they follow) and `target_url`, or a digest entry showing `context` and `target_url`. `practice` and
    `revision` identify what is announced: the row is unique per revision, and nobody is told twice of the
    same practice.

    This row is all the moderator's request writes for the followers, however many they are: the worker does
    the rest (`publish_fanout_run`). If the broker is down the row stays pending and `publish_fanouts_requeue`
    queues it later.
    """
    unknown = set(targets) - set(Follow.Kind.values)
    if unknown:
        raise ValueError(f"unknown follow kinds: {sorted(unknown)}")
    fanout, _created = PublishFanOut.objects.get_or_create(
        revision=revision,
        defaults={
            "practice": practice,
            "targets": {follow_kind: sorted(set(ids)) for follow_kind, ids in targets.items()},
            "kind": kind,
            "context": context,
            "target_url": target_url,
        },
    )
    transaction.on_commit(lambda: publish_fanout_queue(fanout_id=fanout.pk))
    return fanout


def publish_fanout_queue(*, fanout_id: int) -> bool:
    """Hand a fan-out to the broker and mark it queued; a broker that is down is logged, not raised (the sweeper
    retries)."""
    if not enqueue("notifications.tasks.publish_fanout_send", fanout_id):
        return False
    PublishFanOut.objects.filter(pk=fanout_id).update(queued_at=timezone.now())
    return True


def publish_fanouts_requeue(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """Queue every fan-out the broker never took, and again every one still pending after `older_than` that was
    neither queued nor advanced by a batch in that time (the worker died during the fan-out). Run every 15 s."""
    now = timezone.now()
    cutoff = now - older_than
    stale = Q(created_at__lt=cutoff) & ~Q(queued_at__gte=cutoff) & ~Q(worked_at__gte=cutoff)
    # Never taken by the broker (down at publish time): due within seconds of its return, not minutes.
    never_queued = Q(queued_at__isnull=True, worked_at__isnull=True, created_at__lt=now - NEVER_QUEUED_GRACE)
    ids = (
        PublishFanOut.objects.filter(Q(state=PublishFanOut.State.PENDING) & (stale | never_queued))
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:100]
    )
    queued = 0
    for fanout_id in ids:
        if not publish_fanout_queue(fanout_id=fanout_id):
            break  # the broker is still down: each further try would wait for its timeout
        queued += 1
    return queued


@transaction.atomic
def publish_fanout_withdraw(*, practice) -> int:
    """What was published is no longer public: tell nobody more, and drop it from the digests still to come.

    Called in the withdrawal's transaction. Its pending fan-outs are marked withdrawn (the worker then tells
    nobody and marks them done); the row lock also waits for a batch being written now, whose digest entries
    are then deleted with the others, and a later batch sees the mark (`follows_notify_published`). Returns
    how many fan-outs were withdrawn.
    """
    withdrawn = PublishFanOut.objects.filter(
        practice=practice, state=PublishFanOut.State.PENDING, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now())
    DigestEntry.objects.filter(practice=practice, notification__isnull=True).delete()
    return withdrawn


def publish_fanout_run(*, fanout_id: int, batch_size: int = FANOUT_BATCH_SIZE) -> dict[str, int] | None:
    """The worker's side of `publish_fanout_create`: tell the followers, then mark the row done.

    Returns this run's counts, or None for an unknown or finished row. Harmless when run twice, concurrently or
    after a crash part-way (see `follows_notify_published`). A fan-out withdrawn before the task ran
    (`publish_fanout_withdraw`) tells nobody.
    """
    fanout = PublishFanOut.objects.filter(pk=fanout_id).first()
    if fanout is None or fanout.state == PublishFanOut.State.DONE:
        return None
    counts = {"immediate": 0, "digest": 0}
    if fanout.withdrawn_at is None:
        counts = follows_notify_published(fanout=fanout, batch_size=batch_size)
    PublishFanOut.objects.filter(pk=fanout.pk, state=PublishFanOut.State.PENDING).update(
        state=PublishFanOut.State.DONE, done_at=timezone.now()
    )
    return counts


def _follows_of(targets: dict[str, list[int]]) -> QuerySet[Follow]:
    """Active follows of any of `targets` (kind → ids)."""
    conditions = [Q(**{f"{kind}_id__in": ids}) for kind, ids in targets.items() if kind in Follow.Kind.values and ids]
    if not conditions:
        return Follow.objects.none()
    return Follow.objects.active().filter(functools.reduce(operator.or_, conditions))


def _followers(targets: dict[str, list[int]]) -> list[int]:
    """The follow that decides how each person hears of the news, one per person (a user, or an email
    address): the most frequent of their active follows (the first by kind and id among equals), inactive users
    left out. Chosen in the database with DISTINCT ON, so the task holds one id per person, ordered by person.
    """
    rank = Case(*(When(frequency=f, then=Value(r)) for f, r in FREQUENCY_RANK.items()), default=Value(9))
    return list(
        _follows_of(targets)
        .filter(Q(user__isnull=True) | Q(user__is_active=True))
        .order_by("user_id", "email", rank, "kind", "id")
        .distinct("user_id", "email")
        .values_list("pk", flat=True)
    )


def follows_notify_published(*, fanout: PublishFanOut, batch_size: int = FANOUT_BATCH_SIZE) -> dict[str, int]:
    """Tell the followers of `fanout`'s targets, once per person.

    A person reached through several follows gets one message, at the most frequent of their frequencies:
    immediately (a notification and its email delivery, dedupe key `follow-pub:p<practice>` per person, so a
    republished practice tells nobody twice), or an entry in their next daily or weekly digest (unique per
    person and practice). Returns how many of each this call wrote.

    Runs in a worker (`publish_fanout_run`), not in the publish transaction: `batch_size` people per
    transaction, written with `bulk_create`; rows that the unique constraints refuse (people already told by an
    earlier or concurrent run) are skipped by the database, so a run resumed after a crash picks up where the
    committed batches end. Each batch's emails are queued after that batch commits; `fanout`'s counters are
    updated in the same transaction as the rows they count.
    """
    follow_ids = _followers(fanout.targets)
    counts = {"immediate": 0, "digest": 0}
    rendered: dict[tuple, tuple[str, str]] = {}
    for start in range(0, len(follow_ids), batch_size):
        with transaction.atomic():
            # The row lock orders this batch with a withdrawal (`publish_fanout_withdraw`): one waits for the other.
            live = PublishFanOut.objects.select_for_update().filter(pk=fanout.pk, withdrawn_at__isnull=True)
            if live.values_list("pk", flat=True).first() is None:
                break
            told, entered = _fanout_batch(
                fanout=fanout, follow_ids=follow_ids[start : start + batch_size], rendered=rendered
            )
            PublishFanOut.objects.filter(pk=fanout.pk).update(
                notified=F("notified") + told, digested=F("digested") + entered, worked_at=timezone.now()
            )
        counts["immediate"] += told
        counts["digest"] += entered
    return counts


def _fanout_batch(*, fanout: PublishFanOut, follow_ids: list[int], rendered: dict) -> tuple[int, int]:
    """Write one batch of `follows_notify_published` (the caller holds the transaction); returns (told, entered).

    The message is rendered once per language and followed target (`rendered` is kept across batches): nothing
    in it differs between the people who share those; the unsubscribe link, which does, is stored per person
    and added to the email when it is sent (`delivery._email_body`, `delivery._email_headers`).
    """
    # active() again: someone may have unsubscribed since the people were chosen (a fan-out takes seconds).
    follows = list(
        Follow.objects.active().filter(pk__in=follow_ids).select_related("user", "theme", "province", "agency")
    )
    # A user whose setting for followed topics is "in the portal only" hears of it there at once, by no email
    # and in no digest, whatever their follows' frequencies (which decide for everyone else).
    in_app_only = set(
        NotificationSetting.objects.filter(
            user_id__in=[f.user_id for f in follows if f.user_id],
            group=NotificationSetting.Group.FOLLOWS,
            channel=NotificationSetting.Channel.IN_APP,
        ).values_list("user_id", flat=True)
    )
    immediate = [f for f in follows if f.frequency == Follow.Frequency.IMMEDIATE or f.user_id in in_app_only]
    later = [f for f in follows if f.frequency != Follow.Frequency.IMMEDIATE and f.user_id not in in_app_only]
    with translation.override(settings.LANGUAGE_CODE):  # stored paths carry no language prefix (notify.stored_path)
        unsubscribe = {f.pk: reverse("notifications:unsubscribe", args=[f.token]) for f in immediate}
    dedupe_key = f"follow-pub:p{fanout.practice_id}"
    notifications = []
    for follow in immediate:
        language = user_notification_language(user=follow.user) if follow.user_id else follow.language
        target = follow.target
        if (language, follow.kind, target.pk) not in rendered:
            rendered[language, follow.kind, target.pk] = notification_render(
                kind=fanout.kind,
                context={**fanout.context, "followed": str(target)},
                language=language,
                target_url=fanout.target_url,
            )
        subject, body = rendered[language, follow.kind, target.pk]
        notifications.append(
            Notification(
                recipient=follow.user,
                email=follow.email,
                kind=fanout.kind,
                language=language,
                subject=subject,
                body=body,
                target_url=fanout.target_url,
                dedupe_key=recipient_dedupe_key(
                    dedupe_key, is_user=bool(follow.user_id), ident=follow.user_id or follow.email
                ),
                unsubscribe_url=unsubscribe[follow.pk],
            )
        )
    told = 0
    if notifications:
        Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        # The rows the constraint refused belong to people told before, whose delivery exists (it is written in
        # the same transaction as its notification); the new rows are the ones without one (in-app-only people's
        # rows never get one).
        new = (
            Notification.objects.filter(dedupe_key__in=[n.dedupe_key for n in notifications], deliveries__isnull=True)
            .exclude(recipient_id__in=in_app_only)
            .values_list("pk", flat=True)
        )
        deliveries = Delivery.objects.bulk_create([Delivery(notification_id=pk, key=f"n{pk}:email") for pk in new])
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: deliveries_queue(delivery_ids=ids))
        told = len(ids)
    entered = 0
    if later:
        # The unique constraint keeps the entries single; this read only makes the count exact.
        existing = set(
            DigestEntry.objects.filter(practice_id=fanout.practice_id)
            .filter(
                Q(user_id__in=[f.user_id for f in later if f.user_id])
                | Q(email__in=[f.email for f in later if not f.user_id])
            )
            .values_list("user_id", "email")
        )
        entries = [
            DigestEntry(
                user_id=f.user_id,
                email=f.email,
                practice_id=fanout.practice_id,
                follow=f,
                context=fanout.context,
                target_url=fanout.target_url,
            )
            for f in later
            if (f.user_id, f.email) not in existing
        ]
        DigestEntry.objects.bulk_create(entries, ignore_conflicts=True)
        entered = len(entries)
    return told, entered
