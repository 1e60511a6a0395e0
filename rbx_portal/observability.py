"""What operators watch: request ids in logs and tasks, queue depths, and the protected Prometheus /metrics.

- Every request has an id: the `X-Request-ID` it came with (from the proxy; up to 200 safe characters), else a
  new one, answered in the response's `X-Request-ID`. It is on every log record of the request
  (`RequestIdFilter`, the `request_id` field of the JSON logs with LOG_FORMAT=json), travels in the headers of
  the Celery tasks the request queues (`before_task_publish`) and is restored while the task runs
  (`task_prerun`), so a task's log lines carry the id of the request that caused them.
- `/metrics` (django-prometheus, on when METRICS_TOKEN is set): 404 unless the request carries the token as
  `Authorization: Bearer <token>` or as the password of HTTP basic auth. Besides django-prometheus' request
  latency by view and database query counts, it reports the Celery queue depths per queue (Redis LLEN), the
  outbox backlog and the age of the oldest email still pending.
"""

from __future__ import annotations

import base64
import hmac
import logging
import re
import uuid
from contextvars import ContextVar

import redis
from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .dbrouter import health, replica_configured

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,200}")
_request_id: ContextVar[str | None] = ContextVar("rbx_request_id", default=None)


def request_id_get() -> str | None:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Adds `request_id` ("-" outside a request or a task queued by one) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        return True


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


# Celery: the id in the task's headers, and back while it runs (connected in rbx_portal/celery.py) -----------

_task_tokens: dict[str, object] = {}


def task_headers_add(headers=None, **kwargs) -> None:
    request_id = _request_id.get()
    if request_id and headers is not None:
        headers.setdefault("request_id", request_id)


def task_request_id_restore(task_id=None, task=None, **kwargs) -> None:
    request = getattr(task, "request", None)
    request_id = getattr(request, "request_id", None) or (getattr(request, "headers", None) or {}).get("request_id")
    if request_id and _VALID_ID.fullmatch(str(request_id)):
        _task_tokens[task_id] = _request_id.set(str(request_id))
        logger.info("task %s started for request %s", task.name, request_id)


def task_request_id_clear(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _request_id.reset(token)


# Queue depths ---------------------------------------------------------------------------------------------

# kombu's Redis transport keeps a queue's messages of priority 3, 6 and 9 in lists of their own.
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def queue_depths(*, timeout: float = 0.5) -> dict[str, int] | None:
    """Messages waiting per queue by job (`{"default": 0, "mail": 12, ...}`), None when the broker is down."""
    from .celery import app as celery_app  # the Celery app imports this module for its signals

    names = settings.CELERY_QUEUE_NAMES
    try:
        client = redis.Redis.from_url(
            celery_app.conf.broker_url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        with client.pipeline(transaction=False) as pipe:
            for name in names.values():
                for suffix in _PRIORITY_SUFFIXES:
                    pipe.llen(name + suffix)
            counts = pipe.execute()
        client.close()
    except Exception:  # noqa: BLE001 - a monitor reports "unknown", it does not fail
        return None
    per = len(_PRIORITY_SUFFIXES)
    return {job: sum(counts[i * per : (i + 1) * per]) for i, job in enumerate(names)}


# /metrics -------------------------------------------------------------------------------------------------


def _token_given(request) -> str:
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip()).decode("utf-8").partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            return ""
    return ""


class PortalCollector:
    """The portal's own gauges, read when Prometheus scrapes (a scrape every 15-60 s costs three small queries
    and one Redis pipeline)."""

    def collect(self):
        # Loaded at the first scrape: this module is imported by the logging configuration, before the models.
        from prometheus_client.core import GaugeMetricFamily

        from notifications.selectors import outbox_backlog

        depth = GaugeMetricFamily("rbx_celery_queue_depth", "Tasks waiting in a Celery queue", labels=["queue"])
        for job, count in (queue_depths() or {}).items():
            depth.add_metric([job], count)
        yield depth
        backlog = outbox_backlog()
        outbox = GaugeMetricFamily("rbx_outbox_backlog", "Outbox rows still to do", labels=["kind"])
        outbox.add_metric(["deliveries"], backlog["deliveries_pending"])
        outbox.add_metric(["fanouts"], backlog["fanouts_pending"])
        yield outbox
        yield GaugeMetricFamily(
            "rbx_oldest_pending_delivery_seconds",
            "Age of the oldest email not yet sent",
            value=backlog["oldest_pending_delivery_seconds"],
        )
        if replica_configured():
            health.usable()
            yield GaugeMetricFamily("rbx_replica_up", "Read replica usable", value=1 if health.ok else 0)
            if health.lag is not None:
                yield GaugeMetricFamily("rbx_replica_lag_seconds", "Read replica replay lag", value=health.lag)


@never_cache
@require_GET
def metrics(request):
    expected = getattr(settings, "METRICS_TOKEN", "")
    if not expected or not hmac.compare_digest(_token_given(request).encode(), expected.encode()):
        raise Http404
    from django_prometheus.exports import ExportToDjangoView
    from prometheus_client import CollectorRegistry, generate_latest

    own = CollectorRegistry(auto_describe=False)
    own.register(PortalCollector())
    body = ExportToDjangoView(request).content + generate_latest(own)
    return HttpResponse(body, content_type="text/plain; version=0.0.4; charset=utf-8")
