"""Daily and weekly digests: one email per person and period, built in batches of people.

A digest carries what waits for it: followers' entries (`DigestEntry`, written by the fan-out, `fanout.py`, for
follows whose frequency is daily or weekly) and, for users, their notifications whose kind group they set to
a daily or weekly digest (`Notification.digest_frequency`, written by `notify`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from accounts.selectors import user_notification_language

from ..models import Delivery, DigestEntry, Notification, NotificationSetting
from ..selectors import notification_channels
from ..tokens import kind_unsubscribe_path
from .delivery import deliveries_queue
from .notify import notification_render, recipient_dedupe_key, stored_path

DIGEST_BATCH_SIZE = 500


def digest_period(*, frequency: str, now=None) -> str:
    """The period a digest run belongs to, in local time: `2026-03-05` (daily) or `2026-W10` (weekly)."""
    day = timezone.localdate(now or timezone.now())
    if frequency == "daily":
        return day.isoformat()
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _waiting_entries(frequency: str):
    return DigestEntry.objects.filter(
        notification__isnull=True, follow__frequency=frequency, follow__confirmed_at__isnull=False
    )


def _waiting_notices(frequency: str):
    return Notification.objects.filter(digest_frequency=frequency, digest__isnull=True, recipient__is_active=True)


def digests_send(*, frequency: str, batch_size: int = DIGEST_BATCH_SIZE) -> int:
    """Send each person with something waiting one digest of it for the current period; returns how many.

    Exactly once per person and period: the digest is a notification with the dedupe key
    `digest:<frequency>:<period>` for that person, and what it carries is marked in the same transaction, so a
    job that runs twice (or on two beat nodes) sends nothing the second time; what arrives after a person's
    digest of this period waits for the next one. Each digest is in the person's language (a user's
    notification language, a public follower's follow language).

    Built in batches of `batch_size` people, each batch one transaction with a fixed number of queries
    (`_digest_batch`), whatever the batch holds. An entry shows what it carries (its context and link, written
    by the fan-out); the entries of something withdrawn before its digest are deleted then
    (`fanout.publish_fanout_withdraw`).
    """
    period = digest_period(frequency=frequency)
    people = sorted(
        {("u", u, "") if u else ("e", 0, e) for u, e in _waiting_entries(frequency).values_list("user_id", "email")}
        | {("u", u, "") for u in _waiting_notices(frequency).values_list("recipient_id", flat=True)}
    )
    sent = 0
    for start in range(0, len(people), batch_size):
        sent += _digest_batch(frequency=frequency, period=period, people=people[start : start + batch_size])
    return sent


@transaction.atomic
def _digest_batch(*, frequency: str, period: str, people: list[tuple]) -> int:
    """Write the digests of one batch of people (`("u", user id, "")` or `("e", 0, email)`); returns how many.

    What waits is locked with SKIP LOCKED, so a concurrent run takes other people (or nobody); the digests are
    inserted with `bulk_create` and what they carry is marked with one UPDATE per table.
    """
    user_ids = [p[1] for p in people if p[0] == "u"]
    emails = [p[2] for p in people if p[0] == "e"]
    entries = list(
        _waiting_entries(frequency)
        .filter(Q(user_id__in=user_ids) | Q(user__isnull=True, email__in=emails))
        .select_related("follow")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("created_at", "id")
    )
    notices = list(
        _waiting_notices(frequency)
        .filter(recipient_id__in=user_ids)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("created_at", "id")
    )
    carried: dict[tuple, dict] = {}
    for entry in entries:
        person = ("u", entry.user_id) if entry.user_id else ("e", entry.email)
        carried.setdefault(person, {"entries": [], "notices": []})["entries"].append(entry)
    for notice in notices:
        carried.setdefault(("u", notice.recipient_id), {"entries": [], "notices": []})["notices"].append(notice)
    if not carried:
        return 0
    dedupe_key = f"digest:{frequency}:{period}"
    keys = {person: recipient_dedupe_key(dedupe_key, is_user=person[0] == "u", ident=person[1]) for person in carried}
    # Already had this period's digest: what waits now waits for the next one.
    done = set(Notification.objects.filter(dedupe_key__in=keys.values()).values_list("dedupe_key", flat=True))
    users = get_user_model().objects.filter(pk__in=[p[1] for p in carried if p[0] == "u"], is_active=True).in_bulk()
    emailed = notification_channels(user_ids=list(users), group=NotificationSetting.Group.DIGESTS)
    day = timezone.localdate()
    digests: dict[tuple, Notification] = {}
    for person, what in carried.items():
        user = users.get(person[1]) if person[0] == "u" else None
        if keys[person] in done or (person[0] == "u" and user is None):
            continue
        first = what["entries"][0] if what["entries"] else None
        language = user_notification_language(user=user) if user else first.follow.language
        if first is not None:  # followed topics: the link stops them all (as each follower email's link does)
            unsubscribe = stored_path("notifications:unsubscribe", first.follow.token) + "?semua=1"
        else:
            unsubscribe = kind_unsubscribe_path(user_id=user.pk, group=NotificationSetting.Group.DIGESTS)
        items = [{**e.context, "url": e.target_url} for e in what["entries"]]
        waiting = [{"subject": n.subject, "created_at": n.created_at, "url": n.target_url} for n in what["notices"]]
        subject, body = notification_render(
            kind=f"digest_{frequency}",
            context={
                "period": period,
                "day": day,
                "items": items,
                "notices": waiting,
                "count": len(items) + len(waiting),
            },
            language=language,
            target_url="",
        )
        digests[person] = Notification(
            recipient=user,
            email="" if user else person[1],
            kind=f"digest_{frequency}",
            language=language,
            subject=subject,
            body=body,
            dedupe_key=keys[person],
            unsubscribe_url=unsubscribe,
        )
    if not digests:
        return 0
    Notification.objects.bulk_create(digests.values(), ignore_conflicts=True)
    # PostgreSQL returns no ids for rows inserted with ON CONFLICT DO NOTHING: read them back by their keys.
    ids = dict(
        Notification.objects.filter(dedupe_key__in=[d.dedupe_key for d in digests.values()]).values_list(
            "dedupe_key", "pk"
        )
    )
    by_person = {person: ids[d.dedupe_key] for person, d in digests.items() if d.dedupe_key in ids}
    to_email = [
        pk
        for person, pk in by_person.items()
        if person[0] == "e" or emailed.get(person[1]) == NotificationSetting.Channel.IMMEDIATE
    ]
    deliveries = Delivery.objects.bulk_create([Delivery(notification_id=pk, key=f"n{pk}:email") for pk in to_email])
    delivery_ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: deliveries_queue(delivery_ids=delivery_ids))

    def carried_by(kind: str):
        return Case(
            *(When(pk__in=[x.pk for x in carried[p][kind]], then=Value(pk)) for p, pk in by_person.items()),
            output_field=IntegerField(),
        )

    entry_ids = [e.pk for p in by_person for e in carried[p]["entries"]]
    notice_ids = [n.pk for p in by_person for n in carried[p]["notices"]]
    if entry_ids:
        DigestEntry.objects.filter(pk__in=entry_ids).update(notification_id=carried_by("entries"))
    if notice_ids:
        Notification.objects.filter(pk__in=notice_ids).update(digest_id=carried_by("notices"))
    return len(by_person)
