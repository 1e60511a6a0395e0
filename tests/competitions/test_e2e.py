"""Issue #18's end-to-end test: a KIPP cycle from the call to the award collection, through the real
PostgreSQL, Redis, a Celery worker (the beat jobs run through it) and an SMTP server (aiosmtpd) that receives the
objector's confirmation email; every step's records are in the audit log."""

from __future__ import annotations

import datetime as dt
import email
import re
import socket
import time
from decimal import Decimal

import pytest
from aiosmtpd.controller import Controller
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from competitions.models import Call, Entry, Objection, Review
from competitions.services.calls import call_create, call_publish
from competitions.services.entries import entry_create
from competitions.services.objections import finalists_announce, objection_decide, objection_moderate
from competitions.services.results import Winner, results_publish
from competitions.services.reviews import call_reviewer_invite, review_assign, review_submit
from competitions.services.stages import stage_advance
from competitions.tasks import calls_close_entries, objection_windows_close
from notifications.tasks import deliveries_requeue
from showcases.models import Collection
from tests.accounts.factories import moderator
from tests.agencies.factories import agency_admin
from tests.practices.factories import published_practice

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
AGENCIES = ("35.78", "32.04", "33.22")


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Collector()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=port
        ):
            yield handler
    finally:
        controller.stop()


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def _mail_to(smtp, address: str):
    for envelope in smtp.messages:
        if address in envelope.rcpt_tos:
            return email.message_from_bytes(envelope.content)
    return None


