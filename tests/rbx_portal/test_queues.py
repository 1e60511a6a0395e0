"""Queues by job (settings.CELERY_TASK_ROUTES): each task on its queue, and a flood of mail in front of nobody."""

import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from practices.models import Screening
from practices.services.screening import screening_queue_on_commit
from practices.workflow import S
from rbx_portal.celery import app
from rbx_portal.observability import queue_depths
from tests.practices.factories import practice_in_state

EXPECTED = {
    "mail": [
        "notifications.tasks.deliveries_send",
        "notifications.tasks.delivery_send",
        "notifications.tasks.digests_send_daily",
        "notifications.tasks.digests_send_weekly",
        "accounts.tasks.password_reset_send",
    ],
    "fanout": ["notifications.tasks.publish_fanout_send"],
    "screening": ["practices.tasks.revision_screen"],
    "maintenance": [
        "notifications.tasks.deliveries_requeue",
        "notifications.tasks.publish_fanouts_requeue",
        "practices.tasks.screenings_requeue",
        "practices.tasks.reviews_sla_remind",
        "practices.tasks.practices_freshness_check",
        "practices.tasks.practice_dump_regenerate",
        "practices.tasks.search_vocabulary_rebuild",
        "practices.tasks.practice_search_vectors_refresh",
        "ledger.tasks.questions_remind",
        "agencies.tasks.reference_data_refresh",
        "common.tasks.idempotency_prune",
    ],
    "default": ["practices.tasks.cover_variants_make", "practices.tasks.translation_machine_draft"],
}


def _queue_of(task_name: str) -> str:
    route = app.amqp.router.route({}, task_name)
    return route["queue"].name


def test_each_task_goes_to_the_queue_of_its_job():
    app.loader.import_default_modules()
    names = settings.CELERY_QUEUE_NAMES
    for job, tasks in EXPECTED.items():
        for task in tasks:
            assert task in app.tasks, task
            assert _queue_of(task) == names[job], task
    # Per test process (xdist worker): "<CELERY_QUEUE>" and "<CELERY_QUEUE>.<job>".
    base = settings.CELERY_TASK_DEFAULT_QUEUE
    jobs = ("mail", "fanout", "screening", "maintenance")
    assert names == {"default": base, **{job: f"{base}.{job}" for job in jobs}}
    # Every beat job is maintenance or mail (digests): none waits behind user-facing work, none on default.
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert _queue_of(entry["task"]) in {names["maintenance"], names["mail"]}, entry["task"]


def test_a_task_nobody_named_goes_to_the_default_queue():
    assert _queue_of("some.new.task_not_routed") == settings.CELERY_TASK_DEFAULT_QUEUE


def test_a_worker_started_without_queues_consumes_them_all():
    """What `make run`'s single worker and the tests' in-process worker do (devstack passes no -Q)."""
    consumed = {queue.name for queue in app.amqp.queues.consume_from.values()}
    assert consumed == set(settings.CELERY_QUEUE_NAMES.values())


def _broker():
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def _purge(queue: str) -> None:
    client = _broker()
    client.delete(queue, *(queue + suffix for suffix in ("\x06\x163", "\x06\x166", "\x06\x169")))


def _screened_within(revision_id: int, timeout: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if Screening.objects.filter(revision_id=revision_id).exists():
            return time.monotonic() - started
        time.sleep(0.05)
    return None


FLOOD = 5000


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_flood_on_mail_does_not_delay_a_prescreen(record_figure):
    """5,000 deliveries waiting on `mail`, a worker for `screening` only: a submission is pre-screened as fast
    as with no flood at all. The mail tasks are real task messages (ids of rows that do not exist)."""
    names = settings.CELERY_QUEUE_NAMES
    _purge(names["mail"])
    _purge(names["screening"])
    calm = practice_in_state(S.SUBMITTED)
    flooded = practice_in_state(S.SUBMITTED)
    try:
        with start_worker(
            app, pool="solo", queues=[names["screening"]], perform_ping_check=False, shutdown_timeout=10,
            loglevel="WARNING",
        ):  # fmt: skip
            screening_queue_on_commit(revision_id=calm.working_revision_id)  # no transaction: queued at once
            calm_seconds = _screened_within(calm.working_revision_id, 30)
            assert calm_seconds is not None

            with app.producer_or_acquire() as producer:
                for n in range(FLOOD):
                    app.send_task("notifications.tasks.deliveries_send", args=[[-n - 1]], producer=producer)
            assert queue_depths()["mail"] == FLOOD

            screening_queue_on_commit(revision_id=flooded.working_revision_id)
            flooded_seconds = _screened_within(flooded.working_revision_id, 30)
    finally:
        # A worker started with queues selects them on the app itself: every queue again for the next tests.
        app.amqp.queues._consume_from = None
    try:
        assert flooded_seconds is not None, "the pre-screen waited behind the mail flood"
        assert flooded_seconds < calm_seconds + 2.0
        assert queue_depths()["mail"] == FLOOD  # nobody consumed mail: the pre-screen did not wait for it
    finally:
        _purge(names["mail"])
    record_figure(
        "queues_mail_flood",
        {
            "flood": FLOOD,
            "prescreen_seconds_calm": round(calm_seconds, 2),
            "prescreen_seconds": round(flooded_seconds, 2),
        },  # noqa: E501
    )
