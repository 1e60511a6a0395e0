"""Read endpoints: agencies, practices (every filter, search, ordering, detail, ETag), replications."""

from datetime import date

import pytest
from django.core.cache import cache

from agencies.models import Agency
from ledger.models import Replication
from practices.models import Attachment
from tests.agencies.factories import member
from tests.api.factories import token_client
from tests.practices.factories import practice_draft, practice_published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle_leftovers():
    cache.clear()


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_agencies_filters_and_detail_by_code(client):
    practice_published(title="Praktik Surabaya", agency="35.78")
    body = client.get("/api/v1/agencies/", {"kind": "kota", "province": "35", "q": "surabaya"}).json()
    assert [a["code"] for a in body["results"]] == ["35.78"]
    assert body["results"][0]["practice_count"] == 1
    assert body["results"][0]["province_code"] == "35"
    assert client.get("/api/v1/agencies/", {"kind": "provinsi"}).json()["count"] == 38
    detail = client.get("/api/v1/agencies/35.78/").json()
    assert detail["name"] == Agency.objects.get(code="35.78").name and detail["kind"] == "kota"
    assert client.get("/api/v1/agencies/kemenpanrb/").json()["region_code"] == ""
    assert client.get("/api/v1/agencies/99.99/").status_code == 404
    bad = client.get("/api/v1/agencies/", {"kind": "planet"})
    assert bad.status_code == 400 and "kind" in bad.json()["error"]["fields"]


def test_practice_list_is_published_only_and_each_filter_applies(client):
    a = practice_published(
        title="Perizinan kilat", agency="35.78", theme="investasi", stage="penerapan", start_year=2019
    )
    b = practice_published(
        title="Posyandu digital",
        agency="32.04",
        theme="kemiskinan",
        stage="uji_coba",
        start_year=2022,
        evidence_level="ministry_validated",
        replication_count=2,
        indicator={
            "name": "Balita terlayani",
            "unit": "persen",
            "baseline_value": 10,
            "target_value": 50,
            "values": [("2024-01-01", "60")],
        },
    )
    c = practice_published(title="Sistem merit", agency="kemenpanrb", theme="sdm-aparatur", start_year=2020)
    practice_draft(title="Draf rahasia")
    assert sorted(ids(client.get("/api/v1/practices/"))) == sorted([a.pk, b.pk, c.pk])
    cases = {
        "theme=investasi": [a.pk],
        "track=tematik": sorted([a.pk, b.pk]),
        "kind=kota": [a.pk],
        "kind=kementerian": [c.pk],
        "province=32": [b.pk],
        "region=35.78": [a.pk],
        "stage=uji_coba": [b.pk],
        "evidence=ministry_validated": [b.pk],
        "year_from=2020": sorted([b.pk, c.pk]),
        "year_to=2019": [a.pk],
        "reached=true": [b.pk],
        "replicated=true": [b.pk],
    }
    for query, expected in cases.items():
        assert sorted(ids(client.get(f"/api/v1/practices/?{query}"))) == expected, query


def test_practice_search_ranking_ordering_and_stable_pages(client):
    made = [practice_published(title=f"Layanan nomor {n}", summary="Layanan publik.") for n in range(5)]
    target = practice_published(title="Perizinan berusaha terpadu", summary="Perizinan usaha dalam satu hari.")
    assert ids(client.get("/api/v1/practices/", {"q": "perizinan"})) == [target.pk]
    by_title = ids(client.get("/api/v1/practices/", {"ordering": "title"}))
    assert by_title[0] == made[0].pk
    # Equal published dates and counts: the id decides, so two pages never overlap.
    first = ids(client.get("/api/v1/practices/", {"ordering": "-replication_count", "page_size": 3}))
    second = ids(client.get("/api/v1/practices/", {"ordering": "-replication_count", "page_size": 3, "page": 2}))
    assert len(first) == 3 and not set(first) & set(second) and len(first + second) == 6
    assert client.get("/api/v1/practices/", {"ordering": "password"}).status_code == 200  # unknown keys ignored


