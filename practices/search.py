"""Full-text search over published practices, with a trigram fallback for typos.

The query is parsed three times (Indonesian stemming, `simple` for names and acronyms, English stemming) and
the three are OR-ed, matching the three configurations stored in `Practice.search_vector`. When nothing
matches, the query is most likely misspelt: titles are matched by trigram word similarity (the GIN trigram
index serves the `%>` operator) and the closest title words are offered as "did you mean".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import F, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from common.cache import public_cache_memo

from .models import Practice

# Markers PostgreSQL puts around highlighted words; the text is escaped first, then they become <mark>.
_START, _STOP = "\u2983", "\u2984"
# Minimum word similarity (0..1) for a title word to be offered as "did you mean".
SUGGESTION_MIN_SIMILARITY = 0.45
# Relevance is computed for at most this many matches (the newest); the rest follow, newest first. A word in a
# fifth of 100,000 practices would otherwise have ts_rank read 20,000 search vectors for every page.
# A multiple of the page size, so that no page straddles the two orders.
RANK_CANDIDATES = 500


@dataclass
class SearchPlan:
    """How a text query is applied: the filter, how to rank, and what to tell the user."""

    text: str
    mode: str = "none"  # "fts", "trigram" or "none" (nothing matched)
    query: SearchQuery | None = None
    suggestion: str = ""
    words: list[str] = field(default_factory=list)

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

    def __init__(self, queryset: QuerySet, query: SearchQuery):
        self.queryset = queryset
        self.query = query

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
        found = {row.pk: row for row in self.queryset.filter(pk__in=ranks)}
        rows = []
        for pk, rank in ranks.items():  # dicts keep the ranked order
            if pk in found:
                found[pk].rank = rank
                rows.append(found[pk])
        if stop > RANK_CANDIDATES:  # a page straddling the boundary (a page size not dividing it)
            rows += list(self._newest()[RANK_CANDIDATES:stop])
        return rows

    def select_related(self, *fields) -> RankedMatches:
        return RankedMatches(self.queryset.select_related(*fields), self.query)

    def annotate(self, **annotations) -> RankedMatches:
        return RankedMatches(self.queryset.annotate(**annotations), self.query)


def search_query(text: str) -> SearchQuery:
    return (
        SearchQuery(text, config="indonesian", search_type="websearch")
        | SearchQuery(text, config="simple", search_type="websearch")
        | SearchQuery(text, config="english", search_type="websearch")
    )


def search_plan(text: str, *, version: int | None = None) -> SearchPlan:
    """Decide how `text` is matched (one or two small queries, whatever the data size).

    The decision depends only on the text and the published set, so it is kept with the public cache version
    (`version`, when the caller has read it) like the list's counts."""
    text = " ".join(text.split())[:200]
    plan = SearchPlan(text=text, words=text.split())
    if not text:
        return plan
    plan.query = search_query(text)
    plan.mode, plan.suggestion = public_cache_memo(
        "search-plan", text, lambda: _search_decide(text, plan.query), version=version
    )
    return plan


def _search_decide(text: str, query: SearchQuery) -> tuple[str, str]:
    published = Practice.objects.published()
    if published.filter(search_vector=query).exists():
        return "fts", ""
    mode = "trigram" if published.filter(title__trigram_word_similar=text).exists() else "none"
    return mode, did_you_mean(text)


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
