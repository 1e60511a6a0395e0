"""Calls and entries (issue #18, first half): the lead's call with KIPP's rubric, eligibility and the deadline,
withdrawal, and the beat job that closes entries (idempotent, through the real worker)."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from competitions.kipp import KIPP_CRITERIA, KIPP_STAGES
from competitions.models import Call, Entry, Stage
from competitions.services.calls import call_create, call_publish, call_update, calls_close_due
from competitions.services.entries import entry_create, entry_withdraw
from competitions.tasks import calls_close_entries
from notifications.models import Notification
from practices.models import PracticeRevision, Theme
from tests.accounts.factories import moderator
from tests.agencies.factories import agency_admin, member
from tests.practices.factories import practice_draft, practice_in_state, practice_published

from .factories import SIMPLE_CRITERIA, TWO_STAGES, call, entry

pytestmark = pytest.mark.django_db


def test_kipp_defaults_add_up_to_100_and_a_new_call_gets_them():
    assert sum(c["weight"] for c in KIPP_CRITERIA) == 100
    assert [s["name"] for s in KIPP_STAGES][:2] == ["Seleksi administrasi", "Penilaian evaluator (Top 99)"]
    lead = moderator(lead=True)
    now = timezone.now()
    made = call_create(actor=lead, title="KIPP 2027", opens_at=now, closes_at=now + timedelta(days=30))
    assert made.status == Call.Status.DRAFT and made.slug == "kipp-2027"
    assert list(made.criteria.values_list("name", flat=True))[:1] == ["Kebaruan"]
    assert made.stages.count() == len(KIPP_STAGES)
    assert AuditEvent.objects.filter(action="call.created", target_id=str(made.pk)).exists()


def test_weights_must_add_up_to_100_and_only_a_lead_creates():
    lead = moderator(lead=True)
    now = timezone.now()
    bad = [{"name": "A", "weight": 50}, {"name": "B", "weight": 40}]
    with pytest.raises(ValidationError) as exc:
        call_create(actor=lead, title="X", opens_at=now, closes_at=now + timedelta(days=3), criteria=bad)
    assert "100" in str(exc.value)
    with pytest.raises(Http404):
        call_create(actor=moderator(), title="X", opens_at=now, closes_at=now + timedelta(days=3))
    with pytest.raises(ValidationError):
        call_create(actor=lead, title="X", opens_at=now, closes_at=now - timedelta(days=3))
    assert not Call.objects.exists()


def test_publish_opens_and_an_open_call_keeps_its_rubric():
    made = call(publish=False, criteria=SIMPLE_CRITERIA, stages=TWO_STAGES)
    call_publish(actor=made.lead, call_id=made.pk)
    made.refresh_from_db()
    assert made.status == Call.Status.OPEN
    assert AuditEvent.objects.filter(action="call.opened", target_id=str(made.pk)).exists()
    with pytest.raises(ValidationError):
        call_publish(actor=made.lead, call_id=made.pk)
    # Open: the deadline may move, the eligibility may not.
    call_update(
        actor=made.lead,
        call_id=made.pk,
        title=made.title,
        description="Baru.",
        opens_at=made.opens_at,
        closes_at=made.closes_at + timedelta(days=2),
    )
    with pytest.raises(ValidationError):
        call_update(
            actor=made.lead,
            call_id=made.pk,
            title=made.title,
            opens_at=made.opens_at,
            closes_at=made.closes_at,
            agency_kinds=["kota"],
        )


def test_an_agency_admin_enters_a_published_or_submitted_practice_once():
    made = call()
    admin = agency_admin("35.78")
    published = practice_published(agency="35.78")
    first = entry_create(actor=admin, call_id=made.pk, practice_id=published.pk)
    assert first.agency.code == "35.78" and first.status == Entry.Status.ENTERED
    assert AuditEvent.objects.filter(action="entry.entered", target_id=str(first.pk)).exists()
    with pytest.raises(ValidationError, match="sudah terdaftar"):
        entry_create(actor=admin, call_id=made.pk, practice_id=published.pk)
    submitted = practice_in_state(PracticeRevision.State.SUBMITTED, admin=admin)
    assert entry_create(actor=admin, call_id=made.pk, practice_id=submitted.pk)
    draft = practice_draft()
    with pytest.raises(ValidationError, match="terbit atau sudah diajukan"):
        entry_create(actor=admin, call_id=made.pk, practice_id=draft.pk)


def test_refusals_theme_kind_other_agency_member_and_deadline():
    made = call(themes=[Theme.objects.get(code="kemiskinan")], agency_kinds=["kabupaten"])
    admin = agency_admin("35.78")  # Kota Surabaya: a city, not a regency
    practice = practice_published(agency="35.78", theme="pelayanan-publik")
    with pytest.raises(ValidationError) as exc:
        entry_create(actor=admin, call_id=made.pk, practice_id=practice.pk)
    assert any("Tema" in m for m in exc.value.messages)
    assert any("Jenis instansi" in m for m in exc.value.messages)
    other = practice_published(agency="32.04")
    with pytest.raises(ValidationError, match="praktik instansi Anda"):
        entry_create(actor=admin, call_id=made.pk, practice_id=other.pk)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        entry_create(actor=member("35.78"), call_id=made.pk, practice_id=practice.pk)
    late = call(past_deadline=True)
    with pytest.raises(ValidationError, match="sudah ditutup"):
        entry_create(actor=admin, call_id=late.pk, practice_id=practice.pk)
    assert not Entry.objects.exists()


def test_withdraw_until_the_deadline_and_enter_again():
    made = call()
    admin = agency_admin("35.78")
    first = entry(made, admin=admin)
    entry_withdraw(actor=admin, entry_id=first.pk)
    first.refresh_from_db()
    assert first.status == Entry.Status.WITHDRAWN and first.withdrawn_at
    again = entry_create(actor=admin, call_id=made.pk, practice_id=first.practice_id)
    assert again.pk == first.pk and again.status == Entry.Status.ENTERED and again.withdrawn_at is None
    Call.objects.filter(pk=made.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="Batas pendaftaran sudah lewat"):
        entry_withdraw(actor=admin, entry_id=first.pk)
    with pytest.raises(Http404):
        entry_withdraw(actor=agency_admin("32.04"), entry_id=first.pk)


def test_the_deadline_job_closes_entries_once_and_opens_the_first_stage():
    made = call(stages=TWO_STAGES, criteria=SIMPLE_CRITERIA)
    admin = agency_admin("35.78")
    kept = entry(made, admin=admin)
    gone = entry(made, admin=admin)
    entry_withdraw(actor=admin, entry_id=gone.pk)
    assert calls_close_due() == 0  # not due yet
    Call.objects.filter(pk=made.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert calls_close_due() == 1
    assert calls_close_due() == 0  # run twice: same result
    made.refresh_from_db()
    first = made.stages.get(position=1)
    assert made.status == Call.Status.JUDGING and made.entries_closed_at
    assert first.status == Stage.Status.OPEN and made.stages.get(position=2).status == Stage.Status.PENDING
    kept.refresh_from_db()
    gone.refresh_from_db()
    assert kept.stage_id == first.pk and gone.stage_id is None
    assert AuditEvent.objects.filter(action="call.entries_closed", target_id=str(made.pk)).count() == 1
    assert Notification.objects.filter(kind="call_entries_closed", recipient=admin).count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_beat_task_closes_entries_through_the_real_worker(celery_worker):
    made = call(stages=TWO_STAGES, criteria=SIMPLE_CRITERIA)
    entry(made)
    Call.objects.filter(pk=made.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    calls_close_entries.delay()
    calls_close_entries.delay()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and Call.objects.get(pk=made.pk).status != Call.Status.JUDGING:
        time.sleep(0.1)
    time.sleep(0.5)  # the second task has run too
    made.refresh_from_db()
    assert made.status == Call.Status.JUDGING
    assert made.stages.filter(status=Stage.Status.OPEN).count() == 1
    assert AuditEvent.objects.filter(action="call.entries_closed", target_id=str(made.pk)).count() == 1
    assert calls_close_entries() == 0


def test_a_stage_default_min_score_is_a_decimal():
    assert KIPP_STAGES[0]["advance_min_score"] == Decimal("50")
