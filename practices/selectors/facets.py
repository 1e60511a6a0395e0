"""The facet table of the public list: what each facet groups by, which filters it is counted without, and how
it is counted through the ORM (one grouped query) and in the one-pass SQL of a text search. Both counters read
`FACETS`, so a facet is defined once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.postgres.search import SearchRank
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, IntegerField, QuerySet
from django.db.models.functions import Cast, Coalesce

from agencies.models import Agency, Region

from ..filters import KIND_TO_GROUP
from ..models import FacetCount, FacetPair, Practice, Theme
from ..models.practice import freshness_cutoff, freshness_expression
from ..search import KeptStatements


@dataclass(frozen=True)
class Facet:
    name: str
    # Counted without these filters (picking a theme still shows the other themes' numbers).
    excludes: tuple[str, ...]
    # The grouping value through the ORM, single-valued per row of the filtered set.
    orm_key: str
    # The GROUP BY over the materialised matches `m` of a search, with {placeholders} for the tables.
    sql: str
    # Never counted over the result itself: the list hides stopped practices unless this facet's filter is
    # chosen, so its counts come from its own set even when nothing is chosen ("Status praktik").
    own_set: bool = False


FACETS: tuple[Facet, ...] = (
    Facet(
        "theme",
        ("theme",),
        "themes__code",
        "SELECT t.code, count(*) FROM m JOIN {practice_themes} pt ON pt.practice_id = m.id "
        "JOIN {theme} t ON t.id = pt.theme_id GROUP BY 1",
    ),
    Facet(
        "track",
        ("track",),
        "primary_theme__track",
        "SELECT t.track, count(*) FROM m JOIN {theme} t ON t.id = m.primary_theme_id GROUP BY 1",
    ),
    Facet("kind", ("kind",), "agency__kind", "SELECT a.kind, count(*) FROM m {with_agency} GROUP BY 1"),
    Facet(
        "province",
        ("province", "region"),
        "province_code",
        "SELECT COALESCE(p.code, r.code), count(*) FROM m {with_region} LEFT JOIN {region} p ON p.id = r.province_id "
        "GROUP BY 1",
    ),
    Facet("region", ("region",), "agency__region__code", "SELECT r.code, count(*) FROM m {with_region} GROUP BY 1"),
    Facet("stage", ("stage",), "stage", "SELECT m.stage, count(*) FROM m GROUP BY 1"),
    Facet("evidence", ("evidence",), "evidence_level", "SELECT m.evidence_level, count(*) FROM m GROUP BY 1"),
    Facet(
        "freshness",
        ("freshness",),
        "freshness_key",
        "SELECT m.freshness_key, count(*) FROM m GROUP BY 1",
        own_set=True,
    ),
)
FACETS_BY_NAME = {facet.name: facet for facet in FACETS}
# Kept for the readers that only need which filters each facet is counted without.
FACET_EXCLUDES: dict[str, tuple[str, ...]] = {facet.name: facet.excludes for facet in FACETS}
# The statements of `search_list_counts`, by the caller's key (see there).
_counts_statements = KeptStatements()


def list_counts(*, cleaned: dict, result_without, one_pass: bool) -> dict:
    """Total, flags and every facet's counts of one filter state (plain, picklable dicts).

    With `one_pass` (a text search), the facets whose own filters are not chosen, all counted over the same set
    (the result itself), are counted in one pass over it (`one_pass_counts`): the matches of a common word
    are read once instead of eight times (cold: 311 → 133 ms at 100,000 practices). Without text each facet is
    an index-only scan of the covering index, cheaper than materialising every published row (146 vs 200 ms).
    A facet whose filter is chosen is counted over its own set, one query each."""
    chosen = {key for key, value in cleaned.items() if value not in (None, "", False)}
    wanted = [facet for facet in FACETS if facet.name != "region" or cleaned.get("province")]
    shared = [facet for facet in wanted if not chosen & set(facet.excludes) and not facet.own_set] if one_pass else []
    counted = one_pass_counts(result_without(), shared)
    total, flags, facets = counted.pop("total"), counted.pop("flags"), counted
    for facet in wanted:
        if facet not in shared:
            facets[facet.name] = facet_counts(facet.name, result_without(*facet.excludes))
    _fold_kinds(facets)
    return {"total": total, "flags": flags, "facets": facets}


def facet_counts(name: str, queryset: QuerySet[Practice]) -> dict[str, int]:
    """One facet's counts over `queryset` (kinds as stored; `list_counts` groups them)."""
    if name == "province":
        queryset = queryset.annotate(province_code=Coalesce("agency__region__province__code", "agency__region__code"))
    if name == "freshness":
        # From the covering index's freshness columns, like the other facets (no heap reads).
        queryset = queryset.annotate(freshness_key=freshness_expression(freshness_cutoff()))
    return _counts(queryset, FACETS_BY_NAME[name].orm_key)


