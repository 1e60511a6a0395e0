import datetime

import pytest

from common.cache import public_cache_invalidate
from insights.views.agencies import PRACTICES_PAGE_SIZE
from ledger.services.replication import replication_start
from tests.agencies.factories import member
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    public_cache_invalidate()


def names(response) -> list[str]:
    return [a.name for a in response.context["page_obj"].object_list]


def test_directory_lists_all_643_agencies_paginated(client):
    response = client.get("/instansi/")
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 643
    assert len(names(response)) == 50
    assert 'href="?page=2"' in response.content.decode()


@pytest.mark.parametrize(
    "params, expected_count, must_include",
    [
        ({"kind": "kota"}, 98, "Pemerintah Kota Ambon"),
        ({"kind": "provinsi"}, 38, "Pemerintah Provinsi Jawa Timur"),
        ({"province": "35"}, 39, "Pemerintah Kabupaten Banyuwangi"),
        ({"province": "35", "kind": "kota"}, 9, "Pemerintah Kota Surabaya"),
        ({"q": "surabaya"}, 1, "Pemerintah Kota Surabaya"),
        ({"q": "KemenPANRB"}, 1, "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi"),
    ],
)
def test_directory_filters(client, params, expected_count, must_include):
    response = client.get("/instansi/", params)
    assert response.context["page_obj"].paginator.count == expected_count
    assert must_include in names(response)


def test_directory_bad_input_does_not_fail(client):
    for params in [{"kind": "x"}, {"province": "zz"}, {"page": "abc"}]:
        assert client.get("/instansi/", params).status_code == 200


def test_directory_htmx_returns_the_results_part(client):
    html = client.get("/instansi/", {"kind": "kota"}, headers={"HX-Request": "true"}).content.decode()
    assert html.strip().startswith('<section id="results"') and "<html" not in html


def test_regency_profile_links_its_province_and_lists_practices(client):
    source = practice_published(title="Praktik Surabaya", agency="35.78")
    replication_start(source=source, by=member("32.04"), date=datetime.date(2025, 1, 6), note="")
    practice_published(title="Draf Surabaya", agency="35.78", publish=False)
    response = client.get("/instansi/kota-surabaya-3578/")
    html = response.content.decode()
    assert response.status_code == 200
    assert [p.title for p in response.context["page_obj"].object_list] == ["Praktik Surabaya"]
    assert [r.agency.code for r in response.context["replications_given"]] == ["32.04"]
    assert response.context["replications_received"] == []
    bandung = client.get("/instansi/kabupaten-bandung-3204/").context
    assert [r.source.title for r in bandung["replications_received"]] == ["Praktik Surabaya"]
    assert 'href="/instansi/provinsi-jawa-timur/"' in html and "Draf Surabaya" not in html


def test_province_profile_lists_its_regencies_and_cities(client):
    response = client.get("/instansi/provinsi-jawa-timur/")
    subs = response.context["subregion_agencies"]
    assert len(subs) == 38 and all(a.region.code.startswith("35.") for a in subs)
    assert 'href="/instansi/kota-surabaya-3578/"' in response.content.decode()


def test_unknown_agency_is_404(client):
    assert client.get("/instansi/tidak-ada/").status_code == 404


def test_agency_profile_pages_through_its_practices_and_counts_them_all(client):
    for i in range(PRACTICES_PAGE_SIZE + 2):
        practice_published(title=f"Praktik Surabaya {i:02d}", agency="35.78")
    first = client.get("/instansi/kota-surabaya-3578/")
    html = first.content.decode()
    assert len(first.context["page_obj"].object_list) == PRACTICES_PAGE_SIZE
    assert f"<dd>{PRACTICES_PAGE_SIZE + 2}</dd>" in html  # "Praktik terbit": all of them, not one page
    assert 'href="?page=2#practices-heading" rel="next"' in html
    second = client.get("/instansi/kota-surabaya-3578/", {"page": 2})
    shown = {p.title for p in first.context["page_obj"].object_list}
    rest = {p.title for p in second.context["page_obj"].object_list}
    assert len(rest) == 2 and not shown & rest
    assert client.get("/instansi/kota-surabaya-3578/", {"page": "x"}).status_code == 200
