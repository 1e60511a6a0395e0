"""The calls' and reviews' pages: both languages, query budgets, and bad input answered with the form again
(what was typed kept, the refusal said), never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from competitions.kipp import KIPP_CRITERIA, KIPP_STAGES
from competitions.models import Call, Entry, Review
from competitions.services.reviews import review_assign, reviews_assign_auto
from tests.accounts.factories import moderator
from tests.agencies.factories import agency_admin, member
from tests.practices.factories import practice_published

from .factories import call, call_judging, entry, reviewer

pytestmark = pytest.mark.django_db


def _formset(prefix: str, rows: list[dict], *, total: int | None = None) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(total or len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "30",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is None or value is False:
                continue
            data[f"{prefix}-{i}-{key}"] = "on" if value is True else str(value)
    return data


def _call_post(**overrides) -> dict:
    data = {
        "title": "KIPP 2027",
        "description": "Kompetisi **inovasi** pelayanan publik.",
        "opens_at": "2027-01-10T08:00",
        "closes_at": "2027-03-31T23:59",
        "objection_days": "5",
        **_formset("criteria", KIPP_CRITERIA),
        **_formset("stages", KIPP_STAGES),
    }
    data.update(overrides)
    return data


def test_the_lead_creates_a_call_with_kipp_defaults_in_jakarta_time(client):
    lead = moderator(lead=True)
    client.force_login(lead)
    page = client.get(reverse("competitions:call_new"))
    assert page.status_code == 200 and "Kebaruan" in page.content.decode()
    response = client.post(reverse("competitions:call_new"), _call_post())
    assert response.status_code == 302, response.content.decode().split("data-error-summary>")[1][:1500]
    made = Call.objects.get()
    assert made.status == Call.Status.DRAFT and made.criteria.count() == 6 and made.stages.count() == 5
    with timezone.override("Asia/Jakarta"):
        assert timezone.localtime(made.closes_at).strftime("%Y-%m-%d %H:%M") == "2027-03-31 23:59"
    assert made.closes_at.utcoffset() is not None
    assert timezone.localtime(made.closes_at, timezone.get_fixed_timezone(0)).hour == 16  # 23:59 WIB = 16:59 UTC


def test_weights_not_adding_up_come_back_with_what_was_typed(client):
    client.force_login(moderator(lead=True))
    criteria = [dict(c) for c in KIPP_CRITERIA]
    criteria[0]["weight"] = 30  # 110 in total
    response = client.post(
        reverse("competitions:call_new"),
        _call_post(title="Panggilan dengan bobot salah", **_formset("criteria", criteria)),
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "harus 100" in text and "Panggilan dengan bobot salah" in text and 'value="30"' in text
    assert not Call.objects.exists()


def test_call_list_and_page_in_both_languages_with_a_countdown(client):
    c = call(title="RBXperience 2027: RB Tematik kemiskinan", days=10)
    entry(c)
    response = client.get(reverse("competitions:call_list"))
    assert response.status_code == 200 and "RBXperience 2027" in response.content.decode()
    page = client.get(reverse("competitions:call_detail", args=[c.slug])).content.decode()
    assert "hari lagi" in page and f'datetime="{timezone.localtime(c.closes_at).isoformat()}"' in page
    assert "Daftar peserta ditampilkan setelah pendaftaran ditutup." in page
    with translation.override("en"):
        url = reverse("competitions:call_detail", args=[c.slug])
    assert url.startswith("/en/competitions/")
    english = client.get(url).content.decode()
    assert "days left" in english and "Assessment stages" in english


def test_query_budgets_of_the_list_the_call_page_and_the_dashboard(client, django_assert_max_num_queries):
    for i in range(3):
        c = call(title=f"Panggilan {i}")
        entry(c)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("competitions:call_list")).status_code == 200
    judging, entries = call_judging()
    page = reverse("competitions:call_detail", args=[judging.slug])
    with django_assert_max_num_queries(10):
        assert client.get(page).status_code == 200
    person = reviewer(judging)
    reviewer(judging)
    reviews_assign_auto(actor=judging.lead, stage_id=judging.stages.get(position=1).pk)
    client.force_login(person)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("competitions:review_dashboard"))
    assert response.status_code == 200 and response.content.decode().count("/kompetisi/penilaian/") == 3


def test_an_entry_after_the_deadline_is_refused_with_a_clear_message(client):
    c = call()
    admin = agency_admin("35.78")
    practice = practice_published(agency="35.78", title="Layanan keliling kelurahan")
    client.force_login(admin)
    page = client.get(reverse("competitions:call_detail", args=[c.slug])).content.decode()
    assert "Layanan keliling kelurahan" in page and "Daftarkan praktik" in page
    Call.objects.filter(pk=c.pk).update(closes_at=timezone.now() - timedelta(seconds=1))  # the form was open
    response = client.post(reverse("competitions:call_enter", args=[c.slug]), {"practice": practice.pk})
    assert response.status_code == 400
    assert "Pendaftaran panggilan ini sudah ditutup" in response.content.decode()
    assert not Entry.objects.exists()


def test_an_agency_admin_enters_and_withdraws_from_the_page(client):
    c = call()
    admin = agency_admin("35.78")
    practice = practice_published(agency="35.78", title="Layanan keliling kelurahan")
    client.force_login(admin)
    response = client.post(reverse("competitions:call_enter", args=[c.slug]), {"practice": practice.pk})
    assert response.status_code == 302
    made = Entry.objects.get()
    page = client.get(reverse("competitions:call_detail", args=[c.slug])).content.decode()
    assert "Tarik pendaftaran" in page
    client.post(reverse("competitions:entry_withdraw", args=[made.pk]))
    made.refresh_from_db()
    assert made.status == Entry.Status.WITHDRAWN
    # A member of the agency reads the entry page; another agency's admin gets 404.
    client.force_login(member("35.78"))
    assert client.get(reverse("competitions:entry_detail", args=[made.pk])).status_code == 200
    client.force_login(agency_admin("32.04"))
    assert client.get(reverse("competitions:entry_detail", args=[made.pk])).status_code == 404


def test_the_scoring_form_keeps_typed_scores_and_saves_the_total(client):
    c, entries = call_judging()
    stage = c.stages.get(position=1)
    person = reviewer(c, expert=True)
    review = review_assign(actor=c.lead, stage_id=stage.pk, entry_id=entries[0].pk, reviewer_id=person.pk)
    kebaruan, efektivitas = c.criteria.order_by("position")
    client.force_login(person)
    url = reverse("competitions:review_form", args=[review.pk])
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {f"score_{kebaruan.pk}": "12", f"score_{efektivitas.pk}": "7,5", "comment_for_author": "Bagus."}
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "Bagus." in text and 'value="12"' in text
    good = client.post(
        url, {f"score_{kebaruan.pk}": "8", f"score_{efektivitas.pk}": "7,5", "comment_for_author": "Bagus."}
    )
    assert good.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED and str(review.total) == "78.00"
    # Someone else's review is 404 for this expert, and the lead cannot open it either.
    other = review_assign(actor=c.lead, stage_id=stage.pk, entry_id=entries[1].pk, reviewer_id=reviewer(c).pk)
    assert client.get(reverse("competitions:review_form", args=[other.pk])).status_code == 404
    client.force_login(c.lead)
    assert client.get(url).status_code == 404


def test_the_lead_assigns_ranks_and_decides_from_the_stage_page(client):
    c, entries = call_judging()
    stage = c.stages.get(position=1)
    reviewer(c)
    reviewer(c)
    client.force_login(c.lead)
    url = reverse("competitions:stage_manage", args=[stage.pk])
    assert client.get(url).status_code == 200
    client.post(reverse("competitions:stage_assign_auto", args=[stage.pk]))
    assert Review.objects.filter(stage=stage).count() == 6
    refused = client.post(reverse("competitions:stage_advance", args=[stage.pk]), {"rule": "top_n", "top_n": "2"})
    assert refused.status_code == 400 and "belum mendapat" in refused.content.decode()
