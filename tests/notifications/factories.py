"""Follows and publishes for the notification tests, built through the services (see tests/practices/factories.py)."""

import datetime as dt
from zoneinfo import ZoneInfo

from agencies.models import Agency, Region
from notifications.models import Follow, PublishFanOut
from notifications.services.fanout import publish_fanout_create, publish_fanout_run
from notifications.tasks import publish_fanout_send
from practices.models import Theme
from practices.selectors.followers import practice_follower_notice
from practices.services import decisions
from tests.accounts.factories import moderator

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


def announce(practice) -> dict[str, int]:
    """Tell the followers of a practice published without the review workflow (`make_practice`), as a publish
    through `revision_approve` would: its fan-out row, run at once."""
    fanout = publish_fanout_create(
        practice=practice, revision=practice.live_revision, **practice_follower_notice(practice=practice)
    )
    return publish_fanout_run(fanout_id=fanout.pk)
