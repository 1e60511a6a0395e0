import datetime

import pytest
import time_machine
from django.urls import reverse

from practices.models import Practice, PracticeRevision, Transition
from practices.selectors import stats
from practices.services.replication import replication_start
from tests.factories import UserFactory

from .ledger_fixtures import en_url, indonesian, member, published_practice  # noqa: F401

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


@pytest.fixture
def fixture():
    with time_machine.travel(datetime.datetime(2024, 5, 1, 3, tzinfo=UTC), tick=False):
        a = published_practice(agency_code="35.78", slug="a")  # Jawa Timur, city
        published_practice(agency_code="35.78", slug="b", theme="investasi")
    with time_machine.travel(datetime.datetime(2025, 2, 1, 3, tzinfo=UTC), tick=False):
        published_practice(agency_code="35", slug="c")  # Jawa Timur, province
        published_practice(agency_code="kemenpanrb", slug="d")
        replication_start(source=a, by=member("32.04"), date=datetime.date(2025, 2, 1))
    return a


def test_practice_counts(fixture):
    by_theme = {name: n for name, n in stats.practices_by_theme()}
    assert sum(by_theme.values()) == 4 and sorted(by_theme.values())[-2:] == [1, 3]
    by_province = dict(stats.practices_by_province())
    assert by_province["Jawa Timur"] == 3 and sum(by_province.values()) == 3  # the central one has no province
    by_kind = dict(stats.practices_by_kind())
    assert [by_kind[k] for k in ("Pemerintah Kota", "Pemerintah Provinsi", "Kementerian")] == [2, 1, 1]
    assert stats.practices_by_year() == [("2024", 2), ("2025", 2)]
    assert stats.replications_by_year() == [("2025", 1)]


def test_contributing_share(fixture):
    jatim = next(r for r in stats.contributing_share_by_province() if r["name"] == "Jawa Timur")
    # Jawa Timur: its government and 38 regencies/cities = 39 agencies, 2 of which have published practices.
    assert (jatim["total"], jatim["contributing"], jatim["percent"]) == (39, 2, 5)


def test_working_days():
    friday = datetime.date(2025, 3, 7)
    assert stats.working_days_between(friday, datetime.date(2025, 3, 10)) == 1  # Sat, Sun skipped
    assert stats.working_days_between(friday, datetime.date(2025, 3, 17)) == 6


def test_review_funnel_medians_and_overdue():
    from agencies.models import Agency

    agency = Agency.objects.get(code="35.78")
    created = datetime.datetime(2025, 3, 3, 2, tzinfo=UTC)  # Monday
    for i, (submitted_hours, review_hours) in enumerate([(2, 10), (4, 30)]):
        with time_machine.travel(created, tick=False):
            practice = Practice.objects.create(agency=agency, slug=f"f{i}")
            revision = PracticeRevision.objects.create(practice=practice, number=1, state="in_review")
            practice.working_revision = revision
            practice.save()
        for hours, (a, b) in [
            (submitted_hours, ("draft", "submitted")),
            (submitted_hours + review_hours, ("submitted", "in_review")),
        ]:
            with time_machine.travel(created + datetime.timedelta(hours=hours), tick=False):
                Transition.objects.create(practice=practice, revision=revision, from_state=a, to_state=b)
    PracticeRevision.objects.filter(practice__slug="f0").update(submitted_at=created)
    PracticeRevision.objects.filter(practice__slug="f1").update(submitted_at=created + datetime.timedelta(days=7))
    funnel = stats.review_funnel(now=created + datetime.timedelta(days=9))  # Wednesday of the next week
    medians = {m["state"]: m["median_hours"] for m in funnel["medians"]}
    assert medians == {"Draf": 3.0, "Diajukan": 20.0}
    assert dict(funnel["states"])["Sedang ditinjau"] == 2
    assert [o["revision"].practice.slug for o in funnel["overdue"]] == ["f0"]
    assert funnel["overdue"][0]["working_days"] == 7


def test_review_funnel_reviewer_load_counts_open_assignments_only():
    from practices.models import ReviewAssignment
    from tests.practices.factories import moderator, practice_in_state

    busy, idle = moderator(full_name="Sibuk"), moderator(full_name="Luang")
    for i in range(3):
        revision = practice_in_state("in_review", title=f"Beban {i}").working_revision
        ReviewAssignment.objects.create(revision=revision, reviewer=busy, completed_at=None)
    done = practice_in_state("in_review", title="Selesai").working_revision
    ReviewAssignment.objects.create(
        revision=done, reviewer=idle, completed_at=datetime.datetime(2025, 1, 1, tzinfo=UTC)
    )
    load = {row["reviewer__full_name"]: row["open_reviews"] for row in stats.review_funnel()["reviewer_load"]}
    assert load.get("Sibuk") == 3 and "Luang" not in load


def test_statistics_page_funnel_for_moderators_only(client, fixture):
    url = reverse("ledger:statistics")
    assert "Alur peninjauan" not in client.get(url).content.decode()
    client.force_login(member("35.78"))
    assert "Alur peninjauan" not in client.get(url).content.decode()
    moderator = UserFactory(ministry_role="moderator")
    moderator.save()
    client.force_login(moderator)
    assert "Alur peninjauan" in client.get(url).content.decode()
    assert client.get(en_url("ledger:statistics")).status_code == 200
