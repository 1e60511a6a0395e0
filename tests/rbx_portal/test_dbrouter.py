"""The replica router's decisions in this process (the real streaming replica: tests/topology_runtime/)."""

import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve
from django.utils import translation

from agencies.models import Agency
from rbx_portal import dbrouter

rf = RequestFactory()


def _marked(path: str, method: str = "GET", **extra) -> bool:
    request = getattr(rf, method.lower())(path, **extra)
    return dbrouter._public_read(request, resolve(request.path_info))


def test_public_read_views_are_a_short_explicit_list():
    with translation.override("id"):
        for path in [
            "/",
            "/praktik/",
            "/praktik/contoh/",
            "/tema/",
            "/instansi/",
            "/instansi/kota-surabaya/",
            "/peta/",
            "/statistik/",
            "/unduh/praktik.csv",
            "/praktik/feed/",
            "/sitemap.xml",
            "/api/v1/practices/",
            "/api/v1/agencies/35.78/",
            "/api/v1/dump/",
        ]:
            assert _marked(path), path
        for path in ["/kelola/", "/tinjauan/", "/akun/masuk/", "/notifikasi/", "/healthz", "/api/v1/members/"]:
            assert not _marked(path), path
    assert not _marked("/praktik/", method="POST")
    # An API client with a token reads from the primary (it carries no pin cookie between write and read).
    assert not _marked("/api/v1/practices/", HTTP_AUTHORIZATION="Token abc")


def _run(request):
    """The middleware around a view that records whether its reads were marked for the replica (Django calls
    process_view inside the middleware's __call__, as here)."""
    seen = {}

    def view(req):
        seen["replica"] = dbrouter.reads_on_replica()
        return HttpResponse("ok")

    def handler(req):
        middleware.process_view(req, view, (), {})
        return view(req)

    middleware = dbrouter.ReplicaReadsMiddleware(handler)
    request.resolver_match = resolve(request.path_info)
    request.user = AnonymousUser()
    response = middleware(request)
    return seen.get("replica"), response


def test_a_successful_write_pins_the_visitor_to_the_primary():
    marked, _ = _run(rf.get("/praktik/"))
    assert marked is True
    assert dbrouter.reads_on_replica() is False  # the mark ends with the request

    _, response = _run(rf.post("/i18n/setlang/"))
    pin = response.cookies[dbrouter.PIN_COOKIE]
    assert pin["max-age"] == 6 and pin["httponly"]

    marked, _ = _run(rf.get("/praktik/", HTTP_COOKIE=f"{dbrouter.PIN_COOKIE}={pin.value}"))
    assert marked is False
    marked, _ = _run(rf.get("/praktik/", HTTP_COOKIE=f"{dbrouter.PIN_COOKIE}=1"))  # expired
    assert marked is True


def test_a_failed_write_does_not_pin():
    middleware = dbrouter.ReplicaReadsMiddleware(lambda req: HttpResponse(status=400))
    request = rf.post("/i18n/setlang/")
    request.resolver_match = resolve(request.path_info)
    assert dbrouter.PIN_COOKIE not in middleware(request).cookies


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_replica_every_read_goes_to_the_primary(caplog):
    router = dbrouter.ReplicaRouter()
    assert router.db_for_read(Agency) is None  # not marked: a task, a management page
    token = dbrouter._reads_on_replica.set(True)
    dbrouter.health.reset()
    try:
        with caplog.at_level(logging.WARNING, logger="rbx_portal.dbrouter"):
            # Marked, but no "replica" alias here: skipped as unreachable, logged, read from the primary.
            assert router.db_for_read(Agency) is None
        assert "read replica skipped" in caplog.text
    finally:
        dbrouter._reads_on_replica.reset(token)
        dbrouter.health.reset()
    assert router.db_for_write(Agency) == "default"
    assert router.allow_migrate("default", "agencies") and not router.allow_migrate("replica", "agencies")


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary():
    token = dbrouter._reads_on_replica.set(True)
    try:
        assert dbrouter.ReplicaRouter().db_for_read(Agency) is None  # the test runs inside an atomic block
    finally:
        dbrouter._reads_on_replica.reset(token)
