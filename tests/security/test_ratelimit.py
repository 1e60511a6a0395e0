"""The cache-based rate limit decorator, against the real Redis cache."""

import pytest
import time_machine
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone

from accounts.models import User
from common.ratelimit import ratelimit
from rbx_portal.urls import urlpatterns as project_urlpatterns

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.test_ratelimit")]


@ratelimit(key="test-search", rate="3/m")
def _search(request):
    return HttpResponse("hasil")


@ratelimit(key="test-submit", rate="2/h", methods=["POST"])
def _submit(request):
    return HttpResponse("ok")


# The project's own URLs too: the 429 page extends base.html, which links to them.
urlpatterns = [path("cari/", _search), path("kirim/", _submit), *project_urlpatterns]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_search_is_limited_per_client_and_window():
    from django.test import Client

    client = Client()
    with time_machine.travel(timezone.now().replace(second=1), tick=False) as clock:
        assert [client.get("/cari/", REMOTE_ADDR="10.9.9.9").status_code for _ in range(4)] == [200, 200, 200, 429]
        refused = client.get("/cari/", REMOTE_ADDR="10.9.9.9")
        assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
        assert "Terlalu banyak permintaan" in refused.text
        assert client.get("/cari/", REMOTE_ADDR="10.9.9.8").status_code == 200  # another client
        clock.shift(60)
        assert client.get("/cari/", REMOTE_ADDR="10.9.9.9").status_code == 200  # a new window


def test_submissions_are_limited_per_user_and_only_for_post(client):
    user = User.objects.create_user(email="rajin@example.go.id", password="rahasia-uji-123")
    client.force_login(user)
    assert [client.post("/kirim/").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/kirim/").status_code == 200
    other = User.objects.create_user(email="lain@example.go.id", password="rahasia-uji-123")
    client.force_login(other)
    assert client.post("/kirim/").status_code == 200


def test_a_window_counter_always_expires_and_counts_concurrent_requests():
    """`count_in_window` (one round trip) creates the counter with its expiry: a window never lives forever."""
    from concurrent.futures import ThreadPoolExecutor

    assert cache.count_in_window("rl:test-window", timeout=30) == 1
    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(lambda _: cache.count_in_window("rl:test-window", timeout=30), range(20)))
    assert sorted(counts) == list(range(2, 22))  # no increment lost, none counted twice
    client = cache._cache.get_client()
    assert 0 < client.ttl(cache.make_and_validate_key("rl:test-window")) <= 30
    assert cache.get("rl:test-window") == 21  # readable as the number Django's incr would have stored


def test_a_window_counts_in_redis_and_expires_with_its_window():
    cache.set("elsewhere", 1)  # the script is loaded once, then run by its digest
    assert [cache.count_in_window("rl:test:who:1", timeout=61) for _ in range(3)] == [1, 2, 3]
    redis = cache._cache.get_client(write=True)
    stored = cache.make_key("rl:test:who:1")
    assert 55 <= redis.ttl(stored) <= 61  # set by the first count, not moved by the next
    redis.script_flush()  # as after a Redis restart: the script is loaded again, the count goes on
    assert cache.count_in_window("rl:test:who:1", timeout=61) == 4
