import csv
import html
import io
import json
import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Region
from insights.exports import cell_safe
from insights.geo import GEOJSON, SVG_JSON, build_province_map_file, province_shapes
from insights.selectors.map import class_breaks, class_of, who_does_what
from practices.models import Indicator, IndicatorValue, Practice, Theme
from tests.i18n import en_url
from tests.practices.factories import published_practice

pytestmark = pytest.mark.django_db

# Measured: the theme asked for and the form's theme choices, the provinces with their counts (one query) and the
# counts per agency kind; a selected province adds its regencies and their counts, the provinces, its practices
# and their indicators and values (two prefetches). A per-row query in a selector or the template breaks the
# equality below.
MAP_PAGE_BUDGET = 5
MAP_PAGE_SELECTED_BUDGET = 11
AREA_RE = re.compile(
    r'<a href="(?P<href>[^"]+)" class="area c(?P<level>\d)(?P<selected> selected)?" aria-label="(?P<label>[^"]+)">'
    r"<title>(?P<title>[^<]+)</title><path d=\"M"
)
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


def areas(response) -> dict[str, dict]:
    """The map's province links by province name: href, colour class, accessible name, title."""
    found = {}
    for m in AREA_RE.finditer(response.content.decode()):
        area = {k: html.unescape(v) if isinstance(v, str) else v for k, v in m.groupdict().items()}
        found[area["label"].split(":")[0]] = area
    return found


def test_committed_map_is_what_the_build_step_makes_of_the_geojson():
    assert SVG_JSON.read_text(encoding="utf-8") == build_province_map_file()
    shapes = province_shapes()
    codes = set(Region.objects.filter(level=Region.Level.PROVINCE).values_list("code", flat=True))
    assert set(shapes["provinces"]) == codes and len(codes) == 38
    assert all(d.startswith("M") and d.endswith("z") for d in shapes["provinces"].values())
    # Projected and simplified: far smaller than the source, and small enough for the page-weight budget.
    assert len(SVG_JSON.read_bytes()) < 30_000 < len(GEOJSON.read_bytes())
    source = json.loads(GEOJSON.read_text(encoding="utf-8"))
    assert {str(f["id"]) for f in source["features"]} == codes


def test_zero_and_one_are_in_different_classes_whatever_the_maximum():
    for top in (1, 5, 27, 28, 300, 100_000):
        breaks = class_breaks(top)
        assert class_of(0, breaks) == 0 and class_of(1, breaks) == 1
        assert list(breaks) == sorted(set(breaks)), breaks
        assert class_of(top, breaks) == (4 if top > breaks[2] else class_of(top, breaks))
    assert class_breaks(100_000) == (1, 50, 2000)
    assert [class_of(n, (1, 3, 9)) for n in (2, 3, 4, 9, 10)] == [2, 2, 3, 3, 4]


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
    # The columns are the exports' (tests/insights/test_exports.py); here: one row per practice of the map.
    sby = next(r for r in rows if "Pemerintah Kota Surabaya" in r)
    assert '\'=HYPERLINK("x")' in sby  # formula injection neutralised
    assert "Waktu layanan" in sby and "2025" in sby


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


@pytest.mark.parametrize("params", [{"tema": "kemiskinan"}, {"tema": "kemiskinan", "provinsi": "35"}])
def test_map_page_costs_the_same_for_2_and_9_practices(client, django_assert_max_num_queries, params):
    url = reverse("insights:map")
    for i in range(2):
        _mapped_practice(i)
    few = _page_queries(client, url, params)
    for i in range(2, 9):
        _mapped_practice(i)
    assert _page_queries(client, url, params) == few
    with django_assert_max_num_queries(MAP_PAGE_SELECTED_BUDGET if "provinsi" in params else MAP_PAGE_BUDGET):
        client.get(url, params)


