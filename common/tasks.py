"""Queueing Celery tasks from services: after the commit, and never failing the caller when the broker is down.

Tasks are named by their dotted path ("practices.tasks.revision_screen") and looked up when they are queued, so
a service never imports its app's `tasks` module: tasks import services, services name tasks, and there is no
import cycle to dodge. Whatever must not be lost is a database row first (an outbox) with a sweeper that queues
it again; `enqueue` only logs a refusal, so a broker outage costs latency, never the request.
"""

from __future__ import annotations

import logging
from importlib import import_module

from django.db import transaction

logger = logging.getLogger(__name__)


def task_get(path: str):
    """The task object at a dotted path, e.g. "notifications.tasks.delivery_send"."""
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


def enqueue(task: str, *args, countdown: float | None = None) -> bool:
    """Hand a task to the broker now; True when it was accepted.

    `retry=False`: a web request must not wait while kombu retries a broker that is down; each caller's sweeper
    (or the nightly job) is the retry. The broker's errors vary by transport, hence the broad except.
    """
    try:
        task_get(task).apply_async(args=args, countdown=countdown, retry=False)
    except Exception:
        logger.warning("could not queue %s%r; it will be queued again later", task, args, exc_info=True)
        return False
    return True


def enqueue_on_commit(task: str, *args, countdown: float | None = None) -> None:
    """Queue a task once the current transaction commits (at once outside a transaction); never before."""
    transaction.on_commit(lambda: enqueue(task, *args, countdown=countdown))
