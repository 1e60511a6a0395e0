"""GET /healthz: the state of the database, the broker and the workers, for monitors and humans."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app


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
    }
    return JsonResponse(body, status=200 if database and broker else 503)
