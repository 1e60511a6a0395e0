"""Results (competitions/services/results.py), the results pages, the export and the API of calls."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from competitions.models import Call, Entry, Review, Stage
from competitions.services.objections import (
    objection_confirm,
    objection_file,
    objection_moderate,
    objection_windows_close,
)
from competitions.services.results import Winner, results_publish
from notifications.models import Notification
from showcases.models import Collection
from tests.accounts.factories import moderator
from tests.agencies.factories import agency_admin
from tests.competitions.factories_results import finalists_call, objection_token

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _close_window(call):
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        objection_opens_at=now - dt.timedelta(days=5), objection_closes_at=now - dt.timedelta(seconds=1)
    )
    objection_windows_close()
    call.refresh_from_db()
    return call


def _deliberating(**kw):
    call, finalists, lead = finalists_call(**kw)
    return _close_window(call), finalists, lead


def _decree(content=PDF, name="sk.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _publish(call, finalists, lead, **kw):
    args = {
        "call_id": call.pk,
        "by": lead,
        "winners": [Winner(entry_id=finalists[0].pk, rank=1, label="Juara 1")],
        "decree_number": "SK/1/2026",
        "decree_date": dt.date(2026, 12, 1),
        "decree_file": _decree(),
    }
    return results_publish(**(args | kw))


def test_publishing_makes_winners_an_award_collection_and_finishes_the_call():
    call, finalists, lead = _deliberating()
    admin = agency_admin(finalists[1].agency.code, email="admin-juara@contoh.id")
    call = _publish(
        call,
        finalists,
        lead,
        winners=[
            Winner(entry_id=finalists[1].pk, rank=1, label="Juara 1"),
            Winner(entry_id=finalists[0].pk, rank=2, label="Juara 2"),
        ],
    )
    assert call.status == Call.Status.FINISHED and call.results_published_at
    winners = Entry.objects.filter(call=call, status="winner").order_by("final_rank")
    assert [(e.pk, e.final_rank, e.award_label) for e in winners] == [
        (finalists[1].pk, 1, "Juara 1"),
        (finalists[0].pk, 2, "Juara 2"),
    ]
    collection = Collection.objects.get(pk=call.winners_collection_id)
    assert collection.kind == "award" and collection.decree_number == "SK/1/2026" and collection.decree_file
    assert collection.source_label == call.title
    assert list(collection.items.order_by("position").values_list("practice_id", flat=True)) == [
        finalists[1].practice_id,
        finalists[0].practice_id,
    ]
    assert AuditEvent.objects.filter(action="call.results_published", target_id=str(call.pk)).exists()
    assert AuditEvent.objects.filter(action="entry.won").count() == 2
    assert Notification.objects.filter(kind="call_results", recipient=admin).exists()
    page = Client().get(reverse("competitions:results", args=[call.slug])).content.decode()
    assert "Juara 1" in page and "SK/1/2026" in page


def test_results_wait_for_the_window_and_for_every_accepted_objection():
    call, finalists, lead = finalists_call()
    with pytest.raises(ValidationError, match="setelah masa sanggah berakhir"):
        _publish(call, finalists, lead)
    objection_file(
        entry_id=finalists[0].pk,
        name="Warga",
        email="warga@contoh.id",
        relation="resident",
        ground="data_incorrect",
        text="Data penerima tidak sama dengan data desa.",
    )
    accepted = objection_confirm(token=objection_token(Notification.objects.get(kind="objection_confirm")))
    objection_moderate(objection_id=accepted.pk, by=moderator(), accept=True)
    call = _close_window(call)
    with pytest.raises(ValidationError, match="belum diperiksa atau diputuskan"):
        _publish(call, finalists, lead)
    assert Call.objects.get(pk=call.pk).status == Call.Status.DELIBERATION


def test_a_decree_that_is_not_a_pdf_is_refused_and_nothing_is_published():
    call, finalists, lead = _deliberating()
    with pytest.raises(ValidationError, match="program atau skrip"):
        _publish(call, finalists, lead, decree_file=_decree(EXE, "sk.pdf"))
    call.refresh_from_db()
    assert call.status == Call.Status.DELIBERATION and not Collection.objects.exists()
    assert not Entry.objects.filter(call=call, status="winner").exists()


def test_only_finalists_win_and_only_leads_publish():
    call, finalists, lead = _deliberating()
    eliminated = Entry.objects.get(call=call, status="eliminated")
    with pytest.raises(ValidationError, match="finalis"):
        _publish(call, finalists, lead, winners=[Winner(entry_id=eliminated.pk, rank=1, label="Juara 1")])
    with pytest.raises(ValidationError, match="peringkat yang berbeda"):
        _publish(
            call,
            finalists,
            lead,
            winners=[Winner(entry_id=finalists[0].pk, rank=1, label="A"), Winner(finalists[1].pk, 1, "B")],
        )
    with pytest.raises(Exception, match="moderator utama"):
        _publish(call, finalists, moderator())


def test_the_publish_form_keeps_what_was_typed_when_the_decree_is_refused():
    call, finalists, lead = _deliberating()
    client = Client()
    client.force_login(lead)
    url = reverse("competitions:results_publish", args=[call.slug])
    data = {
        f"rank_{finalists[0].pk}": "1",
        f"label_{finalists[0].pk}": "Juara Utama",
        "decree_number": "SK/77/2026",
        "decree_date": "2026-12-01",
        "decree_file": _decree(EXE, "sk.pdf"),
    }
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "program atau skrip" in body and "Juara Utama" in body and "SK/77/2026" in body
    data["decree_file"] = _decree()
    response = client.post(url, data)
    assert response.status_code == 302
    assert Entry.objects.get(pk=finalists[0].pk).award_label == "Juara Utama"


# Export and API ------------------------------------------------------------------------------------------------


def _score(stage, entry, total):
    reviewer = moderator()
    Review.objects.create(
        stage=stage,
        entry=entry,
        reviewer=reviewer,
        status="submitted",
        total=Decimal(total),
        submitted_at=timezone.now(),
    )


def test_the_export_has_closed_stages_scores_results_and_never_objectors():
    call, finalists, lead = _deliberating()
    closed_stage = call.stages.get(position=1)
    _score(closed_stage, finalists[0], "80")
    _score(closed_stage, finalists[0], "90")
    running = Stage.objects.create(call=call, position=2, kind="panel", name="Panel", status="open")
    _score(running, finalists[0], "12")
    _publish(call, finalists, lead)
    response = Client().get(reverse("competitions:export", args=[call.slug, "csv"]))
    assert response.status_code == 200 and 'rel="license"' in response["Link"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "score_stage_1" in rows[0] and "score_stage_2" not in rows[0]  # the running stage stays private
    by_entry = {int(r["entry_id"]): r for r in rows}
    assert by_entry[finalists[0].pk]["score_stage_1"] == "85"
    assert by_entry[finalists[0].pk]["award_label"] == "Juara 1" and by_entry[finalists[0].pk]["final_rank"] == "1"
    assert by_entry[finalists[0].pk]["status_label"] == "Pemenang"
    xlsx = Client().get(reverse("competitions:export", args=[call.slug, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content))["data"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:3] == ["call", "call_title", "entry_id"] and "score_stage_1" in header


def test_the_export_and_the_api_carry_no_objector_data():
    call, finalists, lead = finalists_call()
    objection_file(
        entry_id=finalists[0].pk,
        name="Nama Rahasia",
        email="rahasia@contoh.id",
        relation="resident",
        ground="other",
        text="Teks sanggahan rahasia untuk ekspor.",
    )
    accepted = objection_confirm(token=objection_token(Notification.objects.get(kind="objection_confirm")))
    objection_moderate(objection_id=accepted.pk, by=moderator(), accept=True)
    _close_window(call)
    client = Client()
    client.force_login(lead)  # even the lead's download holds none of it
    for body in (
        client.get(reverse("competitions:export", args=[call.slug, "csv"])).content.decode("utf-8-sig"),
        client.get(f"/api/v1/calls/{call.slug}/entries/").content.decode(),
        client.get("/api/v1/calls/").content.decode(),
    ):
        assert "rahasia" not in body.lower() and "Nama Rahasia" not in body
    entries = client.get(f"/api/v1/calls/{call.slug}/entries/").json()
    mine = next(e for e in entries if e["entry_id"] == finalists[0].pk)
    assert mine["objections_examining"] == 1 and mine["status"] == "finalist"


def test_the_api_lists_public_calls_and_results_once_finished():
    call, finalists, lead = _deliberating()
    Call.objects.create(
        title="Draf rahasia",
        slug="draf-rahasia",
        opens_at=timezone.now(),
        closes_at=timezone.now() + dt.timedelta(days=3),
    )
    client = Client()
    listed = client.get("/api/v1/calls/").json()
    slugs = [row["slug"] for row in listed["results"]] if isinstance(listed, dict) else [r["slug"] for r in listed]
    assert call.slug in slugs and "draf-rahasia" not in slugs
    assert client.get("/api/v1/calls/draf-rahasia/").status_code == 404
    before = client.get(f"/api/v1/calls/{call.slug}/entries/").json()
    assert all(row["final_rank"] is None for row in before)
    _publish(call, finalists, lead)
    detail = client.get(f"/api/v1/calls/{call.slug}/").json()
    assert detail["status"] == "finished" and detail["winners_collection"]
    after = {row["entry_id"]: row for row in client.get(f"/api/v1/calls/{call.slug}/entries/").json()}
    assert after[finalists[0].pk]["final_rank"] == 1 and after[finalists[0].pk]["award_label"] == "Juara 1"