def one_pass_counts(queryset: QuerySet[Practice], facets: list[Facet]) -> dict:
    """The total, the flags and the given facets' counts over `queryset`, reading its rows once.

    The matching rows (a handful of narrow columns) are materialised once in a CTE and every count is a GROUP BY
    over it, UNION ALL-ed into one statement. Each practice has one value per facet (its themes are one row
    each, as in `_counts`), so plain counts are exact.

    The statement is assembled from table names of the models and the fixed SQL of `FACETS` only; every value
    from the request is a parameter of the inner queryset's SQL (hence the S608 exemptions)."""
    out: dict = {"total": 0, "flags": {"reached": 0, "replicated": 0}, **{facet.name: {} for facet in facets}}
    columns = ("id", "agency_id", "primary_theme_id", "stage", "evidence_level", "reached_target", "replication_count")
    if any(facet.name == "freshness" for facet in facets):  # not by `list_counts` (own_set); kept general
        queryset = queryset.annotate(freshness_key=freshness_expression(freshness_cutoff()))
        columns = (*columns, "freshness_key")
    try:
        inner, params = queryset.order_by().values(*columns).query.sql_with_params()
    except EmptyResultSet:  # a search that matches nothing (`queryset.none()`)
        return out
    tables = _tables()
    selects = [
        "SELECT 'total', NULL::text, count(*) FROM m",
        "SELECT 'reached', NULL::text, count(*) FILTER (WHERE m.reached_target) FROM m",
        "SELECT 'replicated', NULL::text, count(*) FILTER (WHERE m.replication_count > 0) FROM m",
    ]
    selects += [
        f"SELECT '{facet.name}', g.key::text, g.n FROM ({facet.sql.format(**tables)}) g(key, n)"  # noqa: S608
        for facet in facets
    ]
    sql = f"WITH m({', '.join(columns)}) AS MATERIALIZED ({inner}) " + " UNION ALL ".join(selects)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for name, key, n in cursor.fetchall():
            if name == "total":
                out["total"] = n
            elif name in ("reached", "replicated"):
                out["flags"][name] = n
            elif key is not None:
                out[name][key] = n
    return out


def search_list_counts(
    *, cleaned: dict, result_without, limit: int, rank_query=None, statement_key: tuple | None = None
) -> dict:
    """`list_counts` of a text search, over at most the `limit` newest matches of each counted set (issue #20).

    A common word matches a third of the practices, and counting all its matches read the wide practice table
    twice (450 ms at 100,000 practices). Here each counted set (the result, and the result without a chosen
    filter for that filter's facet) is walked newest first along the publication-date index, stopping after
    `limit` + 1 rows. `total` is then exact when it is at most `limit` (`exact`); otherwise it is a lower bound
    (`limit` + 1: the page says "more than `limit`"), and the facets are counted over the `limit` newest matches
    (`facets_exact` is false: the page says so). The result and the freshness facet's own set (stopped ones
    included) share one walk, which reads at most as many more rows as there are stopped practices (their
    number is kept in `practices_facetcount`).

    With `rank_query` (a full-text search) the walk also ranks the result's counted rows, which are exactly the
    candidates of `search.RankedMatches` when `limit` is `RANK_CANDIDATES`: `ranked` lists their (id, rank) in
    relevance order, so that a page of that order is read by primary keys. The SQL is the ORM's for each set
    plus fixed text; every value from the request is a parameter (hence the S608 exemptions).

    `statement_key`, when given, names everything `result_without` and `rank_query` are built from (the
    filters, the search's mode and query): the statement is then compiled once per process for it and the
    freshness cutoff (`search.KeptStatements`), not through the ORM on every request; it is still executed
    every time."""
    chosen = {key for key, value in cleaned.items() if value not in (None, "", False)}
    wanted = [facet for facet in FACETS if facet.name != "region" or cleaned.get("province")]
    shared = "freshness" not in chosen  # the result is then the freshness set without its stopped rows
    kept_stopped = f"COALESCE((SELECT n FROM {FC} WHERE facet = 'stopped' AND value = ''), 0)"  # noqa: S608
    columns = ("id", "agency_id", "primary_theme_id", "stage", "evidence_level", "reached_target")
    columns += ("replication_count", "stopped_at", "freshness_key", "published_at")
    out: dict = {
        "total": 0,
        "exact": True,
        "facets_exact": True,
        "flags": {"reached": 0, "replicated": 0},
        "facets": {facet.name: {} for facet in wanted},
        "ranked": [] if rank_query is not None else None,
    }

    def build() -> tuple[str, list] | None:
        walks: dict[tuple, int] = {}  # (chosen filters left out, stopped rows included) -> index of its walk
        ctes: list[str] = []
        params: list = []

        def walk(excluded: tuple[str, ...], with_stopped: bool) -> int:
            key = ((), True) if shared and not excluded else (excluded, with_stopped)
            if key not in walks:
                walks[key] = len(walks)
                queryset = result_without(*excluded, *(("freshness",) if key[1] else ()))
                queryset = queryset.annotate(freshness_key=freshness_expression(freshness_cutoff()))
                names = columns
                if rank_query is not None and not excluded:
                    queryset = queryset.annotate(rank=SearchRank(F("search_vector"), rank_query))
                    names = (*columns, "rank")
                # EmptyResultSet (nothing can match) is raised to the caller.
                inner, inner_params = queryset.order_by("-published_at", "-id").values(*names).query.sql_with_params()
                more = f" + {kept_stopped}" if shared and not excluded else ""
                # `i` numbers the rows newest first; `ri` the listed (not stopped) ones only, NULL for the others.
                ctes.append(
                    f"w{walks[key]} AS MATERIALIZED (SELECT x.*, row_number() OVER o AS i, CASE WHEN x.stopped_at "  # noqa: S608
                    f"IS NULL THEN count(*) FILTER (WHERE x.stopped_at IS NULL) OVER o END AS ri FROM ({inner} "
                    f"LIMIT %s{more}) x({', '.join(names)}) WINDOW o AS (ORDER BY x.published_at DESC, x.id DESC))"
                )
                params.extend([*inner_params, limit + 1])
            return walks[key]

        try:
            r = walk((), with_stopped=False)
            # The rows each facet counts, as (walk, condition): the result's `limit` newest listed rows (a shared
            # walk holds the stopped ones too); the freshness set of a shared walk, all of it when the result is
            # complete (the walk then read every match), else its `limit` newest; another set's `limit` newest.
            result = (r, f"w.ri <= {limit}" if shared else f"w.i <= {limit}")
            counted: dict[tuple[int, str], list[str]] = {result: []}
            listed = f"ri <= {limit + 1}" if shared else "true"
            parts = [f"SELECT 'total', NULL::text, count(*) FROM w{r} WHERE {listed}"]  # noqa: S608
            if shared:
                parts.append(f"SELECT 'n', NULL, count(*) FROM w{r}")  # noqa: S608
                parts.append(f"SELECT 'walk', NULL, {limit + 1} + {kept_stopped}")  # noqa: S608
            for facet in wanted:
                i = walk(tuple(sorted(chosen & set(facet.excludes))), with_stopped=facet.own_set)
                if i != r:
                    rows = (i, f"w.i <= {limit}")
                    if rows not in counted:
                        parts.append(f"SELECT 'n{i}', NULL, count(*) FROM w{i}")  # noqa: S608
                elif facet.own_set:
                    complete = f"(SELECT count(*) FROM w{i} z WHERE z.ri IS NOT NULL) <= {limit}"  # noqa: S608
                    rows = (i, f"w.i <= {limit} OR {complete}")
                else:
                    rows = result
                counted.setdefault(rows, []).append(facet.name)
            for k, ((i, condition), names) in enumerate(counted.items()):
                own = _counted_parts(f"c{k}", names)
                # Kept once when read more than once (the result's rows always are), else read where used.
                ctes.append(_counted_cte(f"c{k}", f"w{i}", condition, names, kept=k == 0 or len(own) > 1))
                parts += own
            parts += [
                "SELECT 'reached', NULL, count(*) FILTER (WHERE reached_target) FROM c0",
                "SELECT 'replicated', NULL, count(*) FILTER (WHERE replication_count > 0) FROM c0",
            ]
            if rank_query is not None:
                parts.append(
                    "SELECT 'ranked', string_agg(id || ' ' || rank, ',' ORDER BY rank DESC, published_at DESC, "
                    "id DESC), 0 FROM c0"
                )
        except EmptyResultSet:  # a search that matches nothing (`queryset.none()`)
            return None
        sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(f"({part})" for part in parts)
        return sql, params

    if statement_key is None:
        statement = build()
    else:  # built once per process for the same filters, search and cutoff
        statement = _counts_statements.get((statement_key, limit, rank_query is not None, freshness_cutoff()), build)
    if statement is None:  # a search that matches nothing (`queryset.none()`)
        _fold_kinds(out["facets"])
        return out
    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    ranked: list[tuple[int, float]] = []
    walked = walk_limit = 0
    for name, key, n in rows:
        if name == "total":
            out["total"] = n
        elif name in ("reached", "replicated"):
            out["flags"][name] = n
        elif name == "n":
            walked = n
        elif name == "walk":
            walk_limit = n
        elif name.startswith("n"):
            out["facets_exact"] &= n <= limit
        elif name == "ranked":  # "id rank,id rank,…"
            pairs = key.replace(",", " ").split() if key else []
            ranked = list(zip(map(int, pairs[0::2]), map(float, pairs[1::2]), strict=True))
        elif key is not None:
            out["facets"][name][key] = out["facets"][name].get(key, 0) + n
    # A shared walk that reached its limit with no more than `limit` listed rows met more stopped rows than the
    # kept number says (not within one snapshot; but then the total is not known to be exact).
    short = bool(walk_limit) and walked >= walk_limit and out["total"] <= limit
    out["exact"] = out["total"] <= limit and not short
    out["facets_exact"] &= out["exact"]
    if rank_query is not None:
        # The ranking of the result's `limit` newest rows; not when a short walk may have missed some of them.
        out["ranked"] = None if short else ranked
    _fold_kinds(out["facets"])
    return out


