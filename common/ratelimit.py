"""A small rate limit for views (search, submissions), counted in the shared Redis cache.

    @ratelimit(key="search", rate="60/m")                   # every method
    @ratelimit(key="practice-submit", rate="10/h", methods=["POST"])
    @ratelimit(key="search", rate="60/m", when=lambda request: bool(request.GET.get("q")))

`settings.RATELIMIT_RATES` ({key: rate}) overrides a view's rate without a code change (and lets tests use small
limits).

The counter is per user when logged in, per client IP otherwise, in fixed windows. Over the limit the view is
not called and the client gets a 429 page with Retry-After.

When the cache is unreachable (common/rediscache.py: a short timeout, then a breaker skips Redis) a limit fails
OPEN by default: searching, saving a section or uploading must not stop with Redis, and the forms behind them are
for signed-in agency staff. A limit that guards something an anonymous visitor can make the portal do to a third
party (sending an email to an address typed into a form) says `fail_closed=True`: without its counter it refuses
(429) rather than become an open relay. Sign-in attempts are limited by django-axes in the database, so their
lockout holds with Redis down.
"""

from __future__ import annotations

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from .clientip import client_ip

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _parse(rate: str) -> tuple[int, int]:
    count, _, unit = rate.partition("/")
    return int(count), _PERIODS[unit]


def _who(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return f"ip{client_ip(request)}"


def ratelimit_hit(
    *, key: str, rate: str, request, fail_closed: bool = False, who: str | None = None
) -> tuple[bool, int]:
    """Count one request; returns (allowed, seconds until the window resets). `who` counts under another
    identity than the user or client IP (e.g. a hash of the email address a form was sent for)."""
    rate = getattr(settings, "RATELIMIT_RATES", {}).get(key, rate)
    limit, period = _parse(rate)
    window = int(time.time() // period)
    cache_key = f"rl:{key}:{who or _who(request)}:{window}"
    retry_after = period - int(time.time() % period)
    try:
        count_in_window = getattr(cache, "count_in_window", None)
        if count_in_window is not None:  # our backend: one round trip
            count = count_in_window(cache_key, timeout=period + 1)
        elif cache.add(cache_key, 1, timeout=period + 1):
            count = 1
        else:
            count = cache.incr(cache_key)
    except Exception:  # noqa: BLE001 - the cache being down: see the module's docstring
        return (False, 60) if fail_closed else (True, 0)
    return count <= limit, retry_after


def ratelimited_response(request, *, retry_after: int):
    """The 429 page with Retry-After, in the page's language."""
    response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def ratelimit(*, key: str, rate: str, methods: list[str] | None = None, when=None, fail_closed: bool = False):
    """`when(request)`, if given, decides whether this request counts (e.g. only searches with a query)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            counted = methods is None or request.method in methods
            if counted and (when is None or when(request)):
                allowed, retry_after = ratelimit_hit(key=key, rate=rate, request=request, fail_closed=fail_closed)
                if not allowed:
                    return ratelimited_response(request, retry_after=retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
