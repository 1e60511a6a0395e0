"""English wherever a practice is shown on /en/ (issue #17): cards, search, home, theme and agency pages, the
map's lists, feeds, the handout, schema.org, ledger pages. A verified English version of the live revision is
shown; a draft never; a practice with only Indonesian says so (lang="id"). No page costs a query per practice."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from common.cache import public_cache_invalidate
from ledger.services.replication import replication_start
from practices.models import Practice
from practices.selectors.translations import practices_shown_text, shown_text_annotate
from practices.services.neighbours import practice_neighbours_compute
from practices.services.translations import translation_save, translation_verify
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import practice_published, revision_next, revision_publish

pytestmark = pytest.mark.django_db

ID_TITLE = "Data desa untuk pengentasan kemiskinan"
EN_TITLE = "Village data for poverty reduction"
EN_SUMMARY = "Villages update the list of poor households every month."
DRAFT_ID_TITLE = "Perizinan usaha satu hari selesai"
DRAFT_EN_TITLE = "One-day business licensing"


def url(name: str, *args, language: str = "en", query: str = "") -> str:
    with translation.override(language):
        return reverse(name, args=args) + query


@pytest.fixture(autouse=True)
def _fresh_cache():
    public_cache_invalidate()


@pytest.fixture
def pair(django_capture_on_commit_callbacks):
    """One practice with a verified English version, one with an English draft only (same theme, agency)."""
    done = practice_published(
        title=ID_TITLE,
        summary="Desa memutakhirkan daftar keluarga miskin tiap bulan.",
        agency="35.78",
        slug="data-desa-kemiskinan",
        featured=True,
    )
    drafted = practice_published(
        title=DRAFT_ID_TITLE, summary="Izin usaha terbit dalam sehari.", agency="35.78", slug="izin-sehari"
    )
    writer, mod = member("35.78"), moderator()
    translation_save(practice_id=done.pk, language="en", fields={"title": EN_TITLE, "summary": EN_SUMMARY}, by=writer)
    translation_save(practice_id=drafted.pk, language="en", fields={"title": DRAFT_EN_TITLE}, by=writer)
    with django_capture_on_commit_callbacks(execute=True):
        translation_verify(practice_id=done.pk, language="en", by=mod)
    return done, drafted


def _card(html: str, slug: str) -> str:
    """The card (or list item) linking to the practice `slug`."""
    match = re.search(r'<li class="practice-card card">(?:(?!</li>).)*?/' + slug + r"/.*?</li>", html, re.S)
    assert match, f"no card for {slug}"
    return match.group(0)


@pytest.mark.parametrize(
    "page",
    [
        ("practices:list", (), ""),
        ("practices:list", (), "?q=kemiskinan"),  # search results
        ("practices:list", (), "?q=poverty"),  # found through the English text
        ("practices:home", (), ""),
        ("practices:theme", ("kemiskinan",), ""),
        ("agencies:detail", ("kota-surabaya-3578",), ""),
    ],
)
def test_english_lists_show_the_verified_english_version_and_mark_indonesian_only(client, pair, page):
    name, args, query = page
    html = client.get(url(name, *args, query=query)).content.decode()
    card = _card(html, "data-desa-kemiskinan")
    assert EN_TITLE in card and ID_TITLE not in card
    assert "Indonesian only" not in card
    if query != "?q=poverty":
        drafted = _card(html, "izin-sehari")
        assert DRAFT_EN_TITLE not in drafted  # a draft is never shown
        assert DRAFT_ID_TITLE in drafted
        assert '<h3 lang="id">' in drafted and "Indonesian only" in drafted
    # The Indonesian page, after the English one (kept card fragments are per language): Indonesian, unmarked.
    html = client.get(url(name, *args, language="id", query=query.replace("poverty", "kemiskinan"))).content.decode()
    card = _card(html, "data-desa-kemiskinan")
    assert ID_TITLE in card and EN_TITLE not in card
    assert "lang=" not in card and "Hanya dalam bahasa Indonesia" not in card


def test_a_translation_of_an_older_revision_is_not_shown(client, pair):
    done, _drafted = pair
    writer = member("35.78")
    revision_publish(done, revision_next(done, by=writer, title="Data desa, versi kedua"))
    card = _card(client.get(url("practices:list")).content.decode(), "data-desa-kemiskinan")
    assert "Data desa, versi kedua" in card and EN_TITLE not in card and "Indonesian only" in card


def test_english_lists_cost_the_same_queries_as_indonesian_ones_whatever_the_number(client, pair):
    def queries(path: str) -> int:
        public_cache_invalidate()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    pages = [("practices:list", ()), ("practices:home", ()), ("practices:theme", ("kemiskinan",))]
    pages += [("agencies:detail", ("kota-surabaya-3578",)), ("feeds:latest", ())]
    before = {page: queries(url(page[0], *page[1])) for page in pages}
    for i in range(6):
        practice = practice_published(title=f"Kemiskinan {i}", agency="35.78", featured=True)
        translation_save(practice_id=practice.pk, language="en", fields={"title": f"Poverty {i}"}, by=member("35.78"))
        translation_verify(practice_id=practice.pk, language="en", by=moderator())
    for page in pages:
        english = queries(url(page[0], *page[1]))
        assert english == before[page], page
        assert english == queries(url(page[0], *page[1], language="id")), page  # no query more than in Indonesian


def test_the_practice_page_shows_its_neighbours_in_english_with_one_query_more(client, pair):
    done, drafted = pair
    practice_neighbours_compute(practice_id=drafted.pk)  # the stored lists (kept without a language)
    html = client.get(url("practices:detail", drafted.slug)).content.decode()
    related = html.split('id="related-heading"', 1)[1]
    assert EN_TITLE in related and ID_TITLE not in related

    def queries(language: str) -> int:
        public_cache_invalidate()
        with CaptureQueriesContext(connection) as ctx:
            client.get(url("practices:detail", drafted.slug, language=language))
        return len(ctx.captured_queries)

    # The neighbour lists are stored without a language: their English titles are one query, for both lists.
    queries("id")  # both languages' kept fragments made: only the page's own reads are compared
    assert queries("en") == queries("id") + 1


def test_feed_handout_ledger_and_map_lists_in_english(client, pair):
    done, _drafted = pair
    feed = client.get(url("feeds:latest")).content.decode()
    assert f"<title>{EN_TITLE}</title>" in feed and EN_SUMMARY in feed
    assert f"<title>{DRAFT_ID_TITLE}</title>" in feed
    assert f"<title>{ID_TITLE}</title>" in client.get(url("feeds:latest", language="id")).content.decode()

    handout = client.get(url("practices:handout", done.slug)).content.decode()
    assert f'<h1 lang="en">{EN_TITLE}</h1>' in handout
    assert ID_TITLE not in handout

    ledger = client.get(url("ledger:replication_list", done.slug)).content.decode()
    assert EN_TITLE in ledger and ID_TITLE not in ledger
    questions = client.get(url("ledger:question_list", done.slug)).content.decode()
    assert EN_TITLE in questions

    map_page = client.get(url("insights:map", query="?tema=kemiskinan&provinsi=35")).content.decode()
    assert EN_TITLE in map_page
    assert DRAFT_ID_TITLE in map_page and DRAFT_EN_TITLE not in map_page
    # The map's export stays the canonical (Indonesian) data.
    response = client.get(url("exports:map", "csv", query="?tema=kemiskinan"))
    export = b"".join(response.streaming_content).decode()
    assert ID_TITLE in export and EN_TITLE not in export


def test_agency_page_names_replicated_practices_in_english(client, pair):
    done, _drafted = pair
    replication_start(source=done, by=member("32.04"), date=datetime.date(2025, 1, 10), note="Minat.")
    html = client.get(url("agencies:detail", "kota-surabaya-3578")).content.decode()
    given = html.split('id="practices-heading"')[0] if 'id="practices-heading"' in html else html
    assert html.count(EN_TITLE) == 2, given  # its card and the list of replications by others
    assert ID_TITLE not in html


def test_schema_org_says_the_language_of_the_text_shown(client, pair):
    done, drafted = pair

    def jsonld(path: str) -> dict:
        html = client.get(path).content.decode()
        raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
        return json.loads(raw)

    english = jsonld(url("practices:detail", done.slug))
    assert english["inLanguage"] == "en" and english["name"] == EN_TITLE
    assert english["url"].endswith(url("practices:detail", done.slug))
    assert english["translationOfWork"]["inLanguage"] == "id"
    assert english["translationOfWork"]["@id"].endswith(url("practices:detail", done.slug, language="id"))
    indonesian = jsonld(url("practices:detail", done.slug, language="id"))
    assert indonesian["inLanguage"] == "id" and indonesian["name"] == ID_TITLE
    assert indonesian["workTranslation"] == {
        "@id": english["url"],
        "inLanguage": "en",
    }
    only = jsonld(url("practices:detail", drafted.slug))  # /en/, no verified version: the text is Indonesian
    assert only["inLanguage"] == "id" and only["name"] == DRAFT_ID_TITLE
    assert "workTranslation" not in only and "translationOfWork" not in only


def test_the_helpers_read_one_query_and_nothing_in_indonesian(pair, django_assert_num_queries):
    done, drafted = pair
    rows = list(Practice.objects.filter(pk__in=[done.pk, drafted.pk]).order_by("pk"))
    with django_assert_num_queries(0):
        practices_shown_text(rows, language="id")
    assert [p.shown_title for p in rows] == [ID_TITLE, DRAFT_ID_TITLE]
    assert not any(p.indonesian_only for p in rows)
    with django_assert_num_queries(1):
        practices_shown_text([*rows, None, rows[0]], language="en")
    assert [p.shown_title for p in rows] == [EN_TITLE, DRAFT_ID_TITLE]
    assert [p.indonesian_only for p in rows] == [False, True]
    assert rows[0].shown_summary_language == "en" and rows[1].shown_language == "id"
    with django_assert_num_queries(1):
        annotated = list(shown_text_annotate(Practice.objects.order_by("pk"), language="en"))
    assert [p.shown_title for p in annotated if p.pk in (done.pk, drafted.pk)] == [EN_TITLE, DRAFT_ID_TITLE]
    with django_assert_num_queries(0):
        practices_shown_text(annotated, language="en")  # already annotated: nothing to read
