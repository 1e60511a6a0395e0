"""The demo's finalists, objections and results (demo/competitions_results.py): what it makes, and run twice."""

import pytest

from competitions.models import Call, Objection
from demo.competitions_results import load_demo_competition_results
from tests.accounts.factories import moderator
from tests.agencies.factories import agency_admin
from tests.competitions.factories_results import judged_call

pytestmark = pytest.mark.django_db


def test_the_demo_finishes_one_call_and_opens_the_window_of_the_other_idempotently():
    lead = moderator(lead=True, email="lead@demo.rbx.go.id")
    moderator(email="moderator@demo.rbx.go.id")
    finished, _e1, _l1 = judged_call(lead=lead)
    open_window, entries, _l2 = judged_call(lead=lead)
    agency_admin(entries[0].agency.code, email="admin-demo-sanggah@contoh.id")
    first = load_demo_competition_results((finished, open_window))
    second = load_demo_competition_results((finished, open_window))
    finished.refresh_from_db()
    open_window.refresh_from_db()
    assert finished.status == Call.Status.FINISHED and finished.winners_collection.decree_file
    assert open_window.status == Call.Status.OBJECTION
    statuses = sorted(Objection.objects.filter(entry__call=open_window).values_list("status", flat=True))
    assert statuses == ["accepted", "pending"]
    assert Objection.objects.get(entry__call=open_window, status="accepted").answered_at
    assert "2 winners" in first and "winners published" not in second
