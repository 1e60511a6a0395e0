"""Caching of anonymous public pages in Redis, invalidated by one version number.

Every cached page is stored with the version it was rendered under; publishing, changing or withdrawing a
practice bumps it, so the next request renders afresh (the old entries are overwritten or expire). One counter
instead of a list of keys per practice keeps invalidation correct for pages we did not think of (a theme page,
a province feed, counts).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from .htmx import htmx_partial

logger = logging.getLogger(__name__)

VERSION_KEY = "public:version"
TIMEOUT = 60 * 60
# The CSRF token of the language switch differs per visitor: it is stored as this placeholder and filled in
# for each request, which also gives the visitor a CSRF cookie of their own.
CSRF_PLACEHOLDER = "__rbx_csrf_token__"
CSRF_INPUT_RE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


# The version a page-cache miss read before rendering: the aggregates and fragments it reads while rendering
# belong to the same version, and need no Redis round trip of their own to learn it.
_request_version: ContextVar[int | None] = ContextVar("public_cache_request_version", default=None)


def _first_version() -> int:
    """A new version counter starts at the current time in milliseconds, not at 1: after Redis loses its data
    (a restart keeps nothing), the new numbers never meet those of pages a process still keeps in memory."""
    return int(time.time() * 1000)


def public_cache_version() -> int:
    kept = _request_version.get()
    if kept is not None:
        return kept
    version = cache.get(VERSION_KEY)
    if version is None:
        first = _first_version()
        # Another process may start the counter at the same moment: theirs wins, and is read back.
        version = first if cache.add(VERSION_KEY, first, timeout=None) else cache.get(VERSION_KEY, first)
    _local.version_seen(int(version))
    return int(version)


def _bump() -> None:
    try:
        try:
            version = cache.incr(VERSION_KEY)
        except ValueError:  # no version yet
            version = _first_version()
            cache.set(VERSION_KEY, version, timeout=None)
        _local.version_seen(int(version))  # this process sees its own change at once
    except Exception:  # Redis down: the publish must still succeed; entries expire within TIMEOUT.
        logger.warning("public cache: version bump failed", exc_info=True)


class _LocalPages:
    """Each process's own copy of the pages it served last, and of the version it read last.

    A page-cache hit then needs no Redis round trip at all while the version read is younger than
    `PUBLIC_CACHE_LOCAL_SECONDS` (default 1 s): after a publish in another process, a page may be up to that
    old. With 5 web processes and Redis on 2 cores, waiting for Redis was most of a hit's time. Off (0) in the
    test settings, where the version may change between two requests of one test through another process.
    """

    def __init__(self, size: int = 256):
        self.size = size
        self.lock = threading.Lock()
        self.pages: OrderedDict[str, tuple] = OrderedDict()
        self.version: int | None = None
        self.read_at = 0.0

    @staticmethod
    def seconds() -> float:
        return getattr(settings, "PUBLIC_CACHE_LOCAL_SECONDS", 0.0)

    def version_seen(self, version: int) -> None:
        with self.lock:
            self.version, self.read_at = version, time.monotonic()

    def fresh_version(self) -> int | None:
        """The version read less than `seconds()` ago, if any."""
        with self.lock:
            if self.version is not None and time.monotonic() - self.read_at < self.seconds():
                return self.version
        return None

    def get(self, key: str, version: int):
        with self.lock:
            hit = self.pages.get(key)
            if hit is None or hit[0] != version:
                return None
            self.pages.move_to_end(key)
            return hit

    def put(self, key: str, page: tuple) -> None:
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


_local = _LocalPages()


def public_cache_invalidate() -> None:
    """Make every cached public page stale. Called by the publish/withdraw services.

    Bumped now (the same request sees fresh pages) and again after commit, so that a page rendered by another
    request between the bump and the commit (still showing the old content) is not served afterwards.
    """
    _bump()
    transaction.on_commit(_bump)


def public_cache_memo(name: str, parts, compute, *, version: int | None = None):
    """`compute()`'s result, kept in Redis under the public version like the pages.

    For aggregates that depend on the published set but not on the request's page, sort or language (facet
    counts, totals, headline numbers): computed once per filter state and version, so a page that misses the
    page cache (page 2, another sort, a tracking parameter) does not count 100,000 rows again. The same bump
    that invalidates the pages invalidates these. Redis being down only costs the computation. A caller that
    keys something else on the version too (a rendered fragment) passes the `version` it read, so that both
    belong to the same one even when a publish bumps it in between.
    """
    try:
        raw = f"{public_cache_version() if version is None else version}|{name}|{parts!r}"
        key = "public:memo:" + hashlib.sha256(raw.encode()).hexdigest()
        hit = cache.get(key)
    except Exception:
        logger.warning("public cache: read failed", exc_info=True)
        return compute()
    if hit is not None:
        return hit
    value = compute()
    try:
        cache.set(key, value, TIMEOUT)
    except Exception:
        logger.warning("public cache: write failed", exc_info=True)
    return value


def _cache_key(request) -> str:
    # The version is not part of the key but stored with the page (see public_cache_page): one Redis round trip
    # then reads both, which is most of what serving a cached page costs.
    raw = "|".join(
        [
            get_language() or "",
            "htmx" if htmx_partial(request) else "",
            request.get_full_path(),
        ]
    )
    return "public:page:" + hashlib.sha256(raw.encode()).hexdigest()


def _cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    # Pending flash messages belong to one visitor.
    return "messages" not in request.COOKIES and "_messages" not in getattr(request, "session", {})


def public_cache_page(view):
    """Serve anonymous GETs of a public page from Redis; logged-in users always get a fresh page."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _cache_key(request)
        version = _local.fresh_version() if _local.seconds() else None
        hit = _local.get(key, version) if version is not None else None
        if hit is None:
            try:
                if version is None:
                    found = cache.get_many([VERSION_KEY, key])
                    version = int(found[VERSION_KEY]) if VERSION_KEY in found else public_cache_version()
                    _local.version_seen(version)
                    hit = found.get(key)
                else:
                    hit = cache.get(key)
                    # Stored by a process that read a newer version than ours (ours is up to a second old): as
                    # fresh as anything we could render, and re-rendering would overwrite it with an older one.
                    if hit is not None and hit[0] > version:
                        version = hit[0]
            except Exception:
                logger.warning("public cache: read failed", exc_info=True)
                return view(request, *args, **kwargs)
            if hit is not None and hit[0] == version and _local.seconds():
                _local.put(key, hit)
        # A page stored under an older version is stale: the version read before rendering is stored with it,
        # so a page rendered between the bump and the commit (see public_cache_invalidate) is never served.
        if hit is not None and hit[0] == version:
            _version, content, content_type = hit
            response = HttpResponse(content.replace(CSRF_PLACEHOLDER, get_token(request)), content_type=content_type)
            response["X-Cache"] = "hit"
            return response
        token = _request_version.set(version)
        try:
            response = view(request, *args, **kwargs)
        finally:
            _request_version.reset(token)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            content = CSRF_INPUT_RE.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<2>", response.content.decode())
            page = (version, content, response["Content-Type"])
            if _local.seconds():
                _local.put(key, page)
            try:
                cache.set(key, page, TIMEOUT)
            except Exception:
                logger.warning("public cache: write failed", exc_info=True)
            response["X-Cache"] = "miss"
        return response

    return wrapper


# Rendered fragments -----------------------------------------------------------------------------------------

FRAGMENT_TIMEOUT = 60 * 60 * 24


def fragment_key(name: str, parts) -> str:
    """The Redis key of a rendered fragment: its name, the interface language and the values it shows.

    Callers pass either the values the fragment displays (content-addressed: a changed value is a new key, so
    nothing needs invalidating) or an identity that changes whenever the content does (an immutable live
    revision's id and modification time, the public cache version)."""
    raw = f"{name}|{get_language() or ''}|{parts!r}"
    return "public:frag:" + hashlib.sha256(raw.encode()).hexdigest()


def fragments_get(keys: list[str]) -> dict[str, str]:
    """The kept fragments among `keys` (one round trip); {} when Redis cannot be read."""
    if not keys:
        return {}
    try:
        return cache.get_many(keys)
    except Exception:
        logger.warning("fragment cache: read failed", exc_info=True)
        return {}


def fragments_set(fragments: dict[str, str]) -> None:
    if not fragments:
        return
    try:
        cache.set_many(fragments, FRAGMENT_TIMEOUT)
    except Exception:
        logger.warning("fragment cache: write failed", exc_info=True)
