"""notifications 0004: fan-outs and digest entries written before the rows carried their notice keep working."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from notifications.models import DigestEntry, PublishFanOut
from notifications.services.follows import follow_set
from practices.models import Practice
from tests.agencies.factories import member
from tests.practices.factories import practice_published

from .factories import jatim, surabaya, theme

pytestmark = pytest.mark.django_db

fill_pending_rows = importlib.import_module("notifications.migrations.0004_fanout_carries_its_notice").fill_pending_rows


def test_rows_written_before_are_filled_from_their_practice_or_withdrawn():
    live, gone, told = (practice_published(title=t) for t in ("Masih Terbit", "Sudah Ditarik", "Sudah Diumumkan"))
    Practice.objects.filter(pk=gone.pk).update(status=Practice.Status.ARCHIVED)
    # As 0003 left them: no targets, no notice.
    pending = PublishFanOut.objects.create(practice=live, revision=live.live_revision)
    withdrawn = PublishFanOut.objects.create(practice=gone, revision=gone.live_revision)
    done = PublishFanOut.objects.create(
        practice=told, revision=told.live_revision, state="done", done_at=timezone.now()
    )
    user = member(agency_code="32.04")
    follow = follow_set(user=user, kind="theme", target=theme(), frequency="daily")
    waiting = DigestEntry.objects.create(user=user, practice=live, follow=follow)
    DigestEntry.objects.create(user=user, practice=gone, follow=follow)

    fill_pending_rows(apps, None)

    pending.refresh_from_db()
    assert pending.targets == {
        "theme": sorted(live.themes.values_list("pk", flat=True)),
        "agency": [surabaya().pk],
        "province": [jatim().pk],
    }
    assert (pending.kind, pending.target_url, pending.withdrawn_at) == (
        "follow_published",
        reverse("practices:detail", args=[live.slug]),
        None,
    )
    assert pending.context == {"title": "Masih Terbit", "agency": surabaya().name}
    withdrawn.refresh_from_db()
    assert withdrawn.withdrawn_at is not None  # the worker told nobody of an archived practice; it still does not
    done.refresh_from_db()
    assert done.targets == {} and done.kind == ""  # finished: nothing reads it again
    waiting.refresh_from_db()
    assert waiting.context == pending.context and waiting.target_url == pending.target_url
    assert not DigestEntry.objects.filter(practice=gone).exists()  # the digest left it out; it is gone
