"""Full-text search over published practices: one query over the text, the names and both languages.

A practice's search vector (`PRACTICE_VECTOR_SQL`) holds its title (A), summary and the names it is known by
(B: agency name and acronym, region and province, theme names in both languages), and its narrative (C/D), in
Indonesian and English stemming plus a `simple` copy for names and acronyms, and the verified English version
of the live revision (`PracticeTranslation`, English stemming) when there is one. A query is parsed the same three
ways and OR-ed; glossary terms in it (`GlossaryTerm`, e.g. "poverty" / "kemiskinan") are also searched in the
other language. When nothing matches, query words found nowhere are corrected to the most similar word of the
vocabulary (`SearchWord`, trigram similarity) and the corrected query is searched, with "did you mean"; when
that finds nothing either, titles are matched by trigram word similarity.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection, connections, router
from django.db.models import F, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from common.cache import public_cache_memo

from .models import GlossaryTerm, Practice

# Markers PostgreSQL puts around highlighted words; the text is escaped first, then they become <mark>.
_START, _STOP = "\u2983", "\u2984"
# Minimum word similarity (0..1) for a title word to be offered as "did you mean".
SUGGESTION_MIN_SIMILARITY = 0.45
# Relevance is computed for at most this many matches (the newest); the rest follow, newest first. A word in a
# fifth of 100,000 practices would otherwise have ts_rank read 20,000 search vectors for every page.
# A multiple of the page size, so that no page straddles the two orders.
RANK_CANDIDATES = 500
# A query word is corrected to a vocabulary word at least this similar (trigram similarity of the two words).
CORRECTION_MIN_SIMILARITY = 0.4

# The search vector of a practice `p` from its live revision `r` (one definition: the publish service, the
# refresh after a rename and the benchmark seed all use it). Names are B, like the summary: "Surabaya" or
# "poverty" (a theme's English name) is what the practice is about, more than a word of its narrative. Agency
# and region names are not stemmed (they are names; stemming "Pemerintah Kota" would only add matches); theme
# names are, so that "mengentaskan kemiskinan" finds the theme "Pengentasan Kemiskinan".
PRACTICE_VECTOR_SQL = """
    setweight(to_tsvector('indonesian', r.title), 'A')
    || setweight(to_tsvector('simple', r.title), 'A')
    || setweight(to_tsvector('english', r.title), 'A')
    || setweight(to_tsvector('indonesian', r.summary), 'B')
    || setweight(to_tsvector('simple', r.summary), 'B')
    || setweight(to_tsvector('english', r.summary), 'B')
    || setweight(to_tsvector('indonesian', r.problem || ' ' || r.approach || ' ' || r.impact), 'C')
    || setweight(to_tsvector('indonesian', r.challenges || ' ' || r.failures || ' ' || r.do_differently), 'D')
    || setweight(to_tsvector('english', r.problem || ' ' || r.approach || ' ' || r.impact), 'D')
    || setweight(to_tsvector('simple', r.problem || ' ' || r.approach || ' ' || r.impact), 'D')
    || coalesce((
        -- The verified English version of this very revision (practices.PracticeTranslation), English stemming,
        -- weighted as the original: a draft, or a translation of an older revision, is not searchable.
        SELECT setweight(to_tsvector('english', coalesce(tr.fields->>'title', '')), 'A')
            || setweight(to_tsvector('simple', coalesce(tr.fields->>'title', '')), 'A')
            || setweight(to_tsvector('english', coalesce(tr.fields->>'summary', '')), 'B')
            || setweight(to_tsvector('english', concat_ws(' ', tr.fields->>'problem', tr.fields->>'approach',
                tr.fields->>'impact')), 'C')
            || setweight(to_tsvector('english', concat_ws(' ', tr.fields->>'challenges', tr.fields->>'failures',
                tr.fields->>'do_differently')), 'D')
        FROM practices_practicetranslation tr
        WHERE tr.revision_id = r.id AND tr.language = 'en' AND tr.state = 'verified'
    ), ''::tsvector)
    || coalesce((
        SELECT setweight(to_tsvector('simple', n.names), 'B')
            || setweight(to_tsvector('simple', n.names_id), 'B')
            || setweight(to_tsvector('indonesian', n.names_id), 'B')
            || setweight(to_tsvector('simple', n.names_en), 'B') || setweight(to_tsvector('english', n.names_en), 'B')
        FROM (
            -- Region names carry their "Kabupaten"/"Kota", so both "Sidoarjo" and "Kabupaten Sidoarjo" match.
            SELECT concat_ws(' ', a.name, a.acronym, reg.name, prov.name) AS names,
                   coalesce(th.names_id, '') AS names_id, coalesce(th.names_en, '') AS names_en
            FROM agencies_agency a
            LEFT JOIN agencies_region reg ON reg.id = a.region_id
            LEFT JOIN agencies_region prov ON prov.id = reg.province_id
            CROSS JOIN LATERAL (
                SELECT string_agg(t.name_id, ' ') AS names_id, string_agg(t.name_en, ' ') AS names_en
                FROM practices_practice_themes pt JOIN practices_theme t ON t.id = pt.theme_id
                WHERE pt.practice_id = p.id
            ) th
            WHERE a.id = p.agency_id
        ) n
    ), ''::tsvector)
