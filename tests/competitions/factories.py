"""Calls, entries and reviewers for the tests, made through the competitions services.

- `call(...)`: a call by a lead moderator (KIPP's rubric unless `criteria`/`stages` are given), published
  (`publish=True`, the default) and, with `past_deadline=True`, with its deadline moved into the past (the
  row is updated directly: a call cannot be created with a deadline in the past) so the deadline job closes it;
- `entry(call, practice=None, agency_code=...)`: an agency admin enters a published practice of their agency;
- `reviewer(call, expert=False)`: a moderator (or an external expert) invited to the call;
- `call_judging(...)`: a call past its deadline with entries, closed by the deadline job (first stage open);
- `review_scored(review, value)`: submits a review with the same score on every criterion.

COMP-B may add builders at the end of this file.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from agencies.models import Agency
from competitions.models import Call, CallReviewer, Entry, Review
from competitions.services.calls import call_create, call_publish, calls_close_due
from competitions.services.entries import entry_create
from competitions.services.reviews import call_reviewer_invite, review_submit
from tests.accounts.factories import moderator, user
from tests.agencies.factories import SURABAYA, agency_admin
from tests.practices.factories import practice_published

_seq = itertools.count(1)

TWO_STAGES = [
    {"kind": "scoring", "name": "Penilaian evaluator", "is_scored": True, "min_reviews": 2, "advance_top_n": 2},
    {"kind": "panel", "name": "Tim Panel Independen", "is_scored": True, "min_reviews": 1, "advance_top_n": 1},
]
SIMPLE_CRITERIA = [
    {"name": "Kebaruan", "weight": 60, "max_score": 10},
    {"name": "Efektivitas", "weight": 40, "max_score": 10},
]


def lead_moderator() -> User:
    return moderator(lead=True)


def call(
    *,
    lead: User | None = None,
    title: str | None = None,
    publish: bool = True,
    past_deadline: bool = False,
    days: int = 10,
    criteria: list[dict] | None = None,
    stages: list[dict] | None = None,
    **fields,
) -> Call:
    lead = lead or lead_moderator()
    now = timezone.now()
    made = call_create(
        actor=lead,
        title=title or f"Panggilan uji {next(_seq)}",
        opens_at=fields.pop("opens_at", now - timedelta(days=1)),
        closes_at=fields.pop("closes_at", now + timedelta(days=days)),
        criteria=criteria,
        stages=stages,
        **fields,
    )
    if publish:
        call_publish(actor=lead, call_id=made.pk)
    if past_deadline:
        Call.objects.filter(pk=made.pk).update(closes_at=now - timedelta(minutes=1))
    made.refresh_from_db()
    made.lead = lead  # the builder's lead, for the tests that act as them
    return made


def entry(the_call: Call, *, practice=None, agency_code: str = SURABAYA, admin: User | None = None) -> Entry:
    admin = admin or agency_admin(agency_code)
    practice = practice or practice_published(agency=agency_code, title=f"Praktik peserta {next(_seq)}")
    return entry_create(actor=admin, call_id=the_call.pk, practice_id=practice.pk)


def reviewer(the_call: Call, *, expert: bool = False, lead: User | None = None, **fields) -> User:
    lead = lead or getattr(the_call, "lead", None) or lead_moderator()
    if expert:
        email = fields.pop("email", f"pakar{next(_seq)}@kampus.ac.id")
        call_reviewer_invite(actor=lead, call_id=the_call.pk, email=email, full_name="Pakar Uji", affiliation="UGM")
        person = User.objects.get(email=email)
    else:
        person = moderator(**fields)
        call_reviewer_invite(actor=lead, call_id=the_call.pk, email=person.email)
    assert CallReviewer.objects.filter(call=the_call, user=person, is_active=True).exists()
    return person


def call_judging(*, agencies: tuple[str, ...] = ("35.78", "32.04", "51.71"), **kwargs) -> tuple[Call, list[Entry]]:
    """A call with one entry per agency, closed by the deadline job: the first stage is open."""
    kwargs.setdefault("stages", TWO_STAGES)
    kwargs.setdefault("criteria", SIMPLE_CRITERIA)
    the_call = call(**kwargs)
    entries = [entry(the_call, agency_code=code) for code in agencies]
    Call.objects.filter(pk=the_call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    calls_close_due()
    lead = the_call.lead
    the_call.refresh_from_db()
    the_call.lead = lead
    return the_call, [Entry.objects.get(pk=e.pk) for e in entries]


def review_scored(review: Review, value: str | int = 8, *, comment: str = "", note: str = "") -> Review:
    criteria = review.stage.call.criteria.all()
    return review_submit(
        actor=review.reviewer,
        review_id=review.pk,
        scores={c.pk: Decimal(str(value)) for c in criteria},
        comment_for_author=comment,
        private_note=note,
    )


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


def public_user() -> User:
    return user()


def matrix_world(*, lead: User, admin: User, practice) -> dict:
    """The competitions part of the authorisation matrix's world (tests/security/test_authz_matrix.py): a call
    closed by the deadline job with `practice` (Surabaya's) entered by `admin`, its first stage open, and an
    external expert assigned to that entry."""
    from competitions.services.reviews import review_assign

    the_call = call(lead=lead, title="Panggilan matriks", stages=TWO_STAGES, criteria=SIMPLE_CRITERIA)
    the_entry = entry(the_call, practice=practice, admin=admin)
    Call.objects.filter(pk=the_call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    calls_close_due()
    expert = reviewer(the_call, expert=True, lead=lead, email="pakar@matriks.ac.id")
    stage = the_call.stages.get(position=1)
    review = review_assign(actor=lead, stage_id=stage.pk, entry_id=the_entry.pk, reviewer_id=expert.pk)
    the_call.refresh_from_db()
    return {"call": the_call, "entry": the_entry, "stage": stage, "review": review, "external_reviewer": expert}
