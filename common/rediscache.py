"""Django's Redis cache, failing soft and fast, keeping one redis-py client per connection pool, and counting a
rate-limit window in one round trip.

Fail soft and fast: a cache is an optimisation, so with Redis dead or hung a read is a miss and a write is
dropped, never an exception on the request path (DRF's throttles, the page cache and the memo all read it).
Connections use short connect/read timeouts (`CACHE_REDIS_TIMEOUT`, 0.25 s) and no retries, and after a failure
a circuit breaker skips Redis for `CACHE_REDIS_BREAKER_SECONDS` (5 s): a request pays at most one timeout, then
nothing. `count_in_window` (rate limits) and `incr` raise `CacheUnavailable` instead, so that each rate limit
decides for itself whether to fail open or closed (common/ratelimit.py).

One client per pool: `django.core.cache.backends.redis.RedisCacheClient.get_client` creates a `redis.Redis` for
every cache operation; its constructor fills a table of ~170 response callbacks, about 0.1 ms, which was a sixth
of serving a page from the page cache. A `redis.Redis` is safe to share between threads (each command checks a
connection out of the pool), so one per pool is enough.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from .breaker import Breaker

FAILURES = (RedisError, OSError)

# A rate-limit window's counter: the expiry is set by the INCR that created it, in the same atomic step.
_COUNT_SCRIPT = (
    "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n"
)


class CacheUnavailable(Exception):
    """Redis could not answer (or was skipped by the breaker) for an operation that has no soft default."""


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


def _soft(default):
    """Run the cache operation unless the breaker is open; on a Redis failure trip it and return `default`
    (a callable of the call's arguments, or a value)."""

    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            fallback = default(*args, **kwargs) if callable(default) else default
            if self.breaker.is_open():
                return fallback
            try:
                return method(self, *args, **kwargs)
            except FAILURES as exc:
                self.breaker.trip(exc)
                return fallback

        return wrapper

    return decorator


def _hard(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if self.breaker.is_open():
            raise CacheUnavailable("cache skipped: Redis failed moments ago")
        try:
            return method(self, *args, **kwargs)
        except FAILURES as exc:
            self.breaker.trip(exc)
            raise CacheUnavailable(str(exc)) from exc

    return wrapper


def _get_default(key, default=None, version=None):
    return default


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        timeout = getattr(settings, "CACHE_REDIS_TIMEOUT", 0.25)
        options = {
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
            "retry": Retry(NoBackoff(), 0),
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusingRedisCacheClient
        self.breaker = Breaker(f"Redis cache {server}", seconds=getattr(settings, "CACHE_REDIS_BREAKER_SECONDS", 5))
        self._count_script = None

    get = _soft(_get_default)(DjangoRedisCache.get)
    get_many = _soft(lambda keys, version=None: {})(DjangoRedisCache.get_many)
    has_key = _soft(False)(DjangoRedisCache.has_key)
    add = _soft(False)(DjangoRedisCache.add)
    set = _soft(None)(DjangoRedisCache.set)
    set_many = _soft(lambda data, timeout=None, version=None: list(data))(DjangoRedisCache.set_many)
    touch = _soft(False)(DjangoRedisCache.touch)
    delete = _soft(False)(DjangoRedisCache.delete)
    delete_many = _soft(None)(DjangoRedisCache.delete_many)
    incr = _hard(DjangoRedisCache.incr)

    @_hard
    def count_in_window(self, key: str, *, timeout: int, version=None) -> int:
        """Add one to the counter `key`, created with `timeout` seconds to live; the new count.

        One command (`EVALSHA` of `_COUNT_SCRIPT`, atomic in Redis): no window without an expiry, and a quarter
        less time than pipelining `SET key 0 EX timeout NX` with `INCR` (a search served from the page cache pays
        this round trip and little else). Works on Redis 6 (the embedded server)."""
        key = self.make_and_validate_key(key, version=version)
        client = self._cache.get_client(key, write=True)
        if self._count_script is None:  # redis-py loads it again by itself after a restart lost it (NOSCRIPT)
            self._count_script = client.register_script(_COUNT_SCRIPT)
        return int(self._count_script(keys=[key], args=[timeout], client=client))
