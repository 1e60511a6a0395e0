"""GET /healthz: the state of the database, the broker and the workers, for monitors and humans.

Also the read replica ("off" when none is configured; its lag in seconds) and the depth of each Celery queue by
job. Neither fails the check: a replica that is down or behind is skipped by the router, and a long queue delays
work without losing it.
"""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import dbrouter
from .celery import app as celery_app
from .observability import queue_depths


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "down" to a health check
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return True
    except Exception:  # noqa: BLE001
        return False


def _workers_answering() -> int:
    try:
        replies = celery_app.control.ping(timeout=1.0)
    except Exception:  # noqa: BLE001
        return 0
    return len(replies or [])


def _replica() -> dict:
    if not dbrouter.replica_configured():
        return {"replica": "off", "replica_lag_seconds": None}
    dbrouter.health.usable()  # at most one check every REPLICA_CHECK_SECONDS per process
    state = "ok" if dbrouter.health.ok else ("down" if dbrouter.health.lag is None else "lagging")
    return {"replica": state, "replica_lag_seconds": dbrouter.health.lag}


@never_cache
@require_GET
def healthz(request):
    database = _database_ok()
    broker = _broker_ok()
    workers = _workers_answering() if broker else 0
    body = {
        "database": "ok" if database else "down",
        "broker": "ok" if broker else "down",
        # A missing worker delays jobs but loses nothing (the outbox keeps them), so it does not fail the check.
        "worker": "ok" if workers else "none",
        "workers": workers,
        "status": "ok" if database and broker else "down",
        **_replica(),
        "queues": (queue_depths() if broker else None),
    }
    return JsonResponse(body, status=200 if database and broker else 503)
