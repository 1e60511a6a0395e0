"""Request ids (in logs and tasks), JSON logs, the protected /metrics, /healthz's new fields, Sentry by DSN."""

import base64
import gzip
import http.server
import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from common.tasks import enqueue
from rbx_portal import observability
from rbx_portal.observability import RequestIdFilter, RequestIdMiddleware
from tests.notifications.test_worker_killed import _database_url

ROOT = Path(__file__).resolve().parents[2]


def test_the_request_id_is_taken_from_the_proxy_or_made_and_answered(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="edge-7f3a")
    assert response["X-Request-ID"] == "edge-7f3a"
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/healthz")["X-Request-ID"]
    # Something that is not an id (spaces, newlines for log injection, too long) is replaced.
    assert client.get("/healthz", HTTP_X_REQUEST_ID="a b\nc")["X-Request-ID"] != "a b\nc"
    assert len(client.get("/healthz", HTTP_X_REQUEST_ID="x" * 500)["X-Request-ID"]) == 32


def test_json_log_lines_carry_the_request_id():
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s", rename_fields={"levelname": "level"}
    )
    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Capture()
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    log = logging.getLogger("tests.json")
    log.addHandler(handler)
    try:

        def view(request):
            log.warning("inside")
            return HttpResponse()

        RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-42"))
        log.warning("outside")
    finally:
        log.removeHandler(handler)
    inside, outside = (json.loads(line) for line in lines)
    assert inside["request_id"] == "req-42" and inside["message"] == "inside" and inside["level"] == "WARNING"
    assert outside["request_id"] == "-"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_queued_during_a_request_logs_that_request_id(celery_worker, caplog):
    def view(request):
        enqueue("common.tasks.idempotency_prune")
        return HttpResponse()

    with caplog.at_level(logging.INFO, logger="rbx_portal.observability"):
        RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-task-9"))
        deadline = time.monotonic() + 20
        while "req-task-9" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
    started = [r for r in caplog.records if "started for request" in r.getMessage()]
    assert started and started[0].getMessage() == "task common.tasks.idempotency_prune started for request req-task-9"
    assert observability.request_id_get() is None  # restored to nothing once the task ended


def test_metrics_is_404_without_a_token_configured(client):
    assert settings.METRICS_TOKEN == ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.django_db
def test_metrics_needs_the_token_and_reports_queues_and_outbox(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    basic = base64.b64encode(b"prometheus:s3cret-token").decode()
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {basic}").status_code == 200
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for job in ("default", "mail", "fanout", "screening", "maintenance"):
        assert f'rbx_celery_queue_depth{{queue="{job}"}}' in text
    assert 'rbx_outbox_backlog{kind="deliveries"} 0.0' in text
    assert "rbx_oldest_pending_delivery_seconds 0.0" in text


def test_healthz_adds_replica_and_queue_depths_and_keeps_its_shape(client, db):
    body = client.get("/healthz").json()
    assert {"database", "broker", "worker", "workers", "status"} <= set(body)
    assert body["replica"] == "off" and body["replica_lag_seconds"] is None
    assert set(body["queues"]) == {"default", "mail", "fanout", "screening", "maintenance"}
    assert all(isinstance(n, int) for n in body["queues"].values())


def _portal_process(env_extra: dict, code: str) -> subprocess.CompletedProcess:
    """Run `code` in a fresh Django process with the normal settings and `env_extra` (settings read at start)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rbx_portal.settings",
        "DEBUG": "true",
        "DATABASE_URL": _database_url(connection.settings_dict),
        **env_extra,
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_metrics_with_the_token_set_measure_views_and_queries():
    """With METRICS_TOKEN in the environment, django-prometheus' middleware and database wrapper are on."""
    code = """
from django.test import Client
c = Client()
assert c.get("/praktik/").status_code == 200
print(c.get("/metrics", HTTP_AUTHORIZATION="Bearer tok").content.decode())
"""
    result = _portal_process({"METRICS_TOKEN": "tok", "ALLOWED_HOSTS": "testserver"}, code)
    assert result.returncode == 0, result.stderr[-3000:]
    text = result.stdout
    assert 'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="practices:list"}' in text
    assert 'django_db_execute_total{alias="default",vendor="postgresql"}' in text
    assert "rbx_celery_queue_depth" in text


class _SentryInbox(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        self.received.append((self.path, self.rfile.read(int(self.headers.get("Content-Length", 0)))))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_errors_reach_sentry_only_with_a_dsn():
    server = http.server.HTTPServer(("127.0.0.1", 0), _SentryInbox)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dsn = f"http://publickey@127.0.0.1:{server.server_port}/42"
        code = """
import sentry_sdk
sentry_sdk.capture_message("rbx sentry check")
sentry_sdk.flush(5)
print("client", sentry_sdk.get_client().is_active())
"""
        off = _portal_process({}, code)
        assert off.returncode == 0, off.stderr[-2000:]
        assert "client False" in off.stdout and not _SentryInbox.received
        on = _portal_process({"SENTRY_DSN": dsn}, code)
        assert on.returncode == 0, on.stderr[-2000:]
        assert "client True" in on.stdout
        assert _SentryInbox.received, on.stderr[-2000:]
        path, body = _SentryInbox.received[0]
        assert path == "/api/42/envelope/", path
        if body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
        assert b"rbx sentry check" in body
    finally:
        server.shutdown()
