"""Practice, theme and home pages; feeds and sitemap; nothing unpublished leaks; cache; query budgets."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.cache import public_cache_invalidate
from practices.models import Practice, PracticeRevision
from practices.services.neighbours import practice_neighbours_refresh
from practices.services.pages import practice_pages_invalidate_all
from tests.accounts.factories import UserFactory
from tests.agencies.factories import member
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(autouse=True)
def _fresh_cache():
    public_cache_invalidate()


@pytest.fixture
def practice():
    return practice_published(
        title="Pengentasan kemiskinan berbasis data desa",
        summary="Data keluarga miskin dimutakhirkan tiap bulan.",
        agency="32.04",
        problem="Bantuan salah sasaran.",
        approach="Desa memperbarui data.",
        impact="Angka kemiskinan turun.",
        challenges="Kader desa perlu dilatih.",
        replication_steps="Bentuk tim data desa.",
        contact_name="Ibu Sari",
        contact_email="sari@bandungkab.go.id",
        indicator={
            "name": "Angka kemiskinan",
            "unit": "%",
            "baseline_value": "9.8",
            "baseline_year": 2020,
            "target_value": "8.0",
            "target_year": 2024,
            "higher_is_better": False,
            "values": [("2022-12-31", "9.1"), ("2024-06-30", "7.9")],
        },
    )


def _member():
    # The factory sets the password after creating the row without saving it; save so the session stays valid.
    user = member()
    user.save()
    return user


def test_practice_page_shows_every_public_section_chart_and_table(client, practice):
    response = client.get(f"/praktik/{practice.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Bantuan salah sasaran.",
        "Desa memperbarui data.",
        "Angka kemiskinan turun.",
        "Kader desa perlu dilatih.",
        "Bentuk tim data desa.",
        "Ibu Sari",
        "Pemerintah Kabupaten Bandung",
        "Terakhir dikonfirmasi",
        "Target tercapai",
    ]:
        assert text in html, text
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count("<circle") == 3 and "chart-target" in svg and "polyline" in svg
    # No executable script in the page before the end of its content (the schema.org JSON-LD data block in the
    # head is data, never run).
    head_and_main = html.split("</main>")[0]
    assert "style=" not in svg and not re.search(r"<script(?![^>]*application/ld\+json)", head_and_main)
    # Coordinates are plain numbers (no locale decimal comma) and the numbers are also in the table.
    assert re.search(r'points="[\d.]+,[\d.]+ [\d.]+,[\d.]+ [\d.]+,[\d.]+"', svg)
    assert not re.search(r'="\d+,\d', svg)
    table = html[html.index("<table") : html.index("</table>")]
    assert "9,8" in table and "7,9" in table and "8" in table


def test_contact_email_only_for_agency_members(client, practice):
    url = f"/praktik/{practice.slug}/"
    assert "sari@bandungkab.go.id" not in client.get(url).content.decode()
    outsider = UserFactory()
    outsider.save()
    client.force_login(outsider)
    assert "sari@bandungkab.go.id" not in client.get(url).content.decode()
    client.force_login(_member())
    assert "sari@bandungkab.go.id" in client.get(url).content.decode()


def test_related_practices_share_the_theme(client, practice):
    related = practice_published(title="Data kemiskinan desa terpadu")
    practice_published(title="Mal pelayanan publik", theme="pelayanan-publik")
    practice_neighbours_refresh(practice_id=related.pk)  # the task queued after the publish commits
    response = client.get(f"/praktik/{practice.slug}/")
    assert [p.title for p in response.context["related"]] == [related.title]


def test_theme_page_numbers_practices_and_agencies(client, practice):
    practice_published(title="Kemiskinan Surabaya", agency="35.78", replication_count=3)
    practice_published(title="Mal pelayanan publik", theme="pelayanan-publik")
    response = client.get("/tema/kemiskinan/")
    assert response.status_code == 200
    assert response.context["numbers"] == {"practices": 2, "agencies": 2, "provinces": 2, "replications": 3}
    assert {a.code for a in response.context["agencies"]} == {"32.04", "35.78"}
    assert client.get("/tema/tidak-ada/").status_code == 404


def test_home_has_theme_counts_tematik_first_numbers_and_search(client, practice):
    practice_published(title="Featured", theme="pelayanan-publik", featured=True)
    response = client.get("/")
    themes = response.context["themes"]
    assert [t.track for t in themes[:4]] == ["tematik"] * 4
    assert {t.code: t.practice_count for t in themes}["kemiskinan"] == 1
    assert response.context["numbers"]["practices"] == 2
    assert [p.title for p in response.context["featured"]] == ["Featured"]
    assert 'action="/praktik/"' in response.content.decode()


def test_english_pages_and_hreflang(client, practice):
    for url in [
        "/en/",
        "/en/practices/",
        f"/en/practices/{practice.slug}/",
        "/en/themes/kemiskinan/",
        "/en/agencies/",
        "/en/agencies/kabupaten-bandung-3204/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en">' in response.content.decode()
    html = client.get(f"/praktik/{practice.slug}/").content.decode()
    assert f'hreflang="en" href="http://testserver/en/practices/{practice.slug}/"' in html
    assert f'hreflang="id" href="http://testserver/praktik/{practice.slug}/"' in html
    assert 'property="og:title" content="Pengentasan kemiskinan berbasis data desa"' in html


def _unpublished_trio():
    draft = practice_published(title="Rahasia draf kemiskinan", publish=False)
    rejected = practice_published(title="Rahasia ditolak kemiskinan", publish=False)
    PracticeRevision.objects.filter(practice=rejected).update(state=PracticeRevision.State.REJECTED)
    archived = practice_published(title="Rahasia diarsipkan kemiskinan", agency="32.04", featured=True)
    Practice.objects.filter(pk=archived.pk).update(status=Practice.Status.ARCHIVED)
    public_cache_invalidate()
    return [draft, rejected, archived]


def test_unpublished_practices_are_never_visible_anywhere(client, practice):
    hidden = _unpublished_trio()
    for p in hidden:
        assert client.get(f"/praktik/{p.slug}/").status_code == 404
    pages = [
        "/",
        "/praktik/",
        "/praktik/?q=rahasia",
        "/praktik/?q=kemiskinan",
        "/praktik/?q=rahasa",
        "/tema/kemiskinan/",
        "/instansi/kota-surabaya-3578/",
        "/instansi/kabupaten-bandung-3204/",
        "/praktik/feed/",
        "/tema/kemiskinan/feed/",
        "/praktik/feed/provinsi/35/",
        "/instansi/kota-surabaya-3578/feed/",
        "/sitemap.xml",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "Rahasia" not in body, url
        for p in hidden:
            assert p.slug not in body, url
    # The counts, read from a freshly rendered page (the loop above filled the cache).
    public_cache_invalidate()
    assert client.get("/").context["numbers"]["practices"] == 1
    assert {t.code: t.practice_count for t in client.get("/tema/").context["themes"]}["kemiskinan"] == 1
    assert client.get("/praktik/").context["page_obj"].paginator.count == 1
    agencies = {a.code: a.practice_count for a in client.get("/instansi/?province=35").context["page_obj"]}
    assert agencies["35.78"] == 0


def test_feeds_are_valid_atom(client, practice):
    practice_published(title="Surabaya", agency="35.78", theme="investasi")
    for url, expected in [
        ("/praktik/feed/", 2),
        ("/tema/kemiskinan/feed/", 1),
        ("/praktik/feed/provinsi/32/", 1),
        ("/praktik/feed/provinsi/35/", 1),
        ("/instansi/kota-surabaya-3578/feed/", 1),
    ]:
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml"), url
        root = ET.fromstring(response.content)  # noqa: S314 - our own server's output
        entries = root.findall(f"{ATOM}entry")
        assert root.tag == f"{ATOM}feed" and len(entries) == expected, url
        assert all(e.find(f"{ATOM}link").get("href").startswith("http://testserver/praktik/") for e in entries)
    assert client.get("/praktik/feed/provinsi/99/").status_code == 404


def test_sitemap_lists_practices_themes_and_agencies_in_both_languages(client, practice):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own server's output
    locs = [u.find(f"{SITEMAP}loc").text for u in root.findall(f"{SITEMAP}url")]
    assert f"http://testserver/praktik/{practice.slug}/" in locs
    assert f"http://testserver/en/practices/{practice.slug}/" in locs
    assert "http://testserver/tema/kemiskinan/" in locs and "http://testserver/instansi/kota-surabaya-3578/" in locs
    assert len([u for u in locs if "/instansi/" in u]) == 643


def test_cached_page_is_invalidated_on_publish_and_withdraw(client, practice):
    first = client.get("/praktik/")
    assert first["X-Cache"] == "miss"
    assert client.get("/praktik/")["X-Cache"] == "hit"
    # A change published: visible on the next request.
    revision = PracticeRevision.objects.create(
        practice=practice,
        number=2,
        title="Judul baru setelah revisi",
        summary="Baru.",
        primary_theme=practice.primary_theme,
    )
    from practices.services.publishing import practice_publish

    practice_publish(practice=practice, revision=revision)
    response = client.get("/praktik/")
    assert response["X-Cache"] == "miss" and "Judul baru setelah revisi" in response.content.decode()
    assert "Judul baru setelah revisi" in client.get(f"/praktik/{practice.slug}/").content.decode()
    # Withdrawn (archived): gone on the next request.
    client.get(f"/praktik/{practice.slug}/")
    Practice.objects.filter(pk=practice.pk).update(status=Practice.Status.ARCHIVED)
    public_cache_invalidate()
    assert "Judul baru setelah revisi" not in client.get("/praktik/").content.decode()
    assert client.get(f"/praktik/{practice.slug}/").status_code == 404


def test_cached_page_gives_each_visitor_a_working_csrf_token(client, practice):
    """A page with a form that posts (an agency page's email subscription) keeps a placeholder in its cached
    copy, filled with each visitor's own token."""
    from django.test import Client

    url = f"/instansi/{practice.agency.slug}/"
    client.get(url)
    other = Client(enforce_csrf_checks=True)
    response = other.get(url)
    assert response["X-Cache"] == "hit" and "csrftoken" in response.cookies
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)
    switched = other.post(
        "/i18n/setlang/", {"language": "en", "next": "/tema/kemiskinan/", "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302 and switched["Location"] == "/en/themes/kemiskinan/"


@pytest.mark.parametrize("url", ["/", "/praktik/?theme=kemiskinan", "/en/practices/", "/peta/", "practice"])
def test_a_public_page_without_a_form_that_posts_sets_no_cookie(client, practice, url):
    """The language switch is links: a page without a form that posts (the theme and agency pages have one, to
    follow them by email) holds no CSRF token and sets no cookie, rendered or served from the cache, so every
    visitor gets the same bytes."""
    url = f"/praktik/{practice.slug}/" if url == "practice" else url
    for expected in ("miss", "hit"):
        response = client.get(url)
        assert response["X-Cache"] == expected
        assert not response.cookies and "csrfmiddlewaretoken" not in response.content.decode(), expected


def test_the_language_switch_links_to_the_same_page_in_the_other_language(client, practice):
    html = client.get("/praktik/?theme=kemiskinan&page=1").content.decode()
    switch = re.search(r'<nav class="lang-switch".*?</nav>', html, re.S).group(0)
    assert 'href="/en/practices/?theme=kemiskinan&amp;page=1" hreflang="en" lang="en"' in switch
    assert 'href="/praktik/?theme=kemiskinan&amp;page=1" hreflang="id" lang="id" aria-current="true"' in switch
    english = client.get(f"/en/practices/{practice.slug}/").content.decode()
    assert f'href="/praktik/{practice.slug}/" hreflang="id"' in english
    # A page that does not exist has no translation: the switch leads to the other language's home page.
    missing = client.get("/en/no-such-page/")
    assert missing.status_code == 404 and 'href="/" hreflang="id"' in missing.content.decode()


def test_logged_in_users_are_never_served_from_the_cache(client, practice):
    client.get(f"/praktik/{practice.slug}/")
    client.force_login(_member())
    response = client.get(f"/praktik/{practice.slug}/")
    assert "X-Cache" not in response and "sari@bandungkab.go.id" in response.content.decode()


def _cold() -> None:
    """Nothing kept: no page, count or rendered fragment (fragments outlive a publish by design), and no stored
    practice page (practices.models.pages)."""
    cache.clear()  # this test worker's own cache database (settings_test)
    practice_pages_invalidate_all()


def _queries(client, url) -> int:
    _cold()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


PAGES = [
    ("/", 7),  # + the featured collections (showcases' home panel)
    ("/praktik/", 16),
    ("/praktik/?q=kemiskinan&province=35&region=35.78&theme=kemiskinan", 17),
    ("/praktik/?q=kemiskinn", 18),
    # + replications (and their steps), FAQ, agencies like you; showcases' panels: collections/awards, expert notes;
    # + the stored page's lookup and the storing of the page just rendered (a view of a stored page is 1 query);
    # the practice's themes and the indicators' values come in their parent's query (common.prefetch). Of the 13,
    # 2 are the savepoint of the store inside the test's transaction, which a view in autocommit does not send.
    ("/praktik/{slug}/", 13),
    ("/tema/", 2),
    ("/tema/kemiskinan/", 6),
    ("/instansi/", 4),
    ("/instansi/kota-surabaya-3578/", 6),  # + the number of its practices (the page shows 20 at a time)
    ("/instansi/provinsi-jawa-timur/", 6),
    ("/praktik/feed/", 2),
]


@pytest.mark.parametrize("url, budget", PAGES)
def test_query_budget_is_fixed_whatever_the_data(client, django_assert_max_num_queries, url, budget):
    def many(n):
        made = []
        for i in range(n):
            made.append(
                practice_published(
                    title=f"Kemiskinan {i}",
                    agency=["35.78", "35", "32.04"][i % 3],
                    other_themes=("investasi",),
                    indicator={"name": "A", "unit": "%", "target_value": 1, "values": [("2024-01-01", "2")]},
                )
            )
        return made

    first = many(3)
    url = url.format(slug=first[0].slug)
    small = _queries(client, url)
    many(12)
    large = _queries(client, url)
    assert small == large
    _cold()
    with django_assert_max_num_queries(budget):
        client.get(url)
