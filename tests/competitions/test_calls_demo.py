"""The demo calls (demo/competitions.py): built through the services up to the finalists, idempotent."""

from __future__ import annotations

import pytest

from competitions.models import AdvanceDecision, Call, Entry, Stage
from competitions.services.stages import call_finalist_candidates, call_ready_for_finalists
from demo.competitions import demo_calls_build
from tests.accounts.factories import moderator
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db


def test_the_demo_calls_are_scored_and_decided_up_to_the_finalists():
    moderator(lead=True)
    moderator()
    for code in ("35.78", "32.04", "51.71", "33.22"):
        practice_published(agency=code, theme="kemiskinan", title=f"Contoh praktik {code}")
    calls = demo_calls_build()
    assert [c.slug for c in calls] == ["contoh-kipp-2025", "contoh-rbxperience-2026-rb-tematik-kemiskinan"]
    for call in calls:
        assert call.status == Call.Status.JUDGING and call_ready_for_finalists(call)
        assert not call.stages.exclude(status=Stage.Status.CLOSED).exists()
        assert AdvanceDecision.objects.filter(stage__call=call).count() == 2
        assert call_finalist_candidates(call).count() == 3
        assert call.entries.filter(status=Entry.Status.ELIMINATED).count() == 1
    assert [c.pk for c in demo_calls_build()] == [c.pk for c in calls]  # idempotent
