"""Reads for the replication ledger, the FAQ, "agencies like you", the who-does-what map and mentoring."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Subquery

from agencies.models import Agency, RBIndexScore, Region

from ..models import Indicator, IndicatorValue, Practice, Question, Replication, ReplicationStep, Theme

LINEAGE_MAX_DEPTH = 6
LIKE_YOU_CANDIDATES = 200


# Replication ledger --------------------------------------------------------------------------------------------


def replication_list(*, practice: Practice) -> QuerySet[Replication]:
    """The replications of one practice with their steps, agencies and the practice each became."""
    return (
        Replication.objects.filter(source=practice)
        .select_related("agency", "agency__region", "agency__region__province", "became", "source__agency")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=ReplicationStep.objects.order_by("created_at", "id").prefetch_related("results__indicator"),
            )
        )
        .order_by("created_at", "id")
    )


def replications_of_agency(*, agency: Agency) -> dict[str, QuerySet[Replication]]:
    """Replications given (others replicating this agency's practices) and received (this agency replicating)."""
    base = Replication.objects.select_related("agency", "source", "source__agency")
    return {
        "given": base.filter(source__agency=agency).order_by("-created_at"),
        "received": base.filter(agency=agency).order_by("-created_at"),
    }


@dataclass
class LineageNode:
    practice: Practice
    replications: list[tuple[Replication, LineageNode | None]] = field(default_factory=list)


def practice_lineage(*, practice: Practice, max_depth: int = LINEAGE_MAX_DEPTH) -> tuple[list[Practice], LineageNode]:
    """Ancestors (walking `source`, nearest first, at most `max_depth`) and the tree of replications below
    `practice`: each replication with the node of the practice it became, if any. One query per level; the
    depth bound also stops a (corrupt) cycle.
    """
    ancestors: list[Practice] = []
    seen = {practice.pk}
    current = practice
    while current.source_id and len(ancestors) < max_depth and current.source_id not in seen:
        current = Practice.objects.select_related("agency").get(pk=current.source_id)
        seen.add(current.pk)
        ancestors.append(current)

    root = LineageNode(practice=practice)
    level = {practice.pk: root}
    for _depth in range(max_depth):
        if not level:
            break
        rows = (
            Replication.objects.filter(source_id__in=level.keys())
            .select_related("agency", "became", "became__agency")
            .order_by("created_at", "id")
        )
        next_level: dict[int, LineageNode] = {}
        for replication in rows:
            child = None
            if replication.became_id and replication.became_id not in seen:
                seen.add(replication.became_id)
                child = LineageNode(practice=replication.became)
                next_level[replication.became_id] = child
            level[replication.source_id].replications.append((replication, child))
        level = next_level
    return ancestors, root


# Questions -----------------------------------------------------------------------------------------------------


def source_indicators(*, practice: Practice) -> list[Indicator]:
    """The indicators of a practice's live revision: what a replication reports its results against."""
    return list(Indicator.objects.filter(revision_id=practice.live_revision_id).order_by("order", "id"))


def faq_list(*, practice: Practice) -> QuerySet[Question]:
    return Question.objects.filter(practice=practice, is_public=True, answered_at__isnull=False).select_related(
        "asker_agency"
    )


def question_list_for_user(*, practice: Practice, agency_id: int | None) -> QuerySet[Question]:
    """Questions the user's agency may see in full: all of them for the owner, its own for an asking agency."""
    qs = Question.objects.filter(practice=practice).select_related("asker_agency", "asker", "answered_by")
    if agency_id is None:
        return qs.none()
    if agency_id == practice.agency_id:
        return qs
    return qs.filter(asker_agency_id=agency_id)


# Agencies like you ---------------------------------------------------------------------------------------------


def practices_like_you(*, practice: Practice, limit: int = 4) -> list[Practice]:
    """Published practices of other agencies of the same kind; those sharing a theme come first.

    Chosen among the LIKE_YOU_CANDIDATES newest such practices: at national scale a kind has tens of
    thousands, and counting shared themes for each took a third of a second per practice page."""
    theme_ids = list(practice.themes.values_list("pk", flat=True))
    candidates = (
        Practice.objects.published()
        .filter(agency__kind=practice.agency.kind)
        .exclude(agency_id=practice.agency_id)
        .order_by("-published_at", "-id")
        .values("pk")[:LIKE_YOU_CANDIDATES]
    )
    return list(
        Practice.objects.filter(pk__in=candidates)
        .annotate(shared=Count("themes", filter=Q(themes__in=theme_ids)))
        .select_related("agency")
        .order_by("-shared", "-published_at", "-id")[:limit]
    )


# Who does what -------------------------------------------------------------------------------------------------

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


# Mentoring -----------------------------------------------------------------------------------------------------


def latest_scores() -> QuerySet[RBIndexScore]:
    """Each agency's most recent RB index score (one row per agency)."""
    latest = RBIndexScore.objects.order_by("agency_id", "-year").distinct("agency_id").values("pk")
    return RBIndexScore.objects.filter(pk__in=Subquery(latest))


def agencies_needing_mentoring() -> QuerySet[RBIndexScore]:
    """Latest scores in category CC, C or D, lowest first."""
    return (
        latest_scores()
        .filter(category__in=RBIndexScore.NEEDS_MENTORING)
        .select_related("agency", "agency__region")
        .order_by("score", "agency__name")
    )


@dataclass
class MentorSuggestion:
    agency: Agency
    score: RBIndexScore
    distance: int  # 0 same province, 1 same island group, 2 elsewhere
    practices: list[Practice]


def _distance(a: Agency, b: Agency) -> int:
    pa, pb = province_of(a), province_of(b)
    if pa is None or pb is None:
        return 0 if pa is pb else 2
    if pa.pk == pb.pk:
        return 0
    # Province codes share their first digit within an island group (1 Sumatra, 3 Java, 6 Kalimantan, ...).
    return 1 if pa.code[0] == pb.code[0] else 2


def mentor_suggestions(*, agency: Agency, theme_ids: list[int] | None = None, limit: int = 10) -> list:
    """Mentors for an agency whose latest RB index category is CC, C or D: agencies of the same kind with a
    higher latest score and published practices (in `theme_ids` when given), nearest first, then highest score.
    An agency not needing mentoring (or without a score) gets no suggestions.
    """
    mine = latest_scores().filter(agency=agency).first()
    if mine is None or mine.category not in RBIndexScore.NEEDS_MENTORING:
        return []
    eligible = Practice.objects.published()
    if theme_ids:
        eligible = eligible.filter(themes__in=theme_ids)
    practices = Practice.objects.filter(pk__in=eligible.values("pk")).order_by("-published_at", "-id")
    candidates = (
        latest_scores()
        .filter(agency__kind=agency.kind, score__gt=mine.score, agency__active=True)
        .exclude(agency=agency)
        .filter(agency_id__in=eligible.values("agency_id"))
        .select_related("agency", "agency__region", "agency__region__province")
    )
    candidates = list(candidates)
    by_agency: dict[int, list[Practice]] = defaultdict(list)
    for practice in practices.filter(agency_id__in=[c.agency_id for c in candidates]):
        by_agency[practice.agency_id].append(practice)
    suggestions = [
        MentorSuggestion(
            agency=c.agency, score=c, distance=_distance(agency, c.agency), practices=by_agency[c.agency_id][:3]
        )
        for c in candidates
    ]
    suggestions.sort(key=lambda s: (s.distance, -s.score.score, s.agency.name))
    return suggestions[:limit]
