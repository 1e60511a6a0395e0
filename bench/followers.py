"""Publish → followers: how long a publish takes to reach N followers' notifications and emails, for real.

    DATABASE_URL=... REDIS_URL=... python bench/followers.py [--followers 10000] [--cleanup] [--write]

`measure_publish_fanout(env, followers)` (also called by `make bench`) runs against the database and Redis in
`env`. It creates, in bulk and only once, `followers` users `bench-follower-<n>@example.invalid`, each following
one central agency immediately; a practice of that agency waiting for a moderator (a new one per run, slug
`fanout-bench-...`); a local SMTP server (aiosmtpd, in a process of its own, so that it is scheduled and
measured apart from the benchmark's other threads) that counts what it receives; and a real
`celery -A rbx_portal worker --concurrency 2` on a queue of its own, sending to that server. Then, in a separate
Django process, it approves the practice through `revision_approve` (what the moderator's request does) and
polls the database until every follower has an in-app notification and every email delivery is `sent`.

Figures (seconds from the start of the publish call): `publish_seconds` (the moderator's request: the publish
transaction, its commit and the queueing after it), `notifications_seconds`, `smtp_seconds` (the SMTP server has
every follower's email, timed by the server), `emails_seconds` (every delivery marked sent); and counts:
notifications, deliveries sent, messages the SMTP server received and over how many connections,
`received_minus_followers` and duplicates (both expected 0); and the CPU seconds the worker (all its
processes), PostgreSQL (the backends connected to the benchmark's database) and the SMTP server used, in all and
per 1,000 emails: on a shared machine these say more than the wall times. `--write` puts them into docs/QUALITY.md (the
publish → followers paragraph of the benchmark section, which `make bench` also writes).

Reruns reuse the bench followers and delete the previous bench practice and the bench followers'
notifications; `--cleanup` (or `cleanup=True`) removes everything the benchmark created.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rbx_portal.devstack import _free_port, _stop_all, services  # noqa: E402

BENCH_EMAIL = "bench-follower-{n}@example.invalid"
BENCH_PREFIX = "bench-follower-"
MODERATOR = "bench-moderator@example.invalid"
AGENCY_ADMIN = "bench-agency-admin@example.invalid"
SLUG_PREFIX = "fanout-bench-"  # not "bench-": seed_bench publishes every unpublished practice named bench-*
QUEUE = "rbx-bench-fanout"
WORKER_NAME = "bench-fanout@%h"


# The parent: SMTP server, worker, and the Django child processes ------------------------------------------


class SMTPSink:
    """Accepts every message and remembers each one's recipients and `X-RBX-Delivery` key, the connections
    they came over (the client's address and port) and when the last bench follower's message arrived."""

    KEY_RE = re.compile(rb"^X-RBX-Delivery: *(\S+)", re.M | re.I)

    def __init__(self):
        self.keys: Counter = Counter()
        self.recipients: Counter = Counter()
        self.connections: set = set()
        self.last_bench_at: float | None = None  # time.time() of the latest bench follower's message
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        match = self.KEY_RE.search(envelope.original_content or envelope.content)
        with self.lock:
            self.keys[match.group(1).decode() if match else ""] += 1
            self.recipients.update(envelope.rcpt_tos)
            self.connections.add(session.peer)
            if any(r.startswith(BENCH_PREFIX) for r in envelope.rcpt_tos):
                self.last_bench_at = time.time()
        return "250 OK"

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 - aiosmtpd's hook
        """Offer PIPELINING (RFC 2920) as Postfix, Exim and the hosted senders do (aiosmtpd reads pipelined
        commands correctly but does not say so); BENCH_SMTP_PIPELINING=0 measures a server without it."""
        session.host_name = hostname
        if os.environ.get("BENCH_SMTP_PIPELINING", "1") != "0":
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    def counts(self) -> dict[str, int]:
        with self.lock:
            bench = {r: c for r, c in self.recipients.items() if r.startswith(BENCH_PREFIX)}
            return {
                "received": sum(self.keys.values()),
                "received_bench": sum(bench.values()),
                "duplicates": sum(c - 1 for c in self.keys.values() if c > 1)
                + sum(c - 1 for c in bench.values() if c > 1),
                "connections": len(self.connections),
                "last_bench_at": self.last_bench_at,
            }


def _sink_serve(port: int, pipe) -> None:
    """The SMTP server's process: serve until asked for the counts, answer them, stop."""
    from aiosmtpd.controller import Controller

    sink = SMTPSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    pipe.send("ready")
    try:
        pipe.recv()  # "counts": the run is over
    finally:
        controller.stop()
        pipe.send(sink.counts())


class SinkProcess:
    """An `SMTPSink` behind aiosmtpd in a child process (the real SMTP protocol over loopback, as before): in the
    benchmark's own process it would share one interpreter lock with whatever else runs there, and its CPU time
    could not be told apart. A measurement fix, not a change to what is measured."""

    def __init__(self, port: int):
        self.parent_end, child_end = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("fork").Process(
            target=_sink_serve, args=(port, child_end), daemon=True
        )
        self.process.start()
        if not self.parent_end.poll(30) or self.parent_end.recv() != "ready":
            raise RuntimeError("the benchmark's SMTP server did not start")

    def stop(self) -> dict:
        """Stop the server; its counts (`SMTPSink.counts`)."""
        self.parent_end.send("counts")
        counts = self.parent_end.recv() if self.parent_end.poll(30) else {}
        self.process.join(10)
        return counts


class CPUSampler:
    """CPU seconds used during the run by the worker's processes (its session), the PostgreSQL backends connected
    to `database`, and the SMTP server's process: sampled from /proc every 0.2 s (a backend that ends between
    two samples loses at most its last 0.2 s), so that figures from a machine others are using stay comparable.
    Linux only; elsewhere everything reads 0."""

    def __init__(self, *, database: str, smtp_pid: int, mark: Path):
        self.database, self.smtp_pid, self.mark = database, smtp_pid, mark
        mark.unlink(missing_ok=True)
        self.worker_session: int | None = None
        self.seen: dict[str, dict[int, float]] = {"worker": {}, "postgres": {}, "smtp_server": {}}
        self.base: dict[str, dict[int, float]] = {"worker": {}, "postgres": {}, "smtp_server": {}}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self, worker_session: int) -> None:
        """Sample from now on; what was used before the measuring step says it starts (`mark` appears: the
        worker has booted and answered) is not counted, and the step waits until `mark` is gone again."""
        self.worker_session = worker_session
        self.thread.start()

    def _sample(self, *, into: dict) -> None:
        backend = re.compile(rf"^postgres: .*\S+ {re.escape(self.database)} ")
        for entry in os.scandir("/proc") if os.path.isdir("/proc") else ():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    cmdline = fh.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            if pid == self.smtp_pid:
                kind = "smtp_server"
            elif self.worker_session is not None and int(fields[3]) == self.worker_session:
                kind = "worker"
            elif backend.match(cmdline):
                kind = "postgres"
            else:
                continue
            into[kind][pid] = max(seconds, into[kind].get(pid, 0.0))

    def _run(self) -> None:
        while not self.mark.exists():
            if self.stop_event.wait(0.02):
                return
        self._sample(into=self.base)
        self.mark.unlink()
        while not self.stop_event.wait(0.2):
            self._sample(into=self.seen)

    def stop(self) -> dict[str, float]:
        self._sample(into=self.seen)
        self.stop_event.set()
        self.thread.join(5)
        return {
            kind: round(sum(s - self.base[kind].get(pid, 0.0) for pid, s in pids.items()), 2)
            for kind, pids in self.seen.items()
        }


