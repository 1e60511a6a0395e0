"""The showcases' panels on practices' pages (practices/panels.py): the home page's featured collections, a
practice's awards and collections, and its expert notes; one query each."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.cache import public_cache_invalidate
from practices.panels import panel_register, panels_for
from showcases.services import collection_feature_set
from tests.accounts.factories import moderator
from tests.practices.factories import practice_published
from tests.showcases.factories import collection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    public_cache_invalidate()


def _queries(client, url) -> int:
    public_cache_invalidate()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_registry_orders_panels_and_skips_empty_ones(rf):
    panel_register(slot="home", name="zz.test", template="x.html", context=lambda *, request: None, order=1)
    assert "zz.test" not in [p.name for p in panels_for(slot="home", request=rf.get("/"))]
    with pytest.raises(ValueError):
        panel_register(slot="nowhere", name="x", template="x.html", context=lambda **kw: {})


def test_the_home_page_shows_featured_collections_in_their_order(client):
    mod = moderator()
    second = collection(title="Koleksi kedua", actor=mod)
    first = collection(title="Koleksi pertama", actor=mod)
    collection(title="Tidak di beranda", actor=mod)
    collection_feature_set(actor=mod, collection=second, featured=True, position=2)
    collection_feature_set(actor=mod, collection=first, featured=True, position=1)
    page = client.get("/").content.decode()
    section = page[page.index('id="collections-heading"') : page.index("Lihat semua koleksi")]
    assert section.index("Koleksi pertama") < section.index("Koleksi kedua")
    assert "Tidak di beranda" not in section


def test_a_practice_page_shows_its_awards_and_collections(client):
    practice = practice_published(title="Inovasi juara")
    collection(
        title="KIPP 2027",
        kind="award",
        practices=[practice],
        labels=["Juara 1"],
        decree_number="12/KEP/2027",
        decree_date=datetime.date(2027, 12, 1),
    )
    collection(title="Praktik replikasi terbanyak", practices=[practice], labels=["Top 10"])
    collection(title="Belum terbit", practices=[practice], is_published=False)
    page = client.get(reverse("practices:detail", args=[practice.slug])).content.decode()
    awards = page[page.index('id="awards-heading"') : page.index('id="in-collections-heading"')]
    assert "Juara 1" in awards and "KIPP 2027" in awards and "SK 12/KEP/2027" in awards
    assert "Praktik replikasi terbanyak" in page[page.index('id="in-collections-heading"') :]
    assert "Belum terbit" not in page


def test_the_panels_cost_the_same_queries_for_one_or_many_rows(client):
    practice = practice_published(title="Banyak koleksi")
    url = reverse("practices:detail", args=[practice.slug])
    collection(title="Satu", practices=[practice])
    _queries(client, url)  # the first view of a practice also keeps what does not change (its neighbours)
    few = _queries(client, url)
    for i in range(4):
        collection(title=f"Koleksi {i}", practices=[practice], kind="award" if i % 2 else "curated")
    assert _queries(client, url) == few
    _queries(client, "/")
    home_few = _queries(client, "/")
    mod = moderator()
    for i in range(3):
        collection_feature_set(actor=mod, collection=collection(title=f"Beranda {i}", actor=mod), featured=True)
    assert _queries(client, "/") == home_few
