"""`make bench`: the portal under gunicorn at benchmark volume, driven by wrk on this machine.

Steps: services (embedded or from DATABASE_URL/REDIS_URL, as `make run`), migrate, reference data,
`seed_bench --practices N` (BENCH_PRACTICES, default 100000; resumes if already there), collectstatic, gunicorn
with production settings, then for each page wrk with 10 connections for BENCH_SECONDS (default 10):

- *uncached*: a query string unique per run, per wrk thread and per request (`_b=<run id>-<thread>-<n>`), so the
  page cache always misses; what is kept below the page (counts, fragments) stays kept. Every response's
  `X-Cache` header (set by `common.cache.public_cache_page`) is counted by the wrk script, and the report shows
  the page-cache hits of every uncached run: they must be 0 (a non-zero count is flagged).
- *cached*: the same URL again and again, served from the page cache;
- *cache off* (issue #20): a second gunicorn with `CACHE_DISABLED=true` (Django's DummyCache, no page copies in
  process memory: nothing is kept at all, the worst case and what the first visitor after a publish pays) and
  BENCH_OFF_WORKERS sync workers (default 2, the issue's condition), unique URLs as above.

BENCH_CACHE chooses the columns: `on+off` (default: all three), `on` (uncached and cached only, as before
issue #20), `off` (cache off only). A trivial Django view served by the same gunicorn gives the throughput
ratio; SQL queries and the cold time per page are measured in-process; then a publish to BENCH_FOLLOWERS
(default 10000) followers through the real worker (`bench/followers.py`).

Volumes: the default 100,000 practices live in the database of DATABASE_URL (or the embedded one); any other
BENCH_PRACTICES (`make bench-300k` is BENCH_PRACTICES=300000) gets a database of its own next to it, named
`<database>_<N>` (seeded once, about 10 minutes for 300,000 on 2 cores: bulk inserts of 5,000 rows, the facet
triggers paused and the facet table rebuilt once, the search vectors written in one UPDATE), and a cache key
prefix of its own. Each run keeps its figures in var/bench/results-<N>.json; a run at another volume than
100,000 writes the growth from 100,000 to N per page (cache-off and uncached p95) beside its table, from the
latest 100,000 run. The 100,000 table replaces the "Benchmark" block of docs/QUALITY.md (`<!-- bench:start -->`),
another volume's its own block (`<!-- bench-N:start -->`); BENCH_REPORT names another file to write instead
(for trying changes without touching docs/QUALITY.md).
"""

from __future__ import annotations

import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.followers import fanout_report_lines, measure_publish_fanout  # noqa: E402
from rbx_portal.devstack import _free_port, _manage, _stop_all, services  # noqa: E402

PAGES = [
    # name, path (Indonesian interface)
    ("trivial view", "/bench/trivial"),
    ("home", "/"),
    ("list", "/praktik/"),
    ("list, one theme", "/praktik/?theme=kemiskinan"),
    ("list, 3 facets", "/praktik/?theme=kemiskinan&stage=penerapan&kind=kabupaten"),
    ("search, common word", "/praktik/?q=layanan"),
    ("search, rare word", "/praktik/?q=sidikjari"),
    # Issue #17: an English query (theme names and the glossary) and a typo corrected inside the full-text search.
    ("search, English", "/en/practices/?q=poverty"),
    ("search, typo", "/praktik/?q=layanann"),
    ("practice page", "/praktik/{slug}/"),
    ("agency page", "/instansi/{agency}/"),
    ("map", "/peta/?tema=kemiskinan"),
    ("map, a province", "/peta/?tema=kemiskinan&provinsi=35"),
    ("API list", "/api/v1/practices/"),
]


def page_targets(slug: str | None = None, agency: str | None = None) -> list[tuple[str, str]]:
    """PAGES with the placeholders filled: the most replicated practice and its agency (asked of the ORM when
    not given, which needs Django set up)."""
    if slug is None or agency is None:
        from practices.models import Practice

        practice = Practice.objects.published().select_related("agency").order_by("-replication_count", "id").first()
        slug, agency = practice.slug, practice.agency.slug
    return [(name, path.format(slug=slug, agency=agency)) for name, path in PAGES]


