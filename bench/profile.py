"""Profile the benchmark pages in-process: time, SQL queries, and the plans of the slowest queries.

    DATABASE_URL=... REDIS_URL=... python bench/profile.py [--explain N] [--repeat R] [PAGE_NAME ...]

Each page is rendered R times through Django's test client with every cache cleared ("cold": nothing kept,
as right after a publish), then R times with a unique query string ("miss": the page cache misses but the
per-filter counts are kept, as in the uncached benchmark); the median wall times, the cold query count and
SQL time and the N slowest cold queries are printed, each with `EXPLAIN (ANALYZE, BUFFERS)` when --explain is
given. Used for the "Tuning" section of docs/QUALITY.md; not part of `make bench`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rbx_portal.settings")
# "Cold" empties Redis: the page copy in process memory must not answer instead.
os.environ.setdefault("PUBLIC_CACHE_LOCAL_SECONDS", "0")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", nargs="*")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN ANALYZE the N slowest queries")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.run import page_targets
    from practices.services.pages import practice_pages_invalidate_all

    client = Client(HTTP_HOST="127.0.0.1")
    for name, path in page_targets():
        if args.pages and name not in args.pages:
            continue
        times, captured, status = [], None, None
        for _ in range(args.repeat):
            cache.clear()
            practice_pages_invalidate_all()  # no stored practice page either (practices.models.pages)
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            captured, status = queries.captured_queries, response.status_code
        # A page-cache miss with the per-filter aggregates already kept (what the uncached benchmark measures
        # after its first request): a unique query string, as bench/run.py sends.
        missed = []
        for i in range(args.repeat):
            sep = "&" if "?" in path else "?"
            started = time.perf_counter()
            client.get(f"{path}{sep}_b=profile-{i}-{time.monotonic_ns()}")
            missed.append((time.perf_counter() - started) * 1000)
        sql_ms = sum(float(q["time"]) for q in captured) * 1000
        print(
            f"{name:22} {status} cold {statistics.median(times):7.1f} ms  miss {statistics.median(missed):7.1f} ms  "
            f"{len(captured):3} queries  SQL {sql_ms:6.1f} ms  {len(response.content) // 1024} KB  {path}"
        )
        for q in sorted(captured, key=lambda q: -float(q["time"]))[: args.explain]:
            print(f"    {float(q['time']) * 1000:6.1f} ms  {q['sql'][:300]}")
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                for (line,) in cursor.fetchall():
                    print("        " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