def _fold_kinds(facets: dict) -> None:
    """Give `facets` a region entry and fold its agency kinds into the groups the filter offers (KIND_TO_GROUP)."""
    facets.setdefault("region", {})
    if "kind" in facets:
        kind_counts: dict[str, int] = {}
        for kind, n in facets["kind"].items():
            group = KIND_TO_GROUP[kind]
            kind_counts[group] = kind_counts.get(group, 0) + n
        facets["kind"] = kind_counts


# The column of the counted rows each facet but the themes groups by (the same keys as `FACETS`' SQL).
_COUNTED_KEYS = {
    "track": "track",
    "kind": "kind",
    "province": "province",
    "region": "region",
    "stage": "stage",
    "evidence": "evidence_level",
    "freshness": "freshness_key",
}


def _counted_cte(name: str, walk: str, condition: str, facets: list[str], *, kept: bool) -> str:
    """The rows `name` of `walk` (as `w`) meeting `condition`, with the agency's kind and regions and the primary
    theme's track joined when its `facets` need them (a few hundred rows each: hash joins of small tables)."""
    theme, agency, region = Theme._meta.db_table, Agency._meta.db_table, Region._meta.db_table
    select, joins = ["w.*"], []
    if {"kind", "province", "region"} & set(facets):
        select.append("a.kind, COALESCE(p.code, r.code) AS province, r.code AS region")
        joins.append(
            f"JOIN {agency} a ON a.id = w.agency_id LEFT JOIN {region} r ON r.id = a.region_id "
            f"LEFT JOIN {region} p ON p.id = r.province_id"
        )
    if "track" in facets:
        select.append("t.track")
        joins.append(f"LEFT JOIN {theme} t ON t.id = w.primary_theme_id")
    return (
        f"{name} AS {'' if kept else 'NOT '}MATERIALIZED (SELECT {', '.join(select)} FROM {walk} w {' '.join(joins)} "  # noqa: S608
        f"WHERE {condition})"
    )


