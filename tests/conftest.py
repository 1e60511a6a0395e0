import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped reference data (643 agencies, 12 themes) once per test database.

    Transactional tests flush the database when they end; they are marked `serialized_rollback=True`, and the
    snapshot taken here is what Django restores at their start (pytest-django runs them after the others).
    """
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
        connection._test_serialized_contents = connection.creation.serialize_db_to_string()


@pytest.fixture(autouse=True)
def _reference_data_present(request):
    """Safety net for transactional tests: reload the reference data when a flush left it missing.

    `serialized_rollback` restores it at the start of such tests, but not after every combination of
    live-server and worker tests on the same xdist worker; a reload costs about two seconds and only then.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from agencies.models import Agency

    if not Agency.objects.exists():
        call_command("load_reference_data", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture(autouse=True)
def _breakers_closed():
    """A test that brought Redis or the broker down must not leave the next test skipping them."""
    from common.breaker import breakers_reset

    breakers_reset()
    yield
    breakers_reset()


@pytest.fixture(autouse=True)
def _indonesian_by_default():
    """A request to an /en/ page leaves English active in the test thread; every test starts in Indonesian."""
    translation.activate("id")
    yield
    translation.activate("id")


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (solo pool, in a thread) consuming this test process's queue on the real Redis."""
    from celery.contrib.testing.worker import TestWorkController, start_worker

    from rbx_portal.celery import app

    def ensure_started(self, timeout: float = 60) -> None:
        # Celery waits forever when the worker's thread dies while starting; fail the test instead of the run.
        if not self._on_started.wait(timeout):
            raise RuntimeError(f"the test's Celery worker did not start within {timeout:.0f} s")

    TestWorkController.ensure_started = ensure_started
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING") as worker:
        yield worker


@pytest.fixture
def record_figure(request):
    """Record a figure for docs/QUALITY.md: `record_figure("xss", {"payloads": 120, "executed": 0})`.

    Figures go to var/quality/figures-<worker>.jsonl; `make quality` runs the suite and rebuilds the report.
    """
    import json
    import os
    from pathlib import Path

    out = Path(__file__).resolve().parent.parent / "var" / "quality"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"figures-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.jsonl"

    def record(name: str, data: dict) -> None:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"name": name, "test": request.node.nodeid, "data": data}) + "\n")

    return record
