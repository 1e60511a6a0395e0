"""Reads of public pages from a PostgreSQL streaming replica, everything else from the primary.

Off unless `DATABASE_REPLICA_URL` gives a "replica" alias (settings.py); then `ReplicaReadsMiddleware` marks the
GET/HEAD requests to a short, explicit list of public read views (`PUBLIC_READ_VIEWS`) and `ReplicaRouter` sends
their reads to the replica, unless:
- the visitor wrote something in the last `REPLICA_PIN_SECONDS` (a successful POST/PUT/PATCH/DELETE pins the
  session, or a cookie for anonymous visitors, to the primary: people read their own writes);
- the replica is down or lags more than `REPLICA_MAX_LAG_SECONDS` (checked at most every
  `REPLICA_CHECK_SECONDS` per process, with a 1 s connect timeout; skipped and logged, reads fall back);
- the read happens inside a transaction (it may be followed by a write that depends on it).
Writes always go to the primary, migrations run only there, and Celery tasks never set the mark, so they read
from the primary too. The mark is a context variable: per thread and per request.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_SESSION_KEY = "_rbx_primary_until"
PIN_COOKIE = "rbx_primary"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# The public read views, by URL namespace (every view in it) or "namespace:name" / bare name (that view only).
# Only reads that may be a few seconds old belong here: nothing of the management area, the review pages,
# accounts or notifications.
PUBLIC_READ_VIEWS = frozenset(
    {
        "home",
        "practices",  # list and search, practice page, history, handout, themes
        "agencies",  # the agency directory and agency pages (insights.urls.agencies)
        "insights",  # map, statistics, mentoring
        "exports",  # CSV/XLSX/JSON downloads, data dictionary, DCAT catalogue
        "feeds",
        "sitemap",
        "ledger:replication_list",
    }
)
# API reads: anonymous GETs of these route names (an API client with a token reads from the primary, since it
# cannot carry the pin cookie between its write and its next read).
PUBLIC_API_VIEWS = frozenset(
    {
        "api-root",
        "api-dump",
        "theme-list",
        "theme-detail",
        "agency-list",
        "agency-detail",
        "practice-list",
        "practice-detail",
        "replication-list",
        "replication-detail",
    }
)

_reads_on_replica: ContextVar[bool] = ContextVar("rbx_reads_on_replica", default=False)
# Counters for the tests and /metrics: reads routed per alias in this process.
routed = {"replica": 0, "primary_fallback": 0}


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class _ReplicaHealth:
    """The replica's state as last checked by this process: usable or not, and its lag in seconds."""

    def __init__(self):
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self.ok = False
        self.lag: float | None = None
        self.error = ""

    def usable(self) -> bool:
        interval = getattr(settings, "REPLICA_CHECK_SECONDS", 2.0)
        if time.monotonic() - self._checked_at >= interval and self._lock.acquire(blocking=False):
            try:
                self._check()
            finally:
                self._checked_at = time.monotonic()
                self._lock.release()
        return self.ok

    def reset(self) -> None:
        self._checked_at = float("-inf")

    def failed(self, exc: Exception) -> None:
        """A query on the replica failed mid-request (it went away since the last check): skip it until the next
        check finds it again."""
        with self._lock:
            self.ok, self.lag, self.error = False, None, str(exc).strip().splitlines()[0] if str(exc) else repr(exc)
            self._checked_at = time.monotonic()
        with contextlib.suppress(Exception):
            connections[REPLICA].close()
        logger.warning("read replica skipped: unreachable (%s); reads go to the primary", self.error)

    def _check(self) -> None:
        was_ok = self.ok
        try:
            self.lag = replica_lag_seconds()
        except Exception as exc:  # noqa: BLE001 - any failure means the replica is not to be used
            self.ok, self.lag, self.error = False, None, str(exc).strip().splitlines()[0] if str(exc) else repr(exc)
            with contextlib.suppress(Exception):
                connections[REPLICA].close()  # a half-open connection is not reused at the next check
            logger.warning("read replica skipped: unreachable (%s); reads go to the primary", self.error)
            return
        limit = getattr(settings, "REPLICA_MAX_LAG_SECONDS", 10.0)
        self.ok = self.lag is not None and self.lag <= limit
        if not self.ok:
            self.error = "not a replica" if self.lag is None else f"lag {self.lag:.1f} s > {limit:g} s"
            logger.warning("read replica skipped: %s; reads go to the primary", self.error)
        elif not was_ok:
            self.error = ""
            logger.info("read replica in use (lag %.1f s)", self.lag)


