"""A practice page's similar practices are stored when they change (never computed per view), and a publish makes
stale only the cached pages it changed (issue #20: cache as a bonus, not a crutch)."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.cache import public_cache_invalidate
from practices.models import Practice, PracticeNeighbours
from practices.services.neighbours import (
    practice_neighbours_compute,
    practice_neighbours_refresh,
    practice_neighbours_sweep,
)
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    public_cache_invalidate()


# Stored neighbours ------------------------------------------------------------------------------------------


def test_a_practice_page_reads_stored_neighbours_and_computes_no_similarity(client):
    practice = practice_published(title="Antrean daring kelurahan", theme="pelayanan-publik")
    close = practice_published(title="Antrean daring kecamatan", theme="pelayanan-publik", agency="32.04")
    practice_published(title="Mal pelayanan publik terpadu", theme="kemiskinan", agency="32.04")
    practice_neighbours_refresh(practice_id=close.pk)  # what the task queued after the publish does
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/praktik/{practice.slug}/")
    assert [p.slug for p in response.context["related"]] == [close.slug]
    assert "Praktik terkait" in response.content.decode()
    sql = " ".join(q["sql"].lower() for q in queries.captured_queries)
    assert "similarity" not in sql and "practices_practiceneighbours" in sql


def test_a_practice_without_stored_neighbours_shows_none_and_no_error(client):
    practice = practice_published(title="Antrean daring kelurahan", theme="pelayanan-publik")
    practice_published(title="Antrean daring kecamatan", theme="pelayanan-publik", agency="32.04")
    PracticeNeighbours.objects.all().delete()
    response = client.get(f"/praktik/{practice.slug}/")
    assert response.status_code == 200 and response.context["related"] == [] and response.context["like_you"] == []
    assert "Praktik terkait" not in response.content.decode()


def test_a_withdrawn_neighbour_is_not_shown_and_the_lists_naming_it_are_recomputed(client):
    practice = practice_published(title="Antrean daring kelurahan", theme="pelayanan-publik")
    gone = practice_published(title="Antrean daring kecamatan", theme="pelayanan-publik", agency="32.04")
    practice_neighbours_refresh(practice_id=gone.pk)
    assert PracticeNeighbours.objects.get(practice=practice).related == [gone.pk]
    Practice.objects.filter(pk=gone.pk).update(status=Practice.Status.ARCHIVED)
    public_cache_invalidate()
    # Read before the task ran: the withdrawn practice is left out.
    assert client.get(f"/praktik/{practice.slug}/?a=1").context["related"] == []
    practice_neighbours_refresh(practice_id=gone.pk)
    assert PracticeNeighbours.objects.get(practice=practice).related == []
    assert not PracticeNeighbours.objects.filter(practice=gone).exists()


def test_the_sweep_fills_missing_lists_and_drops_those_of_withdrawn_practices():
    one = practice_published(title="Antrean daring kelurahan", theme="pelayanan-publik")
    two = practice_published(title="Antrean daring kecamatan", theme="pelayanan-publik", agency="32.04")
    PracticeNeighbours.objects.all().delete()
    practice_neighbours_compute(practice_id=two.pk)
    Practice.objects.filter(pk=two.pk).update(status=Practice.Status.ARCHIVED)
    result = practice_neighbours_sweep()
    assert result == {"filled": 1, "refreshed": 0, "removed": 1}
    assert list(PracticeNeighbours.objects.values_list("practice_id", flat=True)) == [one.pk]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_publish_queues_the_computation_after_commit(celery_worker):
    practice = practice_published(title="Antrean daring kelurahan", theme="pelayanan-publik")
    later = practice_published(title="Antrean daring kecamatan", theme="pelayanan-publik", agency="32.04")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        row = PracticeNeighbours.objects.filter(practice=practice).first()
        if row is not None and row.related == [later.pk]:
            break
        time.sleep(0.2)
    # The earlier practice's list was recomputed when the later one was published (it is close to it).
    assert PracticeNeighbours.objects.get(practice=practice).related == [later.pk]
    assert PracticeNeighbours.objects.get(practice=later).related == [practice.pk]


# Invalidation by what changed -------------------------------------------------------------------------------


def test_a_publish_in_one_theme_keeps_another_theme_s_cached_list(client):
    practice_published(title="Mal pelayanan publik", theme="pelayanan-publik")
    kept = practice_published(title="Data kemiskinan desa", theme="kemiskinan", agency="32.04")
    pages = [
        "/praktik/?theme=pelayanan-publik",
        "/praktik/?theme=kemiskinan",
        "/",
        "/praktik/",
        f"/praktik/{kept.slug}/",
    ]
    for url in pages:
        assert client.get(url)["X-Cache"] == "miss", url
        assert client.get(url)["X-Cache"] == "hit", url

    practice_published(title="Antrean daring puskesmas", theme="pelayanan-publik")

    # The other theme's list and the other practice's page are kept ...
    assert client.get("/praktik/?theme=kemiskinan")["X-Cache"] == "hit"
    assert client.get(f"/praktik/{kept.slug}/")["X-Cache"] == "hit"
    # ... its theme's list, the unfiltered list and the home page are fresh.
    for url in ["/praktik/?theme=pelayanan-publik", "/praktik/", "/"]:
        response = client.get(url)
        assert response["X-Cache"] == "miss" and "Antrean daring puskesmas" in response.content.decode(), url
    # Kept counts follow every publish (the home page's numbers).
    assert client.get("/?n=1").context["numbers"]["practices"] == 3


def test_a_new_revision_makes_the_lists_of_the_theme_it_left_fresh(client):
    from practices.models import PracticeRevision, Theme
    from practices.services.publishing import practice_publish

    practice = practice_published(title="Mal pelayanan publik", theme="pelayanan-publik")
    assert "Mal pelayanan publik" in client.get("/praktik/?theme=pelayanan-publik").content.decode()
    revision = PracticeRevision.objects.create(
        practice=practice,
        number=2,
        title="Mal pelayanan publik",
        summary="Baru.",
        primary_theme=Theme.objects.get(code="kemiskinan"),
    )
    practice_publish(practice=Practice.objects.get(pk=practice.pk), revision=revision)
    response = client.get("/praktik/?theme=pelayanan-publik")
    assert response["X-Cache"] == "miss" and "Mal pelayanan publik" not in response.content.decode()


def test_a_publish_makes_its_agency_and_province_pages_fresh_and_keeps_others(client):
    practice_published(title="Di Bandung", agency="32.04")
    for url in ["/instansi/kota-surabaya-3578/", "/praktik/?province=35", "/praktik/?province=32"]:
        client.get(url)
    practice_published(title="Antrean di Surabaya", agency="35.78")
    assert client.get("/praktik/?province=32")["X-Cache"] == "hit"
    for url in ["/instansi/kota-surabaya-3578/", "/praktik/?province=35"]:
        response = client.get(url)
        assert response["X-Cache"] == "miss" and "Antrean di Surabaya" in response.content.decode(), url


def test_invalidate_all_still_makes_every_page_stale(client):
    practice = practice_published(title="Mal pelayanan publik", theme="pelayanan-publik")
    pages = ["/praktik/?theme=kemiskinan", f"/praktik/{practice.slug}/", "/", "/tema/"]
    for url in pages:
        client.get(url)
        assert client.get(url)["X-Cache"] == "hit", url
    public_cache_invalidate()
    for url in pages:
        assert client.get(url)["X-Cache"] == "miss", url


def test_the_api_list_is_kept_per_theme_like_the_list_page(client):
    """Issue #20: the API list gets the page cache and its tags; a publish in one theme keeps another theme's
    list, and the list of the theme it changed answers the new practice at once."""
    practice_published(title="Mal pelayanan publik", theme="pelayanan-publik")
    practice_published(title="Data kemiskinan desa", theme="kemiskinan", agency="32.04")
    urls = ["/api/v1/practices/?theme=pelayanan-publik", "/api/v1/practices/?theme=kemiskinan", "/api/v1/practices/"]
    for url in urls:
        assert client.get(url)["X-Cache"] == "miss", url
        assert client.get(url)["X-Cache"] == "hit", url

    practice_published(title="Antrean daring puskesmas", theme="pelayanan-publik")

    kept = client.get("/api/v1/practices/?theme=kemiskinan")
    assert kept["X-Cache"] == "hit" and kept.json()["count"] == 1
    for url in ["/api/v1/practices/?theme=pelayanan-publik", "/api/v1/practices/"]:
        response = client.get(url)
        titles = [row["title"] for row in response.json()["results"]]
        assert response["X-Cache"] == "miss" and "Antrean daring puskesmas" in titles, url


def test_the_api_list_is_kept_per_host_and_never_for_a_signed_in_caller(client):
    from tests.agencies.factories import member

    for i in range(21):  # two pages: the `next` link carries the host the caller asked
        practice_published(title=f"Antrean daring {i}", theme="pelayanan-publik")
    first = client.get("/api/v1/practices/")
    other_host = client.get("/api/v1/practices/", HTTP_HOST="localhost")
    assert first["X-Cache"] == other_host["X-Cache"] == "miss"
    assert first.json()["next"].startswith("http://testserver/")
    assert other_host.json()["next"].startswith("http://localhost/")
    user = member()
    user.save()  # the factory sets the password without saving it; saved, the session stays valid
    client.force_login(user)
    response = client.get("/api/v1/practices/")
    assert response.status_code == 200 and "X-Cache" not in response
