"""The JSON Lines dump: content, the task, queued after the publishing commit, the endpoint."""

import json

import pytest
from django.core.cache import cache
from django.db import transaction

from practices.services import dump as dump_service
from practices.services.publishing import practice_publish
from practices.tasks import practice_dump_regenerate
from tests.practices.factories import practice_draft, practice_published

pytestmark = pytest.mark.django_db


def test_task_writes_every_published_practice_with_indicators():
    published = practice_published(
        title="Posyandu", indicator={"name": "Balita", "unit": "orang", "values": [("2024-01-01", "5")]}
    )
    practice_draft(title="Draf rahasia")
    result = practice_dump_regenerate.apply().get()
    assert result["practices"] == 1
    lines = dump_service.practice_dump_path().read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert row["id"] == published.pk and row["title"] == "Posyandu" and row["contact_email"] is None
    assert row["indicators"][0]["values"][0]["value"] == "5.0000"


def test_dump_query_count_does_not_grow_with_practices(django_assert_max_num_queries):
    for n in range(8):
        practice_published(title=f"P{n}", indicator={"name": "x", "unit": "y"}, other_themes=("investasi",))
    with django_assert_max_num_queries(10):
        assert dump_service.practice_dump_write()["practices"] == 8


def test_publishing_queues_one_debounced_job_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    cache.delete(dump_service._QUEUED_KEY)
    queued = []
    monkeypatch.setattr(practice_dump_regenerate, "apply_async", lambda **kw: queued.append(kw))
    draft = practice_draft()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            practice_publish(practice=draft, revision=draft.working_revision)
        assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    other = practice_draft()
    with django_capture_on_commit_callbacks(execute=True):
        practice_publish(practice=other, revision=other.working_revision)
    assert queued == [{"args": (), "countdown": dump_service.DUMP_DEBOUNCE_SECONDS, "retry": False}]
    cache.delete(dump_service._QUEUED_KEY)


def test_nightly_schedule_lists_the_job(settings):
    entries = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "practices.tasks.practice_dump_regenerate" in entries


def test_dump_endpoint_serves_the_file(client):
    practice_published(title="Satu")
    dump_service.practice_dump_path().unlink(missing_ok=True)
    response = client.get("/api/v1/dump/")
    assert response.status_code == 200 and response["Content-Type"] == "application/x-ndjson"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["title"] for line in lines] == ["Satu"]


def test_dump_and_api_root_state_the_open_licence(client):
    practice_published(title="Satu")
    dump_service.practice_dump_path().unlink(missing_ok=True)
    response = client.get("/api/v1/dump/")
    assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    assert dump_service.practice_dump_write()["license"] == "https://creativecommons.org/licenses/by/4.0/"
    root = client.get("/api/v1/")
    assert root.status_code == 200 and root["Link"] == response["Link"]
    body = root.json()
    assert body["license"]["name"] == "CC BY 4.0" and body["license"]["url"].endswith("/licenses/by/4.0/")
    assert body["practices"].endswith("/api/v1/practices/")  # the entry points are still there