def replica_lag_seconds() -> float | None:
    """The replica's replay lag in seconds (0 when it has replayed all it received), None when the server is not
    in recovery (then it is no replica). Raises when the replica cannot be reached."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(),"
            " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
            " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
        )
        in_recovery, lag = cursor.fetchone()
    return float(lag) if in_recovery else None


health = _ReplicaHealth()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _reads_on_replica.get() or connections["default"].in_atomic_block:
            return None
        if health.usable():
            routed["replica"] += 1
            return REPLICA
        routed["primary_fallback"] += 1
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def _pinned(request) -> bool:
    now = time.time()
    if request.COOKIES.get(PIN_COOKIE, "").isdigit() and int(request.COOKIES[PIN_COOKIE]) > now:
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return float(request.session.get(PIN_SESSION_KEY, 0) or 0) > now
    return False


def _public_read(request, match) -> bool:
    if request.method not in ("GET", "HEAD") or match is None:
        return False
    if match.route.startswith("api/"):
        return match.url_name in PUBLIC_API_VIEWS and "HTTP_AUTHORIZATION" not in request.META
    names = {match.url_name, *match.namespaces, f"{match.namespace}:{match.url_name}"}
    return not names.isdisjoint(PUBLIC_READ_VIEWS)


class ReplicaReadsMiddleware:
    """Marks public reads for the replica and pins a writer to the primary (after SessionMiddleware and
    AuthenticationMiddleware, so that it sees the person and its pin is saved with the session)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._rbx_replica_token = None
        try:
            response = self.get_response(request)
        finally:
            token = request._rbx_replica_token
            if token is not None:
                _reads_on_replica.reset(token)
        if request.method in UNSAFE_METHODS and response.status_code < 400:
            self._pin(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _public_read(request, request.resolver_match) and not _pinned(request):
            request._rbx_replica_token = _reads_on_replica.set(True)
            request._rbx_view = (view_func, view_args, view_kwargs)

    def process_exception(self, request, exception):
        """The replica failed under a marked read (it died between two health checks, with a connection kept
        open): run the view once more on the primary instead of answering 500. Only GET/HEAD are marked, so
        running the view again is safe."""
        if request._rbx_replica_token is None or not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        if not _replica_error(exception):
            return None
        health.failed(exception)
        _reads_on_replica.reset(request._rbx_replica_token)
        request._rbx_replica_token = None
        view_func, view_args, view_kwargs = request._rbx_view
        return view_func(request, *view_args, **view_kwargs)

    @staticmethod
    def _pin(request, response) -> None:
        seconds = getattr(settings, "REPLICA_PIN_SECONDS", 5)
        until = int(time.time() + seconds) + 1
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            request.session[PIN_SESSION_KEY] = until
        # The cookie too: it outlives a logout (the session is flushed) and covers anonymous writers.
        response.set_cookie(
            PIN_COOKIE, str(until), max_age=seconds + 1, httponly=True, samesite="Lax", secure=request.is_secure()
        )


def _replica_error(exception: Exception) -> bool:
    """Whether a database error came from the replica's connection (not the primary's)."""
    if not replica_configured():
        return False
    replica = connections[REPLICA]
    return replica.errors_occurred or (replica.connection is not None and bool(replica.connection.closed))


def reads_on_replica() -> bool:
    """True while this request's reads may go to the replica (the mark is set and it is usable)."""
    return _reads_on_replica.get()
