"""Queueing Celery tasks from services: after the commit, and never failing the caller when the broker is down.

Tasks are named by their dotted path ("practices.tasks.revision_screen") and looked up when they are queued, so
a service never imports its app's `tasks` module: tasks import services, services name tasks, and there is no
import cycle to dodge. Whatever must not be lost is a database row first (an outbox) with a sweeper that queues
it again; `enqueue` only logs a refusal, so a broker outage costs latency, never the request.
"""

from __future__ import annotations

import logging
from importlib import import_module

from celery import shared_task
from django.conf import settings
from django.db import transaction

from .breaker import Breaker

logger = logging.getLogger(__name__)
# After the broker refused a task, requests skip it for a few seconds instead of each waiting for its timeout.
_broker = Breaker("Celery broker", seconds=getattr(settings, "BROKER_BREAKER_SECONDS", 5))


def task_get(path: str):
    """The task object at a dotted path, e.g. "notifications.tasks.delivery_send"."""
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


def enqueue(task: str, *args, countdown: float | None = None) -> bool:
    """Hand a task to the broker now; True when it was accepted.

    `retry=False`: a web request must not wait while kombu retries a broker that is down; each caller's sweeper
    (or the nightly job) is the retry. After a refusal the breaker skips the broker for a few seconds. The
    broker's errors vary by transport, hence the broad except.
    """
    if _broker.is_open():
        logger.info("broker skipped for %s%r; it will be queued again later", task, args)
        return False
    try:
        task_get(task).apply_async(args=args, countdown=countdown, retry=False)
    except Exception as exc:
        logger.warning("could not queue %s%r; it will be queued again later", task, args, exc_info=True)
        _broker.trip(exc)
        return False
    return True


def enqueue_on_commit(task: str, *args, countdown: float | None = None) -> None:
    """Queue a task once the current transaction commits (at once outside a transaction); never before."""
    transaction.on_commit(lambda: enqueue(task, *args, countdown=countdown))


@shared_task(acks_late=True)
def idempotency_prune() -> int:
    """Forget API answers kept for Idempotency-Key retries once they are a day old (idempotent)."""
    from .idempotency import idempotency_prune as prune  # the models load after the app registry

    return prune()
