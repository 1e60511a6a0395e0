"""The loose ends of issue #17: the moderators' queue of translations awaiting verification, a renamed theme
found by its new name, and the sweeps that queue again the cover variants and machine drafts a broker outage
would have lost."""

from __future__ import annotations

import socket
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from common.breaker import breakers_reset
from common.cache import public_cache_invalidate
from practices import search
from practices.models import Attachment, Practice, PracticeTranslation, Theme
from practices.selectors.translations import translations_awaiting_count
from practices.services import covers
from practices.services.covers import cover_variants_make, cover_variants_requeue
from practices.services.translations import (
    translation_machine_request,
    translation_machine_requeue,
    translation_save,
    translation_verify,
)
from practices.tasks import theme_search_vectors_refresh
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import practice_published, revision_next, revision_publish
from tests.practices.test_covers import add_cover
from tests.practices.test_translations import FakeLibreTranslate, fake_mt  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def url(name: str, *args, language: str = "id") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def _wait_for(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


# The moderators' queue -----------------------------------------------------------------------------------------


def _translated(title: str, *, agency: str = "35.78", verify: bool = False) -> Practice:
    practice = practice_published(title=title, agency=agency)
    translation_save(practice_id=practice.pk, language="en", fields={"title": f"{title} (en)"}, by=member(agency))
    if verify:
        translation_verify(practice_id=practice.pk, language="en", by=moderator())
    return practice


def test_the_queue_lists_drafts_and_stale_translations_not_verified_ones(client):
    draft = _translated("Draf terjemahan")
    _translated("Sudah terverifikasi", verify=True)
    stale = _translated("Terbit ulang", verify=True)
    revision_publish(stale, revision_next(stale, by=member("35.78"), title="Terbit ulang, versi 2"))
    practice_published(title="Tanpa terjemahan")
    assert translations_awaiting_count() == 2

    client.force_login(moderator())
    response = client.get(url("review:translations"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Draf terjemahan" in html and "Terbit ulang, versi 2" in html
    assert "Sudah terverifikasi" not in html and "Tanpa terjemahan" not in html
    assert "Perlu ditinjau: untuk revisi lama" in html and "Siap diverifikasi" in html
    assert reverse("manage:translation", args=[draft.pk]) in html  # where the moderator verifies it
    # The count in the moderator navigation, here and on the review queue.
    assert 'Terjemahan menunggu verifikasi <span class="badge">2</span>' in html
    queue = client.get(url("review:queue")).content.decode()
    assert 'Terjemahan menunggu verifikasi <span class="badge">2</span>' in queue

    with translation.override("en"):
        english = client.get(url("review:translations", language="en")).content.decode()
    assert "Translations awaiting verification" in english


def test_the_queue_shows_machine_drafts_and_who_asked(client, fake_mt, settings):  # noqa: F811
    mt_url, _handler = fake_mt
    settings.MT_LIBRETRANSLATE_URL = mt_url
    practice = practice_published(title="Dari mesin", agency="35.78")
    asker = member("35.78")
    translation_machine_request(practice_id=practice.pk, language="en", by=asker)
    PracticeTranslation.objects.filter(practice=practice).update(source="machine")
    client.force_login(moderator())
    html = client.get(url("review:translations")).content.decode()
    assert "Draf terjemahan mesin" in html and "Sedang diterjemahkan mesin" in html
    assert f"diminta oleh {asker.get_full_name() or asker}" in html


def test_the_queue_has_a_fixed_query_budget(client):
    client.force_login(moderator())

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("review:translations")).status_code == 200
        return len(ctx.captured_queries)

    _translated("Satu")
    queries()  # the first request also fills per-process caches
    few = queries()
    for i in range(5):
        _translated(f"Lagi {i}", agency=["35.78", "32.04", "35"][i % 3])
    assert queries() == few
    # Session, user, membership, the count, the page of rows (with practice, agency and writer), notifications.
    assert few <= 8


def test_only_moderators_reach_the_queue(client):
    path = url("review:translations")
    assert client.get(path).status_code == 302  # to the login page
    client.force_login(member("35.78"))
    assert client.get(path).status_code == 403


# A theme renamed -------------------------------------------------------------------------------------------------


def test_a_theme_renamed_in_english_is_found_by_its_new_name_on_english_search(client):
    practice = practice_published(title="Layanan keliling", agency="35.78", theme="pelayanan-publik")
    theme = Theme.objects.get(code="pelayanan-publik")
    theme.name_en = "Doorstep Citizen Care"
    theme.save(update_fields=["name_en"])
    assert theme_search_vectors_refresh(theme_ids=[theme.pk]) == 1
    public_cache_invalidate()
    with translation.override("en"):
        response = client.get(url("practices:list", language="en"), {"q": "doorstep"})
    assert [p.pk for p in response.context["page_obj"].object_list] == [practice.pk]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_theme_rename_in_either_language_reaches_the_vectors_through_the_task(celery_worker, client):
    practice = practice_published(title="Layanan keliling", agency="35.15", theme="pelayanan-publik")
    other = practice_published(title="Data desa", agency="35.15", theme="kemiskinan")
    theme = Theme.objects.get(code="pelayanan-publik")
    theme.name_id, theme.name_en = "Pelayanan Prima Warga", "Citizen Frontdesk"
    theme.save()  # the receiver queues the refresh after the commit
    for word in ("Prima", "Frontdesk"):
        found = search.search_query(word)
        assert _wait_for(lambda: Practice.objects.filter(pk=practice.pk, search_vector=found).exists()), word  # noqa: B023
        assert not Practice.objects.filter(pk=other.pk, search_vector=found).exists()
    public_cache_invalidate()
    response = client.get(url("practices:list"), {"q": "prima"})
    assert [p.pk for p in response.context["page_obj"].object_list] == [practice.pk]


def test_saving_a_theme_without_a_name_change_queues_nothing(django_capture_on_commit_callbacks):
    theme = Theme.objects.get(code="pelayanan-publik")
    with django_capture_on_commit_callbacks() as callbacks:
        theme.save(update_fields=["order"])
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        theme.save(update_fields=["name_id"])
    assert len(callbacks) == 1


# The sweeps -------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def broker_down(monkeypatch):
    """Publishing points at a closed port until the returned function restores it (and the breaker)."""
    from rbx_portal.celery import app

    context = monkeypatch.context()
    broken = context.__enter__()
    broken.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{_free_port()}/0")
    broken.setattr(app, "_pool", None)
    broken.setattr(app.amqp, "_producer_pool", None)

    def restore():
        context.__exit__(None, None, None)
        breakers_reset()

    yield restore
    context.__exit__(None, None, None)
    breakers_reset()


def _age(model, pk, field: str, minutes: int) -> None:
    model.objects.filter(pk=pk).update(**{field: timezone.now() - timedelta(minutes=minutes)})


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_cover_uploaded_while_the_broker_was_down_gets_its_variants_from_the_sweep(celery_worker, broker_down):
    author = member("35.78")
    practice = practice_published(title="Loket terpadu", agency="35.78")
    revision_next(practice, by=author)
    cover = add_cover(practice, author)  # its task is refused by the broker after the commit
    broker_down()
    time.sleep(0.5)
    assert Attachment.objects.get(pk=cover.pk).variants == []
    assert cover_variants_requeue() == 0  # too recent: its own task may still be on its way
    _age(Attachment, cover.pk, "created_at", 10)
    assert cover_variants_requeue() == 1
    assert _wait_for(lambda: Attachment.objects.get(pk=cover.pk).variants != [])
    assert cover_variants_requeue() == 0  # done: nothing more to queue


def test_the_cover_sweep_skips_covers_done_too_young_or_given_up(monkeypatch):
    author = member("35.78")
    practice = practice_published(title="Loket terpadu", agency="35.78")
    revision_next(practice, by=author)
    done, _young, old, waiting = (add_cover(practice, author) for _ in range(4))
    cover_variants_make(attachment_id=done.pk)
    _age(Attachment, done.pk, "created_at", 10)
    _age(Attachment, old.pk, "created_at", 60 * 24 * 3)
    _age(Attachment, waiting.pk, "created_at", 10)
    queued = []
    monkeypatch.setattr(covers, "enqueue", lambda task, pk: queued.append((task, pk)) or True)
    assert cover_variants_requeue() == 1
    assert queued == [("practices.tasks.cover_variants_make", waiting.pk)]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_machine_draft_asked_while_the_broker_was_down_is_made_by_the_sweep(
    celery_worker,
    broker_down,
    fake_mt,  # noqa: F811
    settings,
):
    mt_url, _handler = fake_mt
    settings.MT_LIBRETRANSLATE_URL = mt_url
    practice = practice_published(title="Data desa", summary="Desa memutakhirkan data.", agency="35.78")
    row = translation_machine_request(practice_id=practice.pk, language="en", by=member("35.78"))
    broker_down()
    time.sleep(0.5)
    row.refresh_from_db()
    assert row.machine_state == "pending" and row.fields == {}
    assert translation_machine_requeue() == {"queued": 0, "given_up": 0}
    _age(PracticeTranslation, row.pk, "updated_at", 10)
    assert translation_machine_requeue() == {"queued": 1, "given_up": 0}
    assert _wait_for(lambda: PracticeTranslation.objects.get(pk=row.pk).machine_state == "done")
    row.refresh_from_db()
    assert row.fields["title"] == "[en] Data desa" and row.state == "draft"  # still a draft for a person
    assert translation_machine_requeue() == {"queued": 0, "given_up": 0}


def test_a_machine_draft_pending_for_a_day_is_marked_failed_not_queued_forever(fake_mt, settings):  # noqa: F811
    mt_url, _handler = fake_mt
    settings.MT_LIBRETRANSLATE_URL = mt_url
    practice = practice_published(title="Data desa", agency="35.78")
    row = translation_machine_request(practice_id=practice.pk, language="en", by=member("35.78"))
    _age(PracticeTranslation, row.pk, "updated_at", 60 * 25)
    assert translation_machine_requeue() == {"queued": 0, "given_up": 1}
    row.refresh_from_db()
    assert row.machine_state == "failed" and "tidak selesai dalam sehari" in row.machine_error


def test_the_sweeps_are_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"practices.tasks.cover_variants_requeue", "practices.tasks.translation_machine_requeue"} <= tasks