# gunicorn's recommendation for sync workers, 2 × cores + 1: while one worker waits for PostgreSQL or Redis
# another computes (with 3 on 2 cores, 7 of wrk's 10 connections waited in the accept queue).
# Followers of one agency for the publish → followers measurement (0 skips it).
FOLLOWERS = int(os.environ.get("BENCH_FOLLOWERS", "10000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", 2 * (os.cpu_count() or 1) + 1))

LUA = r"""
-- Unique URLs per run (BENCH_RUN, new for every wrk call), per thread (its number, given by setup) and per
-- request; the X-Cache header of every response is counted per thread and summed in done().
local threads = {}
local unique = os.getenv("BENCH_UNIQUE") == "1"
local run = os.getenv("BENCH_RUN") or "0"
tid, counter, hits, misses = 0, 0, 0, 0
setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
request = function()
  counter = counter + 1
  local path = wrk.path
  if unique then
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. "_b=" .. run .. "-" .. tid .. "-" .. counter
  end
  return wrk.format("GET", path)
end
response = function(status, headers, body)
  local mark = headers["X-Cache"] or headers["x-cache"]
  if mark == "hit" then hits = hits + 1 elseif mark == "miss" then misses = misses + 1 end
end
done = function(summary, latency, requests)
  local h, m = 0, 0
  for _, thread in ipairs(threads) do
    h = h + (thread:get("hits") or 0)
    m = m + (thread:get("misses") or 0)
  end
  io.write(string.format("JSON {\"p50\": %f, \"p95\": %f, \"p99\": %f, \"requests\": %d, \"duration_us\": %d, " ..
    "\"errors\": %d, \"non2xx\": %d, \"hits\": %d, \"misses\": %d}\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, h, m))
end
"""


# Rounds of the cached column (BENCH_CACHED_ROUNDS), each BENCH_SECONDS long, over every page in turn.
CACHED_ROUNDS = max(1, int(os.environ.get("BENCH_CACHED_ROUNDS", "3")))


def median_round(rounds: list[dict]) -> dict:
    """The round of median throughput, with the hits and non-2xx answers of every round: a hit or an error in
    any round is reported, whichever round is shown."""
    ordered = sorted(rounds, key=lambda r: r["rps"])
    shown = dict(ordered[(len(ordered) - 1) // 2])
    shown["hits"] = sum(r.get("hits", 0) for r in rounds)
    shown["non2xx"] = sum(r.get("non2xx", 0) for r in rounds)
    shown["rounds"] = [round(r["rps"]) for r in rounds]
    return shown


def _ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)  # noqa: S607
        return shutil.which("wrk") or "wrk"
    sys.exit("wrk is needed for the benchmark: install it (Debian: apt-get install wrk)")


def _wrk(wrk: str, url: str, *, unique: bool, seconds: int, script: str) -> dict:
    # A new run id for every call: no two runs (nor two threads, see LUA) ever send the same URL.
    env = dict(os.environ, BENCH_UNIQUE="1" if unique else "0", BENCH_RUN=f"{time.time_ns():x}{secrets.token_hex(3)}")
    out = subprocess.run(  # noqa: S603
        [wrk, "-t2", "-c10", f"-d{seconds}s", "--timeout", "10s", "-s", script, url],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    data = json.loads(re.search(r"^JSON (.*)$", out, re.M).group(1))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def _query_counts(env: dict, paths: list[str]) -> dict[str, list]:
    """Per page, rendered in-process with every cache emptied first and no stored practice page (as right after
    an invalidation of everything, when nothing is kept): [SQL queries, status, median milliseconds of three such
    cold renders]."""
    code = (
        "import django, json, statistics, sys, time; django.setup()\n"
        "from django.test import Client; from django.test.utils import CaptureQueriesContext\n"
        "from django.db import connection; from django.core.cache import cache\n"
        "from practices.services.pages import practice_pages_invalidate_all\n"
        "c = Client(); out = {}\n"
        "for p in json.loads(sys.argv[1]):\n"
        "    times = []\n"
        "    for _ in range(3):\n"
        "        cache.clear(); practice_pages_invalidate_all(); started = time.perf_counter()\n"
        "        with CaptureQueriesContext(connection) as q: r = c.get(p)\n"
        "        times.append((time.perf_counter() - started) * 1000)\n"
        "    out[p] = [len(q), r.status_code, statistics.median(times)]\n"
        "print(json.dumps(out))\n"
    )
    # Without the page copy in process memory: emptying Redis must leave nothing kept.
    env = dict(env, DJANGO_SETTINGS_MODULE="rbx_portal.settings", SECURE_SSL_REDIRECT="false")
    env["PUBLIC_CACHE_LOCAL_SECONDS"] = "0"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, json.dumps(paths)], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


ASSET_RE = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]*href|script[^>]+src)="([^"]+)"')
YEAR = 60 * 60 * 24 * 365


