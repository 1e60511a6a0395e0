import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from practices.exports import cell_safe
from practices.models import Indicator, IndicatorValue
from practices.selectors.ledger import PROVINCE_TILES, who_does_what

from .ledger_fixtures import en_url, indonesian, published_practice  # noqa: F401

pytestmark = pytest.mark.django_db


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
    from practices.models import Theme

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
    url = reverse("ledger:map")
    for page_url in (url, en_url("ledger:map")):
        page = client.get(page_url, {"tema": "kemiskinan"})
        assert page.status_code == 200
    assert en_url("ledger:map") == "/en/map/"
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
