"""`make bench`: the portal under gunicorn at benchmark volume, driven by wrk on this machine.

Steps: services (embedded or from DATABASE_URL/REDIS_URL, as `make run`), migrate, reference data,
`seed_bench --practices N` (BENCH_PRACTICES, default 100000; resumes if already there), collectstatic, gunicorn
with production settings, then for each page: wrk with 10 connections for BENCH_SECONDS (default 10), uncached
(a unique query string per request defeats the page cache) and cached, plus a trivial Django view served by the
same gunicorn in the same run for the throughput ratio; SQL queries and the cold time per page are measured
in-process; then a publish to BENCH_FOLLOWERS (default 10000) followers through the real worker
(`bench/followers.py`). The table replaces the "Benchmark" section of docs/QUALITY.md.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.followers import fanout_report_lines, measure_publish_fanout  # noqa: E402
from rbx_portal.devstack import _free_port, _manage, _stop_all, services  # noqa: E402

PAGES = [
    # name, path (Indonesian interface)
    ("trivial view", "/bench/trivial"),
    ("home", "/"),
    ("list", "/praktik/"),
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
local counter = 0
local unique = os.getenv("BENCH_UNIQUE") == "1"
request = function()
  counter = counter + 1
  local path = wrk.path
  if unique then
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. "_b=" .. counter .. "-" .. math.random(1, 1000000000)
  end
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  io.write(string.format("JSON {\"p50\": %f, \"p95\": %f, \"p99\": %f, \"requests\": %d, \"duration_us\": %d, " ..
    "\"errors\": %d, \"non2xx\": %d}\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""


def _ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)  # noqa: S607
        return shutil.which("wrk") or "wrk"
    sys.exit("wrk is needed for the benchmark: install it (Debian: apt-get install wrk)")


def _wrk(wrk: str, url: str, *, unique: bool, seconds: int, script: str) -> dict:
    env = dict(os.environ, BENCH_UNIQUE="1" if unique else "0")
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
    """Per page, rendered in-process with every cache emptied first (as right after a publish, when nothing is
    kept): [SQL queries, status, median milliseconds of three such cold renders]."""
    code = (
        "import django, json, statistics, sys, time; django.setup()\n"
        "from django.test import Client; from django.test.utils import CaptureQueriesContext\n"
        "from django.db import connection; from django.core.cache import cache\n"
        "c = Client(); out = {}\n"
        "for p in json.loads(sys.argv[1]):\n"
        "    times = []\n"
        "    for _ in range(3):\n"
        "        cache.clear(); started = time.perf_counter()\n"
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


def main() -> int:
    practices = int(os.environ.get("BENCH_PRACTICES", "100000"))
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
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
        _manage(env, "migrate", "--no-input", "-v", "0")
        _manage(env, "load_reference_data")
        _manage(env, "seed_bench", "--practices", str(practices))
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
        port = _free_port()
        gunicorn = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "rbx_portal.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(WORKERS),
                "--access-logfile",
                "/dev/null",
                "--error-logfile",
                str(ROOT / "var" / "bench-gunicorn.log"),
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        rows, weights = [], []
        load_before = os.getloadavg()
        try:
            _wait_http(f"http://127.0.0.1:{port}/bench/trivial")
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
                fh.write(LUA)
            for name, path in pages:
                url = f"http://127.0.0.1:{port}{path}"
                _wrk(wrk, url, unique=False, seconds=2, script=fh.name)  # warm up
                uncached = _wrk(wrk, url, unique=True, seconds=seconds, script=fh.name)
                cached = _wrk(wrk, url, unique=False, seconds=seconds, script=fh.name)
                rows.append((name, path, uncached, cached))
                print(f"{name:22} uncached p95 {uncached['p95']:.1f} ms, cached {cached['rps']:.0f} req/s", flush=True)
            base = f"http://127.0.0.1:{port}"
            for name, path in pages[1:]:
                if not path.startswith("/api/"):
                    weights.append((name, path, page_weight(base, path)))
        finally:
            _stop_all([gunicorn])
        load_after = os.getloadavg()
        queries = _query_counts(env, [path for _, path in pages])
        fanout = measure_publish_fanout(env, FOLLOWERS) if FOLLOWERS else None
    _write_report(rows, queries, practices, seconds, weights=weights, fanout=fanout, load=(load_before, load_after))
    return 0


def _ms(result: dict) -> str:
    return f"{result['p50']:.1f} / {result['p95']:.1f} / {result['p99']:.1f}"


# The targets on this machine with 10 concurrent clients: uncached p95 per page kind, and the cached
# pages' throughput as a share of the trivial view's.
TARGETS = [
    ("list pages, uncached p95", ("list", "list, 3 facets"), 100.0),
    ("practice page, uncached p95", ("practice page",), 100.0),
    ("search, uncached p95", ("search, common word", "search, rare word", "search, English", "search, typo"), 150.0),
]


def _targets(rows) -> list[str]:
    by_name = {name: (unc, cac) for name, _path, unc, cac in rows}
    trivial_rps = by_name["trivial view"][1]["rps"]
    lines = ["| target | measured | met |", "| --- | ---: | :---: |"]
    for label, names, limit in TARGETS:
        measured = [by_name[name][0]["p95"] for name in names if name in by_name]
        if not measured:
            continue
        worst = max(measured)
        lines.append(f"| {label} < {limit:.0f} ms | {worst:.1f} ms | {'yes' if worst < limit else '**no**'} |")
    # The API has no page cache (its "cached" row is the same URL computed again), so only the pages count here.
    ratios = [
        cac["rps"] / trivial_rps for name, (_unc, cac) in by_name.items() if name not in ("trivial view", "API list")
    ]
    if not ratios:
        return lines
    lowest = min(ratios)
    lines.append(
        f"| cached pages ≥ 0.5 × the trivial view's throughput (HTML pages) | lowest {lowest:.2f} | "
        f"{'yes' if lowest >= 0.5 else '**no**'} |"
    )
    return lines


def _write_report(rows, queries, practices: int, seconds: int, *, weights, fanout: dict | None, load) -> None:
    trivial_rps = rows[0][3]["rps"]
    lines = [
        "<!-- bench:start (written by `make bench`; do not edit by hand) -->",
        f"Run {time.strftime('%Y-%m-%d %H:%M %Z')} on {_machine()}, Python {platform.python_version()}; "
        f"{practices:,} published practices; gunicorn {WORKERS} sync workers; wrk 2 threads, 10 connections, "
        f"{seconds} s per measurement, on the same machine; "
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
        "*Uncached*: a unique query string per request, so the page cache always misses; what is kept below it "
        "stays kept, as for any visitor after the first (the per-filter counts and search plan under the cache "
        "version; the rendered practice cards, filter block and revision body under keys that change with their "
        "content; see docs/ARCHITECTURE.md). *Cached*: the same URL, served from the page cache. *Cold*: one "
        "request with every cache emptied first (as right after a publish), rendered in-process without "
        "concurrency, median of three. wrk does not ask for gzip, so these figures exclude compression.",
        "",
        "| page | SQL queries (cold) | uncached p50 / p95 / p99 (ms) | uncached req/s | cached p95 (ms) "
        "| cached req/s | cached ÷ trivial | cold (ms) | non-2xx |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, path, unc, cac in rows:
        q = queries.get(path, ["?", "?", 0.0])
        if q[1] == 404:
            lines.append(f"| {name} (`{path}`) | — | not available (404) | — | — | — | — | — | — |")
            continue
        lines.append(
            f"| {name} (`{path}`) | {q[0]} | {_ms(unc)} | {unc['rps']:.0f} | {cac['p95']:.1f} | {cac['rps']:.0f} | "
            f"{cac['rps'] / trivial_rps:.2f} | {q[2]:.0f} | {unc['non2xx'] + cac['non2xx']} |"
        )
    lines += ["", *_targets(rows)]
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
    lines.append("<!-- bench:end -->")
    report = ROOT / "docs" / "QUALITY.md"
    text = report.read_text() if report.exists() else "# Quality figures\n\n## Benchmark\n\n"
    block = "\n".join(lines)
    if "<!-- bench:start" in text:
        text = re.sub(r"<!-- bench:start.*?<!-- bench:end -->", lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    report.write_text(text)
    print(f"wrote {report.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
