"""A practice page for anonymous visitors is kept in the database (practices.models.pages): one query per view,
and never shown once a change announced for the practice, its source or its neighbours has made it stale."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.cache import public_cache_invalidate
from practices.cache_tags import practice_public_cache_invalidate
from practices.models import Practice, PracticeNeighbours, PracticePage, PracticeRevision
from practices.selectors.pages import practice_page_stored, render_key
from practices.services.neighbours import practice_neighbours_compute
from practices.services.pages import practice_page_store
from tests.accounts.factories import UserFactory
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    # Every page cache miss reaches the view (the page cache has its own tests); the stored page is what is tested.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    settings.PUBLIC_CACHE_LOCAL_SECONDS = 0


def _view(client, practice, path="practices:detail"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(path, args=[practice.slug]))
    assert response.status_code == 200
    return _page(response), len(queries.captured_queries)


def _page(response) -> str:
    """The page without its CSRF token (masked anew for every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_the_second_view_is_one_query_and_the_same_page(client):
    practice = practice_published(title="Antrean daring kelurahan", summary="Antre dari rumah.")
    first, first_queries = _view(client, practice)
    second, second_queries = _view(client, practice)
    assert second == first and second_queries == 1 < first_queries
    assert "Antrean daring kelurahan" in second and "<title>Antrean daring kelurahan · RBX Portal</title>" in second
    stored = PracticePage.objects.get(practice=practice)
    assert stored.language == "id" and "Antre dari rumah." in stored.body_html


def test_each_language_has_its_own_page(client):
    practice = practice_published(title="Antrean daring kelurahan")
    indonesian, _ = _view(client, practice)
    english = _page(client.get(f"/en/practices/{practice.slug}/"))
    assert 'lang="en"' in english and 'lang="id"' in indonesian
    assert sorted(PracticePage.objects.filter(practice=practice).values_list("language", flat=True)) == ["en", "id"]
    assert _page(client.get(f"/en/practices/{practice.slug}/")) == english


def test_a_new_revision_shows_at_once(client):
    practice = practice_published(title="Judul lama", slug="antrean-daring")
    _view(client, practice)
    assert practice_page_stored(slug=practice.slug, language="id").parts is not None
    PracticeRevision.objects.filter(pk=practice.live_revision_id).update(title="Judul baru")
    Practice.objects.filter(pk=practice.pk).update(title="Judul baru")
    practice_public_cache_invalidate(practice=practice)  # what every publishing service announces
    page, queries = _view(client, practice)
    assert "Judul baru" in page and queries > 1


def test_an_everything_invalidation_makes_every_page_stale(client):
    one, two = practice_published(title="Satu"), practice_published(title="Dua", slug="dua")
    _view(client, one), _view(client, two)
    public_cache_invalidate()
    assert practice_page_stored(slug=one.slug, language="id").parts is None
    assert practice_page_stored(slug=two.slug, language="id").parts is None


def test_a_page_rendered_before_a_change_is_never_served_after_it():
    """The view reads the version, renders, then stores: a change committed in between has bumped the version,
    so the page stored under the old one never matches."""
    practice = practice_published(title="Antrean")
    before = practice_page_stored(slug=practice.slug, language="id")
    practice_public_cache_invalidate(practice=practice)  # the change, between the read and the store
    kept = practice_page_store(
        practice_id=practice.pk,
        language="id",
        version=before.version,
        generation=before.generation,
        render_key=render_key(),
        fingerprint=before.fingerprint,
        title="Antrean (lama)",
        summary="",
        head_html="",
        body_html="<p>old</p>",
    )
    assert kept is True and practice_page_stored(slug=practice.slug, language="id").parts is None


def test_a_page_of_another_release_is_not_served():
    practice = practice_published(title="Antrean")
    now = practice_page_stored(slug=practice.slug, language="id")
    practice_page_store(
        practice_id=practice.pk,
        language="id",
        version=now.version,
        generation=now.generation,
        render_key="another-release",
        fingerprint=now.fingerprint,
        title="t",
        summary="",
        head_html="",
        body_html="<p>old</p>",
    )
    assert practice_page_stored(slug=practice.slug, language="id").parts is None


def test_a_change_of_a_neighbour_or_of_the_source_makes_the_page_stale(client):
    practice = practice_published(title="Antrean daring kelurahan", theme="pelayanan-publik")
    close = practice_published(title="Antrean daring kecamatan", theme="pelayanan-publik", agency="32.04")
    practice_neighbours_compute(practice_id=practice.pk)
    assert close.pk in PracticeNeighbours.objects.get(pk=practice.pk).related
    copy = practice_published(title="Antrean daring (replikasi)", agency="35")
    Practice.objects.filter(pk=copy.pk).update(source=close)
    _view(client, practice), _view(client, copy)
    practice_public_cache_invalidate(practice=close)  # the neighbour and source changed
    assert practice_page_stored(slug=practice.slug, language="id").parts is None
    assert practice_page_stored(slug=copy.slug, language="id").parts is None


def test_new_neighbour_lists_make_the_page_stale_and_unchanged_ones_keep_it(client):
    practice = practice_published(title="Antrean daring kelurahan", theme="pelayanan-publik")
    practice_neighbours_compute(practice_id=practice.pk)
    _view(client, practice)
    practice_neighbours_compute(practice_id=practice.pk)  # the same lists again
    assert practice_page_stored(slug=practice.slug, language="id").parts is not None
    practice_published(title="Antrean daring kecamatan", theme="pelayanan-publik", agency="32.04")
    practice_neighbours_compute(practice_id=practice.pk)  # a new similar practice enters the list
    page, _ = _view(client, practice)
    assert "Antrean daring kecamatan" in page


def test_signed_in_visitors_get_the_page_drawn_for_them_and_nothing_is_stored(client):
    practice = practice_published(title="Antrean")
    client.force_login(UserFactory())
    _view(client, practice)
    _, again = _view(client, practice)
    assert again > 1 and not PracticePage.objects.filter(practice=practice).exists()


def test_a_withdrawn_practice_is_not_served_from_its_kept_page(client):
    practice = practice_published(title="Antrean")
    _view(client, practice)
    Practice.objects.filter(pk=practice.pk).update(status=Practice.Status.ARCHIVED)
    assert client.get(reverse("practices:detail", args=[practice.slug])).status_code == 404


def test_a_change_made_without_an_announcement_is_shown_too(client):
    """A script or a shell that writes the practice, its live revision or its source without announcing it
    changes the fingerprint the lookup computes: the page is drawn again."""
    source = practice_published(title="Asal lama", agency="32.04")
    practice = practice_published(title="Antrean", problem="Antrean panjang.")
    Practice.objects.filter(pk=practice.pk).update(source=source)
    _view(client, practice)
    assert practice_page_stored(slug=practice.slug, language="id").parts is not None
    revision = PracticeRevision.objects.get(pk=practice.live_revision_id)
    revision.problem = "Antrean pendek."
    revision.save()  # its modification time is in the fingerprint
    assert "Antrean pendek." in _view(client, practice)[0]
    Practice.objects.filter(pk=source.pk).update(title="Asal baru")
    assert "Asal baru" in _view(client, practice)[0]


def _store(practice_id: int, language: str = "id") -> bool:
    return practice_page_store(
        practice_id=practice_id,
        language=language,
        version=1,
        generation=1,
        render_key=render_key(),
        fingerprint="f",
        title="t",
        summary="",
        head_html="",
        body_html="<p>kept</p>",
    )


def test_a_refused_store_inside_a_transaction_leaves_the_transaction_usable():
    practice = practice_published(title="Antrean")
    assert connection.in_atomic_block  # the test's own transaction, as a caller's atomic block
    assert _store(practice_id=practice.pk, language="x" * 9) is False  # longer than its column: refused at once
    assert Practice.objects.filter(pk=practice.pk).exists()  # the transaction goes on (a savepoint took the error)
    assert _store(practice_id=practice.pk) is True
    assert PracticePage.objects.get(practice=practice).body_html == "<p>kept</p>"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_store_in_autocommit_is_one_statement_committed_at_once():
    """A view runs in autocommit: the upsert is sent alone (no BEGIN, no COMMIT) and is at once visible to
    another connection; a refusal leaves no transaction open behind it."""
    from psycopg2.extensions import TRANSACTION_STATUS_IDLE

    practice = practice_published(title="Antrean")
    assert not connection.in_atomic_block
    autocommit = []

    def seen(execute, sql, params, many, context):
        autocommit.append(connection.connection.autocommit)  # False within a BEGIN … COMMIT of psycopg2's
        return execute(sql, params, many, context)

    with connection.execute_wrapper(seen):
        assert _store(practice_id=practice.pk) is True
    assert autocommit == [True]
    assert connection.connection.info.transaction_status == TRANSACTION_STATUS_IDLE
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT body_html FROM practices_practicepage WHERE practice_id = %s", [practice.pk])
            assert cursor.fetchone() == ("<p>kept</p>",)
    finally:
        other.close()
    assert _store(practice_id=practice.pk, language="x" * 9) is False
    assert connection.connection.info.transaction_status == TRANSACTION_STATUS_IDLE
    assert Practice.objects.filter(pk=practice.pk).exists()