def _actions(target) -> set[str]:
    return set(
        AuditEvent.objects.filter(target_type__endswith=target._meta.model_name, target_id=str(target.pk)).values_list(
            "action", flat=True
        )
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_kipp_cycle_from_the_call_to_the_award_collection(celery_worker, smtp_server):
    lead = moderator(lead=True, email="lead-e2e@kementerian.go.id")
    evaluators = [moderator(email=f"evaluator{i}@kementerian.go.id") for i in (1, 2)]
    admins = [agency_admin(code, email=f"admin-{code}@instansi.go.id") for code in AGENCIES]
    practices = [
        published_practice(agency_code=code, slug=f"inovasi-e2e-{i}", title=f"Inovasi E2E {i}")
        for i, code in enumerate(AGENCIES)
    ]

    # A lead opens a call with one scored stage (top 2 advance, 2 reviews each).
    now = timezone.now()
    call = call_create(
        actor=lead,
        title="KIPP E2E",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=1),
        objection_days=5,
        stages=[{"kind": "scoring", "name": "Penilaian evaluator", "min_reviews": 2, "advance_top_n": 2}],
    )
    call = call_publish(actor=lead, call_id=call.pk)
    assert call.status == Call.Status.OPEN

    # Three agencies enter.
    entries = [
        entry_create(actor=admin, call_id=call.pk, practice_id=practice.pk)
        for admin, practice in zip(admins, practices, strict=True)
    ]

    # The deadline passes; the beat job (through the worker) closes the entries and opens the stage.
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    calls_close_entries.delay()
    calls_close_entries.delay()  # twice: idempotent
    assert _wait_for(lambda: Call.objects.get(pk=call.pk).status == Call.Status.JUDGING)
    call.refresh_from_db()
    stage = call.stages.get()
    assert call.status == Call.Status.JUDGING and stage.status == "open"

    # Two evaluators score every entry: the third entry lowest.
    for evaluator in evaluators:
        call_reviewer_invite(actor=lead, call_id=call.pk, email=evaluator.email)
    criteria = list(call.criteria.order_by("position"))
    for rank, entry in enumerate(entries):
        for evaluator in evaluators:
            review = review_assign(actor=lead, stage_id=stage.pk, entry_id=entry.pk, reviewer_id=evaluator.pk)
            value = Decimal(9 - 3 * rank)
            review_submit(actor=evaluator, review_id=review.pk, scores={c.pk: value for c in criteria})
    assert Review.objects.filter(stage=stage, status="submitted").count() == 6

    # The top 2 advance; the last stage is decided.
    stage_advance(actor=lead, stage_id=stage.pk, rule="top_n", top_n=2)
    assert Entry.objects.get(pk=entries[2].pk).status == "eliminated"

    # Finalists announced; the window opens.
    finalists = finalists_announce(call_id=call.pk, by=lead)
    assert {e.pk for e in finalists} == {entries[0].pk, entries[1].pk}
    call.refresh_from_db()
    assert call.status == Call.Status.OBJECTION

    # An anonymous objection, with a file, through the public form.
    objector = "warga.e2e@contoh.id"
    text = "Loket daring ini belum pernah berjalan di kecamatan kami; warga tetap antre manual."
    form = Client(REMOTE_ADDR="10.20.0.1").post(
        reverse("competitions:objection_new", args=[call.slug, entries[0].pk]),
        {
            "name": "Warga E2E",
            "email": objector,
            "relation": "service_user",
            "ground": "not_implemented",
            "text": text,
            "website": "",
            "attachments": [SimpleUploadedFile("foto.pdf", PDF, content_type="application/pdf")],
        },
    )
    assert form.status_code == 200
    objection = Objection.objects.get()
    assert objection.status == "unconfirmed"

    # The confirmation email arrives at the SMTP server (through the outbox and the worker); its link confirms.
    def received():
        if _mail_to(smtp_server, objector) is None:
            deliveries_requeue.delay()
            return False
        return True

    assert _wait_for(received), "the confirmation email did not arrive"
    message = _mail_to(smtp_server, objector)
    body = message.get_payload(decode=True).decode()
    link = re.search(r"https?://\S+/sanggahan/konfirmasi/[^/\s]+/", body).group(0)
    path = "/" + link.split("/", 3)[3]
    public = Client()
    assert public.get(path).status_code == 200
    assert public.post(path).status_code == 200
    objection.refresh_from_db()
    assert objection.status == "pending"

    # Moderated (accepted), answered once by the agency, upheld by the lead (the finalist continues).
    objection_moderate(objection_id=objection.pk, by=evaluators[0], accept=True)
    agency = Client()
    agency.force_login(admins[0])
    answered = agency.post(
        reverse("competitions:objection_answer", args=[objection.pk]),
        {"answer": "Loket daring berjalan sejak Januari 2025 di 31 kecamatan; laporan terlampir di praktik."},
    )
    assert answered.status_code == 302
    objection_decide(objection_id=objection.pk, by=lead, upheld=False, note="Data kecamatan cocok.")
    objection.refresh_from_db()
    assert objection.status == "not_upheld" and objection.answered_at

    # The window closes by itself (the beat job through the worker).
    Call.objects.filter(pk=call.pk).update(
        objection_opens_at=timezone.now() - dt.timedelta(days=5),
        objection_closes_at=timezone.now() - dt.timedelta(seconds=1),
    )
    objection_windows_close.delay()
    assert _wait_for(lambda: Call.objects.get(pk=call.pk).status == Call.Status.DELIBERATION)
    call.refresh_from_db()
    assert call.status == Call.Status.DELIBERATION
    counts = public.get(reverse("competitions:finalists", args=[call.slug])).content.decode()
    assert "0 terbukti, 1 tidak terbukti" in counts and objector not in counts and "Warga E2E" not in counts

    # Winners published as an award collection with the decree.
    call = results_publish(
        call_id=call.pk,
        by=lead,
        winners=[
            Winner(entry_id=entries[0].pk, rank=1, label="Juara 1"),
            Winner(entry_id=entries[1].pk, rank=2, label="Juara 2"),
        ],
        decree_number="SK-MENPANRB/123/2026",
        decree_date=dt.date(2026, 12, 1),
        decree_file=SimpleUploadedFile("sk.pdf", PDF, content_type="application/pdf"),
    )
    assert call.status == Call.Status.FINISHED and call.results_published_at
    collection = Collection.objects.get(pk=call.winners_collection_id)
    assert collection.kind == "award" and collection.decree_number == "SK-MENPANRB/123/2026"
    assert list(collection.items.order_by("position").values_list("practice_id", "label")) == [
        (practices[0].pk, "Juara 1"),
        (practices[1].pk, "Juara 2"),
    ]
    page = public.get(reverse("competitions:results", args=[call.slug])).content.decode()
    assert "Juara 1" in page and "SK-MENPANRB/123/2026" in page

    # Every step is in the audit log (the deadline job's once, though it ran twice).
    assert AuditEvent.objects.filter(action="call.entries_closed", target_id=str(call.pk)).count() == 1
    call_actions = _actions(call)
    assert {
        "call.created",
        "call.opened",
        "call.entries_closed",
        "call.finalists_announced",
        "call.objection_window_opened",
        "call.objection_window_closed",
        "call.results_published",
    } <= call_actions, call_actions
    for entry in entries:
        assert "entry.entered" in _actions(entry)
    assert {
        "objection.filed",
        "objection.confirmed",
        "objection.accepted",
        "objection.answered",
        "objection.decided",
    } <= _actions(objection)
    everything = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "call.reviewer_invited",
        "review.submitted",
        "stage.advanced",
        "entry.won",
        "collection.created",
    } <= everything
    # No audit row carries the objector's email.
    assert not AuditEvent.objects.filter(data__icontains=objector).exists()
