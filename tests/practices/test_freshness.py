"""Freshness in public: a stopped practice stays public with its reason and lessons but leaves the default
listings (found with the "Status praktik" facet); a practice not confirmed for six months says so on its page,
its card and in the API (issue #14)."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from common.cache import public_cache_invalidate
from practices.models import Practice
from practices.selectors import facets
from practices.selectors import public as selectors
from practices.services import decisions
from tests.agencies.factories import member
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    public_cache_invalidate()


@pytest.fixture
def stopped():
    practice = practice_published(
        title="Antrean lewat SMS",
        summary="Antrean puskesmas lewat SMS.",
        theme="kemiskinan",
        failures="Warga tanpa pulsa tidak terlayani.",
        do_differently="Mulai dari kanal yang gratis.",
    )
    admin = member("35.78", role="admin")
    return decisions.practice_archive(
        practice=practice, by=admin, reason="Digantikan aplikasi antrean daring.", stopped=True
    )


def _stale(practice: Practice, days: int = 200) -> Practice:
    Practice.objects.filter(pk=practice.pk).update(last_confirmed_at=timezone.now() - timedelta(days=days))
    public_cache_invalidate()
    return Practice.objects.get(pk=practice.pk)


def test_a_stopped_practice_stays_public_with_its_reason_and_lessons(client, stopped):
    response = client.get(reverse("practices:detail", kwargs={"slug": stopped.slug}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Praktik ini dihentikan pada" in page and "Digantikan aplikasi antrean daring." in page
    assert "Warga tanpa pulsa tidak terlayani." in page and 'href="#lessons-heading"' in page
    assert stopped.freshness == Practice.Freshness.STOPPED


def test_a_stopped_practice_leaves_the_default_listings_and_is_found_with_the_facet(client, stopped):
    running = practice_published(title="Antrean daring", theme="kemiskinan")
    listed = client.get(reverse("practices:list")).content.decode()
    assert running.title in listed and stopped.title not in listed
    facet = client.get(reverse("practices:list"), {"freshness": "stopped"}).content.decode()
    assert stopped.title in facet and running.title not in facet
    assert "Dihentikan (1)" in listed and "Masih berjalan (1)" in listed  # the facet counts the hidden one

    searched = client.get(reverse("practices:list"), {"q": "antrean"}).content.decode()
    assert running.title in searched and stopped.title not in searched
    assert "Dihentikan (1)" in searched
    assert (
        stopped.title
        in client.get(reverse("practices:list"), {"q": "antrean", "freshness": "stopped"}).content.decode()
    )

    theme = client.get(reverse("practices:theme", kwargs={"code": "kemiskinan"})).content.decode()
    assert running.title in theme and stopped.title not in theme
    feed = client.get(reverse("feeds:latest")).content.decode()
    assert running.title in feed and stopped.title not in feed

    api = client.get("/api/v1/practices/").json()
    assert [row["id"] for row in api["results"]] == [running.pk]
    api = client.get("/api/v1/practices/", {"freshness": "stopped"}).json()
    assert [(row["id"], row["freshness"]) for row in api["results"]] == [(stopped.pk, "stopped")]
    detail = client.get(f"/api/v1/practices/{stopped.pk}/").json()
    assert detail["freshness"] == "stopped" and detail["stopped_reason"] == "Digantikan aplikasi antrean daring."


def test_not_recently_confirmed_shows_on_the_page_the_card_and_in_the_api(client):
    stale = _stale(practice_published(title="Kanal aduan warga"))
    since = timezone.localtime(stale.last_confirmed_at).strftime("%-d")
    flagged = practice_published(title="Layanan keliling")
    Practice.objects.filter(pk=flagged.pk).update(not_recently_confirmed=True)  # the check went unanswered
    fresh = practice_published(title="Mal pelayanan")
    public_cache_invalidate()

    def header(practice):  # the page's own header (related practices' cards follow it)
        page = client.get(reverse("practices:detail", kwargs={"slug": practice.slug})).content.decode()
        return page.split('<article class="practice">')[1].split("</header>")[0]

    assert "Belum dikonfirmasi sejak" in header(stale) and since in header(stale)
    assert "Belum dikonfirmasi sejak" not in header(fresh)
    cards = client.get(reverse("practices:list")).content.decode()
    assert cards.count("Belum dikonfirmasi sejak") == 2
    unconfirmed = client.get(reverse("practices:list"), {"freshness": "unconfirmed"}).content.decode()
    assert stale.title in unconfirmed and flagged.title in unconfirmed and fresh.title not in unconfirmed

    rows = {row["id"]: row["freshness"] for row in client.get("/api/v1/practices/").json()["results"]}
    assert rows == {stale.pk: "unconfirmed", flagged.pk: "unconfirmed", fresh.pk: "running"}
    assert client.get(f"/api/v1/practices/{stale.pk}/").json()["freshness"] == "unconfirmed"


def test_the_boundary_is_six_months():
    assert _stale(practice_published(), days=170).freshness == Practice.Freshness.RUNNING
    assert _stale(practice_published(), days=190).freshness == Practice.Freshness.UNCONFIRMED


@pytest.mark.parametrize("query", ["", "q=antrean", "freshness=stopped", "q=antrean&freshness=unconfirmed"])
def test_freshness_counts_are_those_of_one_query_per_state(query, stopped):
    _stale(practice_published(title="Antrean pasar", theme="investasi"))
    practice_published(title="Antrean kecamatan", theme="kemiskinan")
    result = selectors.practice_list(data=QueryDict(query), page_number=1)
    counts = {o.value: o.count for o in result.facets["freshness"] if o.count}
    plan_text = QueryDict(query).get("q", "")
    expected = {}
    for state in ("running", "unconfirmed", "stopped"):
        data = QueryDict(mutable=True)
        data["freshness"] = state
        if plan_text:
            data["q"] = plan_text
        n = selectors.practice_list(data=data, page_number=1).page.paginator.count
        if n:
            expected[state] = n
    assert counts == expected == ({"running": 1, "unconfirmed": 1, "stopped": 1})
    assert facets.FACETS_BY_NAME["freshness"].own_set


def test_the_list_page_query_count_does_not_grow_with_stopped_and_stale_practices(
    client, django_assert_max_num_queries
):
    for i in range(3):
        practice_published(title=f"Praktik {i}")
    client.get(reverse("practices:list"))  # warm the reference reads
    public_cache_invalidate()
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("practices:list"))
    for i in range(6):
        _stale(practice_published(title=f"Praktik lama {i}"))
    public_cache_invalidate()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("practices:list"))