def _counted_parts(name: str, facets: list[str]) -> list[str]:
    """(facet, key, n) rows of `facets` over the counted rows `name`: one grouping-sets pass over them, and the
    themes through their theme links, looked up row by row (a LATERAL join behind OFFSET 0, so that the planner
    never hashes every theme link of the portal for a few hundred rows)."""
    keyed = [facet for facet in facets if facet in _COUNTED_KEYS]
    parts = []
    if keyed:
        which = " ".join(f"WHEN GROUPING({_COUNTED_KEYS[f]}) = 0 THEN '{f}'" for f in keyed)
        value = " ".join(f"WHEN GROUPING({_COUNTED_KEYS[f]}) = 0 THEN {_COUNTED_KEYS[f]}::text" for f in keyed)
        sets = ", ".join(f"({_COUNTED_KEYS[f]})" for f in keyed)
        parts.append(
            f"SELECT CASE {which} END, CASE {value} END, count(*) FROM {name} GROUP BY GROUPING SETS ({sets})"  # noqa: S608
        )
    if "theme" in facets:
        parts.append(
            f"SELECT 'theme', t.code, g.n FROM (SELECT x.theme_id, count(*) AS n FROM {name} c "  # noqa: S608
            f"CROSS JOIN LATERAL (SELECT pt.theme_id FROM {Practice.themes.through._meta.db_table} pt "
            f"WHERE pt.practice_id = c.id OFFSET 0) x GROUP BY 1) g JOIN {Theme._meta.db_table} t ON t.id = g.theme_id"
        )
    return parts


def _tables() -> dict[str, str]:
    agency, region = Agency._meta.db_table, Region._meta.db_table
    with_agency = f"JOIN {agency} a ON a.id = m.agency_id"
    return {
        "practice_themes": Practice.themes.through._meta.db_table,
        "theme": Theme._meta.db_table,
        "region": region,
        "with_agency": with_agency,
        "with_region": f"{with_agency} LEFT JOIN {region} r ON r.id = a.region_id",
    }


def _counts(queryset: QuerySet, key: str) -> dict[str, int]:
    # Each grouping key is single-valued per row of the filtered set (see result_without), so a plain COUNT is
    # exact; COUNT(DISTINCT) made PostgreSQL sort every matching row on disk at 100,000 practices.
    rows = queryset.order_by().values(key).annotate(n=Count("id"))
    return {row[key]: row["n"] for row in rows if row[key] is not None}


# Counting from the facet table (issue #20) -----------------------------------------------------------------
#
# Without a text search, every count of the list comes from `practices_practicefacets` (one narrow row per
# published practice, kept by triggers) and `practices_facetcount` (the counts of the unfiltered list, kept by
# the same triggers), in one statement: a facet whose other filters are all unchosen reads the counts table
# (a few hundred rows), the others count the facet rows matching those filters (indexed: the themes by GIN).
# Agencies, regions and themes are joined after grouping, so a code or a kind is never copied into the rows.
# `list_counts` (the practice table itself) stays the counter of text searches and the exactness tests' oracle.

PF = "practices_practicefacets"
FC = "practices_facetcount"
FP = "practices_facetpair"
_NOT_FILTERS = ("q", "sort")


def _chosen(cleaned: dict, excludes: tuple[str, ...] = ()) -> dict:
    return {
        k: v for k, v in cleaned.items() if k not in excludes and k not in _NOT_FILTERS and v not in (None, "", False)
    }


def _where(scope: dict, *, hide_stopped: bool, cutoff, theme_indexed: bool = True) -> tuple[list[str], list]:
    """SQL conditions on the facet row `f` equal to `PracticeFilter(scope, hide_stopped=...)` (see filters.py).

    The theme's condition is one the GIN index serves, or with `theme_indexed=False` the same test row by row
    (`= ANY`), for rows another index finds fewer of (a day of confirmations, not a theme's ten thousand rows)."""
    theme, agency, region = Theme._meta.db_table, Agency._meta.db_table, Region._meta.db_table
    sql: list[str] = []
    params: list = []
    if "theme" in scope:
        theme_id = f"(SELECT t.id::int FROM {theme} t WHERE t.code = %s)"  # noqa: S608
        sql.append(f"f.theme_ids @> ARRAY[{theme_id}]" if theme_indexed else f"{theme_id} = ANY(f.theme_ids)")
        params.append(scope["theme"])
    if "track" in scope:
        sql.append(f"f.primary_theme_id IN (SELECT t.id FROM {theme} t WHERE t.track = %s)")  # noqa: S608
        params.append(scope["track"])
    if "kind" in scope:
        from ..filters import KIND_GROUPS

        sql.append(f"f.agency_id IN (SELECT a.id FROM {agency} a WHERE a.kind = ANY(%s))")  # noqa: S608
        params.append([str(kind) for kind in KIND_GROUPS[scope["kind"]][1]])
    if "province" in scope:
        sql.append(
            f"f.agency_id IN (SELECT a.id FROM {agency} a JOIN {region} r ON r.id = a.region_id "  # noqa: S608
            f"LEFT JOIN {region} p ON p.id = r.province_id WHERE r.code = %s OR p.code = %s)"
        )
        params += [scope["province"], scope["province"]]
    if "region" in scope:
        province = scope.get("province")
        if not province or scope["region"].startswith(f"{province}."):  # else the province choice wins
            sql.append(
                f"f.agency_id IN (SELECT a.id FROM {agency} a JOIN {region} r ON r.id = a.region_id "  # noqa: S608
                "WHERE r.code = %s)"
            )
            params.append(scope["region"])
    for key, column in (("stage", "stage"), ("evidence", "evidence_level")):
        if key in scope:
            sql.append(f"f.{column} = %s")
            params.append(scope[key])
    if "year_from" in scope:
        sql.append("f.start_year >= %s")
        params.append(int(scope["year_from"]))
    if "year_to" in scope:
        sql.append("f.start_year <= %s")
        params.append(int(scope["year_to"]))
    if scope.get("reached"):
        sql.append("f.reached_target")
    if scope.get("replicated"):
        sql.append("f.replicated")
    freshness = scope.get("freshness")
    if freshness == Practice.Freshness.STOPPED:
        sql.append("f.stopped")
    elif freshness == Practice.Freshness.UNCONFIRMED:
        sql.append("NOT f.stopped AND (f.not_recently_confirmed OR f.confirmed_since < %s)")
        params.append(cutoff)
    elif freshness == Practice.Freshness.RUNNING:
        sql.append("NOT f.stopped AND NOT f.not_recently_confirmed AND NOT (f.confirmed_since < %s) IS TRUE")
        params.append(cutoff)
    elif freshness:  # not a choice (the form validated it): nothing matches, as the ORM's Case would
        sql.append("false")
    elif hide_stopped:
        sql.append("NOT f.stopped")
    return sql, params


