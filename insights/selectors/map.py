"""The who-does-what map: published practices of one theme by province and agency, with their indicators, and
the provinces and agency kinds that have none (the gaps); flattened to rows for the map's CSV/XLSX export."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from agencies.models import Agency, Region
from practices.models import Indicator, IndicatorValue, Practice, Theme

# (column, row) of each province on the tile map: a rough west-to-east, north-to-south layout.
PROVINCE_TILES: dict[str, tuple[int, int, str]] = {
    "11": (0, 0, "ACEH"), "12": (1, 1, "SUMUT"), "13": (1, 2, "SUMBAR"), "14": (2, 1, "RIAU"),
    "21": (3, 1, "KEPRI"), "15": (2, 2, "JAMBI"), "17": (2, 3, "BKL"), "16": (3, 3, "SUMSEL"),
    "19": (4, 3, "BABEL"), "18": (3, 4, "LPG"), "31": (5, 4, "DKI"), "36": (4, 5, "BTN"),
    "32": (5, 5, "JABAR"), "33": (6, 5, "JATENG"), "34": (6, 6, "DIY"), "35": (7, 5, "JATIM"),
    "51": (8, 6, "BALI"), "52": (9, 6, "NTB"), "53": (10, 6, "NTT"), "61": (5, 2, "KALBAR"),
    "62": (6, 3, "KALTENG"), "63": (7, 3, "KALSEL"), "64": (7, 2, "KALTIM"), "65": (7, 1, "KALTARA"),
    "75": (9, 1, "GTLO"), "71": (10, 1, "SULUT"), "72": (9, 2, "SULTENG"), "76": (8, 3, "SULBAR"),
    "73": (9, 3, "SULSEL"), "74": (10, 3, "SULTRA"), "82": (12, 1, "MALUT"), "81": (12, 3, "MALUKU"),
    "96": (13, 2, "PBD"), "92": (14, 2, "PABAR"), "91": (16, 2, "PAPUA"), "94": (15, 3, "PATENG"),
    "95": (16, 3, "PAPEG"), "93": (16, 4, "PASEL"),
}  # fmt: skip
TILE = 46
TILE_GAP = 4


def bucket(count: int) -> int:
    """Colour bucket of a province tile: 0, 1, 2–3, 4–9, 10+ practices."""
    if count <= 0:
        return 0
    if count == 1:
        return 1
    if count <= 3:
        return 2
    if count <= 9:
        return 3
    return 4


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

    @property
    def bucket(self) -> int:
        return bucket(self.count)

    @property
    def tile(self) -> dict:
        col, row, abbr = PROVINCE_TILES.get(self.region.code, (0, 7, self.region.code))
        x, y = col * (TILE + TILE_GAP), row * (TILE + TILE_GAP)
        return {"x": x, "y": y, "abbr": abbr, "tx": x + TILE // 2, "ty": y + TILE // 2 + 4, "size": TILE}


def province_of(agency: Agency) -> Region | None:
    region = agency.region
    if region is None:
        return None
    return region if region.province_id is None else region.province


def who_does_what(*, theme: Theme) -> dict:
    """Published practices in `theme` grouped by province and agency, with indicators, targets and the latest
    achieved values; provinces and agency kinds without any practice in the theme are the gaps.
    Query count is constant (5 queries) whatever the number of practices.
    """
    values = IndicatorValue.objects.order_by("date", "id")
    practices = (
        Practice.objects.published()
        .filter(themes=theme)
        .select_related("agency", "agency__region", "agency__region__province", "live_revision")
        .prefetch_related(
            Prefetch(
                "live_revision__indicators",
                queryset=Indicator.objects.order_by("order", "id").prefetch_related(Prefetch("values", values)),
            )
        )
        .order_by("agency__name", "title")
    )
    provinces = {r.pk: MapProvince(region=r) for r in Region.objects.filter(level=Region.Level.PROVINCE)}
    central: dict[Agency, list[MapPractice]] = {}
    kind_counts: dict[str, int] = defaultdict(int)
    for practice in practices:
        rows = []
        for ind in practice.live_revision.indicators.all() if practice.live_revision_id else []:
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
        province = province_of(practice.agency)
        if province is None:
            central.setdefault(practice.agency, []).append(item)
        else:
            entry = provinces[province.pk]
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
        "map_width": 17 * (TILE + TILE_GAP),
        "map_height": 7 * (TILE + TILE_GAP),
    }


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