def _fetch(url: str) -> tuple[int, dict, int]:
    """(status, headers, bytes on the wire for the body) of a GET sent as a browser would, accepting gzip."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), len(error.read())


def _header_bytes(headers: dict) -> int:
    return sum(len(k) + len(v) + 4 for k, v in headers.items()) + 17


def page_weight(base: str, path: str) -> dict:
    """Bytes transferred for a first visit (page, its stylesheets and scripts; images excluded) and a repeat
    visit (the page alone when every asset may be cached for a year, else the page and the assets again)."""
    status, headers, body = _fetch(base + path)
    html_bytes = body + _header_bytes(headers)
    _, _, raw = _fetch_raw(base + path)
    assets, immutable = 0, True
    for asset in sorted(set(ASSET_RE.findall(raw))):
        a_status, a_headers, a_body = _fetch(base + asset if asset.startswith("/") else asset)
        assets += a_body + _header_bytes(a_headers)
        max_age = re.search(r"max-age=(\d+)", a_headers.get("Cache-Control", ""))
        immutable &= a_status == 200 and bool(max_age) and int(max_age.group(1)) >= YEAR
    return {
        "status": status,
        "html": html_bytes,
        "assets": assets,
        "gzip": headers.get("Content-Encoding") == "gzip",
        "first": html_bytes + assets,
        "repeat": html_bytes if immutable else html_bytes + assets,
        "immutable": immutable,
    }


def _fetch_raw(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback only
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), ""


def _machine() -> str:
    model = ""
    try:
        model = next(
            (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), ""
        )
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")))
        mem = f", {kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, StopIteration):
        pass
    return f"{platform.machine()} {model}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}"


def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except Exception:  # noqa: BLE001
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer at {url}")


DEFAULT_PRACTICES = 100_000
# Workers of the cache-off gunicorn: the condition (2 sync workers) by default.
OFF_WORKERS = int(os.environ.get("BENCH_OFF_WORKERS", "2"))


def volume_url(url: str, practices: int) -> tuple[str, str]:
    """The database URL and name of the volume `practices`: the URL's database with `_<practices>` appended.
    The database is the URL's path; the embedded server's socket directory is in its query (`?host=/…`)."""
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_{practices}"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def _volume_env(env: dict, practices: int) -> None:
    """Another volume than the default gets a database (created once) and a cache key prefix of its own, so that
    the 100,000 database stays as it is and no cached page of one volume is served in the other's run."""
    if practices == DEFAULT_PRACTICES:
        return
    import psycopg2
    from psycopg2 import sql

    url = env["DATABASE_URL"]
    volume, volume_name = volume_url(url, practices)
    conn = psycopg2.connect(url)
    try:
        conn.autocommit = True  # CREATE DATABASE cannot run in a transaction
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [volume_name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(volume_name)))
    finally:
        conn.close()
    env["DATABASE_URL"] = volume
    env["CACHE_KEY_PREFIX"] = f"bench{practices}"