def _grouped(name: str, m: str, n: str = "count(*)") -> str:
    """A facet's counts over the facet rows `m` (a CTE of the rows matching its other filters): (facet, key, n).
    `n` counts a group (the cube's cells, `_cubed`, hold their count in `n`)."""
    theme, agency, region = Theme._meta.db_table, Agency._meta.db_table, Region._meta.db_table
    by_agency = f"(SELECT f.agency_id, {n} AS n FROM {m} f GROUP BY 1) g"  # noqa: S608
    return {  # noqa: S608 - table names and fixed SQL only
        "theme": f"SELECT 'theme', t.code, g.n FROM (SELECT u.id, count(*) AS n FROM (SELECT unnest(f.theme_ids) AS id "  # noqa: S608
        f"FROM {m} f) u GROUP BY 1) g JOIN {theme} t ON t.id = g.id",
        "track": f"SELECT 'track', t.track, sum(g.n) FROM (SELECT f.primary_theme_id AS id, {n} AS n FROM {m} f "  # noqa: S608
        f"GROUP BY 1) g JOIN {theme} t ON t.id = g.id GROUP BY 2",
        "kind": f"SELECT 'kind', a.kind, sum(g.n) FROM {by_agency} JOIN {agency} a ON a.id = g.agency_id GROUP BY 2",  # noqa: S608
        "province": f"SELECT 'province', COALESCE(p.code, r.code), sum(g.n) FROM {by_agency} "  # noqa: S608
        f"JOIN {agency} a ON a.id = g.agency_id JOIN {region} r ON r.id = a.region_id "
        f"LEFT JOIN {region} p ON p.id = r.province_id GROUP BY 2",
        "region": f"SELECT 'region', r.code, sum(g.n) FROM {by_agency} JOIN {agency} a ON a.id = g.agency_id "  # noqa: S608
        f"JOIN {region} r ON r.id = a.region_id GROUP BY 2",
        "stage": f"SELECT 'stage', f.stage, {n} FROM {m} f GROUP BY 2",  # noqa: S608
        "evidence": f"SELECT 'evidence', f.evidence_level, {n} FROM {m} f GROUP BY 2",  # noqa: S608
        "freshness": "SELECT 'freshness', CASE WHEN f.stopped THEN 'stopped' WHEN f.not_recently_confirmed "  # noqa: S608
        f"OR f.confirmed_since < %s THEN 'unconfirmed' ELSE 'running' END, count(*) FROM {m} f GROUP BY 2",
        "total": f"SELECT 'total', NULL, count(*) FROM {m} f UNION ALL "  # noqa: S608
        f"SELECT 'reached', NULL, count(*) FILTER (WHERE f.reached_target) FROM {m} f UNION ALL "
        f"SELECT 'replicated', NULL, count(*) FILTER (WHERE f.replicated) FROM {m} f",
    }[name]


