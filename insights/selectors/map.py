"""The who-does-what map: listed practices of one theme by province and agency, with their indicators, and
the provinces and agency kinds that have none (the gaps); flattened to rows for the map's CSV/XLSX export.
Also the choropleth drawn on the map page, the home page and the theme pages (`choropleth`)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.models import Agency, Region
from common.cache import public_cache_memo, template_fingerprint
from practices.models import Indicator, IndicatorValue, Practice, PracticeFacets, Theme
from practices.selectors.facets import kept_listed_by_agency
from practices.selectors.translations import shown_text_annotate

from ..geo import ATTRIBUTION, ATTRIBUTION_URL, province_shapes


@dataclass
class IndicatorRow:
    name: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    target_year: int | None
    latest: Decimal | None
    latest_date: object | None


@dataclass
class MapPractice:
    practice: Practice
    indicators: list[IndicatorRow]


@dataclass
class MapProvince:
    region: Region
    count: int = 0
    agencies: dict[Agency, list[MapPractice]] = field(default_factory=dict)


def province_of(agency: Agency) -> Region | None:
    region = agency.region
    if region is None:
        return None
    return region if region.province_id is None else region.province


def who_does_what(*, theme: Theme, province: str | None = None, limit: int | None = None) -> dict:
    """Listed practices in `theme` (published, not stopped: what the practice list and its CSV show) grouped by
    province and agency, with indicators, targets and the latest achieved values; provinces and agency kinds
    without any practice in the theme are the gaps. `province` (a code) keeps that province's practices only,
    `limit` the first so many (by agency and title; the counts are then of those only).
    Query count is constant (4 queries) whatever the number of practices.
    """
    # The theme (and province) are chosen on the narrow facet rows (the themes under GIN), not by joining every
    # theme link and wide practice row of the province's agencies (40 ms for a province at 100,000 practices).
    in_theme = PracticeFacets.objects.filter(theme_ids__contains=[theme.pk], stopped=False)
    if province:
        in_theme = in_theme.filter(
            agency_id__in=Agency.objects.filter(Q(region__code=province) | Q(region__province__code=province)).values(
                "pk"
            )
        )
    # The first `limit` are chosen without sorting every practice of the theme (`_first_in_theme`).
    chosen = (
        in_theme.values("practice_id")
        if limit is None
        else _first_in_theme(theme=theme, province=province, limit=limit)
    )
    practices = (
        Practice.objects.listed()
        .filter(pk__in=chosen)
        .defer("search_vector")
        .select_related("agency", "agency__region", "agency__region__province")
        .order_by("agency__name", "title", "id")
    )
    # The page's lists show titles in the reader's language (in the same query); the export keeps `title`.
    practices = shown_text_annotate(practices)
    if limit is not None:
        practices = practices[:limit]
    practices = list(practices)
    # The live revisions' indicators by revision id (the revisions themselves are not read), with their values.
    values = IndicatorValue.objects.order_by("date", "id")
    indicators: dict[int, list[Indicator]] = defaultdict(list)
    revision_ids = [p.live_revision_id for p in practices if p.live_revision_id]
    for ind in (
        Indicator.objects.filter(revision_id__in=revision_ids)
        .order_by("order", "id")
        .prefetch_related(Prefetch("values", values))
    ):
        indicators[ind.revision_id].append(ind)
    provinces = {r.pk: MapProvince(region=r) for r in Region.objects.filter(level=Region.Level.PROVINCE)}
    central: dict[Agency, list[MapPractice]] = {}
    kind_counts: dict[str, int] = defaultdict(int)
    for practice in practices:
        rows = []
        for ind in indicators.get(practice.live_revision_id, ()):
            vals = list(ind.values.all())
            last = vals[-1] if vals else None
            rows.append(
                IndicatorRow(
                    name=ind.name,
                    unit=ind.unit,
                    baseline=ind.baseline_value,
                    target=ind.target_value,
                    target_year=ind.target_year,
                    latest=last.value if last else None,
                    latest_date=last.date if last else None,
                )
            )
        item = MapPractice(practice=practice, indicators=rows)
        kind_counts[practice.agency.kind] += 1
        region = province_of(practice.agency)
        if region is None:
            central.setdefault(practice.agency, []).append(item)
        else:
            entry = provinces[region.pk]
            entry.count += 1
            entry.agencies.setdefault(practice.agency, []).append(item)
    ordered = sorted(provinces.values(), key=lambda p: p.region.code)
    kinds = [(value, label, kind_counts.get(value, 0)) for value, label in Agency.Kind.choices]
    return {
        "provinces": ordered,
        "central": central,
        "gap_provinces": [p.region for p in ordered if p.count == 0],
        "kinds": kinds,
        "gap_kinds": [label for value, label, count in kinds if count == 0],
        "total": sum(kind_counts.values()),
    }


def _first_in_theme(*, theme: Theme, province: str | None, limit: int) -> RawSQL:
    """The ids of the first `limit` listed practices in `theme` by agency name, title and id (of `province`'s
    agencies if given), as a subquery. Each agency's practices are read in title order from their index
    (practice_listed_agency_title) and the agencies in name order, so the walk stops after the first agencies
    instead of sorting every practice of the province (1,941 of them at 300,000)."""
    agencies = Agency.objects.all()
    if province:
        agencies = agencies.filter(Q(region__code=province) | Q(region__province__code=province))
    agency_sql, agency_params = agencies.order_by("name", "pk").values("pk", "name").query.sql_with_params()
    practice, facets = Practice._meta.db_table, PracticeFacets._meta.db_table
    # Model table names and the ORM's own SQL only; every value is a parameter.
    sql = (
        f"SELECT x.id FROM ({agency_sql}) a (id, name) CROSS JOIN LATERAL ("  # noqa: S608
        f"SELECT p.id, p.title FROM {practice} p JOIN {facets} f ON f.practice_id = p.id "
        "WHERE p.agency_id = a.id AND p.status = %s AND p.stopped_at IS NULL "
        "AND f.theme_ids @> ARRAY[%s]::integer[] AND NOT f.stopped "
        "ORDER BY p.title, p.id LIMIT %s) x ORDER BY a.name, x.title, x.id LIMIT %s"
    )
    return RawSQL(sql, [*agency_params, Practice.Status.PUBLISHED, theme.pk, limit, limit])  # noqa: S611


def map_key(drawn: Choropleth) -> str:
    """Everything the drawn map shows (its areas, paths, links and legend): the key of its kept HTML."""
    return f"{template_fingerprint('insights/_map_svg.html')}|{drawn!r}"


def agencies_key(agencies: dict[Agency, list[MapPractice]]) -> str:
    """Everything the agencies' block of a selected province shows (`insights/_map_agencies.html`): the key its
    rendered HTML is kept under (content-addressed, so nothing needs invalidating). Rendering the indicators
    of 30 practices was a third of the map page's time."""
    return template_fingerprint("insights/_map_agencies.html") + repr(
        [
            (
                agency.pk,
                agency.name,
                agency.kind,
                [
                    (item.practice.slug, item.practice.shown_title, item.practice.indonesian_only, item.indicators)
                    for item in items
                ],
            )
            for agency, items in agencies.items()
        ]
    )


