"""Redis dead or hung costs the request path one short timeout, then nothing: pages and the API keep answering.

"Dead" is a port where nothing listens (connection refused). "Hung" is a listener that completes the TCP
handshake and never answers, which is what a client sees of a Redis stopped with SIGSTOP: the kernel still
accepts connections into the backlog, and reads wait for ever. The listener counts the connections it gets, so
the test can tell that the breaker stopped requests from each trying (and waiting) again.
"""

from __future__ import annotations

import socket
import threading

import pytest
from django.core.cache import cache
from django.test import override_settings

from common.ratelimit import ratelimit_hit
from common.rediscache import CacheUnavailable
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db

PAGES = ["/", "/praktik/", "/praktik/?q=layanan", "/api/v1/practices/", "/api/v1/themes/"]


def _redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "common.rediscache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "fail-soft",
            "TIMEOUT": 60,
        }
    }


class HungRedis:
    """Accepts connections and never answers a byte."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.connections:
            conn.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def hung_redis():
    server = HungRedis()
    yield server
    server.close()


def test_with_redis_dead_pages_and_the_api_answer(client):
    practice_published(title="Layanan terpadu")
    with override_settings(CACHES=_redis_cache(f"redis://127.0.0.1:{_closed_port()}/0")):
        statuses = {url: client.get(url).status_code for url in PAGES}
        assert cache.get("anything", "fallback") == "fallback"
    assert statuses == dict.fromkeys(PAGES, 200)


def test_with_redis_hung_the_breaker_stops_every_request_from_waiting(client, hung_redis):
    practice_published(title="Layanan terpadu")
    with override_settings(CACHES=_redis_cache(f"redis://127.0.0.1:{hung_redis.port}/0")):
        statuses = [client.get(url).status_code for url in PAGES * 4]
        assert cache.breaker.is_open()
    assert statuses == [200] * len(PAGES) * 4
    # Twenty requests, each reading the cache several times: one connection tried (and timed out), not one per read.
    assert len(hung_redis.connections) == 1


def test_a_rate_limit_fails_open_or_closed_as_it_declares(rf, hung_redis):
    request = rf.get("/")
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    with override_settings(CACHES=_redis_cache(f"redis://127.0.0.1:{hung_redis.port}/0")):
        with pytest.raises(CacheUnavailable):
            cache.count_in_window("k", timeout=60)
        assert ratelimit_hit(key="search", rate="1/m", request=request) == (True, 0)
        assert ratelimit_hit(key="follow-email", rate="1/m", request=request, fail_closed=True)[0] is False
