import pytest
from django.core.management import call_command
from django.db import connection


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped reference data (643 agencies, 12 themes) once per test database.

    Transactional tests flush the database when they end; they are marked `serialized_rollback=True`, and the
    snapshot taken here is what Django restores at their start (pytest-django runs them after the others).
    """
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
        connection._test_serialized_contents = connection.creation.serialize_db_to_string()


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (solo pool, in a thread) consuming this test process's queue on the real Redis."""
    from celery.contrib.testing.worker import start_worker

    from rbx_portal.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING") as worker:
        yield worker