def who_does_what_rows(data: dict) -> list[list]:
    """The map's data flattened to one row per indicator (or per practice without indicators), for CSV."""
    rows = []
    groups = [(p.region.name, p.agencies) for p in data["provinces"]] + [("", data["central"])]
    for province_name, agencies in groups:
        for agency, items in agencies.items():
            for item in items:
                base = [province_name, agency.name, agency.get_kind_display(), item.practice.title]
                if not item.indicators:
                    rows.append(base + [""] * 7)
                for ind in item.indicators:
                    rows.append(
                        base
                        + [
                            ind.name,
                            ind.unit,
                            _num(ind.baseline),
                            _num(ind.target),
                            ind.target_year or "",
                            _num(ind.latest),
                            ind.latest_date.isoformat() if ind.latest_date else "",
                        ]
                    )
    return rows


def _num(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


# The choropleth: counts per province drawn on the committed province shapes (insights/geo.py) -----------------


@dataclass(frozen=True)
class ProvinceCount:
    code: str
    name: str
    count: int


def province_counts(*, theme: Theme | None = None) -> list[ProvinceCount]:
    """The 38 provinces (by code) with the number of listed practices of their agencies (the province's
    government and its regencies and cities), in `theme` or in all themes: the numbers the practice list shows
    for `?province=<code>`. One query, kept with the public cache version."""
    return public_cache_memo("map-province-counts", (theme.pk if theme else None,), lambda: _province_counts(theme))


def _province_counts(theme: Theme | None) -> list[ProvinceCount]:
    # From the kept counts per agency (practices.selectors.facets, exact): a few hundred rows grouped by province
    # instead of every listed practice joined to its agency and region (40-90 ms at 100,000 practices).
    kept, params = kept_listed_by_agency(theme_id=theme.pk if theme else None).query.sql_with_params()
    # The 38 names and the grouped counts in one round trip: the provinces without a practice are rows too.
    # The models' table names and the ORM's own SQL are formatted in; every value is a parameter.
    agency, region = Agency._meta.db_table, Region._meta.db_table
    sql = (
        f"SELECT p.code, p.name, COALESCE(c.n, 0) FROM {region} p LEFT JOIN ("  # noqa: S608
        f"SELECT COALESCE(r.province_id, r.id) AS province_id, sum(k.n) AS n FROM ({kept}) k "
        f"JOIN {agency} a ON a.id = k.agency_id JOIN {region} r ON r.id = a.region_id GROUP BY 1"
        ") c ON c.province_id = p.id WHERE p.level = %s ORDER BY p.code"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, Region.Level.PROVINCE])
        return [ProvinceCount(code=code, name=name, count=int(n)) for code, name, n in cursor.fetchall()]


