"""Fault test: the worker is killed (SIGKILL) in the middle of an email delivery; a new worker starts.

Real processes: `celery -A rbx_portal worker --pool solo` against this test's database, Redis and queue, and
a local aiosmtpd server that holds its reply for the first message, so the kill lands inside the SMTP
conversation. Two places matter:

- `mail`: killed at the start of the conversation (the server holds its reply to MAIL FROM).
- `rcpt`: killed before the message was handed over (the server holds its reply to RCPT TO). The server has
  nothing; the delivery must be sent by the next worker.
- `data`: killed after the whole message reached the server, which (like a real MTA) has accepted it and is
  about to answer 250. The worker had recorded the hand-over and never read the reply: from the outbox's side
  this is the same as a worker killed just before the final "." (the server then has nothing), so the
  delivery is sent again with the SAME Message-ID and counted in `resends`. Here the server did have it: the
  second copy is the duplicate a mail program recognises by its Message-ID.

Nothing is lost either way; the one possible duplicate is counted.
"""

import asyncio
import email
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import environ
import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from notifications.models import Delivery
from notifications.services.delivery import deliveries_requeue
from notifications.services.notify import notify
from tests.agencies.factories import member

from .test_delivery import _free_port, _wait_for

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 4


class HoldFirst:
    """An SMTP server that accepts every message but holds one reply of the first conversation."""

    def __init__(self, hold_at: str):
        self.hold_at = hold_at
        self.messages = []
        self.held = threading.Event()
        self.conversations = 0

    async def _hold(self):
        self.held.set()
        await asyncio.sleep(60)  # the worker is killed meanwhile; the connection drop cancels this

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.hold_at == "mail" and not self.held.is_set():
            await self._hold()
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.hold_at == "rcpt" and not self.held.is_set():
            await self._hold()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope)  # accepted (a real MTA commits the message before it replies)
        if self.hold_at == "data" and not self.held.is_set():
            await self._hold()
        return "250 OK"


def _database_url(db: dict) -> str:
    """The test database's connection settings as a DATABASE_URL that the worker's settings parse back to them.

    A TCP host goes in the URL's host part. A Unix socket directory (the embedded PostgreSQL of `make test`:
    DATABASE_URL=postgres://postgres@/rbx_portal?host=/path) has no place there: django-environ reads it from
    the query string into OPTIONS["host"], and a HOST that is a path travels the same way. Other OPTIONS
    (sslmode, ...) go in the query string too.
    """
    options = {k: v for k, v in (db.get("OPTIONS") or {}).items() if type(v) in (str, int)}  # not pools, flags
    host = str(db.get("HOST") or "")
    if host.startswith("/"):
        options["host"], host = host, ""
    netloc = f"{quote(db['USER'] or '', safe='')}:{quote(db['PASSWORD'] or '', safe='')}@{quote(host, safe='')}"
    if host and db.get("PORT"):
        netloc += f":{db['PORT']}"
    elif db.get("PORT"):
        options.setdefault("port", db["PORT"])
    query = f"?{urlencode(options)}" if options else ""
    return f"postgres://{netloc}/{quote(db['NAME'], safe='')}{query}"


def test_the_worker_database_url_reaches_the_test_database_by_tcp_or_socket():
    parse = environ.Env.db_url_config
    base = {"NAME": "test_rbx", "USER": "postgres", "PASSWORD": "", "HOST": "", "PORT": "", "OPTIONS": {}}
    for db in [
        {**base, "PASSWORD": "p@ss", "HOST": "127.0.0.1", "PORT": 5433},
        {**base, "OPTIONS": {"host": "/var/run/pg sockets"}},  # the embedded PostgreSQL's URL, parsed
        {**base, "HOST": "/run/postgresql"},
    ]:
        parsed = parse(_database_url(db))
        assert (parsed["NAME"], parsed["USER"], parsed["PASSWORD"]) == (db["NAME"], db["USER"], db["PASSWORD"])
        socket_dir = db["OPTIONS"].get("host") or (db["HOST"] if db["HOST"].startswith("/") else None)
        if socket_dir:
            assert parsed["OPTIONS"]["host"] == socket_dir and not parsed["HOST"]
        else:
            assert (parsed["HOST"], parsed["PORT"]) == (db["HOST"], db["PORT"])
    assert parse(_database_url(connection.settings_dict))["NAME"] == connection.settings_dict["NAME"]


def _start_worker(port: int, name: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rbx_portal.settings",
        "DEBUG": "true",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "CACHE_KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "rbx-test"),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "NOTIFICATIONS_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    cmd = [
        sys.executable, "-m", "celery", "-A", "rbx_portal", "worker", "--pool", "solo",
        "-Q", ",".join(settings.CELERY_QUEUE_NAMES.values()), "-n", f"{name}@%h",
        "--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "WARNING",
    ]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.worker
@pytest.mark.parametrize("hold_at", ["mail", "rcpt", "data"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_delivery_loses_nothing_and_counts_the_duplicate(hold_at, record_figure):
    handler = HoldFirst(hold_at)
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    workers = []
    try:
        workers.append(_start_worker(port, "first"))
        user = member()
        [notification] = notify(
            recipients=[user], kind="rejected", context={"title": "T", "agency": "A", "comment": "x"}
        )  # outside a transaction: queued at once, taken by the first worker
        delivery = notification.deliveries.get()
        assert handler.held.wait(90), "the first worker never reached the SMTP server"
        killed_at = time.monotonic()
        os.kill(workers[0].pid, signal.SIGKILL)
        workers[0].wait(timeout=10)
        after_kill = Delivery.objects.get(pk=delivery.pk)

        workers.append(_start_worker(port, "second"))

        # The killed worker's task is unacknowledged; the outbox sweeper (beat, every 2 minutes) is what brings
        # the delivery back. Run it until the delivery settles.
        def settled():
            deliveries_requeue(older_than=timedelta(0))
            return Delivery.objects.get(pk=delivery.pk).state not in ("pending", "sending")

        assert _wait_for(settled, timeout=90)
        settled_after = time.monotonic() - killed_at
        time.sleep(2)  # anything else queued (the unacked original, duplicates) would arrive now
        deliveries_requeue(older_than=timedelta(0))
        time.sleep(2)
        final = Delivery.objects.get(pk=delivery.pk)
        keys = [email.message_from_bytes(m.content)["X-RBX-Delivery"] for m in handler.messages]
        record_figure(
            "fault: worker killed mid-delivery",
            {
                "killed_during": hold_at,
                "messages_at_server": keys.count(delivery.key),
                "state_after_kill": after_kill.state,
                "final_state": final.state,
                "attempts": final.attempts,
                "resends_counted": final.resends,
                "seconds_from_kill_to_settled": round(settled_after, 1),
            },
        )
        copies = [email.message_from_bytes(m.content) for m in handler.messages]
        copies = [m for m in copies if m["X-RBX-Delivery"] == delivery.key]
        assert final.state == Delivery.State.SENT  # never lost
        if hold_at in ("mail", "rcpt"):  # killed before the hand-over: the next worker's send is the only one
            assert len(copies) == 1 and final.resends == 0
        else:  # killed after it: sent again, the duplicate counted and recognisable by its Message-ID
            assert len(copies) == 2 and final.resends == 1
            assert copies[0]["Message-ID"] == copies[1]["Message-ID"] is not None
    finally:
        for proc in workers:
            _stop(proc)
        controller.stop()