def _child(env: dict, *args: str, timeout: float | None = None) -> dict:
    """Run this file's `--child` step in a Django process with `env`; its last output line is JSON."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench/followers.py --child {args[0]} failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _bench_env(env: dict, smtp_port: int) -> dict:
    env = dict(env)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # rbx_portal.celery and manage.py choose the normal settings
    env.update(
        CELERY_QUEUE=QUEUE,  # a queue of its own: a development worker on the same Redis must not take its tasks
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    )
    # As in production (bench/run.py does the same): DEBUG off, so neither process keeps every SQL query.
    env.setdefault("DEBUG", "false")
    if env["DEBUG"].lower() in {"0", "false", "no", "off", ""}:
        env.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
        env.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    return env


def measure_publish_fanout(
    env: dict, followers: int = 10000, *, cleanup: bool = False, timeout: float | None = None
) -> dict:
    """Publish a practice followed by `followers` people through the real service and the real worker.

    Returns {"followers", "publish_seconds", "notifications_seconds", "emails_seconds", "notifications",
    "deliveries_sent", "smtp_received", "duplicates", ...}; the seconds are None when not reached within
    `timeout` (default: 10 minutes plus 0.1 s per follower).
    """
    from urllib.parse import urlsplit

    timeout = timeout if timeout is not None else 600 + followers / 10
    (ROOT / "var").mkdir(exist_ok=True)
    smtp_port = _free_port()
    sink = SinkProcess(smtp_port)
    env = _bench_env(env, smtp_port)
    mark = ROOT / "var" / "bench-fanout-measuring"
    env["BENCH_CPU_MARK"] = str(mark)
    cpu = CPUSampler(database=urlsplit(env["DATABASE_URL"]).path.lstrip("/"), smtp_pid=sink.process.pid, mark=mark)
    load_before = os.getloadavg()[0]
    worker = None
    smtp = {}
    cpu_seconds = {}
    worker_log = open(ROOT / "var" / "bench-fanout-worker.log", "w")  # noqa: SIM115 - closed below
    try:
        prepared = _child(env, "prepare", str(followers), timeout=600)
        worker = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "rbx_portal",
                "worker",
                "--concurrency",
                "2",
                "--loglevel",
                os.environ.get("BENCH_WORKER_LOGLEVEL", "WARNING"),
                "-n",
                WORKER_NAME,
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=worker_log,
        )
        cpu.start(worker.pid)  # its own session: the worker and its pool processes
        figures = _child(
            env,
            "measure",
            str(prepared["practice_id"]),
            str(prepared["moderator_id"]),
            str(followers),
            str(timeout),
            timeout=timeout + 120,
        )
        # A delivery is marked sent after the server's 250: the server has everything by now.
        time.sleep(0.5)
        cpu_seconds = cpu.stop()  # before the worker stops: its backends end with it
    finally:
        if worker is not None:
            _stop_all([worker])
        worker_log.close()
        smtp = sink.stop()
    at_server = None
    if smtp["received_bench"] >= followers and smtp["last_bench_at"] is not None:
        at_server = round(smtp["last_bench_at"] - figures["started_at"], 2)
    figures.update(
        smtp_received=smtp["received_bench"],
        # Every email at the SMTP server, timed by the server (the outbox marks a row sent just after).
        smtp_seconds=at_server,
        smtp_connections=smtp["connections"],
        send_batch=int(env.get("NOTIFICATIONS_SEND_BATCH", "100")),
        smtp_pipelining=os.environ.get("BENCH_SMTP_PIPELINING", "1") != "0",
        received_minus_followers=smtp["received_bench"] - followers,
        duplicates=figures["duplicates"] + smtp["duplicates"],
        created_followers=prepared["created_followers"],
        # The machine is shared: a busy one (load above its core count) inflates every figure.
        load_average=[round(load_before, 1), round(os.getloadavg()[0], 1)],
        cores=os.cpu_count(),
        # From the worker's start to the last email (the fan-out, the sending, the benchmark's polling queries).
        cpu_seconds=cpu_seconds,
        cpu_seconds_per_1000_emails={
            kind: round(seconds * 1000 / max(1, smtp.get("received_bench", 0)), 2)
            for kind, seconds in cpu_seconds.items()
        },
    )
    if cleanup:
        _child(env, "cleanup", timeout=600)
    return figures


# The report (docs/QUALITY.md) ------------------------------------------------------------------------------

QUALITY = ROOT / "docs" / "QUALITY.md"
MARK_START, MARK_END = "<!-- bench-followers:start -->", "<!-- bench-followers:end -->"


def _seconds(value) -> str:
    return f"{value:.1f} s" if value is not None else "not reached"


def _count(value) -> str:
    return f"{value:,}" if isinstance(value, int) else "—"


def fanout_report_lines(fanout: dict | None) -> list[str]:
    """The publish → followers paragraph of docs/QUALITY.md's benchmark section (between its own markers, so
    that `bench/followers.py --write` can replace it without a whole `make bench`)."""
    if fanout is None:
        return [MARK_START, "Publish → followers: not measured (BENCH_FOLLOWERS=0).", MARK_END]
    return [
        MARK_START,
        f"Publish → {fanout['followers']:,} followers through the real worker (`bench/followers.py`: Celery, 2 "
        "processes; a local SMTP server (aiosmtpd, offering PIPELINING) in a child process; every follower "
        "follows the practice's agency, "
        f"immediately; emails sent {fanout.get('send_batch', 1)} per task over one SMTP connection), run "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}, load average {fanout['load_average'][0]} → "
        f"{fanout['load_average'][1]} on {fanout['cores']} cores"
        + (" (the machine was busy: the figures are inflated)." if fanout["load_average"][0] > 1.5 else ".")
        + " Target: every email at the SMTP server within 20 s, exactly one per follower.",
        "",
        "| the moderator's publish request | all in-app notifications exist | all emails at the SMTP server "
        "| all deliveries marked sent | notifications | emails received by the SMTP server | SMTP connections "
        "| received − followers | duplicates |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {_seconds(fanout['publish_seconds'])} | {_seconds(fanout['notifications_seconds'])} | "
        f"{_seconds(fanout.get('smtp_seconds'))} | {_seconds(fanout['emails_seconds'])} | "
        f"{fanout['notifications']:,} | {fanout['smtp_received']:,} | {_count(fanout.get('smtp_connections'))} | "
        f"{fanout.get('received_minus_followers', '—')} | {fanout['duplicates']} |",
        MARK_END,
    ]


def quality_write(fanout: dict) -> None:
    """Replace the publish → followers paragraph in docs/QUALITY.md (inside the benchmark section)."""
    text = QUALITY.read_text()
    block = "\n".join(fanout_report_lines(fanout))
    marked = re.compile(re.escape(MARK_START) + ".*?" + re.escape(MARK_END), re.S)
    # Written by an earlier `make bench` without markers: the paragraph and its table.
    unmarked = re.compile(r"^Publish → [\d,]+ followers through the real worker[^\n]*\n\n(?:\|[^\n]*\|\n)+", re.M)
    if marked.search(text):
        text = marked.sub(lambda _: block, text, count=1)
    elif unmarked.search(text):
        text = unmarked.sub(lambda _: block + "\n", text, count=1)
    else:
        raise RuntimeError(f"no publish → followers paragraph in {QUALITY}: run `make bench` once")
    QUALITY.write_text(text)


# The Django child steps -------------------------------------------------------------------------------------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rbx_portal.settings")
    import django

    django.setup()


def _bench_agency():
    """A central agency (no region, so no province followers), the same on every run."""
    from agencies.models import Agency

    return Agency.objects.active().filter(region__isnull=True).order_by("code").first()


def _delete_bench_practices() -> int:
    from common.cache import public_cache_invalidate
    from practices.models import Practice

    practices = Practice.objects.filter(slug__startswith=SLUG_PREFIX)
    # The practice's revision pointers are PROTECT: unpublish and unlink first, then the cascade can run.
    practices.update(status=Practice.Status.UNPUBLISHED, live_revision=None, working_revision=None)
    deleted = practices.delete()[0]
    public_cache_invalidate()
    return deleted


def child_prepare(followers: int) -> dict:
    """Bench followers (created once, in bulk), a moderator, an agency admin and a practice ready to approve."""
    import secrets

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from agencies.models import Membership
    from notifications.models import Follow, Notification
    from practices.models import Indicator, Practice, PracticeRevision, Theme
    from practices.workflow import revision_transition
    from rbx_portal.celery import app

    agency = _bench_agency()
    no_login = make_password(None)  # an unusable password: bench accounts cannot log in
    wanted = [BENCH_EMAIL.format(n=n) for n in range(followers)]
    _delete_bench_practices()
    Notification.objects.filter(recipient__email__startswith=BENCH_PREFIX).delete()  # earlier runs' messages
    User.objects.filter(email__startswith=BENCH_PREFIX).exclude(email__in=wanted).delete()
    existing = set(User.objects.filter(email__startswith=BENCH_PREFIX).values_list("email", flat=True))
    missing = [email for email in wanted if email not in existing]
    # Every tenth follower reads English: the message is rendered once per language, as in real life.
    User.objects.bulk_create(
        (
            User(email=email, password=no_login, language="en" if i % 10 == 0 else "id")
            for i, email in enumerate(missing)
        ),
        batch_size=2000,
    )
    bench_users = User.objects.filter(email__startswith=BENCH_PREFIX)
    Follow.objects.filter(user__in=bench_users).exclude(kind="agency", agency=agency).delete()
    Follow.objects.filter(user__in=bench_users).update(frequency="immediate", confirmed_at=timezone.now())
    unfollowing = bench_users.exclude(pk__in=Follow.objects.filter(agency=agency).values("user_id"))
    Follow.objects.bulk_create(
        (
            Follow(
                user_id=pk,
                kind="agency",
                agency=agency,
                frequency="immediate",
                token=secrets.token_urlsafe(32),
                confirmed_at=timezone.now(),
            )
            for pk in unfollowing.values_list("pk", flat=True)
        ),
        batch_size=2000,
    )
    moderator, _ = User.objects.get_or_create(
        email=MODERATOR, defaults={"ministry_role": "moderator", "password": no_login}
    )
    admin, _ = User.objects.get_or_create(email=AGENCY_ADMIN, defaults={"password": no_login})
    Membership.objects.update_or_create(user=admin, defaults={"agency": agency, "role": "admin", "state": "active"})
    with transaction.atomic():
        practice = Practice.objects.create(
            agency=agency, slug=f"{SLUG_PREFIX}{int(time.time() * 1000)}", created_by=admin
        )
        revision = PracticeRevision.objects.create(
            practice=practice,
            number=1,
            created_by=admin,
            title="Uji beban pengikut",
            summary="Praktik untuk mengukur pemberitahuan kepada pengikut.",
            primary_theme=Theme.objects.order_by("code").first(),
            start_year=2024,
            stage=PracticeRevision.Stage.IMPLEMENTED,
            # Every item the publish guard (practices/services/guard.py) asks for.
            problem="Pengukuran.",
            affected="Pengikut.",
            approach="Pengukuran.",
            novelty="Pengukuran.",
            beneficiaries="Pengikut.",
            impact="Pengukuran.",
            budget_source="APBN",
            sustainability="Pengukuran.",
            success_conditions="Pengukuran.",
            replication_steps="Pengukuran.",
            challenges="Pengukuran.",
            contact_name="Bench",
            contact_email="bench@example.invalid",
        )
        Indicator.objects.create(
            revision=revision, name="Pengikut yang diberi tahu", unit="orang", baseline_value=0, target_value=10000
        )
        practice.working_revision = revision
        practice.save(update_fields=["working_revision"])
    revision_transition(practice_id=practice.pk, to_state=PracticeRevision.State.SUBMITTED, by=admin)
    # Statistics as after normal life (autovacuum), not as right after 10,000 bulk inserts or deletes.
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE accounts_user, notifications_follow, notifications_notification, notifications_delivery"
        )
    # Messages left in the bench queue by an interrupted run would be served first.
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)
    return {
        "practice_id": practice.pk,
        "moderator_id": moderator.pk,
        "created_followers": len(missing),
        "followers": Follow.objects.active().filter(agency=agency, user__email__startswith=BENCH_PREFIX).count(),
    }


def child_measure(practice_id: int, moderator_id: int, followers: int, timeout: float) -> dict:
    """Wait for the worker, approve (timed), then poll until every follower's notification and email exist."""
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import User
    from notifications.models import Delivery, Notification, PublishFanOut
    from practices.models import Practice
    from practices.services.decisions import revision_approve
    from rbx_portal.celery import app

    deadline = time.monotonic() + 120
    while not app.control.ping(destination=[WORKER_NAME.replace("%h", socket.gethostname())], timeout=0.5):
        if time.monotonic() > deadline:
            raise RuntimeError("the bench worker did not answer within 2 minutes (see var/bench-fanout-worker.log)")
    practice = Practice.objects.get(pk=practice_id)
    moderator = User.objects.get(pk=moderator_id)
    if os.environ.get("BENCH_CPU_MARK"):  # the parent's CPU count starts here (CPUSampler), once it has read
        mark = Path(os.environ["BENCH_CPU_MARK"])
        mark.touch()
        deadline = time.monotonic() + 5
        while mark.exists() and time.monotonic() < deadline:
            time.sleep(0.01)

    fanout = PublishFanOut.objects.filter(practice_id=practice_id)
    start = time.perf_counter()
    started_wall = time.time()
    started_at = timezone.now()
    revision_approve(practice=practice, by=moderator)  # commits; the fan-out task is queued after the commit
    publish = time.perf_counter() - start
    # Polled with queries that stay cheap whatever the planner's statistics say (the tables grow by 10,000s
    # during the run): the fan-out row turns done right after its last batch commits, and the emails are
    # all sent when no delivery created since the publish is still pending or sending (index on state).
    unsent = Delivery.objects.filter(
        state__in=[Delivery.State.PENDING, Delivery.State.SENDING], created_at__gte=started_at
    )
    notifications_at = emails_at = None
    while time.perf_counter() - start < timeout:
        if notifications_at is None and fanout.filter(state=PublishFanOut.State.DONE).exists():
            notifications_at = time.perf_counter() - start
        if notifications_at is not None and not unsent.exists():
            emails_at = time.perf_counter() - start
            break
        time.sleep(0.05)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_notification, notifications_delivery")
    notes = Notification.objects.filter(
        kind="follow_published",
        dedupe_key__startswith=f"follow-pub:p{practice_id}:",
        recipient__email__startswith=BENCH_PREFIX,
    )
    fanout = fanout.get()
    per_person = notes.values("recipient_id").annotate(n=Count("id")).filter(n__gt=1).count()
    states = dict(
        Delivery.objects.filter(notification__in=notes).values_list("state").annotate(n=Count("id")).order_by()
    )
    if states.get(Delivery.State.SENT, 0) < followers:
        emails_at = None  # some failed or are uncertain (listed in deliveries_other): not "all sent"
    return {
        "followers": followers,
        "started_at": started_wall,
        "publish_seconds": round(publish, 3),
        "notifications_seconds": round(notifications_at, 2) if notifications_at is not None else None,
        "emails_seconds": round(emails_at, 2) if emails_at is not None else None,
        "fanout_seconds": round((fanout.done_at - fanout.created_at).total_seconds(), 2) if fanout.done_at else None,
        "notifications": notes.count(),
        "deliveries_sent": states.get(Delivery.State.SENT, 0),
        "deliveries_other": {k: v for k, v in states.items() if k != Delivery.State.SENT},
        "duplicates": per_person,
    }


