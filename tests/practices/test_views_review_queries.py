"""Query budgets of the review queues: a fixed number of queries whatever the length of the queue."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from agencies.models import Membership
from practices.models import PracticeRevision
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import practice_in_state

pytestmark = pytest.mark.django_db
S = PracticeRevision.State

# Measured: session, user, membership (the roles primitive), the queue, the filter's reviewer choices, unread
# notifications, the count of translations awaiting verification (the moderator navigation); a per-row query in
# the template or the selector breaks the equality below.
MODERATOR_QUEUE_BUDGET = 9
AGENCY_QUEUE_BUDGET = 6


def _queries(client, url: str) -> int:
    client.get(url)  # the first request of a process also fills Django's per-process caches (content types, ...)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.fixture
def _indonesian():
    with translation.override("id"):
        yield


@pytest.mark.usefixtures("_indonesian")
@pytest.mark.parametrize("lead", [False, True])
def test_moderator_queue_costs_the_same_for_2_and_6_practices(client, lead):
    client.force_login(moderator(lead=lead))  # a lead also gets the reassign form with every practice in it
    url = reverse("review:queue")
    for _ in range(2):
        practice_in_state(S.SUBMITTED)
    few = _queries(client, url)
    for _ in range(4):
        practice_in_state(S.IN_REVIEW)
    many = _queries(client, url)
    assert many == few
    assert many <= MODERATOR_QUEUE_BUDGET


@pytest.mark.usefixtures("_indonesian")
def test_agency_queue_costs_the_same_for_1_and_5_practices(client):
    admin = member(role=Membership.Role.ADMIN)
    client.force_login(admin)
    url = reverse("review:agency_queue")
    practice_in_state(S.AGENCY_REVIEW, admin=admin)
    few = _queries(client, url)
    for _ in range(4):
        practice_in_state(S.AGENCY_REVIEW, admin=admin)
    many = _queries(client, url)
    assert many == few
    assert many <= AGENCY_QUEUE_BUDGET
