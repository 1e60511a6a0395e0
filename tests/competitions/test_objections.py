"""Finalists and the public objection window (competitions/services/objections.py and its pages)."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEvent
from competitions.models import Call, Entry, Objection
from competitions.services.objections import (
    finalists_announce,
    objection_answer,
    objection_confirm,
    objection_decide,
    objection_file,
    objection_moderate,
    objection_window_end,
    objection_windows_close,
)
from competitions.tasks import objection_windows_close as objection_windows_close_task
from notifications.models import Notification
from tests.accounts.factories import moderator
from tests.agencies.factories import agency_admin, member
from tests.competitions.factories_results import finalists_call, judged_call, objection_token

pytestmark = pytest.mark.django_db
JKT = zoneinfo.ZoneInfo("Asia/Jakarta")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
TEXT = "Inovasi ini belum berjalan di kecamatan kami sejak 2024; loket masih manual."


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the flood limits count in Redis across tests


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def _expire(call):
    """Move the call's window into the past (opening before closing, as the constraint wants)."""
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        objection_opens_at=now - dt.timedelta(days=5), objection_closes_at=now - dt.timedelta(seconds=1)
    )


def _filed(call, entry, email="warga@contoh.id", **kw):
    return objection_file(
        entry_id=entry.pk,
        name="Warga Uji",
        email=email,
        relation=Objection.Relation.SERVICE_USER,
        ground=Objection.Ground.NOT_IMPLEMENTED,
        text=TEXT,
        **kw,
    )


def _form(**extra):
    return {
        "name": "Warga Uji",
        "email": "warga@contoh.id",
        "relation": "service_user",
        "ground": "not_implemented",
        "text": TEXT,
        "website": "",
        **extra,
    }


# Announcing ------------------------------------------------------------------------------------------------


def test_announce_makes_the_advanced_entries_finalists_and_opens_the_window():
    call, entries, lead = judged_call()
    admins = [agency_admin(e.agency.code, email=f"admin-{i}@finalis.id") for i, e in enumerate(entries)]
    finalists = finalists_announce(call_id=call.pk, by=lead)
    call.refresh_from_db()
    assert {e.pk for e in finalists} == {entries[0].pk, entries[1].pk}
    assert set(Entry.objects.filter(call=call, status="finalist").values_list("pk", flat=True)) == {
        entries[0].pk,
        entries[1].pk,
    }
    assert Entry.objects.get(pk=entries[2].pk).status == "eliminated"
    assert call.status == Call.Status.OBJECTION and call.finalists_announced_at and call.objection_opens_at
    local = timezone.localtime(call.objection_closes_at, JKT)
    assert (local.hour, local.minute) == (23, 59)
    assert local.date() == timezone.localtime(call.objection_opens_at, JKT).date() + dt.timedelta(days=5)
    actions = set(AuditEvent.objects.filter(target_id=str(call.pk)).values_list("action", flat=True))
    assert {"call.finalists_announced", "call.objection_window_opened"} <= actions
    # The finalists' agencies are told.
    told = set(Notification.objects.filter(kind="call_finalist").values_list("recipient_id", flat=True))
    assert told == {admins[0].pk, admins[1].pk}


def test_announce_is_for_leads_and_only_once():
    call, _entries, lead = judged_call()
    with pytest.raises(Exception, match="moderator utama"):
        finalists_announce(call_id=call.pk, by=moderator())
    finalists_announce(call_id=call.pk, by=lead)
    with pytest.raises(Exception, match="tahap penilaian"):
        finalists_announce(call_id=call.pk, by=lead)


def test_window_end_is_the_end_of_a_jakarta_calendar_day():
    start = dt.datetime(2026, 3, 2, 23, 30, tzinfo=JKT)  # Monday, late evening in Jakarta (16:30 UTC)
    end = objection_window_end(start=start, days=5)
    assert end == dt.datetime(2026, 3, 7, 23, 59, 59, 999999, tzinfo=JKT)


# Filing and confirming -----------------------------------------------------------------------------------