"""


# A query is a list of segments that must all match: a segment of one element is the user's text (websearch
# syntax); a longer one is a glossary term followed by its translations, any of which may match.
Segments = list[tuple[str, ...]]


@dataclass
class SearchPlan:
    """How a text query is applied: the filter, how to rank, and what to tell the user."""

    text: str
    mode: str = "none"  # "fts", "trigram" or "none" (nothing matched)
    query: SearchQuery | None = None
    suggestion: str = ""
    # True when the results are those of the suggestion (query words corrected to the vocabulary).
    corrected: bool = False
    words: list[str] = field(default_factory=list)
    # What `query` was built from (`Segments`): with the mode and the text, all that the SQL of a search depends on.
    segments: Segments = field(default_factory=list)

    def filter(self, queryset: QuerySet) -> QuerySet:
        if self.mode == "fts":
            return queryset.filter(search_vector=self.query)
        if self.mode == "trigram":
            return queryset.filter(title__trigram_word_similar=self.text)
        return queryset.none()

    def rank(self, queryset: QuerySet) -> QuerySet | RankedMatches:
        """Order by relevance. Full-text matches are ranked only among the top candidates (`RankedMatches`);
        trigram matches are few by construction and are ranked by similarity."""
        if self.mode == "fts":
            return RankedMatches(queryset, self.query)
        return queryset.annotate(rank=TrigramWordSimilarity(self.text, "title")).order_by(
            "-rank", "-published_at", "-id"
        )

    def headline(self, queryset: QuerySet) -> QuerySet:
        if self.mode != "fts":
            return queryset
        return queryset.annotate(
            headline=SearchHeadline(
                "summary",
                self.query,
                config="indonesian",
                start_sel=_START,
                stop_sel=_STOP,
                max_words=40,
                min_words=15,
            )
        )


class RankedMatches:
    """Full-text matches in relevance order, computing `ts_rank` for the top candidates only.

    The candidates are the RANK_CANDIDATES newest matches: PostgreSQL walks the publication-date index and
    stops after that many (or, for a rare word, reads its few rows from the GIN index). They come first, by
    rank; every other match follows, newest first. Because the candidates are exactly the newest matches, the
    rows after them in date order are the rest of the list, so a page is one of two cheap queries and no
    page reads all 20,000 matches of a common word. Sliced by the Paginator like a QuerySet.
    """

    ordered = True

    def __init__(self, queryset: QuerySet, query: SearchQuery, ranked: list[tuple[int, float]] | None = None):
        self.queryset = queryset
        self.query = query
        # The candidates already ranked, as (id, rank) in relevance order (`selectors.facets.search_list_counts`
        # ranks them while counting, and they are kept with the counts): a page of them is read by primary keys.
        self.ranked = ranked

    def kept(self, ranked: list[tuple[int, float]] | None) -> RankedMatches:
        """These matches with the candidates' order given (`ranked`: the newest matches, at most
        RANK_CANDIDATES, as (id, rank) by relevance), or ranked by query when it is None."""
        return RankedMatches(self.queryset, self.query, ranked)

    def _newest(self) -> QuerySet:
        return self.queryset.order_by("-published_at", "-id")

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self[0 : self.count()])

    def __getitem__(self, item: slice | int):
        if isinstance(item, int):
            rows = self[item : item + 1]
            if not rows:
                raise IndexError(item)
            return rows[0]
        start, stop = item.start or 0, item.stop if item.stop is not None else self.count()
        if self.ranked is not None:
            return self._kept_slice(start, stop)
        if start >= RANK_CANDIDATES:
            return list(self._newest()[start:stop])
        # Ranked as bare ids (the candidates already satisfy every filter), then only the page's rows are read
        # with their joins and headlines: carrying 500 full rows with their agencies through the sort cost more
        # than the ranking itself.
        candidates = self._newest().values("pk")[:RANK_CANDIDATES]
        ranks = dict(
            Practice.objects.filter(pk__in=candidates)
            .annotate(rank=SearchRank(F("search_vector"), self.query))
            .order_by("-rank", "-published_at", "-id")
            .values_list("pk", "rank")[start : min(stop, RANK_CANDIDATES)]
        )
        found = {row.pk: row for row in self.queryset.filter(pk__in=ranks).order_by()}
        rows = []
        for pk, rank in ranks.items():  # dicts keep the ranked order
            if pk in found:
                found[pk].rank = rank
                rows.append(found[pk])
        if stop > RANK_CANDIDATES:  # a page straddling the boundary (a page size not dividing it)
            rows += list(self._newest()[RANK_CANDIDATES:stop])
        return rows

    def _kept_slice(self, start: int, stop: int) -> list:
        # The ranked candidates are the len(ranked) newest matches, so the rest follow them in date order.
        boundary = len(self.ranked)
        ranks = dict(self.ranked[start:stop])
        rows = []
        if ranks:
            # Unordered: the rows are put in the ranked order here (the model's default order cost a sort and a
            # quarter of compiling the page's query).
            found = {row.pk: row for row in self.queryset.filter(pk__in=ranks).order_by()}
            for pk, rank in ranks.items():  # dicts keep the ranked order
                if pk in found:
                    found[pk].rank = rank
                    rows.append(found[pk])
        if stop > boundary:
            rows += list(self._newest()[max(start, boundary) : stop])
        return rows

    def select_related(self, *fields) -> RankedMatches:
        return RankedMatches(self.queryset.select_related(*fields), self.query, self.ranked)

    def annotate(self, **annotations) -> RankedMatches:
        return RankedMatches(self.queryset.annotate(**annotations), self.query, self.ranked)


def search_query(text: str) -> SearchQuery:
    """`text` as the user wrote it (websearch syntax: quotes, `or`, `-`), in the three configurations."""
    return (
        SearchQuery(text, config="indonesian", search_type="websearch")
        | SearchQuery(text, config="simple", search_type="websearch")
        | SearchQuery(text, config="english", search_type="websearch")
    )


def _phrase_query(text: str) -> SearchQuery:
    return (
        SearchQuery(text, config="indonesian", search_type="plain")
        | SearchQuery(text, config="simple", search_type="plain")
        | SearchQuery(text, config="english", search_type="plain")
    )


def segments_query(segments: Segments) -> SearchQuery:
    combined = None
    for segment in segments:
        if len(segment) == 1:
            part = search_query(segment[0])
        else:
            part = _phrase_query(segment[0])
            for other in segment[1:]:
                part = part | _phrase_query(other)
        combined = part if combined is None else combined & part
    return combined


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


class GlossaryPairs(dict):
    """Every glossary term (either language, lower case) with its translations, and the number of words of its
    longest term (`longest`, where `glossary_segments` starts matching)."""

    longest = 0


# The glossary as this process last read it: (its rows, their pairs). The rows are read on every use (one small
# query) and the pairs built again only when they differ, so an edit in the admin is seen by the next search
# of every process, cache or no cache; building the pairs from 267 rows was a millisecond and a half.
_glossary_kept: tuple[list, GlossaryPairs] | None = None


def glossary_pairs() -> GlossaryPairs:
    """Every glossary term (either language, lower case) with its translations, from the table as it is now."""
    global _glossary_kept  # noqa: PLW0603 - one tuple swapped whole: safe across threads
    table = GlossaryTerm._meta.db_table
    with connections[router.db_for_read(GlossaryTerm)].cursor() as cursor:
        cursor.execute(f"SELECT indonesian, english FROM {table}")  # noqa: S608 - the model's table
        rows = cursor.fetchall()
    kept = _glossary_kept
    if kept is not None and kept[0] == rows:
        return kept[1]
    found: dict[str, set[str]] = {}
    for indonesian, english in rows:
        indonesian, english = _norm(indonesian), _norm(english)
        found.setdefault(indonesian, set()).add(english)
        found.setdefault(english, set()).add(indonesian)
    pairs = GlossaryPairs({term: tuple(sorted(others - {term})) for term, others in found.items()})
    pairs.longest = max((len(term.split()) for term in pairs), default=0)
    _glossary_kept = (rows, pairs)
    return pairs


_WORD_EDGES = ".,;:!?()[]\"'"
_SYNTAX = ('"', " or ", " -")


def glossary_segments(text: str, pairs: dict[str, tuple[str, ...]]) -> Segments:
    """Split `text` into the user's words and glossary terms (longest term first), each term with its
    translations. Text using the search syntax (quotes, `or`, `-word`) is left as it was written."""
    if not pairs or any(mark in f" {text.lower()}" for mark in _SYNTAX):
        return [(text,)]
    longest = getattr(pairs, "longest", 0) or max(len(term.split()) for term in pairs)
    words = text.split()
    keys = [w.strip(_WORD_EDGES).lower() for w in words]
    segments: Segments = []
    plain: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            term = " ".join(keys[i : i + n])
            if pairs.get(term):
                if plain:
                    segments.append((" ".join(plain),))
                    plain = []
                segments.append((term, *pairs[term]))
                i += n
                break
        else:
            plain.append(words[i])
            i += 1
    if plain:
        segments.append((" ".join(plain),))
    return segments


def search_plan(text: str, *, version: int | None = None) -> SearchPlan:
    """Decide how `text` is matched (a few small queries, whatever the data size).

    The decision depends only on the text, the glossary and the published set, so it is kept with the public
    cache version (`version`, when the caller has read it) like the list's counts: a page then builds its query
    from the kept segments without reading the glossary."""
    text = " ".join(text.split())[:200]
    plan = SearchPlan(text=text, words=text.split())
    if not text:
        return plan
    plan.mode, plan.suggestion, plan.corrected, segments = public_cache_memo(
        "search-plan-v2", text, lambda: _search_decide(text), version=version
    )
    plan.segments = segments
    plan.query = segments_query(segments)
    return plan


def _search_decide(text: str) -> tuple[str, str, bool, Segments]:
    pairs = glossary_pairs()
    segments = glossary_segments(text, pairs)
    if _any_row(("fts", *segments), lambda: _published().filter(search_vector=segments_query(segments))):
        return "fts", "", False, segments
    corrected = corrected_text(text)
    if corrected:
        fixed = glossary_segments(corrected, pairs)
        if _any_row(("fts", *fixed), lambda: _published().filter(search_vector=segments_query(fixed))):
            return "fts", corrected, True, fixed
    mode = (
        "trigram"
        if _any_row(("trigram", text), lambda: _published().filter(title__trigram_word_similar=text))
        else "none"
    )
    return mode, corrected or did_you_mean(text), False, segments


def _published() -> QuerySet:
    return Practice.objects.published()


class KeptStatements:
    """SQL statements as the ORM compiled them, by a key naming everything they are built from (never the data
    they read), the most recently used few hundred per process. Compiling a search's queries through the ORM
    was a millisecond or more each on every request, the same text for the same search and filters; a kept
    statement is still executed every time, so nothing read from the database is kept."""

    def __init__(self, size: int = 256):
        self.size = size
        self.kept: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, build):
        with self.lock:
            statement = self.kept.get(key)
            if statement is not None:
                self.kept.move_to_end(key)
                return statement
        statement = build()
        with self.lock:
            self.kept[key] = statement
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)
        return statement


_match_statements = KeptStatements()


# Rows of the practice table the first look of `_any_row` reads (about a millisecond when none matches).
ANY_ROW_PROBE = 300
_PRACTICE_FROM = 'FROM "practices_practice"'
_PRACTICE_PROBE_FROM = 'FROM (SELECT * FROM "practices_practice" LIMIT %s) "practices_practice"'


def _any_row(key: tuple, matches) -> bool:
    """Whether `matches()` (a queryset of practices, its SQL kept under `key`) has a row, in a time that does not
    grow with the number of matches or of practices.

    First a look at the first ANY_ROW_PROBE rows of the table: a word that matches more than a few in a thousand
    practices is found there. Otherwise the matches planned as if every one were wanted: the search index then
    reads them all (a bitmap of 100,000 matches of a common word took 35 ms at 300,000 practices, which is why
    common words are looked for first), and for a word that survived the look they are few. `exists()` alone is
    the other trap: with `LIMIT 1` PostgreSQL expects a word it has no statistics for (a typo) to match hundreds
    of rows and reads the table in order to stop at the first, all of it for a word that matches nothing (a
    quarter of a second at 100,000 practices)."""

    def build():
        # Unordered: no sort of every match.
        sql, params = matches().order_by().values("pk").query.sql_with_params()
        full = f"WITH m AS MATERIALIZED ({sql}) SELECT 1 FROM m"  # noqa: S608 - the ORM's SQL
        if sql.count(_PRACTICE_FROM) != 1:  # not one plain read of the table: no first look
            return f"{full} LIMIT 1", params
        # The same condition over the table's first rows: a subquery with its own limit is read lazily, so a
        # match in its first rows ends the look there; its limit comes first among the parameters (FROM precedes
        # WHERE in the ORM's SQL). One statement: PostgreSQL runs the second EXISTS only when the first is false.
        bounded = sql.replace(_PRACTICE_FROM, _PRACTICE_PROBE_FROM)
        return f"SELECT 1 WHERE EXISTS ({bounded}) OR EXISTS ({full})", (ANY_ROW_PROBE, *params, *params)

    sql, params = _match_statements.get(key, build)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def corrected_text(text: str) -> str:
    """`text` with every word that matches no published practice (in any of the three configurations) replaced
    by the most similar vocabulary word, or "" when no word was replaced. Two queries: which words match (GIN
    lookups), then the closest vocabulary word of each that does not (the trigram index serves `%`)."""
    words = [w.strip(_WORD_EDGES).lower() for w in text.split()][:8]
    candidates = [w for w in words if len(w) >= 3 and w.isalpha()]
    if not candidates:
        return ""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT q.w FROM unnest(%s::text[]) AS q(w)
            WHERE NOT EXISTS (
                SELECT 1 FROM practices_practice p
                WHERE p.status = 'published' AND p.search_vector @@ (
                    plainto_tsquery('indonesian', q.w) || plainto_tsquery('simple', q.w)
                    || plainto_tsquery('english', q.w)))
            AND NOT EXISTS (
                SELECT 1 FROM practices_glossaryterm g WHERE lower(g.indonesian) = q.w OR lower(g.english) = q.w)
            """,
            [candidates],
        )
        unknown = [row[0] for row in cursor.fetchall()]
        if not unknown:
            return ""
        cursor.execute(
            """
            SELECT q.w, c.word FROM unnest(%s::text[]) AS q(w)
            CROSS JOIN LATERAL (
                SELECT s.word FROM practices_searchword s
                WHERE s.word %% q.w AND similarity(s.word, q.w) >= %s
                ORDER BY similarity(s.word, q.w) DESC, s.frequency DESC, s.word LIMIT 1
            ) c
            """,
            [unknown, CORRECTION_MIN_SIMILARITY],
        )
        replacement = dict(cursor.fetchall())
    if not replacement:
        return ""
    return " ".join(replacement.get(w, w) for w in words)


