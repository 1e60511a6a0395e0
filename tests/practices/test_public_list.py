"""The practice list: every facet alone and combined, hierarchical regions, counts, htmx, bad input."""

import pytest

from common.cache import public_cache_invalidate
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    public_cache_invalidate()


@pytest.fixture
def catalogue():
    return {
        "sby": practice_published(
            title="Surabaya kemiskinan",
            agency="35.78",
            theme="kemiskinan",
            start_year=2019,
            stage="penerapan",
            replication_count=2,
            evidence_level="field_verified",
            indicator={
                "name": "Angka",
                "unit": "%",
                "target_value": 8,
                "higher_is_better": False,
                "values": [("2024-01-01", "7")],
            },
        ),
        "bdg": practice_published(
            title="Bandung investasi",
            agency="32.04",
            theme="investasi",
            other_themes=("kemiskinan",),
            start_year=2022,
            stage="uji_coba",
        ),
        "jatim": practice_published(title="Jatim pelayanan", agency="35", theme="pelayanan-publik", start_year=2021),
        "menpan": practice_published(
            title="Menpan akuntabilitas", agency="kemenpanrb", theme="akuntabilitas", start_year=2023
        ),
    }


def titles(response) -> set[str]:
    return {p.title for p in response.context["page_obj"].object_list}


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, {"sby", "bdg", "jatim", "menpan"}),
        ({"theme": "kemiskinan"}, {"sby", "bdg"}),
        ({"track": "tematik"}, {"sby", "bdg"}),
        ({"track": "general"}, {"jatim", "menpan"}),
        ({"kind": "kota"}, {"sby"}),
        ({"kind": "kabupaten"}, {"bdg"}),
        ({"kind": "provinsi"}, {"jatim"}),
        ({"kind": "kementerian"}, {"menpan"}),
        ({"kind": "lembaga"}, set()),
        ({"province": "35"}, {"sby", "jatim"}),
        ({"province": "35", "region": "35.78"}, {"sby"}),
        ({"stage": "uji_coba"}, {"bdg"}),
        ({"evidence": "field_verified"}, {"sby"}),
        ({"year_from": "2021"}, {"bdg", "jatim", "menpan"}),
        ({"year_from": "2020", "year_to": "2022"}, {"bdg", "jatim"}),
        ({"reached": "true"}, {"sby"}),
        ({"replicated": "true"}, {"sby"}),
        ({"theme": "kemiskinan", "province": "32"}, {"bdg"}),
        ({"theme": "kemiskinan", "q": "surabaya"}, {"sby"}),
        ({"province": "35", "q": "pelayanan", "year_from": "2020"}, {"jatim"}),
    ],
)
def test_each_facet_alone_and_combined(client, catalogue, params, expected):
    response = client.get("/praktik/", params)
    assert response.status_code == 200
    assert titles(response) == {catalogue[k].title for k in expected}


def test_region_of_another_province_is_ignored_in_favour_of_the_province(client, catalogue):
    # Kota Surabaya (35.78) does not lie in Jawa Barat (32): the province choice wins.
    assert titles(client.get("/praktik/", {"province": "32", "region": "35.78"})) == {catalogue["bdg"].title}


def test_regencies_are_offered_only_for_the_chosen_province(client, catalogue):
    response = client.get("/praktik/")
    assert response.context["result"].facets["region"] == []
    assert 'name="region"' not in response.content.decode()
    response = client.get("/praktik/", {"province": "35"})
    options = {o.value: o.count for o in response.context["result"].facets["region"]}
    assert all(code.startswith("35.") for code in options) and len(options) == 38
    assert options["35.78"] == 1 and options["35.73"] == 0


def test_facet_counts_follow_the_other_choices(client, catalogue):
    result = client.get("/praktik/", {"province": "35"}).context["result"]
    themes = {o.value: o.count for o in result.facets["theme"]}
    assert themes["kemiskinan"] == 1 and themes["pelayanan-publik"] == 1 and themes["investasi"] == 0
    # The chosen facet still shows the other provinces' counts (so the user can switch).
    provinces = {o.value: o.count for o in result.facets["province"]}
    assert provinces["35"] == 2 and provinces["32"] == 1
    kinds = {o.value: o.count for o in result.facets["kind"]}
    assert kinds == {"kementerian": 0, "lembaga": 0, "provinsi": 1, "kabupaten": 0, "kota": 1}
    assert result.flags == {"reached": 1, "replicated": 1}


def test_sorting(client, catalogue):
    newest = [p.title for p in client.get("/praktik/").context["page_obj"]]
    assert newest[0] == catalogue["menpan"].title
    replicated = [p.title for p in client.get("/praktik/", {"sort": "replicated"}).context["page_obj"]]
    assert replicated[0] == catalogue["sby"].title


def test_pagination_keeps_the_filters(client):
    for i in range(23):
        practice_published(title=f"Kemiskinan {i}")
    response = client.get("/praktik/", {"theme": "kemiskinan"})
    assert len(response.context["page_obj"].object_list) == 20
    assert 'href="?theme=kemiskinan&amp;page=2"' in response.content.decode()
    assert len(client.get("/praktik/", {"theme": "kemiskinan", "page": "2"}).context["page_obj"].object_list) == 3


def test_htmx_request_gets_only_the_list_part(client, catalogue):
    full = client.get("/praktik/", {"theme": "kemiskinan"}).content.decode()
    part = client.get("/praktik/", {"theme": "kemiskinan"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" in full and "<html" not in part
    assert part.strip().startswith('<div id="browser"') and catalogue["sby"].title in part


@pytest.mark.parametrize(
    "params",
    [
        {"province": "abc"},
        {"year_from": "dua ribu"},
        {"theme": "<script>"},
        {"sort": "whatever"},
        {"page": "999"},
        {"q": "x" * 500},
        {"q": "'\"&|!():*"},
        {"kind": "nope", "province": "35"},
    ],
)
def test_bad_input_never_500s_and_keeps_the_valid_filters(client, catalogue, params):
    response = client.get("/praktik/", params)
    assert response.status_code == 200
    if params.get("province") == "35":
        assert titles(response) == {catalogue["sby"].title, catalogue["jatim"].title}