def test_an_objection_waits_unconfirmed_until_the_email_link_is_opened():
    call, finalists, _lead = finalists_call()
    objection = _filed(call, finalists[0])
    assert objection.status == "unconfirmed" and len(objection.confirm_token_hash) == 64
    notification = Notification.objects.get(kind="objection_confirm")
    assert notification.email == "warga@contoh.id" and notification.recipient is None
    token = objection_token(notification)
    assert token not in objection.confirm_token_hash  # only the hash is stored on the objection
    # The moderators' queue does not show it yet.
    mod = moderator()
    client = Client()
    client.force_login(mod)
    page = client.get(reverse("competitions:objection_queue", args=[call.slug]))
    assert TEXT not in page.content.decode()
    confirmed = objection_confirm(token=token)
    assert confirmed.status == "pending" and confirmed.confirmed_at
    assert TEXT in client.get(reverse("competitions:objection_queue", args=[call.slug])).content.decode()
    assert AuditEvent.objects.filter(action="objection.confirmed", target_id=str(objection.pk)).exists()


def test_the_confirmation_link_asks_before_it_confirms_and_expires_with_the_window():
    call, finalists, _lead = finalists_call()
    _filed(call, finalists[0])
    token = objection_token(Notification.objects.get(kind="objection_confirm"))
    url = reverse("competitions:objection_confirm", args=[token])
    client = Client()
    assert client.get(url).status_code == 200
    assert Objection.objects.get().status == "unconfirmed"  # a mail scanner's GET confirms nothing
    assert client.post(url).status_code == 200
    assert Objection.objects.get().status == "pending"
    _expire(call)
    assert client.get(url).status_code == 404
    assert client.get(reverse("competitions:objection_confirm", args=["tidak-ada"])).status_code == 404


def test_an_objection_after_the_window_is_refused_and_the_typing_kept():
    call, finalists, _lead = finalists_call()
    _expire(call)
    url = reverse("competitions:objection_new", args=[call.slug, finalists[0].pk])
    response = Client().post(url, _form())
    body = response.content.decode()
    assert response.status_code == 400
    assert "Masa sanggah panggilan ini sudah berakhir" in body
    assert TEXT in body and "warga@contoh.id" in body  # nothing typed is lost
    assert not Objection.objects.exists()
    with pytest.raises(Exception, match="Masa sanggah"):
        _filed(call, finalists[0])


def test_a_renamed_executable_is_refused_with_a_clear_message_and_the_typing_kept():
    call, finalists, _lead = finalists_call()
    url = reverse("competitions:objection_new", args=[call.slug, finalists[0].pk])
    upload = SimpleUploadedFile("bukti.pdf", EXE, content_type="application/pdf")
    response = Client().post(url, {**_form(), "attachments": [upload]})
    body = response.content.decode()
    assert response.status_code == 400
    assert "program atau skrip yang dapat dijalankan" in body and "bukti.pdf" in body
    assert TEXT in body
    assert not Objection.objects.exists()


def test_a_valid_pdf_is_kept_with_the_objection():
    call, finalists, _lead = finalists_call()
    url = reverse("competitions:objection_new", args=[call.slug, finalists[0].pk])
    upload = SimpleUploadedFile("foto-loket.pdf", PDF, content_type="application/pdf")
    response = Client().post(url, {**_form(), "attachments": [upload]})
    assert response.status_code == 200, response.content.decode()[:2000]
    objection = Objection.objects.get()
    [stored] = objection.files.all()
    assert (stored.original_name, stored.mime_type, stored.size) == ("foto-loket.pdf", "application/pdf", len(PDF))
    assert not stored.file.name.endswith("foto-loket.pdf")  # stored under a random name


@override_settings(RATELIMIT_RATES={})
def test_a_flood_from_one_email_address_is_refused_with_a_clear_message():
    call, finalists, _lead = finalists_call()
    url = reverse("competitions:objection_new", args=[call.slug, finalists[0].pk])
    statuses = []
    for n in range(4):
        # Different client addresses, the same email: the per-address limit (3/day) stops the fourth.
        response = Client(REMOTE_ADDR=f"10.9.0.{n + 1}").post(url, _form())
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429]
    assert "Terlalu banyak sanggahan" in response.content.decode() and TEXT in response.content.decode()
    assert Objection.objects.count() == 3


@override_settings(RATELIMIT_RATES={})
def test_a_flood_from_one_client_address_is_refused():
    call, finalists, _lead = finalists_call()
    url = reverse("competitions:objection_new", args=[call.slug, finalists[0].pk])
    client = Client(REMOTE_ADDR="10.9.1.1")
    statuses = [client.post(url, _form(email=f"orang{n}@contoh.id")).status_code for n in range(6)]
    assert statuses == [200, 200, 200, 200, 200, 429]
    assert Objection.objects.count() == 5


