"""Demo finalists, objections and results (sample content, marked "contoh"), after `demo_calls_build()`:

- "KIPP 2025": finalists announced, its objection window over, the winners published with a sample decree as an
  award collection;
- the second call ("RBXperience 2026: RB Tematik kemiskinan"): finalists announced and the window open, with one
  objection accepted and answered by the agency and one waiting for a moderator.

Idempotent (each step only when the call is still before it), through the competitions' services.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from agencies.roles import agency_people
from competitions.models import Call, Entry, Objection
from competitions.services.objections import (
    finalists_announce,
    objection_answer,
    objection_confirm,
    objection_file,
    objection_moderate,
    objection_windows_close,
)
from competitions.services.results import Winner, results_publish
from notifications.models import Notification

SAMPLE_NOTE = " (contoh)"


def _sample_decree_pdf() -> SimpleUploadedFile:
    text = b"Contoh surat keputusan pemenang KIPP 2025 (data contoh)"
    stream = b"BT /F1 14 Tf 72 760 Td (" + text + b") Tj ET"
    content = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>>>>>endobj\n"
        + f"4 0 obj<</Length {len(stream)}>>stream\n".encode()
        + stream
        + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return SimpleUploadedFile("sk-kipp-2025-contoh.pdf", content, content_type="application/pdf")


def _file_and_confirm(*, entry: Entry, email: str, ground: str, text: str) -> Objection:
    objection_file(
        entry_id=entry.pk,
        name="Warga contoh",
        email=email,
        relation=Objection.Relation.SERVICE_USER,
        ground=ground,
        text=text + SAMPLE_NOTE,
    )
    token = Notification.objects.filter(kind="objection_confirm", email=email).latest("pk").target_url
    return objection_confirm(token=token.rstrip("/").rsplit("/", 1)[1])


def _finish(call: Call, lead) -> str:
    if call.status == Call.Status.JUDGING:
        finalists_announce(call_id=call.pk, by=lead)
        call.refresh_from_db()
    if call.status == Call.Status.OBJECTION:
        # The sample cycle is in the past: its window is moved behind us and closed by the beat job's service.
        now = timezone.now()
        Call.objects.filter(pk=call.pk).update(
            objection_opens_at=now - timedelta(days=6), objection_closes_at=now - timedelta(minutes=1)
        )
        objection_windows_close()
        call.refresh_from_db()
    if call.status != Call.Status.DELIBERATION:
        return f"{call.title}: {call.get_status_display()}"
    finalists = list(
        Entry.objects.filter(call=call, status=Entry.Status.FINALIST, practice__status="published").order_by("pk")
    )
    labels = ["Juara 1", "Juara 2", "Juara 3"]
    winners = [Winner(entry_id=e.pk, rank=i, label=labels[i - 1]) for i, e in enumerate(finalists[:3], start=1)]
    if not winners:
        return f"{call.title}: no published finalists"
    results_publish(
        call_id=call.pk,
        by=lead,
        winners=winners,
        decree_number="B/123/M.KT.01/2025 (contoh)",
        decree_date=date(2025, 11, 20),
        decree_file=_sample_decree_pdf(),
    )
    return f"{call.title}: {len(winners)} winners published"


def _window(call: Call, lead, moderator) -> str:
    if call.status == Call.Status.JUDGING:
        finalists_announce(call_id=call.pk, by=lead)
        call.refresh_from_db()
    if call.status != Call.Status.OBJECTION or Objection.objects.filter(entry__call=call).exists():
        return f"{call.title}: {call.get_status_display()}"
    finalists = list(Entry.objects.filter(call=call, status=Entry.Status.FINALIST).order_by("pk"))
    if not finalists:
        return f"{call.title}: no finalists"
    accepted = _file_and_confirm(
        entry=finalists[0],
        email="warga1@contoh.rbx.go.id",
        ground=Objection.Ground.DATA_INCORRECT,
        text="Jumlah keluarga penerima di laporan lebih besar daripada data kelurahan kami.",
    )
    objection_moderate(objection_id=accepted.pk, by=moderator, accept=True)
    answerers = agency_people(agency_id=finalists[0].agency_id)
    if answerers:
        objection_answer(
            objection=Objection.objects.get(pk=accepted.pk),
            by=answerers[0],
            answer="Angka laporan mencakup dua kelurahan pemekaran; datanya kami lampirkan pada praktik." + SAMPLE_NOTE,
        )
    _file_and_confirm(
        entry=finalists[-1],
        email="warga2@contoh.rbx.go.id",
        ground=Objection.Ground.NOT_IMPLEMENTED,
        text="Layanan ini belum kami temui di kecamatan kami sampai bulan lalu.",
    )
    return f"{call.title}: window open, 2 objections"


def load_demo_competition_results(calls) -> str:
    """`calls`: what `demo.competitions.demo_calls_build()` returns (KIPP 2025 first, then the open one)."""
    calls = list(calls)
    lead = User.objects.filter(email="lead@demo.rbx.go.id").first() or User.objects.moderators(leads_only=True).first()
    moderator = User.objects.filter(email="moderator@demo.rbx.go.id").first() or lead
    if lead is None or not calls:
        return "demo results and objections: no calls"
    done = [_finish(Call.objects.get(pk=calls[0].pk), lead)]
    if len(calls) > 1:
        done.append(_window(Call.objects.get(pk=calls[1].pk), lead, moderator))
    return "demo results and objections ready (" + "; ".join(done) + ")"
