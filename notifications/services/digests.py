"""Followers' daily and weekly digests: the entries the fan-out wrote (`fanout.py`), one notification per person."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..models import DigestEntry
from .notify import notify, stored_path


def digest_period(*, frequency: str, now=None) -> str:
    """The period a digest run belongs to, in local time: `2026-03-05` (daily) or `2026-W10` (weekly)."""
    day = timezone.localdate(now or timezone.now())
    if frequency == "daily":
        return day.isoformat()
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def digests_send(*, frequency: str) -> int:
    """Send each follower with waiting entries one digest of them for the current period; returns how many.

    Exactly once per follower and period: the digest is a notification with the dedupe key
    `digest:<frequency>:<period>` for that person, and its entries are marked in the same transaction, so a
    job that runs twice (or on two beat nodes) sends nothing the second time; entries that arrive after a
    person's digest of this period wait for the next one. Each digest is in the follower's language. An entry
    shows what it carries (its context and link, written by the fan-out); the entries of something withdrawn
    before its digest are deleted then (`fanout.publish_fanout_withdraw`).
    """
    period = digest_period(frequency=frequency)
    waiting = (
        DigestEntry.objects.filter(
            notification__isnull=True, follow__frequency=frequency, follow__confirmed_at__isnull=False
        )
        .select_related("user", "follow")
        .order_by("created_at", "id")
    )
    people: dict[tuple, list] = {}
    for entry in waiting:
        person = ("u", entry.user_id) if entry.user_id else ("e", entry.email)
        people.setdefault(person, []).append(entry)
    sent = 0
    for entries in people.values():
        first = entries[0]
        with transaction.atomic():
            ids = list(
                DigestEntry.objects.select_for_update(skip_locked=True)
                .filter(pk__in=[e.pk for e in entries], notification__isnull=True)
                .values_list("pk", flat=True)
            )
            if not ids:
                continue
            items = [{**e.context, "url": e.target_url} for e in entries if e.pk in ids]
            created = notify(
                recipients=[first.user or first.email],
                kind=f"digest_{frequency}",
                context={"period": period, "items": items},
                dedupe_key=f"digest:{frequency}:{period}",
                language=first.follow.language,
                unsubscribe_url=stored_path("notifications:unsubscribe", first.follow.token) + "?semua=1",
            )
            if created:
                DigestEntry.objects.filter(pk__in=ids).update(notification=created[0])
                sent += 1
    return sent