def test_the_honeypot_stores_nothing_and_answers_like_a_success():
    call, finalists, _lead = finalists_call()
    url = reverse("competitions:objection_new", args=[call.slug, finalists[0].pk])
    response = Client().post(url, _form(website="http://spam.example"))
    assert response.status_code == 200
    assert not Objection.objects.exists() and not Notification.objects.filter(kind="objection_confirm").exists()


def test_the_form_marks_the_honeypot_for_assistive_technology_and_works_in_english():
    call, finalists, _lead = finalists_call()
    with translation.override("en"):
        url = reverse("competitions:objection_new", args=[call.slug, finalists[0].pk])
    body = Client().get(url).content.decode()
    assert 'aria-hidden="true"' in body and 'tabindex="-1"' in body
    assert url.startswith("/en/")


# Moderation, answer, finding -------------------------------------------------------------------------------


def _confirmed(call, entry, **kw):
    _filed(call, entry, **kw)
    token = objection_token(Notification.objects.filter(kind="objection_confirm").latest("pk"))
    return objection_confirm(token=token)


def test_moderation_accepts_or_dismisses_with_a_reason_and_tells_the_agency():
    call, finalists, _lead = finalists_call()
    admin = agency_admin(finalists[0].agency.code, email="admin-sanggah@contoh.id")
    mod = moderator()
    spam = _confirmed(call, finalists[0], email="a@contoh.id")
    real = _confirmed(call, finalists[0], email="b@contoh.id")
    with pytest.raises(Exception, match="alasan"):
        objection_moderate(objection_id=spam.pk, by=mod, accept=False, reason="")
    objection_moderate(objection_id=spam.pk, by=mod, accept=False, reason="spam")
    objection_moderate(objection_id=real.pk, by=mod, accept=True)
    assert Objection.objects.get(pk=spam.pk).status == "dismissed"
    assert Objection.objects.get(pk=real.pk).status == "accepted"
    assert Notification.objects.filter(kind="objection_received", recipient=admin).count() == 1
    with pytest.raises(Exception, match="sudah diperiksa"):
        objection_moderate(objection_id=real.pk, by=mod, accept=True)
    with pytest.raises(PermissionDenied):
        objection_moderate(objection_id=spam.pk, by=member(), accept=True)


def test_the_agency_answers_once_and_the_lead_disqualifies():
    call, finalists, lead = finalists_call()
    staff = member(finalists[0].agency.code, email="staf-sanggah@contoh.id")
    objection = _confirmed(call, finalists[0])
    objection_moderate(objection_id=objection.pk, by=moderator(), accept=True)
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("competitions:agency_objections"))
    assert TEXT in page.content.decode() and "warga@contoh.id" not in page.content.decode()
    assert "Warga Uji" not in page.content.decode()
    objection = Objection.objects.get(pk=objection.pk)
    objection_answer(objection=objection, by=staff, answer="Sudah berjalan sejak Januari; lihat laporan.")
    with pytest.raises(Exception, match="hanya sekali"):
        objection_answer(objection=objection, by=staff, answer="Jawaban kedua.")
    response = client.post(reverse("competitions:objection_answer", args=[objection.pk]), {"answer": "Ketiga kali."})
    assert response.status_code == 400 and "hanya sekali" in response.content.decode()
    objection_decide(objection_id=objection.pk, by=lead, upheld=True, finding="disqualified", note="Tidak berjalan.")
    assert Entry.objects.get(pk=finalists[0].pk).status == "disqualified"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"objection.filed", "objection.accepted", "objection.answered", "objection.decided"} <= actions
    assert "entry.disqualified" in actions


def test_only_leads_see_the_objectors_name_and_email():
    call, finalists, lead = finalists_call()
    _confirmed(call, finalists[0])
    url = reverse("competitions:objection_queue", args=[call.slug])
    as_mod, as_lead = Client(), Client()
    as_mod.force_login(moderator())
    as_lead.force_login(lead)
    mod_page, lead_page = as_mod.get(url).content.decode(), as_lead.get(url).content.decode()
    assert TEXT in mod_page and "warga@contoh.id" not in mod_page and "Warga Uji" not in mod_page
    assert "warga@contoh.id" in lead_page and "Warga Uji" in lead_page
    for role_user in (None, member(finalists[0].agency.code)):
        client = Client()
        if role_user:
            client.force_login(role_user)
        assert client.get(url).status_code in (302, 404)


