"""Caching of anonymous public pages in Redis, invalidated by version numbers: one global, one per tag.

Every cached page is stored with the versions it was rendered under: the global version (bumped by
`public_cache_invalidate()`, "everything may have changed") and the version of each tag the page depends on
(`public_cache_page(tags=...)`: "practice:<slug>", "theme:<code>", "home", ...). A publish bumps only the tags of
what it changed (`public_cache_invalidate_tags`, see practices.services.cache_tags) and the tag "any", which every
page that declares no tags depends on, so a page we did not think of (a feed, a map) is still never stale. The
kept aggregates (`public_cache_memo`) and fragments keyed on `public_data_version()` follow the global version and
"any": counts over the whole published set change with every publish.
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
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import get_language

from .htmx import htmx_partial

logger = logging.getLogger(__name__)

VERSION_KEY = "public:version"
TAG_KEY_PREFIX = "public:tag:"
# The tag every targeted invalidation bumps: pages that declare no tags, and the kept aggregates, depend on it.
ANY_TAG = "any"
# A tag's version lives a day after its last bump or first read, longer than any page kept under it (TIMEOUT):
# a tag named by a request (a list's `?theme=`) leaves no key behind for ever, and one that expired starts again
# at the current time in milliseconds, so no page stored under its old number matches the new one.
TAG_TIMEOUT = 60 * 60 * 24
TIMEOUT = 60 * 60
# The CSRF token of a form that posts (an agency page's email subscription) differs per visitor: it is stored as
# this placeholder and filled in for each request, which also gives the visitor a CSRF cookie of their own.
CSRF_PLACEHOLDER = "__rbx_csrf_token__"
CSRF_INPUT_RE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


# The version a page-cache miss read before rendering: the aggregates and fragments it reads while rendering
# belong to the same version, and need no Redis round trip of their own to learn it.
_request_version: ContextVar[int | None] = ContextVar("public_cache_request_version", default=None)
# The same for the tag "any" (the kept aggregates' second half, see public_data_version).
_request_any: ContextVar[int | None] = ContextVar("public_cache_request_any", default=None)


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


def _tag_key(tag: str) -> str:
    if len(tag) > 120:  # a slug is at most a few dozen characters; keep any key short
        tag = hashlib.sha256(tag.encode()).hexdigest()
    return TAG_KEY_PREFIX + tag


def _tag_versions(tags, found: dict | None = None) -> tuple[int, ...]:
    """The current version of each tag, read from `found` (a get_many answer) or Redis. A tag never bumped (or
    lost with Redis's data) starts at the current time in milliseconds, as the global version does, so that a
    number once stored with a page is never met again."""
    keys = [_tag_key(tag) for tag in tags]
    if found is None:
        found = cache.get_many(keys) if keys else {}
    versions = []
    for key in keys:
        version = found.get(key)
        if version is None:
            first = _first_version()
            version = first if cache.add(key, first, timeout=TAG_TIMEOUT) else cache.get(key, first)
        versions.append(int(version))
    return tuple(versions)


def _tag_bump(tags) -> None:
    seen = {}
    try:
        for tag in dict.fromkeys(tags):
            key = _tag_key(tag)
            try:
                seen[tag] = cache.incr(key)
                cache.touch(key, TAG_TIMEOUT)
            except ValueError:  # never bumped nor read yet
                seen[tag] = _first_version()
                cache.set(key, seen[tag], timeout=TAG_TIMEOUT)
    except Exception:  # Redis down: the publish must still succeed; entries expire within TIMEOUT.
        logger.warning("public cache: tag bump failed", exc_info=True)
    _local.tags_seen(seen)  # this process sees its own change at once


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
        self.tags: dict[str, tuple[int, float]] = {}

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

    def tags_seen(self, versions: dict[str, int]) -> None:
        now = time.monotonic()
        with self.lock:
            for tag, version in versions.items():
                self.tags[tag] = (int(version), now)

    def fresh_tags(self, tags) -> tuple[int, ...] | None:
        """The versions of `tags` when every one was read less than `seconds()` ago, else None."""
        now, limit, versions = time.monotonic(), self.seconds(), []
        with self.lock:
            for tag in tags:
                kept = self.tags.get(tag)
                if kept is None or now - kept[1] >= limit:
                    return None
                versions.append(kept[0])
        return tuple(versions)

    def get(self, key: str, version: int, tag_versions: tuple = ()):
        with self.lock:
            hit = self.pages.get(key)
            if hit is None or hit[0] != version or _stored_tags(hit) != tag_versions:
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


def _stored_tags(page: tuple) -> tuple:
    return page[3] if len(page) > 3 else ()


# Told of every invalidation in the caller's transaction, with its tags or None for "everything": what keeps
# rendered pages outside the cache (practices.services.pages) follows the same announcements.
_invalidation_listeners: list = []


def public_invalidation_listen(listener) -> None:
    """Call `listener(tags)` (None: everything may have changed) on each invalidation, before it returns."""
    if listener not in _invalidation_listeners:
        _invalidation_listeners.append(listener)


def _tell_listeners(tags: list[str] | None) -> None:
    for listener in _invalidation_listeners:
        listener(tags)


def public_cache_invalidate() -> None:
    """Make every cached public page stale ("invalidate all"): for changes whose reach is not known or is
    everywhere (reference data, the glossary, an agency's name). A publish, a withdrawal or a revision of one
    practice calls `public_cache_invalidate_tags` with what it changed instead.

    Bumped now (the same request sees fresh pages) and again after commit, so that a page rendered by another
    request between the bump and the commit (still showing the old content) is not served afterwards.
    """
    _tell_listeners(None)
    _bump()
    transaction.on_commit(_bump)


def public_cache_invalidate_tags(tags) -> None:
    """Make stale the cached pages that depend on any of `tags`, every page that declares no tags, and the kept
    aggregates (the tag "any" is always bumped). Bumped now and again after commit, as `public_cache_invalidate`."""
    tags = [*dict.fromkeys(tags), ANY_TAG]
    _tell_listeners(tags)
    _tag_bump(tags)
    transaction.on_commit(lambda: _tag_bump(tags))


def public_data_version() -> str:
    """What the kept aggregates and the fragments that show them are keyed on: the global version and the tag
    "any", which together change with every publish, withdrawal or global invalidation."""
    version, kept_any = _request_version.get(), _request_any.get()
    if version is None or kept_any is None:  # outside a page-cache miss: both in one round trip
        found = cache.get_many([VERSION_KEY, _tag_key(ANY_TAG)])
        if version is None:
            version = int(found[VERSION_KEY]) if VERSION_KEY in found else public_cache_version()
            _local.version_seen(version)
        if kept_any is None:
            kept_any = _tag_versions([ANY_TAG], found)[0]
    return f"{version}.{kept_any}"


def public_cache_memo(name: str, parts, compute, *, version: int | str | None = None):
    """`compute()`'s result, kept in Redis under the public version like the pages.

    For aggregates that depend on the published set but not on the request's page, sort or language (facet
    counts, totals, headline numbers): computed once per filter state and version, so a page that misses the
    page cache (page 2, another sort, a tracking parameter) does not count 100,000 rows again. The same bump
    that invalidates the pages invalidates these (any publish: `public_data_version`). Redis being down only
    costs the computation. A caller that keys something else on the version too (a rendered fragment) passes the
    `version` it read (`public_data_version()`), so that both belong to the same one even when a publish bumps
    it in between.
    """
    try:
        raw = f"{public_data_version() if version is None else version}|{name}|{parts!r}"
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


def _cache_key(request, variant: str = "") -> str:
    # The version is not part of the key but stored with the page (see public_cache_serve): one Redis round trip
    # then reads both, which is most of what serving a cached page costs.
    raw = "|".join(
        [
            get_language() or "",
            "htmx" if htmx_partial(request) else "",
            request.get_full_path(),
            *([variant] if variant else []),
        ]
    )
    return "public:page:" + hashlib.sha256(raw.encode()).hexdigest()


def public_cacheable(request) -> bool:
    """Whether this request may be served from, and stored in, the page cache: an anonymous GET or HEAD with no
    pending flash message."""
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    # Pending flash messages belong to one visitor.
    return "messages" not in request.COOKIES and "_messages" not in getattr(request, "session", {})


def public_cache_page(view=None, *, tags=None):
    """Serve anonymous GETs of a public page from Redis; logged-in users always get a fresh page.

    `tags(request, *args, **kwargs)` names what the page shows ("practice:<slug>", "theme:<code>", ...): the page
    is kept until one of them, or the global version, is bumped. Without `tags` the page depends on "any", which
    every targeted invalidation bumps (as safe as a single global version)."""
    if view is None:
        return functools.partial(public_cache_page, tags=tags)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not public_cacheable(request):
            return view(request, *args, **kwargs)
        page_tags = tags(request, *args, **kwargs) if tags else ()
        return public_cache_serve(request, tags=page_tags, render=lambda: view(request, *args, **kwargs))

    return wrapper


def public_cache_serve(request, *, tags, render, variant: str = ""):
    """The cached copy of this request, or `render()`'s response, kept when it is a 200; the caller has checked
    that the request is `public_cacheable`.

    The engine of `public_cache_page`, for callers that are not plain views (the API's list, inside DRF so that
    its authentication and throttling still run). The key is the language, the HTMX partial flag, the full path
    and `variant` (what else the response depends on: the API's absolute links, its host); `tags` as for
    `public_cache_page` (none: "any")."""
    key = _cache_key(request, variant)
    page_tags = tuple(dict.fromkeys(tags)) if tags else (ANY_TAG,)
    version = _local.fresh_version() if _local.seconds() else None
    tag_versions = _local.fresh_tags(page_tags) if version is not None else None
    hit = _local.get(key, version, tag_versions) if tag_versions is not None else None
    kept_any = None
    if hit is None:
        try:
            read = (*page_tags, ANY_TAG)
            found = cache.get_many([VERSION_KEY, key, *(_tag_key(tag) for tag in read)])
            if VERSION_KEY in found:
                latest = int(found[VERSION_KEY])
                _local.version_seen(latest)
            else:
                latest = public_cache_version()
            # Stored by a process that read a newer version than ours (ours may be up to a second old): as
            # fresh as anything we could render, and re-rendering would overwrite it with an older one.
            version = latest if version is None else max(version, latest)
            versions = _tag_versions(read, found)
            _local.tags_seen(dict(zip(read, versions, strict=True)))
            tag_versions, kept_any = versions[:-1], versions[-1]
            hit = found.get(key)
        except Exception:
            logger.warning("public cache: read failed", exc_info=True)
            return render()
        if hit is not None and hit[0] == version and _stored_tags(hit) == tag_versions and _local.seconds():
            _local.put(key, hit)
    # A page stored under an older version is stale: the versions read before rendering are stored with it,
    # so a page rendered between the bump and the commit (see public_cache_invalidate) is never served.
    if hit is not None and hit[0] == version and _stored_tags(hit) == tag_versions:
        _version, content, content_type = hit[:3]
        # A page without a form that posts holds no token: it gets none, and sets no CSRF cookie.
        if CSRF_PLACEHOLDER in content:
            content = content.replace(CSRF_PLACEHOLDER, get_token(request))
        response = HttpResponse(content, content_type=content_type)
        response["X-Cache"] = "hit"
        return response
    token = _request_version.set(version)
    token_any = _request_any.set(kept_any)
    try:
        response = render()
    finally:
        _request_version.reset(token)
        _request_any.reset(token_any)
    if response.status_code == 200 and not response.streaming:
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        content = CSRF_INPUT_RE.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<2>", response.content.decode())
        page = (version, content, response["Content-Type"], tag_versions)
        if _local.seconds():
            _local.put(key, page)
        try:
            cache.set(key, page, TIMEOUT)
        except Exception:
            logger.warning("public cache: write failed", exc_info=True)
        response["X-Cache"] = "miss"
    return response


# Rendered fragments -----------------------------------------------------------------------------------------

FRAGMENT_TIMEOUT = 60 * 60 * 24


@functools.cache
def template_fingerprint(template_name: str) -> str:
    """A short hash of a template's source, part of the keys of fragments drawn by it: a deploy that changes
    the template renders them afresh ("" when the template has no readable source)."""
    try:
        source = get_template(template_name).template.source
    except (TemplateDoesNotExist, AttributeError):
        return ""
    return hashlib.sha256(source.encode()).hexdigest()[:12]


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
