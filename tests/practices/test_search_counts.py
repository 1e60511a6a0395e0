"""The counts of a text search (issue #20): exact up to `search.RANK_CANDIDATES` matches; beyond, "more than"
that many and the facets counted over the newest matches, which the page says in both languages. The numbers
are checked against the exact counter (`facets.list_counts`) over the same newest matches."""

import re
from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from common.cache import public_cache_invalidate
from practices import search
from practices.filters import PracticeFilter
from practices.models import Practice
from practices.selectors import facets
from practices.selectors import public as selectors
from practices.services import decisions
from tests.agencies.factories import member
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db

LIMIT = 3
NOTE_ID = 'id="facet-count-note"'


@pytest.fixture(autouse=True)
def _small_limit(monkeypatch):
    monkeypatch.setattr(search, "RANK_CANDIDATES", LIMIT)
    public_cache_invalidate()


def _dated(practice: Practice, days_ago: int) -> Practice:
    Practice.objects.filter(pk=practice.pk).update(published_at=timezone.now() - timedelta(days=days_ago))
    public_cache_invalidate()
    return Practice.objects.get(pk=practice.pk)


def _stopped(practice: Practice) -> Practice:
    admin = member("35.78", role="admin")
    return decisions.practice_archive(practice=practice, by=admin, reason="Digantikan.", stopped=True)


