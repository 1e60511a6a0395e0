"""`Idempotency-Key` on API writes: a retry gets the original answer instead of doing the write again."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from agencies.models import Membership
from common.idempotency import idempotency_prune
from common.models import IdempotentResponse
from practices.models import Practice, PracticeRevision
from tests.agencies.factories import member
from tests.api.factories import token_client
from tests.practices.factories import practice_draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle_leftovers():
    cache.clear()


def _patch(api, practice, version, title, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.patch(
        f"/api/v1/practices/{practice.pk}/", {"version": version, "title": title}, format="json", **headers
    )


def test_a_retried_patch_gets_the_original_answer_not_a_conflict():
    author = member("35.78")
    draft = practice_draft(by=author)
    api = token_client(author)
    version = draft.working_revision.version

    first = _patch(api, draft, version, "Judul baru", key="patch-1")
    assert first.status_code == 200
    retry = _patch(api, draft, version, "Judul baru", key="patch-1")
    assert retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert PracticeRevision.objects.get(pk=draft.working_revision_id).version == version + 1  # written once
    # Without a key, the same retry is what the issue saw: a conflict for a write that had succeeded.
    assert _patch(api, draft, version, "Judul baru").status_code == 409


def test_a_retried_create_makes_one_practice():
    api = token_client(member("35.78", role=Membership.Role.ADMIN))
    before = Practice.objects.count()
    answers = [
        api.post("/api/v1/practices/", {"title": "Sekali saja"}, format="json", HTTP_IDEMPOTENCY_KEY="create-1")
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert Practice.objects.count() == before + 1


def test_the_same_key_for_another_request_is_refused_and_keys_are_per_user():
    author = member("35.78")
    draft = practice_draft(by=author)
    api = token_client(author)
    version = draft.working_revision.version
    assert _patch(api, draft, version, "Satu", key="k").status_code == 200
    reused = _patch(api, draft, version, "Dua", key="k")
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "idempotency_key_reused"
    colleague = token_client(member("35.78", email="rekan@surabaya.go.id"))
    assert _patch(colleague, draft, version + 1, "Tiga", key="k").status_code == 200  # not the first user's answer


def test_a_validation_error_is_kept_too_and_answers_expire_after_a_day():
    author = member("35.78")
    draft = practice_draft(by=author)
    api = token_client(author)
    bad = api.patch(f"/api/v1/practices/{draft.pk}/", {"title": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    assert bad.status_code == 400
    again = api.patch(f"/api/v1/practices/{draft.pk}/", {"title": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    assert again.status_code == 400 and again["Idempotent-Replayed"] == "true"
    IdempotentResponse.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_prune() == 1
    assert not IdempotentResponse.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_retries_write_once():
    author = member("35.78", role=Membership.Role.ADMIN)
    api_a, api_b = token_client(author), token_client(author)
    before = Practice.objects.count()
    barrier = threading.Barrier(2)
    answers = []

    def create(api):
        barrier.wait()
        try:
            answers.append(
                api.post("/api/v1/practices/", {"title": "Bersamaan"}, format="json", HTTP_IDEMPOTENCY_KEY="same")
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(api,)) for api in (api_a, api_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert Practice.objects.count() == before + 1