def _kept_by_agency_column(*, theme: Theme, column: str, province: Region | None = None) -> dict:
    """Listed practices in `theme` summed by a column of their agencies (`kind`, `region_id`), from the kept
    counts; with `province`, of the agencies of that province (its government, regencies and cities) only."""
    kept, params = kept_listed_by_agency(theme_id=theme.pk).query.sql_with_params()
    agency, region = Agency._meta.db_table, Region._meta.db_table
    # `column` is one of the callers' constants; the table names are the models'; values are parameters.
    sql = f"SELECT a.{column}, sum(k.n) FROM ({kept}) k JOIN {agency} a ON a.id = k.agency_id"  # noqa: S608
    if province is not None:
        sql += f" JOIN {region} r ON r.id = a.region_id WHERE r.id = %s OR r.province_id = %s"
        params = (*params, province.pk, province.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} GROUP BY 1", params)
        return {key: int(n) for key, n in cursor.fetchall()}


def kind_counts(*, theme: Theme) -> list[tuple[str, str, int]]:
    """(kind, label, listed practices of agencies of that kind) for every agency kind, zeros included."""
    counts = public_cache_memo(
        "map-kind-counts", (theme.pk,), lambda: _kept_by_agency_column(theme=theme, column="kind")
    )
    return [(value, label, counts.get(value, 0)) for value, label in Agency.Kind.choices]


def class_breaks(top: int) -> tuple[int, int, int]:
    """Upper bounds of colour classes 1–3 (class 4 is everything above; class 0 is exactly 0, a gap).

    Class 1 is exactly one practice, so that 0 and 1 never share a colour. Up to a maximum of 27 the classes are
    1, 2–3, 4–9, 10+; above, two geometric steps towards the maximum rounded to 1, 2 or 5 × 10ⁿ, so that a map
    of the whole portal (thousands per province) still spreads over the scale."""
    if top <= 27:
        return (1, 3, 9)
    low = max(3, _nice(top ** (1 / 3)))
    high = max(low + 1, _nice(top ** (2 / 3)))
    return (1, low, high)


