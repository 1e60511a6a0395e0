import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from agencies.models import Membership
from notifications.models import Notification
from practices.models import Practice, PracticeRevision, ReviewAssignment
from practices.services import decisions, jobs
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import practice_in_state

pytestmark = pytest.mark.django_db
S = PracticeRevision.State
JKT = ZoneInfo("Asia/Jakarta")


def at(day: int, month: int = 1, hour: int = 10):
    return dt.datetime(2025, month, day, hour, tzinfo=JKT)


def test_sla_reminds_after_5_working_days_and_escalates_after_10_once_each():
    lead = moderator(lead=True)
    reviewer = moderator()
    with time_machine.travel(at(6), tick=False):  # Monday
        practice = practice_in_state(S.IN_REVIEW)
        ReviewAssignment.objects.create(revision=practice.working_revision, reviewer=reviewer)
    with time_machine.travel(at(13), tick=False):  # 5 working days later
        assert jobs.reviews_sla_remind()["reminded"] == 0
    with time_machine.travel(at(14), tick=False):  # 6 working days
        assert jobs.reviews_sla_remind() == {"reminded": 1, "escalated": 0, "agency_reminded": 0}
        assert jobs.reviews_sla_remind()["reminded"] == 0  # hourly job: told once
    with time_machine.travel(at(20), tick=False):  # Monday: 10 working days, not more
        assert jobs.reviews_sla_remind()["escalated"] == 0
    with time_machine.travel(at(21), tick=False):
        assert jobs.reviews_sla_remind()["escalated"] == 1
    assert Notification.objects.filter(recipient=reviewer, kind="sla_reminder").count() == 1
    assert Notification.objects.filter(recipient=lead, kind="sla_escalation").count() == 1


def test_changes_requested_unanswered_for_30_days_reminds_the_agency():
    author = member()
    with time_machine.travel(at(1), tick=False):
        practice = practice_in_state(S.IN_REVIEW, author=author)
        decisions.revision_request_changes(practice=practice, by=moderator(), section_comments={"impact": "Data"})
    with time_machine.travel(at(30), tick=False):
        assert jobs.reviews_sla_remind()["agency_reminded"] == 0
    with time_machine.travel(at(1, month=2), tick=False):
        assert jobs.reviews_sla_remind()["agency_reminded"] == 1
        assert jobs.reviews_sla_remind()["agency_reminded"] == 0
    assert Notification.objects.filter(recipient=author, kind="changes_reminder").exists()


def test_freshness_asks_after_6_months_marks_unanswered_after_30_days_and_confirming_clears_it():
    admin = member(role=Membership.Role.ADMIN)
    with time_machine.travel(at(1), tick=False):
        practice = practice_in_state(S.IN_REVIEW, admin=admin)
        decisions.revision_approve(practice=practice, by=moderator())
    with time_machine.travel(at(1, month=6), tick=False):
        assert jobs.practices_freshness_check() == {"asked": 0, "lapsed": 0}
    with time_machine.travel(at(5, month=7), tick=False):
        assert jobs.practices_freshness_check() == {"asked": 1, "lapsed": 0}
        assert jobs.practices_freshness_check() == {"asked": 0, "lapsed": 0}
    assert Notification.objects.filter(recipient=admin, kind="freshness_request").exists()
    with time_machine.travel(at(6, month=8), tick=False):
        assert jobs.practices_freshness_check() == {"asked": 0, "lapsed": 1}
    assert Practice.objects.get(pk=practice.pk).not_recently_confirmed is True
    with time_machine.travel(at(7, month=8), tick=False):
        decisions.practice_confirm(practice=practice, by=admin)
    practice.refresh_from_db()
    assert practice.not_recently_confirmed is False and practice.confirmation_requested_at is None
    assert practice.last_confirmed_at == at(7, month=8)