def test_map_has_38_province_links_with_names_counts_and_gaps(client, data):
    response = client.get(reverse("insights:map"), {"tema": "kemiskinan"})
    found = areas(response)
    assert len(found) == 38
    jatim, jabar, aceh = found["Jawa Timur"], found["Jawa Barat"], found["Aceh"]
    assert jatim["label"] == jatim["title"] == "Jawa Timur: 2 praktik"
    assert (aceh["label"], aceh["level"]) == ("Aceh: 0 praktik", "0")  # its practice is in another theme
    assert jabar["level"] == "1" and jatim["level"] == "2"  # 0, 1 and 2 in three different classes
    body = response.content.decode()
    assert body.count('fill="url(#gap-hatch)"') == 36  # the gaps are hatched, not only lighter
    assert "CC BY 4.0" in body and "Batas provinsi" in body  # the attribution under the map
    assert '<table class="province-table">' in body and "/unduh/peta.csv?tema=kemiskinan" in body
    english = areas(client.get(en_url("insights:map"), {"tema": "kemiskinan"}))
    assert english["Jawa Timur"]["label"] == "Jawa Timur: 2 practices"
    assert english["Jawa Barat"]["label"] == "Jawa Barat: 1 practice"


def test_a_province_link_opens_the_list_of_that_provinces_practices_in_the_theme(client, data):
    href = areas(client.get(reverse("insights:map"), {"tema": "kemiskinan"}))["Jawa Timur"]["href"]
    assert href == "/praktik/?province=35&theme=kemiskinan"
    listed = client.get(href)
    assert {p.slug for p in listed.context["page_obj"]} == {"sby", "jatim"}


def test_selecting_a_province_lists_its_regencies_and_cities_with_counts_and_links(client, data):
    response = client.get(reverse("insights:map"), {"tema": "kemiskinan", "provinsi": "35"})
    body = html.unescape(response.content.decode())
    assert areas(response)["Jawa Timur"]["selected"]
    link = "/praktik/?province=35&region=35.78&theme=kemiskinan"
    assert f'<li><a href="{link}">Kota Surabaya</a>: 1</li>' in body
    # Jawa Timur has 38 regencies and cities; one has a practice, the 37 others are folded into one line.
    assert "37 kabupaten/kota tanpa praktik: " in body and "Kabupaten Bangkalan" in body
    assert "Waktu layanan" in body  # the selected province's indicators and targets
    assert [p.slug for p in client.get(link).context["page_obj"]] == ["sby"]
    own = re.search(r'<a href="([^"]+)">Pemerintah provinsi</a>: 1', body)
    assert own and [p.slug for p in client.get(own.group(1)).context["page_obj"]] == ["jatim"]
    # An unknown province selects nothing and still answers.
    other = client.get(reverse("insights:map"), {"tema": "kemiskinan", "provinsi": "99<script>"})
    assert other.status_code == 200 and "kabupaten dan kota" not in other.content.decode()


def test_a_stopped_practice_counts_nowhere_the_list_hides_it(client, data):
    Practice.objects.filter(slug="jatim").update(stopped_at=timezone.now(), stopped_reason="Anggaran habis.")
    found = areas(client.get(reverse("insights:map"), {"tema": "kemiskinan"}))
    assert found["Jawa Timur"]["label"] == "Jawa Timur: 1 praktik"
    assert len(client.get(found["Jawa Timur"]["href"]).context["page_obj"]) == 1


@pytest.mark.parametrize(("url", "theme"), [("/", None), ("/tema/kemiskinan/", "kemiskinan")])
def test_home_and_theme_pages_show_the_map(client, data, url, theme):
    found = areas(client.get(url))
    assert len(found) == 38
    suffix = f"&theme={theme}" if theme else ""
    assert found["Jawa Timur"]["href"] == f"/praktik/?province=35{suffix}"
    assert found["Aceh"]["level"] == ("0" if theme else "1")  # Aceh's practice is in "investasi"
    assert found["Jawa Timur"]["label"] == "Jawa Timur: 2 praktik"