def child_cleanup() -> dict:
    from accounts.models import User

    practices = _delete_bench_practices()
    users = User.objects.filter(email__startswith=BENCH_PREFIX).delete()[0]  # follows, notifications cascade
    User.objects.filter(email__in=[MODERATOR, AGENCY_ADMIN]).delete()
    return {"practices": practices, "rows": users}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        _setup_django()
        step, args = argv[1], argv[2:]
        if step == "prepare":
            result = child_prepare(int(args[0]))
        elif step == "measure":
            result = child_measure(int(args[0]), int(args[1]), int(args[2]), float(args[3]))
        else:
            result = child_cleanup()
        print(json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, default=10000)
    parser.add_argument("--cleanup", action="store_true", help="remove the bench followers and practice afterwards")
    parser.add_argument("--write", action="store_true", help="write the figures into docs/QUALITY.md")
    args = parser.parse_args(argv)
    with services() as env:
        figures = measure_publish_fanout(env, args.followers, cleanup=args.cleanup)
    print(json.dumps(figures, indent=2))
    if args.write:
        quality_write(figures)
        print(f"wrote {QUALITY.relative_to(ROOT)}")
    exact = figures["received_minus_followers"] == 0 and figures["duplicates"] == 0
    return 0 if figures["emails_seconds"] is not None and exact else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