def _nice(value: float) -> int:
    """The 1, 2 or 5 × 10ⁿ nearest to `value` on a log scale."""
    exponent = 10 ** math.floor(math.log10(value))
    return int(min((c * exponent for c in (1, 2, 5, 10)), key=lambda c: abs(math.log(c / value))))


def class_of(count: int, breaks: tuple[int, int, int]) -> int:
    if count <= 0:
        return 0
    return next((i + 1 for i, bound in enumerate(breaks) if count <= bound), 4)


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    count: int
    level: int  # colour class 0–4
    d: str  # the SVG path
    href: str
    label: str  # the accessible name: "Jawa Timur: 3 praktik"
    selected: bool = False


@dataclass(frozen=True)
class Choropleth:
    dom_id: str
    areas: list[MapArea]
    legend: list[tuple[int, str]]
    width: int
    height: int
    gaps: list[ProvinceCount]
    attribution: str = ATTRIBUTION
    attribution_url: str = ATTRIBUTION_URL


def choropleth(
    *, counts: list[ProvinceCount], theme: Theme | None = None, selected: str | None = None, dom_id: str = "map"
) -> Choropleth:
    """The map of `counts`: each province a link to the practice list filtered by it (and by `theme`)."""
    shapes = province_shapes()
    breaks = class_breaks(max((c.count for c in counts), default=0))
    list_url = reverse("practices:list")
    areas = []
    for row in counts:
        query = {"province": row.code, **({"theme": theme.code} if theme else {})}
        label = ngettext("%(name)s: %(count)s praktik", "%(name)s: %(count)s praktik", row.count) % {
            "name": row.name,
            "count": row.count,
        }
        areas.append(
            MapArea(
                code=row.code,
                name=row.name,
                count=row.count,
                level=class_of(row.count, breaks),
                d=shapes["provinces"].get(row.code, ""),
                href=f"{list_url}?{urlencode(query)}",
                label=label,
                selected=row.code == selected,
            )
        )
    # The selected province is drawn last, so that its outline is not covered by its neighbours'.
    areas.sort(key=lambda a: a.selected)
    one, low, high = breaks
    legend = [
        (0, _("0 (celah)")),
        (1, "1"),
        (2, f"2–{low}" if low > 2 else "2"),
        (3, f"{low + 1}–{high}" if high > low + 1 else str(high)),
        (4, f"≥ {high + 1}"),
    ]
    return Choropleth(
        dom_id=dom_id,
        areas=areas,
        legend=legend,
        width=shapes["width"],
        height=shapes["height"],
        gaps=[c for c in counts if c.count == 0],
    )


@dataclass(frozen=True)
class RegionCount:
    region: Region
    count: int
    href: str


def province_regions(*, province: Region, theme: Theme) -> dict:
    """A selected province's regencies and cities with the listed practices of their governments in `theme`,
    each linked to the practice list: those with practices first (most first), those without folded into one
    list. The province government's own count comes apart. Two queries."""
    counts = _kept_by_agency_column(theme=theme, column="region_id", province=province)
    list_url = reverse("practices:list")
    rows = []
    for region in Region.objects.filter(province=province).order_by("name"):
        query = urlencode({"province": province.code, "region": region.code, "theme": theme.code})
        rows.append(RegionCount(region=region, count=counts.get(region.pk, 0), href=f"{list_url}?{query}"))
    rows.sort(key=lambda r: -r.count)  # stable: by name within a count
    own_query = urlencode({"province": province.code, "kind": "provinsi", "theme": theme.code})
    return {
        "province": province,
        "own": RegionCount(region=province, count=counts.get(province.pk, 0), href=f"{list_url}?{own_query}"),
        "with_practices": [r for r in rows if r.count],
        "without": [r for r in rows if not r.count],
        "count": sum(counts.values()),
    }
