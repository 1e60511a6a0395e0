import pytest

from common.cache import public_cache_invalidate
from practices.models import Practice
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    public_cache_invalidate()


def titles(response) -> list[str]:
    return [p.title for p in response.context["page_obj"].object_list]


def test_stemming_miskin_finds_kemiskinan(client):
    practice_published(title="Pengentasan kemiskinan berbasis data desa")
    practice_published(title="Perizinan bangunan gedung", theme="investasi")
    assert titles(client.get("/praktik/", {"q": "miskin"})) == ["Pengentasan kemiskinan berbasis data desa"]


def test_stemming_perizinan_finds_izin(client):
    practice_published(title="Izin usaha selesai sehari", theme="investasi")
    practice_published(title="Pengentasan kemiskinan")
    assert titles(client.get("/praktik/", {"q": "perizinan"})) == ["Izin usaha selesai sehari"]


def test_exact_word_of_the_narrative_matches(client):
    practice_published(title="Layanan terpadu", approach="Aplikasi SIPANDU dipakai semua kecamatan.")
    assert titles(client.get("/praktik/", {"q": "SIPANDU"})) == ["Layanan terpadu"]


def test_typo_still_finds_and_offers_did_you_mean(client):
    practice_published(title="Pengentasan kemiskinan berbasis data desa")
    practice_published(title="Mal pelayanan publik", theme="pelayanan-publik")
    response = client.get("/praktik/", {"q": "kemiskinn"})
    assert titles(response) == ["Pengentasan kemiskinan berbasis data desa"]
    assert response.context["result"].plan.suggestion == "kemiskinan"
    html = response.content.decode()
    assert "Maksud Anda" in html and 'href="?q=kemiskinan"' in html


def test_english_query_on_english_text(client):
    practice_published(
        title="Village data for poverty reduction",
        summary="Households are registered monthly so that assistance reaches the poorest families.",
    )
    practice_published(title="Pengentasan kemiskinan")
    assert titles(client.get("/praktik/", {"q": "household registering"})) == ["Village data for poverty reduction"]


def test_title_match_ranks_above_body_match(client):
    body = practice_published(
        title="Layanan terpadu kecamatan", approach="Kami juga membantu mengurangi stunting di desa."
    )
    title = practice_published(title="Penurunan stunting lewat posyandu")
    response = client.get("/praktik/", {"q": "stunting"})
    assert titles(response) == [title.title, body.title]
    ranks = [p.rank for p in response.context["page_obj"].object_list]
    assert ranks[0] > ranks[1]


def test_snippet_highlights_and_escapes(client):
    practice_published(title="Data desa", summary="Keluarga miskin & rentan <b>terdata</b> tiap bulan.")
    html = client.get("/praktik/", {"q": "miskin"}).content.decode()
    snippet = next(line for line in html.splitlines() if 'class="snippet"' in line)
    assert "<mark>miskin</mark>" in snippet and "&amp; rentan" in snippet
    assert "<b>" not in snippet


def test_no_match_says_so_and_suggests_themes(client):
    practice_published(title="Pengentasan kemiskinan")
    response = client.get("/praktik/", {"q": "xylofonqwz"})
    html = response.content.decode()
    assert titles(response) == []
    assert "Tidak ada praktik yang cocok" in html
    assert 'href="/tema/kemiskinan/"' in html


def test_search_combined_with_a_facet(client):
    practice_published(title="Kemiskinan di Surabaya", agency="35.78")
    practice_published(title="Kemiskinan di Bandung", agency="32.04")
    assert titles(client.get("/praktik/", {"q": "kemiskinan", "province": "32"})) == ["Kemiskinan di Bandung"]
    assert titles(client.get("/praktik/", {"q": "kemiskinan", "kind": "kabupaten"})) == ["Kemiskinan di Bandung"]


def test_search_never_returns_unpublished(client):
    practice_published(title="Kemiskinan terbit")
    practice_published(title="Kemiskinan draf", publish=False)
    archived = practice_published(title="Kemiskinan diarsipkan")
    Practice.objects.filter(pk=archived.pk).update(status=Practice.Status.ARCHIVED)
    public_cache_invalidate()
    assert titles(client.get("/praktik/", {"q": "kemiskinan"})) == ["Kemiskinan terbit"]
    # Nor through the typo path.
    assert titles(client.get("/praktik/", {"q": "kemiskinn"})) == ["Kemiskinan terbit"]


@pytest.mark.parametrize("probe", [2, 300])
def test_whether_a_word_matches_is_one_statement_through_the_first_look_or_past_it(
    monkeypatch, django_assert_num_queries, probe
):
    """`_any_row` first looks at the table's first rows, then at every match: the answer is the same whether
    the first match lies inside the look (probe 300) or past it (probe 2), and it is one statement either way."""
    from django.contrib.postgres.search import SearchQuery

    from practices import search

    monkeypatch.setattr(search, "ANY_ROW_PROBE", probe)
    for title in ("Antrean daring kelurahan", "Mal pelayanan publik", "Presensi sidikjari pegawai"):
        practice_published(title=title)

    def matches(word):
        return lambda: search._published().filter(search_vector=SearchQuery(word, config="simple"))

    # Each practice has a word of its own: with a look of 2 rows, one of them is found only past it.
    for word, found in [("sidikjari", True), ("antrean", True), ("pelayanan", True), ("tidakada", False)]:
        with django_assert_num_queries(1):
            assert search._any_row(("test", probe, word), matches(word)) is found, word