def _antrean(n: int, *, start: int = 0) -> list[Practice]:
    """`n` matches of "antrean", newest first, over two themes, two agencies and two stages."""
    themes, agencies, stages = ("kemiskinan", "investasi"), ("35.78", "32.04"), ("penerapan", "uji_coba")
    return [
        _dated(
            practice_published(
                title=f"Antrean {start + i}",
                theme=themes[i % 2],
                agency=agencies[(i // 2) % 2],
                stage=stages[(i // 3) % 2],
            ),
            days_ago=start + i,
        )
        for i in range(n)
    ]


def _shown(result) -> dict:
    return {name: {o.value: o.count for o in options if o.count} for name, options in result.facets.items()}


def _over_the_newest(query: str, n: int) -> dict:
    """The exact counts of `query`'s facets, each over the `n` newest practices of its own set."""
    data = QueryDict(query)
    plan = search.search_plan(data.get("q", ""))
    cleaned = {key: value for key, value in data.items() if key != "q"}

    def without(*keys):
        rest = {key: value for key, value in cleaned.items() if key not in keys}
        hide_stopped = "freshness" not in keys
        qs = plan.filter(PracticeFilter(rest, queryset=Practice.objects.published(), hide_stopped=hide_stopped).qs)
        newest = qs.order_by("-published_at", "-id").values_list("pk", flat=True)[:n]
        return Practice.objects.filter(pk__in=list(newest))

    counts = facets.list_counts(cleaned=cleaned, result_without=without, one_pass=False)
    return {name: {k: v for k, v in values.items() if v} for name, values in counts["facets"].items()}, counts["flags"]


def test_a_search_with_more_matches_than_counted_says_so_in_both_languages(client, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)  # the first page does not reach the last match
    _antrean(5)
    practice_published(title="Data desa")  # no match

    response = client.get("/praktik/?q=antrean")
    html = response.content.decode()
    result = response.context["result"]
    assert "Lebih dari 3 praktik" in html and "Halaman 1<" in html and "Halaman 1 dari" not in html
    assert NOTE_ID in html and "dihitung dari paling banyak 3 hasil terbaru" in html
    assert 'aria-describedby="facet-count-note"' in html
    assert not result.facets_exact
    expected, flags = _over_the_newest("q=antrean", LIMIT)
    shown = _shown(result)
    for name, counts in expected.items():
        assert shown[name] == {k: v for k, v in counts.items() if k in {o.value for o in result.facets[name]}}, name
    assert sum(shown["stage"].values()) == LIMIT and result.flags == flags

    english = client.get("/en/practices/?q=antrean").content.decode()
    assert "More than 3 practices" in english and "count at most the 3 newest matches" in english


def test_a_search_within_the_limit_is_exact_and_says_nothing_more(client):
    _antrean(3)
    response = client.get("/praktik/?q=antrean")
    html = response.content.decode()
    assert response.context["page_obj"].paginator.count == 3 and "3 praktik" in html
    assert NOTE_ID not in html and "Lebih dari" not in html and response.context["result"].facets_exact
    expected, _flags = _over_the_newest("q=antrean", 100)
    assert _shown(response.context["result"])["theme"] == expected["theme"] == {"kemiskinan": 2, "investasi": 1}


def test_every_match_stays_reachable_page_by_page(monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    made = _antrean(5)
    seen, number = [], 1
    while True:
        page = selectors.practice_list(data=QueryDict("q=antrean&sort=newest"), page_number=number).page
        seen += [p.pk for p in page.object_list]
        if not page.has_next():
            break
        number += 1
    assert seen == [p.pk for p in made]
    assert page.paginator.exact and page.paginator.count == 5  # the last page knows the number
    # A page past the end is the last page known to exist; it still offers the next one.
    far = selectors.practice_list(data=QueryDict("q=antrean"), page_number=99).page
    assert far.number == 2 and far.has_next() and not far.paginator.exact


def test_stopped_matches_are_counted_by_the_freshness_facet_from_the_same_walk():
    listed = _antrean(3, start=2)
    for practice in _antrean(2):  # the two newest matches are stopped
        _stopped(practice)
    result = selectors.practice_list(data=QueryDict("q=antrean"), page_number=1)
    # The result (3 listed) is complete, so the walk read every match: the freshness counts are exact.
    assert result.page.paginator.exact and result.page.paginator.count == 3 and result.facets_exact
    assert _shown(result)["freshness"] == {"running": 3, "stopped": 2}
    assert [p.pk for p in result.page.object_list] == [p.pk for p in listed]

    _antrean(1, start=9)  # a fourth listed match: more than counted
    public_cache_invalidate()
    result = selectors.practice_list(data=QueryDict("q=antrean"), page_number=1)
    # Counted over the 3 newest; the one page read all four listed ones, so it knows their number.
    assert not result.facets_exact and result.page.paginator.count == 4
    expected, _flags = _over_the_newest("q=antrean", LIMIT)
    assert _shown(result)["freshness"] == expected["freshness"] == {"stopped": 2, "running": 1}
    assert _shown(result)["stage"] == expected["stage"]


def test_a_chosen_filter_s_own_facet_over_more_matches_is_marked():
    _antrean(5)  # three of "kemiskinan", two of "investasi"
    query = "q=antrean&theme=investasi"
    result = selectors.practice_list(data=QueryDict(query), page_number=1)
    assert result.page.paginator.exact and result.page.paginator.count == 2
    assert not result.facets_exact  # the theme facet counts the 3 newest of all five matches
    expected, _flags = _over_the_newest(query, LIMIT)
    assert _shown(result)["theme"] == expected["theme"] == {"kemiskinan": 2, "investasi": 1}
    assert _shown(result)["stage"] == expected["stage"]


def test_the_kept_ranking_is_the_ranking_by_query():
    for i, (title, summary) in enumerate(
        [("Praktik satu", "Antrean pasar."), ("Antrean daring", "Antrean antrean."), ("Antrean kota", "Lain.")]
    ):
        _dated(practice_published(title=title, summary=summary), days_ago=i)
    result = selectors.practice_list(data=QueryDict("q=antrean"), page_number=1)
    plan = search.search_plan("antrean")
    queryset = plan.filter(Practice.objects.listed())
    by_query = list(search.RankedMatches(queryset, plan.query)[0:LIMIT])
    assert [(p.pk, p.rank) for p in result.page.object_list] == [(p.pk, p.rank) for p in by_query]
    assert re.match(r"Antrean", result.page.object_list[0].title)
