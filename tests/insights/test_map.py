import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insights.exports import cell_safe
from insights.selectors.map import PROVINCE_TILES, who_does_what
from practices.models import Indicator, IndicatorValue, Theme
from tests.i18n import en_url
from tests.practices.factories import published_practice

pytestmark = pytest.mark.django_db

# Measured: the theme asked for, the provinces, the practices with their indicators and values (two prefetches)
# and the theme choices of the form; a per-row query in the selector or the template breaks the equality below.
MAP_PAGE_BUDGET = 7
MAPPED_AGENCIES = ["35.78", "35", "32.04", "kemenpanrb", "11", "33.22", "32.01"]


@pytest.fixture
def data():
    surabaya = published_practice(agency_code="35.78", slug="sby", title='=HYPERLINK("x")')
    indicator = Indicator.objects.create(
        revision=surabaya.live_revision, name="Waktu layanan", unit="hari", baseline_value=Decimal("10"),
        target_value=Decimal("3"), target_year=2025, higher_is_better=False,
    )  # fmt: skip
    IndicatorValue.objects.create(indicator=indicator, value=Decimal("5"), date="2024-01-01")
    IndicatorValue.objects.create(indicator=indicator, value=Decimal("4"), date="2024-07-01")
    published_practice(agency_code="35", slug="jatim")  # the province government, same province
    published_practice(agency_code="32.04", slug="bdg")
    published_practice(agency_code="kemenpanrb", slug="pusat")
    published_practice(agency_code="11", slug="aceh-lain", theme="investasi")  # other theme


def test_tiles_are_unique_and_cover_38_provinces():
    assert len(PROVINCE_TILES) == 38
    assert len({(c, r) for c, r, _ in PROVINCE_TILES.values()}) == 38


def test_grouping_gaps_and_latest_value(data, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        result = who_does_what(theme=Theme.objects.get(code="kemiskinan"))
    counts = {p.region.code: p.count for p in result["provinces"]}
    assert counts["35"] == 2 and counts["32"] == 1 and counts["11"] == 0
    assert len(result["gap_provinces"]) == 36
    assert result["total"] == 4 and list(result["central"])[0].code == "kemenpanrb"
    kinds = {value: n for value, _label, n in result["kinds"]}
    assert kinds == {"kementerian_koordinator": 0, "kementerian": 1, "lembaga": 0, "sekretariat_lembaga_negara": 0,
                     "provinsi": 1, "kabupaten": 1, "kota": 1}  # fmt: skip
    jatim = next(p for p in result["provinces"] if p.region.code == "35")
    rows = [i for items in jatim.agencies.values() for item in items for i in item.indicators]
    assert [(r.target, r.latest) for r in rows] == [(Decimal("3"), Decimal("4"))]


def test_map_page_and_csv(client, data):
    url = reverse("insights:map")
    for page_url in (url, en_url("insights:map")):
        page = client.get(page_url, {"tema": "kemiskinan"})
        assert page.status_code == 200
    assert en_url("insights:map") == "/en/map/"
    assert client.get(url, {"tema": "tidak-ada"}).status_code == 200  # bad input never 500s
    response = client.get(reverse("exports:map", args=["csv"]), {"tema": "kemiskinan"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 1 + 4
    sby = next(r for r in rows if r[1] == "Pemerintah Kota Surabaya")
    assert sby[3] == '\'=HYPERLINK("x")'  # formula injection neutralised
    assert sby[4:] == ["Waktu layanan", "hari", "10", "3", "2025", "4", "2024-07-01"]


@pytest.mark.parametrize(
    ("raw", "safe"), [("=1+1", "'=1+1"), ("+62", "'+62"), ("-5", "-5"), ("-x", "'-x"), ("@a", "'@a"), ("ok", "ok")]
)
def test_cell_safe(raw, safe):
    assert cell_safe(raw) == safe


def _mapped_practice(i: int) -> None:
    practice = published_practice(agency_code=MAPPED_AGENCIES[i % len(MAPPED_AGENCIES)], slug=f"peta-{i}")
    indicator = Indicator.objects.create(revision=practice.live_revision, name=f"Indikator {i}", unit="hari")
    IndicatorValue.objects.create(indicator=indicator, value=Decimal("5"), date="2024-01-01")


def _page_queries(client, url: str, params: dict) -> int:
    client.get(url, params)  # the first request of a process also fills Django's per-process caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured.captured_queries)


def test_map_page_costs_the_same_for_2_and_9_practices(client, django_assert_max_num_queries):
    url, params = reverse("insights:map"), {"tema": "kemiskinan"}
    for i in range(2):
        _mapped_practice(i)
    few = _page_queries(client, url, params)
    for i in range(2, 9):
        _mapped_practice(i)
    assert _page_queries(client, url, params) == few
    with django_assert_max_num_queries(MAP_PAGE_BUDGET):
        client.get(url, params)