def _gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "rbx_portal.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            str(ROOT / "var" / "bench-gunicorn.log"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def main() -> int:
    practices = int(os.environ.get("BENCH_PRACTICES", str(DEFAULT_PRACTICES)))
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    mode = os.environ.get("BENCH_CACHE", "on+off")
    if mode not in ("on+off", "on", "off"):
        sys.exit("BENCH_CACHE is on+off (default), on or off")
    cache_on, cache_off = mode != "off", mode != "on"
    wrk = _ensure_wrk()
    with services() as env:
        env.update(
            DEBUG="false",
            SECRET_KEY="bench-only-" + "x" * 40,
            ALLOWED_HOSTS="127.0.0.1,testserver",
            SECURE_SSL_REDIRECT="false",
            BENCH_ENABLED="true",
            STATIC_ROOT=str(ROOT / "var" / "staticfiles"),
            # wrk is one client address sending thousands of searches a minute: the per-address limits (search
            # 60/min, API 120/min) would answer most of them with 429 and measure the refusal, not the page.
            RATELIMIT_RATES="search=100000000/m",
            API_THROTTLE_ENABLED="false",
        )
        env.pop("DJANGO_SETTINGS_MODULE", None)
        _volume_env(env, practices)
        _manage(env, "migrate", "--no-input", "-v", "0")
        _manage(env, "load_reference_data")
        seed_started = time.monotonic()
        _manage(env, "seed_bench", "--practices", str(practices), "--batch", "5000")
        seed_seconds = time.monotonic() - seed_started
        _manage(env, "collectstatic", "--no-input", "-v", "0")
        slug_agency = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from practices.models import Practice; p = Practice.objects.published().select_related('agency')"
                ".order_by('-replication_count', 'id').first(); print(p.slug, p.agency.slug)",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        pages = page_targets(*slug_agency[-2:])  # the last line: other output may precede it
        # The benched practice gets its stored neighbour lists, as the publish task gives every practice (filling
        # all 100,000 would take most of an hour; without a row the page would measure artificially cheap).
        _manage(env, "practice_neighbours_fill", "--slug", slug_agency[-2])
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
            fh.write(LUA)
        empty = {"p50": 0.0, "p95": 0.0, "p99": 0.0, "rps": 0.0, "non2xx": 0, "hits": 0, "misses": 0}
        measured = {path: {"uncached": dict(empty), "cached": dict(empty), "off": dict(empty)} for _, path in pages}
        weights = []
        kept: dict[str, dict] = {}
        load_before = os.getloadavg()
        if cache_on:
            port = _free_port()
            gunicorn = _gunicorn(env, port, WORKERS)
            try:
                _wait_http(f"http://127.0.0.1:{port}/bench/trivial")
                rounds: dict[str, list[dict]] = {path: [] for _, path in pages}
                for name, path in pages:
                    url = f"http://127.0.0.1:{port}{path}"
                    # Warm up with unique URLs: every worker then renders the page once (its templates compiled,
                    # its statements kept) before the measurement; the same URL would be rendered by one worker
                    # and served from the page cache after that.
                    _wrk(wrk, url, unique=True, seconds=2, script=fh.name)
                    uncached = _wrk(wrk, url, unique=True, seconds=seconds, script=fh.name)
                    rounds[path].append(_wrk(wrk, url, unique=False, seconds=seconds, script=fh.name))
                    measured[path]["uncached"] = uncached
                    print(
                        f"{name:22} uncached p95 {uncached['p95']:.1f} ms ({uncached['hits']} page-cache hits), "
                        f"cached {rounds[path][-1]['rps']:.0f} req/s",
                        flush=True,
                    )
                # The cached column is the median of CACHED_ROUNDS rounds over every page in turn (the trivial view
                # included): a few seconds of something else on the machine fall in one round of one page, not
                # in its median, and the ratio to the trivial view compares medians taken over the same minutes.
                for _ in range(CACHED_ROUNDS - 1):
                    for _name, path in pages:
                        url = f"http://127.0.0.1:{port}{path}"
                        rounds[path].append(_wrk(wrk, url, unique=False, seconds=seconds, script=fh.name))
                for name, path in pages:
                    cached = measured[path]["cached"] = median_round(rounds[path])
                    each = ", ".join(str(rps) for rps in cached["rounds"])
                    print(f"{name:22} cached, median of {len(rounds[path])}: {cached['rps']:.0f} req/s ({each})")
                base = f"http://127.0.0.1:{port}"
                for name, path in pages[1:]:
                    if not path.startswith("/api/"):
                        weights.append((name, path, page_weight(base, path)))
            finally:
                _stop_all([gunicorn])
            # Issue #20: the practice page with what is kept below the page cache kept, on OFF_WORKERS workers.
            port = _free_port()
            gunicorn = _gunicorn(env, port, OFF_WORKERS)
            try:
                _wait_http(f"http://127.0.0.1:{port}/bench/trivial")
                for name, path in pages:
                    if name in KEPT_PAGES:
                        url = f"http://127.0.0.1:{port}{path}"
                        _wrk(wrk, url, unique=True, seconds=1, script=fh.name)  # warm up
                        kept[name] = _wrk(wrk, url, unique=True, seconds=seconds, script=fh.name)
                        print(f"{name:22} kept, {OFF_WORKERS} workers: {kept[name]['rps']:.0f} req/s", flush=True)
            finally:
                _stop_all([gunicorn])
        if cache_off:
            port = _free_port()
            gunicorn = _gunicorn(dict(env, CACHE_DISABLED="true"), port, OFF_WORKERS)
            try:
                _wait_http(f"http://127.0.0.1:{port}/bench/trivial")
                for name, path in pages:
                    url = f"http://127.0.0.1:{port}{path}"
                    _wrk(wrk, url, unique=True, seconds=1, script=fh.name)  # warm up (connections, imports)
                    off = _wrk(wrk, url, unique=True, seconds=seconds, script=fh.name)
                    measured[path]["off"] = off
                    print(f"{name:22} cache off p95 {off['p95']:.1f} ms, {off['rps']:.0f} req/s", flush=True)
            finally:
                _stop_all([gunicorn])
        load_after = os.getloadavg()
        queries = _query_counts(env, [path for _, path in pages])
        fanout = measure_publish_fanout(env, FOLLOWERS) if FOLLOWERS else None
    rows = [(name, path, *(measured[path][column] for column in ("uncached", "cached", "off"))) for name, path in pages]
    _save_results(practices, rows)
    _write_report(
        rows,
        queries,
        practices,
        seconds,
        weights=weights,
        kept=kept,
        fanout=fanout,
        load=(load_before, load_after),
        mode=mode,
        seed_seconds=seed_seconds,
    )
    return 0