def did_you_mean(text: str) -> str:
    """Replace each query word by the most similar word of a published title, when one is close enough.

    Candidate words come from the titles most similar to the whole query (a LIMIT on the trigram-indexed
    match), so the cost does not grow with the number of practices.
    """
    words = [w.lower() for w in text.split()][:8]
    if not words:
        return ""
    sql = """
        WITH candidates AS (
            SELECT title FROM practices_practice
            WHERE status = 'published' AND word_similarity(%s, title) > 0.3
            ORDER BY word_similarity(%s, title) DESC LIMIT 20
        ), title_words AS (
            SELECT DISTINCT w FROM candidates, regexp_split_to_table(lower(title), '[^[:alnum:]]+') AS w
            WHERE length(w) > 2
        )
        SELECT DISTINCT ON (q.i) q.i, t.w, similarity(q.word, t.w) AS s
        FROM unnest(%s::text[]) WITH ORDINALITY AS q(word, i), title_words t
        ORDER BY q.i, s DESC
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [text, text, words])
        best = {int(i): (w, s) for i, w, s in cursor.fetchall()}
    suggested = [
        best[i][0] if i in best and best[i][1] >= SUGGESTION_MIN_SIMILARITY else word
        for i, word in enumerate(words, start=1)
    ]
    suggestion = " ".join(suggested)
    return "" if suggestion == " ".join(words) else suggestion


def highlight_html(text: str) -> SafeString:
    """The headline as safe HTML: everything escaped, only the highlight markers become <mark>."""
    return mark_safe(escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308