def test_practice_detail_has_indicators_attachments_and_replication_counts(client):
    practice = practice_published(
        title="Kartu sehat",
        contact_email="rahasia@example.go.id",
        indicator={"name": "Kunjungan", "unit": "orang", "target_value": 5, "values": [("2024-02-01", "7")]},
    )
    attachment = Attachment.objects.create(
        practice=practice,
        revision=practice.live_revision,
        original_name="bukti.pdf",
        mime_type="application/pdf",
        size=10,
        sha256="0" * 64,
        file="attachments/x",
    )
    practice.live_revision.files.add(attachment)  # the revision shows it, as attachment_add links it
    Replication.objects.create(source=practice, agency=Agency.objects.get(code="32.04"), stage="launched")
    body = client.get(f"/api/v1/practices/{practice.pk}/").json()
    assert body["title"] == "Kartu sehat" and body["revision_state"] == "published"
    assert body["indicators"][0]["values"] == [
        {"value": "7.0000", "date": "2024-02-01", "source": "", "evidence_url": ""}
    ]
    assert body["attachments"][0]["download_url"].endswith(f"/kelola/lampiran/{body['attachments'][0]['id']}/unduh/")
    assert body["replications"] == {"total": 1, "by_stage": {"launched": 1}}
    assert body["contact_email"] is None  # the public never sees it
    colleague = token_client(member("32.04"))
    assert colleague.get(f"/api/v1/practices/{practice.pk}/").json()["contact_email"] == "rahasia@example.go.id"


def test_detail_etag_and_last_modified_answer_304(client):
    practice = practice_published(title="Kartu sehat")
    first = client.get(f"/api/v1/practices/{practice.pk}/")
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(f"/api/v1/practices/{practice.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get(f"/api/v1/practices/{practice.pk}/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    other = client.get(f"/api/v1/practices/{practice.pk}/", HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200
    Replication.objects.create(source=practice, agency=Agency.objects.get(code="32.04"))
    changed = client.get(f"/api/v1/practices/{practice.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_drafts_are_visible_only_to_their_agency(client):
    author = member("35.78")
    draft = practice_draft(title="Draf Surabaya", by=author)
    assert client.get(f"/api/v1/practices/{draft.pk}/").status_code == 404
    assert token_client(member("32.04")).get(f"/api/v1/practices/{draft.pk}/").status_code == 404
    own = token_client(member("35.78")).get(f"/api/v1/practices/{draft.pk}/")
    assert own.status_code == 200 and own.json()["revision_state"] == "draft"
    assert own["Cache-Control"] == "private, no-store"
    assert draft.pk not in ids(token_client(author).get("/api/v1/practices/"))


def test_replications_list_and_filters(client):
    practice = practice_published(title="Asal")
    hidden = practice_draft(title="Draf")
    Replication.objects.create(source=practice, agency=Agency.objects.get(code="32.04"), stage="study")
    Replication.objects.create(source=practice, agency=Agency.objects.get(code="35.15"), stage="interest")
    Replication.objects.create(source=hidden, agency=Agency.objects.get(code="35.15"))
    body = client.get("/api/v1/replications/").json()
    assert body["count"] == 2 and {r["source_practice"] for r in body["results"]} == {practice.pk}
    assert [r["agency_code"] for r in client.get("/api/v1/replications/?stage=study").json()["results"]] == ["32.04"]
    assert client.get("/api/v1/replications/?agency=35.15").json()["count"] == 1
    assert client.get(f"/api/v1/replications/?source={practice.pk}").json()["count"] == 2


def test_list_endpoints_keep_a_fixed_query_budget(client, django_assert_max_num_queries):
    for n in range(12):
        practice = practice_published(title=f"Praktik {n}", other_themes=("investasi",))
        Replication.objects.create(source=practice, agency=Agency.objects.get(code="32.04"), started_by=None)
    for url in ["/api/v1/practices/", "/api/v1/agencies/", "/api/v1/replications/", "/api/v1/practices/?q=praktik"]:
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200


def test_dates_are_iso(client):
    practice = practice_published(title="Tanggal")
    body = client.get(f"/api/v1/practices/{practice.pk}/").json()
    assert date.fromisoformat(body["published_at"][:10])


def test_practice_list_total_is_kept_per_filter_and_follows_a_publish(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    practice_published(title="Satu", theme="kemiskinan")
    practice_published(title="Dua", theme="investasi")
    assert client.get("/api/v1/practices/").json()["count"] == 2
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/practices/", {"page_size": 1}).json()
    assert body["count"] == 2 and not any("COUNT(" in q["sql"] for q in queries.captured_queries)
    assert client.get("/api/v1/practices/", {"theme": "kemiskinan"}).json()["count"] == 1  # its own total
    assert client.get("/api/v1/practices/", {"q": "zzzzqq"}).json()["count"] == 0
    practice_published(title="Tiga", theme="kemiskinan")  # publishing bumps the version
    assert client.get("/api/v1/practices/").json()["count"] == 3
    assert client.get("/api/v1/practices/", {"theme": "kemiskinan"}).json()["count"] == 2
