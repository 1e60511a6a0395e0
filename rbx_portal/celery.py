import os

from celery import Celery, Task
from django.db import InterfaceError, OperationalError

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


app = Celery("rbx_portal", task_cls=PortalTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
