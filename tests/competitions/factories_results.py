"""Builders for the finalists, objections and results tests (COMP-B): calls in a given state, made with the
models directly (the path through COMP-A's services is the end-to-end test's, tests/competitions/test_e2e.py)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from django.utils import timezone

from competitions.models import AdvanceDecision, Call, Entry, Stage
from competitions.services.objections import finalists_announce
from tests.accounts.factories import moderator
from tests.practices.factories import published_practice

AGENCIES = ("35.78", "32.04", "33.22")
_seq = itertools.count(1)


def judged_call(*, slug: str | None = None, lead=None, advanced: int = 2):
    """A call in `judging` whose only stage is closed with a top-`advanced` decision over three entries of three
    agencies (Surabaya, Kabupaten Bandung, and a third). Returns (call, entries, lead)."""
    n = next(_seq)
    tag = f"{n}-{uuid.uuid4().hex[:6]}"
    lead = lead or moderator(lead=True, email=f"lead-hasil-{tag}@contoh.id")
    now = timezone.now()
    call = Call.objects.create(
        title=f"KIPP Uji {n}",
        slug=slug or f"kipp-uji-{tag}",
        description="Panggilan uji.",
        opens_at=now - dt.timedelta(days=30),
        closes_at=now - dt.timedelta(days=20),
        status=Call.Status.JUDGING,
        entries_closed_at=now - dt.timedelta(days=20),
        created_by=lead,
    )
    stage = Stage.objects.create(
        call=call,
        position=1,
        kind=Stage.Kind.SCORING,
        name="Top 99",
        status=Stage.Status.CLOSED,
        opened_at=now - dt.timedelta(days=19),
        closed_at=now - dt.timedelta(days=1),
        advance_top_n=advanced,
    )
    entries = []
    for i, code in enumerate(AGENCIES):
        practice = published_practice(agency_code=code, slug=f"praktik-kipp-{tag}-{i}", title=f"Inovasi {n}-{i}")
        entries.append(Entry.objects.create(call=call, practice=practice, agency=practice.agency, stage=stage))
    decision = AdvanceDecision.objects.create(
        stage=stage, rule=AdvanceDecision.Rule.TOP_N, top_n=advanced, ranking=[], decided_by=lead
    )
    decision.advanced.set(entries[:advanced])
    Entry.objects.filter(pk__in=[e.pk for e in entries[advanced:]]).update(status=Entry.Status.ELIMINATED)
    return call, entries, lead


def finalists_call(**kw):
    """A call with its finalists announced and the objection window open: (call, finalists, lead)."""
    call, entries, lead = judged_call(**kw)
    finalists = finalists_announce(call_id=call.pk, by=lead)
    call.refresh_from_db()
    return call, finalists, lead


def objection_token(notification) -> str:
    """The token of the confirmation link in an `objection_confirm` notification."""
    return notification.target_url.rstrip("/").rsplit("/", 1)[1]
