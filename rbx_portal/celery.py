import os

from celery import Celery, Task
from celery.signals import before_task_publish, task_postrun, task_prerun
from django.conf import settings
from django.db import InterfaceError, OperationalError

from . import observability

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rbx_portal.settings")


class PortalTask(Task):
    """Every task retries a transient database error (PostgreSQL restarting, a dropped connection) with
    exponential backoff instead of failing and waiting for a sweeper or the next day. The tasks are idempotent
    (they take ids and re-read state under locks), so running again is safe. A task that names its own
    `autoretry_for` lists these too."""

    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = 5
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 8


def beat_task_route(name, args, kwargs, options, task=None, **kw):
    """The `maintenance` queue for a scheduled task not routed by name in CELERY_TASK_ROUTES (settings.py)."""
    if any(entry["task"] == name for entry in settings.CELERY_BEAT_SCHEDULE.values()):
        return {"queue": settings.CELERY_QUEUE_NAMES["maintenance"]}
    return None


app = Celery("rbx_portal", task_cls=PortalTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The id of the request that queued a task, carried in its headers and set again while it runs (for its logs).
before_task_publish.connect(observability.task_headers_add, weak=False)
task_prerun.connect(observability.task_request_id_restore, weak=False)
task_postrun.connect(observability.task_request_id_clear, weak=False)
