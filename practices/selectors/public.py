"""Reads for the public side: only published practices, with a fixed number of queries per page."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramSimilarity
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict

from agencies.models import Agency, Region
from common.cache import public_cache_memo, public_data_version
from common.prefetch import rows_array, rows_prefetched

from .. import search
from ..filters import KIND_GROUPS, PracticeFilter, Sort, practices_order
from ..models import (
    Attachment,
    FacetCount,
    Indicator,
    IndicatorValue,
    Practice,
    PracticeNeighbours,
    PracticeRevision,
    Theme,
)
from ..models.practice import freshness_cutoff
from ..search import SearchPlan, highlight_html, search_plan
from .facets import kept_listed_by_agency, search_list_counts, table_list_counts
from .history import published_revision_count
from .translations import english_verified_at, shown_text_annotate

PAGE_SIZE = 20
# Similar practices on a practice page are chosen among this many newest practices of the same theme, so the
# trigram similarity is computed for a bounded set however large the theme grows.
RELATED_CANDIDATES = 200
LIKE_YOU_CANDIDATES = 200


def theme_list() -> QuerySet[Theme]:
    return Theme.objects.all()


def theme_list_with_counts() -> list[Theme]:
    """The 12 themes (RB Tematik first) with the number of listed practices in each.

    The counts are read from the kept facet counts (a dozen rows), kept with the public cache version too."""
    counts = public_cache_memo("theme-counts", (), _theme_counts)
    themes = list(Theme.objects.all())
    for theme in themes:
        theme.practice_count = counts.get(theme.pk, 0)
    return themes


def _theme_counts() -> dict[int, int]:
    # Listed (published, not stopped) practices per theme, kept by the facet triggers: exact, and a dozen rows
    # instead of a join over every theme link (100 ms at 100,000 practices).
    rows = FacetCount.objects.filter(facet="theme").values_list("value", "n")
    return {int(theme_id): n for theme_id, n in rows}


def published_practices() -> QuerySet[Practice]:
    return Practice.objects.published().select_related("agency", "primary_theme")


def listed_practices() -> QuerySet[Practice]:
    """Published practices of the default listings (home, themes): stopped ones are found with the facet."""
    return Practice.objects.listed().select_related("agency", "primary_theme")


def headline_numbers(queryset: QuerySet[Practice] | None = None) -> dict:
    """Practices, contributing agencies, provinces covered and replications, in one aggregate query.

    The whole-portal figures (the home page) come from the kept facet counts and are kept with the public cache
    version."""
    if queryset is None:
        return public_cache_memo("headline-numbers", (), _portal_numbers)
    return _headline_numbers(queryset)


def _portal_numbers() -> dict:
    """`_headline_numbers(Practice.objects.listed())` from the kept counts (the facet triggers): the total, the
    agencies with a listed practice and their provinces from the counts per agency, and the replications from
    their kept sum (migration practices/0023), without reading the practices."""
    agency, region = Agency._meta.db_table, Region._meta.db_table
    kept, params = kept_listed_by_agency().query.sql_with_params()
    counts = FacetCount._meta.db_table
    # One statement. Model table names and the ORM's own SQL only; every value is a parameter.
    sql = (
        f"SELECT (SELECT n FROM {counts} WHERE facet = 'total' AND value = ''), "  # noqa: S608
        f"count(*), COUNT(DISTINCT COALESCE(r.province_id, r.id)), "
        f"COALESCE((SELECT n FROM {counts} WHERE facet = 'replications' AND value = ''), 0) FROM ({kept}) k "
        f"JOIN {agency} a ON a.id = k.agency_id LEFT JOIN {region} r ON r.id = a.region_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        total, agencies, provinces, replications = cursor.fetchone()
    return {"practices": total or 0, "agencies": agencies, "provinces": provinces, "replications": replications}


def _headline_numbers(queryset: QuerySet[Practice]) -> dict:
    return queryset.aggregate(
        practices=Count("id", distinct=True),
        agencies=Count("agency", distinct=True),
        provinces=Count(Coalesce("agency__region__province_id", "agency__region_id"), distinct=True),
        replications=Coalesce(Sum("replication_count"), 0),
    )


# The practice list -----------------------------------------------------------------------------------------


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class PracticeListResult:
    filterset: PracticeFilter
    page: Page
    plan: SearchPlan
    sort: str
    flags: dict[str, int] = field(default_factory=dict)
    # False when the facet counts of a search are over its newest `counted_limit` matches only (the page says so).
    facets_exact: bool = True
    counted_limit: int = 0
    # What the filter block shows depends only on this (the raw filter values, the text and the public cache
    # version): the page keeps that block as a rendered fragment under it (see practice_list.html).
    facets_key: str = ""
    _cleaned: dict = field(default_factory=dict, repr=False)
    _facet_counts: dict = field(default_factory=dict, repr=False)
    _facets: dict | None = field(default=None, repr=False)

    @property
    def active_filter_count(self) -> int:
        """How many choices of the filter block apply (shown on the "Saring (n)" control that folds it on phones)."""
        return sum(1 for name in FACET_BLOCK_PARAMS if self._cleaned.get(name) not in (None, "", False))

    @property
    def facets(self) -> dict[str, list[FacetOption]]:
        """The options of every facet with their counts, built on first use: a kept filter block never asks."""
        if self._facets is None:
            self._facets = _facets(cleaned=self._cleaned, counts=self._facet_counts, themes=list(theme_list()))
        return self._facets


def practice_list(*, data: QueryDict, page_number: str | int | None = 1) -> PracticeListResult:
    """The filtered, searched, sorted page of published practices with facet counts.

    Each facet is counted over the result filtered by every *other* choice (so picking a theme still shows the
    other themes' numbers), one aggregate query per facet. The counts, the total and the flags depend only on
    the filters and the text, not on the page or the sort, so they are computed once per filter state and
    public cache version (`public_cache_memo`); a page then costs the page query and a few small lookups.

    A text search counts over at most the RANK_CANDIDATES newest matches of each set (`search_list_counts`):
    its total is exact up to that many and "more than" beyond, its facets are then counted over those newest
    matches (`facets_exact` is false and the page says so), and the ranking of its candidates is kept with its
    counts, so that a page of the relevance order is read by primary keys.
    """
    data = data.copy()
    version = _safe_version()
    filterset = PracticeFilter(data, queryset=Practice.objects.published())
    cleaned = filterset.form.cleaned_data if filterset.is_valid() else _valid_part(filterset)
    plan = search_plan(cleaned.get("q") or "", version=version)
    sort = cleaned.get("sort") or (Sort.RELEVANCE if plan.text else Sort.NEWEST)
    if sort == Sort.RELEVANCE and not plan.text:
        sort = Sort.NEWEST

    def result_without(*keys: str) -> QuerySet[Practice]:
        if not keys and filterset.is_valid():
            qs = filterset.qs  # the request's own filters, already validated (a FilterSet costs a millisecond)
        elif keys == ("freshness",) and filterset.is_valid() and not cleaned.get("freshness"):
            # The request's own filters with the stopped practices kept (a search's freshness counts), from the
            # validated FilterSet too.
            with_stopped = copy.copy(filterset)
            with_stopped.hide_stopped = False
            qs = with_stopped.filter_queryset(Practice.objects.published())
        else:
            sub = {k: v for k, v in cleaned.items() if k not in keys and v not in (None, "", False)}
            # Counting "Status praktik" itself: the stopped practices the list hides by default count too.
            qs = PracticeFilter(sub, queryset=Practice.objects.published(), hide_stopped="freshness" not in keys).qs
        if plan.text:
            qs = plan.filter(qs)
        # The theme filter joins one theme row per practice (codes are unique), so no DISTINCT is needed.
        return qs

    state = tuple(sorted((k, str(v)) for k, v in cleaned.items() if k not in ("sort",) and v not in (None, "")))
    state += (("fresh-cutoff", freshness_cutoff().date().isoformat()),)  # the freshness counts move daily
    limit = search.RANK_CANDIDATES
    if plan.text:  # counted over its newest matches, and its candidates ranked, in one statement
        counts = public_cache_memo(
            "search-counts",
            (state, plan.mode, plan.text, limit),
            lambda: search_list_counts(
                cleaned=cleaned,
                result_without=result_without,
                limit=limit,
                rank_query=plan.query if plan.mode == "fts" else None,
                # All that result_without and the rank are built from: their SQL is compiled once per process.
                statement_key=(
                    filterset.is_valid(),
                    tuple(sorted((k, repr(v)) for k, v in cleaned.items())),
                    plan.mode,
                    plan.text,
                    tuple(plan.segments),
                ),
            ),
            version=version,
        )
    else:  # from the facet table (kept by triggers), exact
        counts = public_cache_memo(
            "list-counts", (state, plan.mode, plan.text), lambda: table_list_counts(cleaned=cleaned), version=version
        )

    queryset = result_without().defer(*LIST_DEFERRED, *CARD_UNUSED)
    ordered = practices_order(queryset, sort=sort, plan=plan)
    if isinstance(ordered, search.RankedMatches):
        ordered = ordered.kept(counts.get("ranked"))
    ordered = plan.headline(ordered.select_related("agency", "primary_theme"))
    ordered = shown_text_annotate(ordered)  # English titles on /en/, in the page's own query
    if counts.get("exact", True):
        page = _KnownCountPaginator(ordered, PAGE_SIZE, count=counts["total"]).get_page(page_number)
    else:
        page = _OpenEndedPaginator(ordered, PAGE_SIZE, at_least=counts["total"]).get_page(page_number)
    for practice in page.object_list:
        practice.snippet = highlight_html(practice.headline) if getattr(practice, "headline", None) else None

    shown = sorted((k, v) for k, v in data.lists() if k in FACET_BLOCK_PARAMS)
    return PracticeListResult(
        filterset=filterset,
        page=page,
        plan=plan,
        sort=sort,
        flags=counts["flags"],
        facets_exact=counts.get("facets_exact", True),
        counted_limit=limit,
        # No version (Redis unreachable): nothing is kept, so the block is not either.
        facets_key=f"{version}|{plan.mode}|{plan.text}|{shown!r}" if version is not None else "",
        _cleaned=cleaned,
        _facet_counts=counts["facets"],
    )


def _safe_version() -> str | None:
    try:
        return public_data_version()  # the global version and "any": moves with every publish
    except Exception:  # noqa: BLE001 - Redis down: the page is computed without anything kept
        return None


# The parameters the filter block of the list shows (its selects, year fields and checkboxes); the text box, the
# sort and the page are outside it.
FACET_BLOCK_PARAMS = frozenset(
    [
        "theme",
        "track",
        "kind",
        "province",
        "region",
        "stage",
        "evidence",
        "year_from",
        "year_to",
        "reached",
        "replicated",
        "freshness",
    ]
)
# Columns a list page never shows: the search vector is the widest column of a practice row.
LIST_DEFERRED = ("search_vector",)
# Nor does a card of the list (_practice_card.html, public_tags._card_parts) read these: a third fewer columns to
# compile, fetch and load for each page (about 0.4 ms of a list page).
CARD_UNUSED = (
    "status",
    "featured",
    "created_at",
    "updated_at",
    "stopped_reason",
    "confirmation_requested_at",
    "stage",
    "is_digital",
    "provinces_reached",
    "source_id",
    "created_by_id",
    "live_revision_id",
    "working_revision_id",
    "primary_theme__description_id",
    "primary_theme__description_en",
)


class _KnownCountPaginator(Paginator):
    """A paginator told the number of results, which is counted with the facets."""

    exact = True

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


class _OpenEndedPaginator(Paginator):
    """A paginator of a search with more matches than were counted: there are at least `at_least` results.

    A page ending before that bound has a next page; a page reaching it reads one row more to learn whether
    another follows, and the last page, once reached, knows the exact number (`exact`). Until then the page
    shows "more than `more_than`" and no number of pages. A page past the end is the last page known to exist.
    """

    def __init__(self, *args, at_least: int, **kwargs):
        super().__init__(*args, **kwargs)
        self._at_least = self._count = at_least
        self.exact = False

    @property
    def count(self) -> int:
        return self._count

    @property
    def num_pages(self) -> int:
        return max(1, -(-self._count // self.per_page))

    @property
    def more_than(self) -> int:
        return self._count - 1

    def get_page(self, number) -> Page:
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top < self._at_least:
            return Page(list(self.object_list[bottom:top]), number, self)
        rows = list(self.object_list[bottom : top + 1])
        if not rows and number > 1:
            return self.get_page(-(-self._at_least // self.per_page))
        if len(rows) > self.per_page:
            self._count = top + 1
        else:
            self._count, self.exact = bottom + len(rows), True
        return Page(rows[: self.per_page], number, self)

    def page(self, number) -> Page:
        return self.get_page(number)


def _valid_part(filterset: PracticeFilter) -> dict:
    """Bad values in a shared URL are dropped one by one; the rest of the filters still apply."""
    form = filterset.form
    return {name: value for name, value in form.cleaned_data.items() if name not in form.errors}


def _options(choices, counts: dict[str, int], selected: str | None) -> list[FacetOption]:
    return [
        FacetOption(value=str(value), label=str(label), count=counts.get(value, 0), selected=str(value) == selected)
        for value, label in choices
    ]


def _facets(*, cleaned: dict, counts: dict[str, dict[str, int]], themes: list[Theme]) -> dict[str, list[FacetOption]]:
    facets: dict[str, list[FacetOption]] = {
        "theme": _options([(t.code, t.name) for t in themes], counts["theme"], cleaned.get("theme")),
        "track": _options(Theme.Track.choices, counts["track"], cleaned.get("track")),
        "kind": _options(
            [(k, label) for k, (label, _kinds) in KIND_GROUPS.items()], counts["kind"], cleaned.get("kind")
        ),
    }
    # Region: provinces always; the regencies/cities of the chosen province only (a hierarchy, not 552 names).
    provinces = list(Region.objects.filter(level=Region.Level.PROVINCE).order_by("name").values_list("code", "name"))
    facets["province"] = _options(provinces, counts["province"], cleaned.get("province"))
    facets["region"] = []
    if cleaned.get("province"):
        subregions = list(
            Region.objects.filter(province__code=cleaned["province"]).order_by("name").values_list("code", "name")
        )
        facets["region"] = _options(subregions, counts["region"], cleaned.get("region"))
    facets["stage"] = _options(PracticeRevision.Stage.choices, counts["stage"], cleaned.get("stage"))
    facets["evidence"] = _options(Practice.EvidenceLevel.choices, counts["evidence"], cleaned.get("evidence"))
    facets["freshness"] = _options(Practice.Freshness.choices, counts.get("freshness", {}), cleaned.get("freshness"))
    return facets


# One practice ---------------------------------------------------------------------------------------------


def practice_public_get(*, slug: str) -> Practice:
    """A published practice with what its page header shows, or 404 (drafts and archived ones never leak).

    Its themes come in the same query (`practice.themes.all` reads them, as if prefetched); the revision's
    indicators and files (`practice_public_body`) are read only when the revision's part of the page is
    rendered: it is kept as a fragment per live revision."""
    practice = (
        Practice.objects.published()
        .select_related("agency__region__province", "primary_theme", "live_revision", "source")
        .annotate(published_revision_count=published_revision_count())  # "Riwayat versi (N)" in the header
        .annotate(english_verified_at=english_verified_at())  # which language notice (selectors.translations)
        .annotate(theme_rows=rows_array(Theme.objects.filter(practices=OuterRef("pk"))))
        .filter(slug=slug)
        .first()
    )
    if practice is None:
        raise Http404
    rows_prefetched(practice, "themes", Theme, practice.theme_rows)
    return practice


@dataclass
class PracticeBody:
    indicators: list[Indicator]
    attachments: list[Attachment]


def practice_public_body(*, practice: Practice) -> PracticeBody:
    """The live revision's indicators (with their values) and public files (the cover image is not listed).

    The files are those the live revision shows, carried from earlier revisions included."""
    revision_id = practice.live_revision_id
    indicators = list(
        Indicator.objects.filter(revision_id=revision_id).annotate(
            value_rows=rows_array(IndicatorValue.objects.filter(indicator=OuterRef("pk")))  # in date order
        )
    )
    for indicator in indicators:
        rows_prefetched(indicator, "values", IndicatorValue, indicator.value_rows)
    return PracticeBody(
        indicators=indicators,
        attachments=list(
            Attachment.objects.filter(practice=practice, revisions=revision_id).exclude(
                purpose=Attachment.Purpose.COVER
            )
        ),
    )


def practice_related(*, practice: Practice, limit: int = 4) -> list[Practice]:
    """Published practices sharing the primary theme, the most similar titles first.

    Similarity is computed only for the newest RELATED_CANDIDATES practices of the theme (a theme holds
    thousands at national scale, and comparing the title with each took a third of a second)."""
    if not practice.primary_theme_id:
        return []
    candidates = (
        Practice.objects.published()
        .filter(themes=practice.primary_theme_id)
        .exclude(pk=practice.pk)
        .order_by("-published_at", "-id")
        .values("pk")[:RELATED_CANDIDATES]
    )
    return list(
        published_practices()
        .filter(pk__in=candidates)
        .annotate(similarity=TrigramSimilarity("title", practice.title))
        .order_by("-similarity", "-published_at")[:limit]
    )


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


def practice_neighbours_kept(*, practice: Practice) -> tuple[list[Practice], list[Practice]]:
    """`practice_related` and `practices_like_you` as stored when they last changed (`PracticeNeighbours`,
    written by practices.services.neighbours): one query by primary keys, no similarity computed. Empty lists
    when nothing is stored yet; practices withdrawn since are left out."""
    stored = f"FROM {PracticeNeighbours._meta.db_table} WHERE practice_id = %s"  # noqa: S608 - a model's table
    this = f"{Practice._meta.db_table}.id"
    # Table and column names of the models only; the practice's id is a parameter.
    rows = (
        published_practices()
        .defer(*LIST_DEFERRED)
        .filter(pk__in=RawSQL(f"SELECT unnest(related || like_you) {stored}", [practice.pk]))  # noqa: S611
        .annotate(
            related_at=RawSQL(f"array_position((SELECT related {stored}), {this})", [practice.pk]),  # noqa: S611
            like_you_at=RawSQL(f"array_position((SELECT like_you {stored}), {this})", [practice.pk]),  # noqa: S611
        )
    )
    rows = list(rows)
    related = sorted((p for p in rows if p.related_at), key=lambda p: p.related_at)
    like_you = sorted((p for p in rows if p.like_you_at), key=lambda p: p.like_you_at)
    return related, like_you


# Themes -----------------------------------------------------------------------------------------------------


def theme_public_get(*, code: str) -> Theme:
    theme = Theme.objects.filter(code=code).first()
    if theme is None:
        raise Http404
    return theme


def theme_overview(*, theme: Theme, limit: int = 12) -> dict:
    in_theme = Practice.objects.listed().filter(themes=theme)
    agencies = (
        Agency.objects.filter(practices__in=in_theme)
        .annotate(practice_count=Count("practices", distinct=True))
        .order_by("-practice_count", "name")[:limit]
    )
    return {
        "numbers": headline_numbers(in_theme),
        "practices": list(
            shown_text_annotate(listed_practices().filter(themes=theme).order_by("-published_at", "-id"))[:limit]
        ),
        "agencies": list(agencies),
    }


def home_overview() -> dict:
    return {
        "themes": list(theme_list_with_counts()),
        "numbers": headline_numbers(),
        "featured": list(shown_text_annotate(listed_practices().filter(featured=True).order_by("-published_at"))[:3]),
        "latest": list(shown_text_annotate(listed_practices().order_by("-published_at", "-id"))[:6]),
    }


# Agencies (their practices) -------------------------------------------------------------------------------


def agency_practices(*, agency: Agency) -> QuerySet[Practice]:
    """An agency's published practices, newest first (the agency page pages through them)."""
    return shown_text_annotate(published_practices().filter(agency=agency).order_by("-published_at", "-id"))