def _kept(name: str, src: str = FC, boundary: str = "") -> str:
    """A facet's counts from kept counts: the unfiltered list's (`practices_facetcount`), or one chosen filter's
    (`src`, a CTE of `practices_facetpair` rows as (facet, value, n)); `boundary` restricts the facet rows read
    for the freshness facet's last day to that filter."""
    theme, agency, region = Theme._meta.db_table, Agency._meta.db_table, Region._meta.db_table
    by_agency = f"{src} c JOIN {agency} a ON c.facet = 'agency' AND c.value = a.id::text"
    return {  # noqa: S608 - table names and fixed SQL only; values are parameters
        "theme": f"SELECT 'theme', t.code, c.n FROM {src} c JOIN {theme} t ON c.facet = 'theme' "  # noqa: S608
        "AND c.value = t.id::text",
        "track": f"SELECT 'track', t.track, sum(c.n) FROM {src} c JOIN {theme} t ON c.facet = 'ptheme' "  # noqa: S608
        "AND c.value = t.id::text GROUP BY 2",
        "kind": f"SELECT 'kind', a.kind, sum(c.n) FROM {by_agency} GROUP BY 2",  # noqa: S608
        # Each agency's province joined apart (behind OFFSET 0, three hash joins of 643 and 552 rows): the
        # planner, taking a CTE's agency rows for ten, looked each region up one by one (1.3 ms of 6).
        "province": f"SELECT 'province', ap.code, sum(c.n) FROM {src} c JOIN (SELECT a.id::text AS id, "  # noqa: S608
        f"COALESCE(p.code, r.code) AS code FROM {agency} a JOIN {region} r ON r.id = a.region_id "
        f"LEFT JOIN {region} p ON p.id = r.province_id OFFSET 0) ap ON c.facet = 'agency' AND c.value = ap.id "
        "GROUP BY 2",
        "region": f"SELECT 'region', r.code, sum(c.n) FROM {by_agency} "  # noqa: S608
        f"JOIN {region} r ON r.id = a.region_id GROUP BY 2",
        "stage": f"SELECT 'stage', c.value, c.n FROM {src} c WHERE c.facet = 'stage'",  # noqa: S608
        "evidence": f"SELECT 'evidence', c.value, c.n FROM {src} c WHERE c.facet = 'evidence'",  # noqa: S608
        # Over every published practice (the facet's own set): stopped, not recently confirmed (flagged, or
        # confirmed before the cutoff: the days before the cutoff's UTC day from the counts, the rest of that
        # day from the facet rows), and the rest of the listed ones running. Parameters: day, day start, cutoff.
        "freshness": f"SELECT 'freshness', 'stopped', c.n FROM {src} c WHERE c.facet = 'stopped' UNION ALL "  # noqa: S608
        f"SELECT 'freshness', '_nrc', c.n FROM {src} c WHERE c.facet = 'nrc' UNION ALL "
        f"SELECT 'freshness', '_stale', sum(c.n) FROM {src} c WHERE c.facet = 'since' AND c.value < %s UNION ALL "
        f"SELECT 'freshness', '_stale', count(*) FROM {PF} f WHERE NOT f.stopped AND NOT f.not_recently_confirmed "
        f"AND f.confirmed_since >= %s AND f.confirmed_since < %s{boundary} UNION ALL "
        f"SELECT 'freshness', '_listed', COALESCE((SELECT c.n FROM {src} c WHERE c.facet = 'total'), 0)",
        "total": f"SELECT c.facet, NULL, c.n FROM {src} c WHERE c.facet IN ('total', 'reached', 'replicated')",  # noqa: S608
    }[name]


CUBE = "practices_facetcube"
# The cube's groupings (migration practices/0025): mask, the dimensions it keeps; smallest first (cells at
# 100,000 practices: 7,716, 23,055, 30,379, 61,315 and 88,417, bounded by the dimensions, not the practices).
CUBE_MASKS: tuple[tuple[int, frozenset[str]], ...] = (
    (5, frozenset({"agency", "stage", "evidence"})),
    (3, frozenset({"theme", "agency", "stage"})),
    (4, frozenset({"theme", "agency", "evidence"})),
    (2, frozenset({"agency", "stage", "evidence", "ptheme"})),
    (1, frozenset({"theme", "agency", "stage", "evidence", "ptheme"})),
)
# The cube's dimension of each filter and facet it can count (the agency's kind and regions are joined).
_CUBE_DIMENSION = {
    "theme": "theme",
    "track": "ptheme",
    "kind": "agency",
    "province": "agency",
    "region": "agency",
    "stage": "stage",
    "evidence": "evidence",
    "total": None,
    "freshness": None,
}


def _cube_mask(scope: dict, name: str) -> int | None:
    """The smallest grouping of the cube that counts facet `name` over the filters `scope`, or None when one of
    them is not a dimension (years, flags, freshness: counted from the facet rows). A grouping that keeps the
    theme counts a practice once per theme, so it serves only a set or a facet that picks one theme."""
    if any(key not in _CUBE_DIMENSION or _CUBE_DIMENSION[key] is None for key in scope):
        return None
    need = {_CUBE_DIMENSION[key] for key in _effective_keys(scope)} | {_CUBE_DIMENSION[name]} - {None}
    for mask, dimensions in CUBE_MASKS:
        if need <= dimensions and ("theme" not in dimensions or "theme" in need):
            return mask
    return None


def _cube_cells(mask: int, scope: dict, cutoff) -> tuple[str, list]:
    """The cells of grouping `mask` matching `scope`, as a subquery of the cube, and its parameters."""
    sql, params = [f"f.mask = {int(mask)}"], []
    if "theme" in scope:
        sql.append(f"f.theme_id = (SELECT t.id FROM {Theme._meta.db_table} t WHERE t.code = %s)")  # noqa: S608
        params.append(scope["theme"])
    conditions, condition_params = _where(
        {key: value for key, value in scope.items() if key != "theme"}, hide_stopped=False, cutoff=cutoff
    )
    return f"(SELECT * FROM {CUBE} f WHERE {' AND '.join(sql + conditions)})", params + condition_params  # noqa: S608


