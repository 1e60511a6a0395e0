"""Every task retries a transient database error with backoff (rbx_portal.celery.PortalTask), so a send or a
job that met PostgreSQL restarting runs again within seconds, not at the next sweep or the next day."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from rbx_portal.celery import app


def test_every_portal_task_retries_a_transient_database_error():
    app.loader.import_default_modules()
    portal = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert len(portal) >= 10
    missing = [name for name, task in portal.items() if OperationalError not in getattr(task, "autoretry_for", ())]
    assert missing == []


@pytest.mark.django_db
def test_a_task_that_meets_a_database_error_is_retried(monkeypatch):
    import ledger.tasks

    calls = []

    def restarting(*args, **kwargs):
        calls.append(1)
        raise OperationalError("the database system is shutting down")

    # The service meets PostgreSQL restarting (the error it would raise; nothing else of the database is faked).
    monkeypatch.setattr(ledger.tasks, "questions_remind_unanswered", restarting)
    task = app.tasks["ledger.tasks.questions_remind"]
    result = task.apply()
    # Run eagerly, a retry runs again at once (the backoff applies on a worker): the first try and every retry,
    # then the error is reported.
    assert len(calls) == 1 + task.max_retries == 9
    assert result.state == "FAILURE" and isinstance(result.result, OperationalError)