RESULTS = ROOT / "var" / "bench"


def _save_results(practices: int, rows) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {
        "practices": practices,
        "at": time.strftime("%Y-%m-%d %H:%M %Z"),
        "pages": {name: {"uncached": unc, "cached": cac, "off": off} for name, _path, unc, cac, off in rows},
    }
    (RESULTS / f"results-{practices}.json").write_text(json.dumps(data, indent=1))


def _growth_lines(practices: int, rows) -> list[str]:
    """Per page, p95 at 100,000 and at this volume (cache off, uncached), from the latest 100,000 run."""
    if practices == DEFAULT_PRACTICES:
        return []
    kept = RESULTS / f"results-{DEFAULT_PRACTICES}.json"
    if not kept.exists():
        return ["", f"Growth from {DEFAULT_PRACTICES:,}: no {DEFAULT_PRACTICES:,} run kept yet (run `make bench`)."]
    base = json.loads(kept.read_text())

    def ratio(new: float, old: float) -> str:
        return f"{new / old:.2f}×" if old else "–"

    lines = [
        "",
        f"Growth from {DEFAULT_PRACTICES:,} ({base['at']}) to {practices:,} practices "
        f"({practices / DEFAULT_PRACTICES:.0f}× the data); target: no page's cache-off p95 grows by more than 1.5×:",
        "",
        f"| page | cache off p95 {DEFAULT_PRACTICES // 1000}k → {practices // 1000}k (ms) | growth "
        f"| uncached p95 {DEFAULT_PRACTICES // 1000}k → {practices // 1000}k (ms) | growth |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, _path, unc, _cac, off in rows:
        old = base["pages"].get(name)
        if old is None:
            continue
        o_off, o_unc = old["off"]["p95"], old["uncached"]["p95"]
        grown = off["p95"] / o_off if o_off else 0
        lines.append(
            f"| {name} | {o_off:.1f} → {off['p95']:.1f} | {ratio(off['p95'], o_off)}"
            f"{' **(> 1.5×)**' if grown > 1.5 else ''} | {o_unc:.1f} → {unc['p95']:.1f} | {ratio(unc['p95'], o_unc)} |"
        )
    return lines


def _ms_off(result: dict) -> str:
    return f"{result['p50']:.1f} / {result['p95']:.1f}" if result.get("requests") else _ms(result)


def _ms(result: dict) -> str:
    if not result.get("requests"):
        return "no answer in time" if "requests" in result else "–"
    return f"{result['p50']:.1f} / {result['p95']:.1f} / {result['p99']:.1f}"


# The targets on this machine with 10 concurrent clients: uncached p95 per page kind, and the cached
# pages' throughput as a share of the trivial view's.
TARGETS = [
    ("list pages, uncached p95", ("list", "list, one theme", "list, 3 facets"), 100.0),
    ("practice page, uncached p95", ("practice page",), 100.0),
    ("search, uncached p95", ("search, common word", "search, rare word", "search, English", "search, typo"), 150.0),
]
# Issue #20, cache off (DummyCache) with BENCH_OFF_WORKERS workers: (label, pages, least req/s, p95 limit or None).
OFF_TARGETS = [
    ("list and list by theme, cache off", ("list", "list, one theme"), 60.0, 300.0),
    ("practice page, cache off", ("practice page",), 300.0, 100.0),
    ("search, common word, cache off", ("search, common word",), 60.0, None),
]
# Issue #20, with the cache on and an uncached URL, on BENCH_OFF_WORKERS workers: page name -> least req/s.
KEPT_PAGES = {"practice page": 400.0}


def _targets(rows, kept: dict | None = None) -> list[str]:
    by_name = {name: (unc, cac, off) for name, _path, unc, cac, off in rows}
    trivial_rps = by_name["trivial view"][1]["rps"]
    lines = ["| target | measured | met |", "| --- | ---: | :---: |"]
    for label, names, limit in TARGETS:
        measured = [by_name[name][0]["p95"] for name in names if name in by_name and by_name[name][0]["requests"]]
        if not measured:
            continue
        worst = max(measured)
        lines.append(f"| {label} < {limit:.0f} ms | {worst:.1f} ms | {'yes' if worst < limit else '**no**'} |")
    for label, names, least, limit in OFF_TARGETS:
        found = [by_name[name][2] for name in names if name in by_name and by_name[name][2].get("requests")]
        if not found:
            continue
        slowest = min(off["rps"] for off in found)
        worst = max(off["p95"] for off in found)
        met = slowest >= least and (limit is None or worst < limit)
        wanted = f"≥ {least:.0f} req/s" + (f", p95 < {limit:.0f} ms" if limit else "")
        lines.append(f"| {label} {wanted} | {slowest:.0f} req/s, p95 {worst:.1f} ms | {'yes' if met else '**no**'} |")
    for name, least in KEPT_PAGES.items():
        if (found := (kept or {}).get(name)) and found.get("requests"):
            met = found["rps"] >= least
            lines.append(
                f"| {name}, fragments kept (uncached URL, cache on), {OFF_WORKERS} workers ≥ {least:.0f} req/s | "
                f"{found['rps']:.0f} req/s, p95 {found['p95']:.1f} ms, {found['hits']} hits | "
                f"{'yes' if met else '**no**'} |"
            )
    hits = sum(unc.get("hits", 0) + off.get("hits", 0) for unc, _cac, off in by_name.values())
    hits += sum(found.get("hits", 0) for found in (kept or {}).values())
    lines.append(
        f"| page-cache hits in the uncached and cache-off runs = 0 | {hits} | {'yes' if hits == 0 else '**no**'} |"
    )
    # Every page and the API list (kept by the page cache for anonymous callers since issue #20).
    if not trivial_rps:
        return lines
    ratios = [cac["rps"] / trivial_rps for name, (_u, cac, _o) in by_name.items() if name != "trivial view"]
    if not ratios:
        return lines
    lowest = min(ratios)
    lines.append(
        f"| cached pages ≥ 0.5 × the trivial view's throughput (every page and the API list) | lowest {lowest:.2f} | "
        f"{'yes' if lowest >= 0.5 else '**no**'} |"
    )
    return lines


def _write_report(
    rows,
    queries,
    practices: int,
    seconds: int,
    *,
    weights,
    fanout: dict | None,
    load,
    mode: str,
    seed_seconds: float,
    kept: dict | None = None,
) -> None:
    trivial_rps = rows[0][3]["rps"]
    marker = "bench" if practices == DEFAULT_PRACTICES else f"bench-{practices}"
    lines = [
        f"<!-- {marker}:start (written by `make bench`; do not edit by hand) -->",
        f"Run {time.strftime('%Y-%m-%d %H:%M %Z')} on {_machine()}, Python {platform.python_version()}; "
        f"{practices:,} published practices (seeding, or checking the seed: {seed_seconds:.0f} s); gunicorn "
        f"{WORKERS} sync workers (cache off: {OFF_WORKERS}); wrk 2 threads, 10 connections, "
        f"{seconds} s per measurement, on the same machine; BENCH_CACHE={mode}; "
        + (
            "PostgreSQL and Redis from DATABASE_URL / REDIS_URL."
            if os.environ.get("DATABASE_URL")
            else "the embedded PostgreSQL and Redis of `make run`."
        )
        + f" Load average (1 min) {load[0][0]:.1f} before and "
        f"{load[1][0]:.1f} after the run (the run itself loads both cores)"
        + (" — the machine was busy before the run: latencies are inflated." if load[0][0] > 1.5 else ".")
        + " Per-address rate limits are lifted for the run (wrk is one address).",
        "",
        "*Uncached*: a query string unique per run, wrk thread and request, so the page cache always misses (the "
        "*hits* column counts the responses marked `X-Cache: hit` anyway: it must be 0); what is kept below the "
        "page stays kept, as for any visitor after the first (the per-filter counts and search plan under the "
        "cache version; the rendered practice cards, filter block and revision body under keys that change with "
        "their content; see docs/ARCHITECTURE.md). *Cached*: the same URL, served from the page cache; "
        f"the median of {CACHED_ROUNDS} rounds taken over every page in turn. *Cache "
        "off*: Django's DummyCache and no page copies in memory: nothing is kept in a cache; what the database "
        "keeps up to date stays (the facet counts kept by triggers, the stored neighbour lists, and the practice "
        "pages stored for anonymous visitors, valid until a change announced for them: after the first request "
        "of a run, a practice page view is one query), and the page frame each process renders once, "
        f"{OFF_WORKERS} workers. *Cold*: one request with every cache emptied and every stored practice page "
        "invalidated first (as right after an invalidation of everything), rendered in-process without "
        "concurrency, median of three; its SQL queries are the first column. wrk does not ask for gzip, so these "
        "figures exclude compression.",
        "",
        "| page | SQL queries (cold) | uncached p50 / p95 / p99 (ms) | uncached req/s | hits | cached p95 (ms) "
        "| cached req/s | cached ÷ trivial | cache off p50 / p95 (ms) | cache off req/s | cold (ms) | non-2xx |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, path, unc, cac, off in rows:
        q = queries.get(path, ["?", "?", 0.0])
        if q[1] == 404:
            lines.append(f"| {name} (`{path}`) | — | not available (404) | — | — | — | — | — | — | — | — | — |")
            continue
        ratio = f"{cac['rps'] / trivial_rps:.2f}" if trivial_rps else "–"
        lines.append(
            f"| {name} (`{path}`) | {q[0]} | {_ms(unc)} | {unc['rps']:.0f} | {unc.get('hits', 0)} | "
            f"{cac['p95']:.1f} | {cac['rps']:.0f} | {ratio} | "
            f"{_ms_off(off)} | "
            f"{off['rps']:.0f} | {q[2]:.0f} | {unc['non2xx'] + cac['non2xx'] + off['non2xx']} |"
        )
    lines += ["", *_targets(rows, kept)]
    lines += _growth_lines(practices, rows)
    lines += [
        "",
        *fanout_report_lines(fanout),
        "",
        "Page weight (budget: first visit < 150 KB, repeat visit < 30 KB; HTML, CSS, JS, fonts, images excluded; "
        "bytes on the wire with `Accept-Encoding: gzip`, headers included; a repeat visit re-fetches only the HTML "
        "when every asset is served with a cache lifetime of a year):",
        "",
        "| page | HTML (KB) | gzip | CSS + JS (KB) | first visit (KB) | repeat visit (KB) | assets cached 1 year "
        "| within budget |",
        "| --- | ---: | :---: | ---: | ---: | ---: | :---: | :---: |",
    ]
    for name, path, w in weights:
        ok = w["status"] == 200 and w["first"] < 150 * 1024 and w["repeat"] < 30 * 1024
        lines.append(
            f"| {name} (`{path}`) | {w['html'] / 1024:.1f} | {'yes' if w['gzip'] else 'no'} | "
            f"{w['assets'] / 1024:.1f} | {w['first'] / 1024:.1f} | {w['repeat'] / 1024:.1f} | "
            f"{'yes' if w['immutable'] else 'no'} | {'yes' if ok else '**no**'} |"
        )
    lines.append(f"<!-- {marker}:end -->")
    report = Path(os.environ["BENCH_REPORT"]) if os.environ.get("BENCH_REPORT") else ROOT / "docs" / "QUALITY.md"
    text = report.read_text() if report.exists() else "# Quality figures\n\n## Benchmark\n\n"
    block = "\n".join(lines)
    if f"<!-- {marker}:start" in text:
        pattern = rf"<!-- {re.escape(marker)}:start.*?<!-- {re.escape(marker)}:end -->"
        text = re.sub(pattern, lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    report.write_text(text)
    print(f"wrote {report}")


if __name__ == "__main__":
    sys.exit(main())