def _cubed(name: str, m: str, scope: dict, cutoff) -> tuple[str, list]:
    """Facet `name`'s counts over the listed practices matching `scope`, from the cube's cells `m` (a CTE of
    `_cube_cells`, see `_cube_mask`): (facet, key, n) rows and their parameters. The freshness facet takes its
    stopped, flagged and listed numbers from the cube, and the stale ones (confirmed before the cutoff) from the
    cube up to the instant it was last brought to (`services.indexing.facets_restale`), the few confirmed since
    then from their facet rows, found by their date (practicefacets_since)."""
    params: list = []
    if name == "theme":
        sql = (
            f"SELECT 'theme', t.code, g.n FROM (SELECT f.theme_id AS id, sum(f.n) AS n FROM {m} f GROUP BY 1) g "  # noqa: S608
            f"JOIN {Theme._meta.db_table} t ON t.id = g.id"
        )
    elif name == "total":
        sql = (
            "SELECT v.* FROM (SELECT sum(f.n) AS n, sum(f.reached) AS r, sum(f.replicated) AS p "  # noqa: S608
            f"FROM {m} f) x, LATERAL (VALUES ('total', NULL::text, x.n), ('reached', NULL, x.r), "
            "('replicated', NULL, x.p)) v"
        )
    elif name == "freshness":
        # The stale ones: the cube's (confirmed before its kept instant) and those confirmed between that instant
        # and today's cutoff, from their facet rows (subtracted if the cutoff is the earlier).
        conditions, row_params = _where(scope, hide_stopped=False, cutoff=cutoff, theme_indexed=False)
        sql = (
            "SELECT v.* FROM (SELECT sum(f.stopped) AS s, sum(f.nrc) AS c, sum(f.stale) AS st, sum(f.n) AS n "  # noqa: S608
            f"FROM {m} f) x, LATERAL (VALUES ('freshness', 'stopped', x.s), ('freshness', '_nrc', x.c), "
            "('freshness', '_stale', x.st), ('freshness', '_listed', x.n)) v UNION ALL "
            "SELECT 'freshness', '_stale', CASE WHEN k.before <= %s THEN count(*) ELSE -count(*) END "
            "FROM (SELECT practices_facetcube_stale_before() AS before) k "
            f"JOIN {PF} f ON f.confirmed_since >= LEAST(k.before, %s) AND f.confirmed_since < GREATEST(k.before, %s) "
            f"WHERE NOT f.stopped AND NOT f.not_recently_confirmed{''.join(f' AND {c}' for c in conditions)} "
            "GROUP BY k.before"
        )
        params += [cutoff, cutoff, cutoff, *row_params]
    else:
        sql = _grouped(name, m, "sum(f.n)")
    return sql, params


# The filters whose single choice has its counts kept in `practices_facetpair` (their key there).
PAIR_FILTERS = ("theme", "stage", "evidence", "reached", "replicated")


def _kept_scope(scope: dict) -> bool:
    """Whether a set's counts are kept: no filter (`practices_facetcount`) or one kept pair's filter."""
    return not scope or (len(scope) == 1 and next(iter(scope)) in PAIR_FILTERS)


def _effective_keys(scope: dict) -> set[str]:
    """The filters whose conditions `_where(scope)` joins with AND (each as `_where` gives it alone): all but a
    region outside the chosen province, which gives way to the province."""
    province = scope.get("province")
    return {key for key in scope if not (key == "region" and province and not scope[key].startswith(f"{province}."))}