def test_map_page_and_its_assets_fit_the_first_visit_budget_even_uncompressed(client):
    for i in range(40):
        _mapped_practice(i)
    for params in ({"tema": "kemiskinan"}, {"tema": "kemiskinan", "provinsi": "35"}):
        response = client.get(reverse("insights:map"), params)
        page = response.content.decode()
        assets = re.findall(r'<(?:link[^>]+rel="stylesheet"[^>]*href|script[^>]+src)="/static/([^"?]+)"', page)
        total = len(response.content)
        for asset in assets:
            with open(finders.find(asset), "rb") as fh:
                total += len(fh.read())
        assert total < 150 * 1024, (params, total)


def test_a_selected_province_shows_a_bounded_number_of_practices_and_links_to_the_rest(client, data, monkeypatch):
    monkeypatch.setattr("insights.views.map.DETAIL_LIMIT", 1)
    body = html.unescape(client.get(reverse("insights:map"), {"tema": "kemiskinan", "provinsi": "35"}).content.decode())
    assert body.count('class="card map-agency"') == 1
    assert '<a href="/praktik/?province=35&theme=kemiskinan">1 praktik lain di daftar praktik</a>' in body


def test_a_selected_provinces_kept_blocks_show_what_it_is_now(client, data):
    """The drawn map and the agencies' indicators are kept as rendered HTML under everything they show: a value
    changed behind the services' back (no cache version bump) is shown by the next page that misses the cache."""
    url = reverse("insights:map")
    first = client.get(url, {"tema": "kemiskinan", "provinsi": "35", "utm": "1"}).content.decode()
    again = client.get(url, {"tema": "kemiskinan", "provinsi": "35", "utm": "2"}).content.decode()
    assert '<td class="num">4 <span' in first and again.count("Waktu layanan") == first.count("Waktu layanan")
    assert areas_html(again) == areas_html(first)
    IndicatorValue.objects.filter(value=Decimal("4")).update(value=Decimal("2"))
    Indicator.objects.filter(name="Waktu layanan").update(name="Lama layanan")
    changed = client.get(url, {"tema": "kemiskinan", "provinsi": "35", "utm": "3"}).content.decode()
    assert "Lama layanan" in changed and '<td class="num">2 <span' in changed and "Waktu layanan" not in changed
    # Another selected province is another map (its outline drawn last, marked selected).
    other = client.get(url, {"tema": "kemiskinan", "provinsi": "32", "utm": "4"})
    assert areas(other)["Jawa Barat"]["selected"] and not areas(other)["Jawa Timur"]["selected"]


def areas_html(body: str) -> list[str]:
    return [m.group(0) for m in AREA_RE.finditer(body)]


def test_the_first_practices_of_a_province_are_the_head_of_the_full_order(data):
    """`who_does_what(limit=k)` walks the province's agencies in name order, each agency's practices in title
    order (`_first_in_theme`): its practices are exactly the first k of the unlimited list, for every k, with
    stopped and other-theme practices of the same agencies left out."""
    for i, agency in enumerate(["35.78", "35", "35.78", "35", "35.78"]):
        published_practice(agency_code=agency, slug=f"jt-{i}", title=f"{'BCA'[i % 3]} praktik {i}")
    published_practice(agency_code="35.78", slug="jt-other", theme="investasi", title="A lain")
    stopped = published_practice(agency_code="35", slug="jt-stopped", title="A berhenti")
    Practice.objects.filter(pk=stopped.pk).update(stopped_at=timezone.now(), stopped_reason="Uji.")
    theme = Theme.objects.get(code="kemiskinan")

    def slugs(result):
        return [
            item.practice.slug for entry in result["provinces"] for items in entry.agencies.values() for item in items
        ]

    full = slugs(who_does_what(theme=theme, province="35"))
    assert len(full) == 7 and "jt-other" not in full and "jt-stopped" not in full
    for k in range(1, len(full) + 2):
        assert slugs(who_does_what(theme=theme, province="35", limit=k)) == full[:k], k