# The window closes by itself; the public counts ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_beat_job_closes_the_window_once_through_the_worker(celery_worker):
    call, finalists, _lead = finalists_call()
    _expire(call)
    objection_windows_close_task.delay()
    assert _wait_for(lambda: Call.objects.get(pk=call.pk).status == Call.Status.DELIBERATION)
    objection_windows_close_task.delay()  # idempotent: a second run changes nothing
    objection_windows_close_task.delay()
    time.sleep(1.5)
    assert objection_windows_close() == []
    call.refresh_from_db()
    assert call.status == Call.Status.DELIBERATION and call.objection_closed_at
    assert AuditEvent.objects.filter(action="call.objection_window_closed", target_id=str(call.pk)).count() == 1


def test_public_counts_show_after_the_window_and_leave_out_spam_and_unchecked():
    call, finalists, lead = finalists_call()
    mod = moderator()
    upheld = _confirmed(call, finalists[0], email="a@contoh.id")
    spam = _confirmed(call, finalists[0], email="b@contoh.id")
    _confirmed(call, finalists[0], email="c@contoh.id")  # pending: not counted
    _filed(call, finalists[0], email="d@contoh.id")  # unconfirmed: not counted
    objection_moderate(objection_id=upheld.pk, by=mod, accept=True)
    objection_moderate(objection_id=spam.pk, by=mod, accept=False, reason="abusive")
    objection_decide(objection_id=upheld.pk, by=lead, upheld=True, finding="continues")
    url = reverse("competitions:finalists", args=[call.slug])
    during = Client().get(url).content.decode()
    assert "terbukti" not in during and "Ajukan sanggahan" in during
    objection_windows_close(now=call.objection_closes_at + dt.timedelta(seconds=1))
    after = Client().get(url).content.decode()
    assert "1 sanggahan" in after and "1 terbukti, 0 tidak terbukti, 0 masih diperiksa" in after
    assert "Ajukan sanggahan" not in after
    assert "a@contoh.id" not in after and "Warga Uji" not in after


# Query budgets -------------------------------------------------------------------------------------------------


def _queries(django_assert_max_num_queries, url, client=None, budget=12):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client or Client()
    with CaptureQueriesContext(connection) as ctx, django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_finalists_page_reads_the_same_queries_for_two_or_three_finalists(django_assert_max_num_queries):
    two, _f2, _l2 = finalists_call(advanced=2)
    three, _f3, _l3 = finalists_call(advanced=3)
    for call in (two, three):
        _expire(call)
    objection_windows_close()
    counts = [
        _queries(django_assert_max_num_queries, reverse("competitions:finalists", args=[c.slug]), budget=8)
        for c in (two, three)
    ]
    assert counts[0] == counts[1]


def test_the_moderators_queue_reads_the_same_queries_for_one_or_three_objections(django_assert_max_num_queries):
    call, finalists, lead = finalists_call()
    client = Client()
    client.force_login(lead)
    url = reverse("competitions:objection_queue", args=[call.slug])
    _confirmed(call, finalists[0], email="satu@contoh.id")
    client.get(url)  # the first request of a session records it (accounts' session list)
    one = _queries(django_assert_max_num_queries, url, client, budget=15)
    _confirmed(call, finalists[1], email="dua@contoh.id")
    _confirmed(call, finalists[0], email="tiga@contoh.id")
    assert _queries(django_assert_max_num_queries, url, client, budget=15) == one


def test_an_unconfirmed_objection_cannot_be_moderated_or_opened():
    call, finalists, lead = finalists_call()
    objection = _filed(call, finalists[0])
    client = Client()
    client.force_login(moderator())
    response = client.post(reverse("competitions:objection_moderate", args=[objection.pk]), {"decision": "accept"})
    assert response.status_code == 404
    with pytest.raises(Exception, match="sudah diperiksa"):
        objection_moderate(objection_id=objection.pk, by=lead, accept=True)
    assert Objection.objects.get(pk=objection.pk).status == "unconfirmed"