def table_list_counts(*, cleaned: dict) -> dict:
    """`list_counts` of a list without a text search, from the facet table, in one query (same result)."""
    cutoff = freshness_cutoff()
    wanted = [facet for facet in FACETS if facet.name != "region" or cleaned.get("province")]
    sets = [("total", (), True), *((facet.name, facet.excludes, not facet.own_set) for facet in wanted)]
    # The sets that kept counts do not serve are read from the facet rows as CTEs: one per set of filters (the
    # facets counted over the same set share it; so do the listed set and the freshness facet's own set, the
    # stopped ones flagged), except that the sets keeping a chosen theme share one, `ft`: the theme's rows (by
    # the GIN index) with a flag per other filter, each set being a condition on the flags. A theme with two
    # more filters read the facet rows five times (all of the theme's pages each), now twice.
    groups: dict[str, list[tuple[str, set[str], bool]]] = {}
    for name, excludes, hide_stopped in sets:
        scope = _chosen(cleaned, excludes)
        if not _kept_scope(scope) and _cube_mask(scope, name) is None:
            keys, hide = _effective_keys(scope), hide_stopped and "freshness" not in scope
            group = "ft" if "theme" in scope else f"fu_{'_'.join(sorted(keys))}"
            groups.setdefault(group, []).append((name, keys, hide))
    chosen = _chosen(cleaned)
    pairs: dict[str, str] = {}
    cells: dict[tuple, str] = {}
    cte_sql: list[str] = []
    cte_params: list = []
    all_hide: dict[str, bool] = {}  # every set of the CTE hides the stopped ones: so does the CTE
    for group, members in groups.items():
        shared = set.intersection(*(keys for _name, keys, _hide in members))
        flagged = sorted(set.union(*(keys for _name, keys, _hide in members)) - shared)
        columns, where = [], []
        for key in flagged:
            conditions, condition_params = _where({key: chosen[key]}, hide_stopped=False, cutoff=cutoff)
            columns.append(f", ({' AND '.join(conditions) or 'true'}) AS c_{key}")
            cte_params += condition_params
        for key in sorted(shared):
            conditions, condition_params = _where({key: chosen[key]}, hide_stopped=False, cutoff=cutoff)
            where += conditions
            cte_params += condition_params
        all_hide[group] = all(hide for _name, _keys, hide in members)
        if all_hide[group]:
            where.append("NOT f.stopped")
        if any(name == "theme" for name, _keys, _hide in members):
            columns.append(", f.theme_ids")
        # Kept once when read more than once; a set read once (a facet counted alone over it, e.g. the themes
        # without a chosen theme) is read where used, so that its rows are never written out (80 → 50 ms for a
        # theme with two more filters at 100,000 practices). The total's part reads its set three times.
        reads = sum(3 if name == "total" else 1 for name, _keys, _hide in members)
        cte_sql.append(
            f"{group} AS {'' if reads > 1 else 'NOT '}MATERIALIZED (SELECT f.agency_id, f.primary_theme_id, "  # noqa: S608
            "f.stage, f.evidence_level, f.reached_target, f.replicated, f.stopped, f.not_recently_confirmed, "
            f"f.confirmed_since{''.join(columns)} FROM {PF} f WHERE {' AND '.join(where) or 'true'})"
        )
        groups[group] = [(name, keys - shared, hide) for name, keys, hide in members]
    scanned = {name: (group, keys, hide) for group, members in groups.items() for name, keys, hide in members}
    parts: list[str] = []
    params: list = []
    for name, excludes, _hide_stopped in sets:
        if name in scanned:
            group, keys, hide = scanned[name]
            if name == "freshness":
                params.append(cutoff)
            where = [f"f.c_{key}" for key in sorted(keys)] + (["NOT f.stopped"] if hide and not all_hide[group] else [])
            parts.append(_grouped(name, f"(SELECT * FROM {group} f WHERE {' AND '.join(where) or 'true'})"))  # noqa: S608
            continue
        scope = _chosen(cleaned, excludes)
        if not _kept_scope(scope):  # several filters, all dimensions of the cube
            mask = _cube_mask(scope, name)
            key = (mask, tuple(sorted(scope.items())))
            if key not in cells:  # one CTE per grouping and set: kept once when several facets read it
                cells[key] = f"c{len(cells)}"
                m, m_params = _cube_cells(mask, scope, cutoff)
                cte_sql.append(f"{cells[key]} AS {m}")
                cte_params += m_params
            part, part_params = _cubed(name, cells[key], scope, cutoff)
            parts.append(part)
            params += part_params
            continue
        src, boundary, boundary_params = FC, "", []
        if scope:  # one filter: its kept pair counts
            ((key, value),) = scope.items()
            if key not in pairs:
                pairs[key] = f"p{len(pairs)}"
                v1 = (
                    f"(SELECT t.id::text FROM {Theme._meta.db_table} t WHERE t.code = %s)"  # noqa: S608
                    if key == "theme"
                    else "%s"
                )
                cte_sql.append(
                    f"{pairs[key]} AS (SELECT p.f2 AS facet, p.v2 AS value, p.n FROM {FP} p "  # noqa: S608
                    f"WHERE p.f1 = %s AND p.v1 = {v1})"
                )
                cte_params += [key, value if key in ("theme", "stage", "evidence") else ""]
            src = pairs[key]
            # The rows of the freshness facet's last day, found by their day (practicefacets_since).
            conditions, boundary_params = _where(scope, hide_stopped=False, cutoff=cutoff, theme_indexed=False)
            boundary = "".join(f" AND {condition}" for condition in conditions)
        if name == "freshness":
            day = cutoff.astimezone(datetime.UTC).date()
            params += [day.isoformat(), datetime.datetime.combine(day, datetime.time(), datetime.UTC), cutoff]
            params += boundary_params
        parts.append(_kept(name, src, boundary))
    sql = " UNION ALL ".join(f"({part})" for part in parts)
    if cte_sql:
        sql = f"WITH {', '.join(cte_sql)} {sql}"
    params = cte_params + params
    facets: dict[str, dict] = {facet.name: {} for facet in wanted}
    out: dict = {"total": 0, "flags": {"reached": 0, "replicated": 0}, "facets": facets}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for name, key, n in rows:
        n = int(n or 0)
        if name == "total":
            out["total"] = n
        elif name in ("reached", "replicated"):
            out["flags"][name] = n
        elif key is not None:
            facets[name][key] = facets[name].get(key, 0) + n
    fresh = facets.get("freshness", {})
    if "_listed" in fresh:  # read from the counts table: the running ones are the rest of the listed ones
        listed = fresh.pop("_listed")
        unconfirmed = fresh.pop("_nrc", 0) + fresh.pop("_stale", 0)
        fresh.update(unconfirmed=unconfirmed, running=listed - unconfirmed)
    for name, counts in facets.items():
        facets[name] = {key: n for key, n in counts.items() if n}
    _fold_kinds(facets)
    return out


def table_total(*, cleaned: dict) -> int:
    """The number of listed practices matching `cleaned` (filters only, no text search), from the facet table:
    the kept total without filters or with one kept filter, else a count of the matching facet rows."""
    scope = _chosen(cleaned)
    if not scope:
        sql, params = f"SELECT n FROM {FC} WHERE facet = 'total'", []  # noqa: S608
    elif len(scope) == 1 and next(iter(scope)) in PAIR_FILTERS:
        ((key, value),) = scope.items()
        v1 = f"(SELECT t.id::text FROM {Theme._meta.db_table} t WHERE t.code = %s)" if key == "theme" else "%s"  # noqa: S608
        sql = f"SELECT n FROM {FP} WHERE f1 = %s AND v1 = {v1} AND f2 = 'total' AND v2 = ''"  # noqa: S608
        params = [key, value if key in ("theme", "stage", "evidence") else ""]
    elif (mask := _cube_mask(scope, "total")) is not None:
        m, params = _cube_cells(mask, scope, freshness_cutoff())
        sql = f"SELECT COALESCE(sum(f.n), 0) FROM {m} f"  # noqa: S608
    else:
        conditions, params = _where(scope, hide_stopped=True, cutoff=freshness_cutoff())
        sql = f"SELECT count(*) FROM {PF} f WHERE {' AND '.join(conditions)}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def kept_listed_by_agency(*, theme_id: int | None = None) -> QuerySet:
    """Listed practices per agency as (`agency_id`, `n`) rows, from the kept counts: of every theme
    (`practices_facetcount`) or of one theme (`practices_facetpair`, the theme as the chosen filter). Exact (kept
    by the triggers in the writing transaction); an agency without listed practices has no row or `n` = 0.
    The map, the home page's headline numbers and their choropleth group these by province, kind or region."""
    if theme_id is None:
        rows = FacetCount.objects.filter(facet="agency").annotate(agency_id=Cast("value", IntegerField()))
    else:
        rows = FacetPair.objects.filter(f1="theme", v1=str(theme_id), f2="agency").annotate(
            agency_id=Cast("v2", IntegerField())
        )
    return rows.filter(n__gt=0).values("agency_id", "n")
