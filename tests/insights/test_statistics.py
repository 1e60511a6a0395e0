import csv
import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from insights.selectors import statistics as stats
from ledger.services.replication import replication_start
from practices.models import Practice, PracticeRevision, ReviewAssignment, Theme, Transition
from tests.accounts.factories import UserFactory, moderator
from tests.agencies.factories import member
from tests.agencies.factories import member as agency_member
from tests.i18n import en_url
from tests.practices.factories import practice_in_state, practice_published, published_practice

pytestmark = pytest.mark.django_db
UTC = datetime.UTC

# Measured: one query per chart and for the provinces' share (9); for moderators also session, user,
# membership, unread notifications and the funnel's states, medians, reviewer load, overdue reviews and
# rejections (18). A per-row query in a selector or the template breaks the equalities below.
STATISTICS_PAGE_BUDGET = 9
STATISTICS_MODERATOR_PAGE_BUDGET = 18


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
    by_theme = {b.label: b.value for b in stats.practices_by_theme()}
    assert sum(by_theme.values()) == 4 and sorted(by_theme.values())[-2:] == [1, 3]
    by_province = {b.label: b.value for b in stats.practices_by_province()}
    assert by_province["Jawa Timur"] == 3 and sum(by_province.values()) == 3  # the central one has no province
    by_kind = {b.label: b.value for b in stats.practices_by_kind()}
    assert [by_kind[k] for k in ("Pemerintah kota", "Pemerintah provinsi", "Kementerian")] == [2, 1, 1]
    assert [(b.label, b.value) for b in stats.practices_by_year()] == [("2024", 2), ("2025", 2)]
    assert [(b.label, b.value) for b in stats.replications_by_year()] == [("2025", 1)]


def test_bars_are_sorted_by_value_and_zero_rows_folded(client, fixture):
    chart = stats.bar_chart(stats.practices_by_theme())
    values = [row["bar"].value for row in chart["rows"]]
    assert values == [3, 1] and chart["rows"][0]["width"] == 100 and chart["rows"][1]["width"] == 33.3
    assert len(chart["zeros"]) == 10 and chart["total"] == 4
    body = client.get(reverse("insights:statistics")).content.decode()
    assert "10 tema tanpa praktik: " in body and "37 provinsi tanpa praktik: " in body
    # Full labels in HTML (they wrap), not SVG text cut at 34 characters.
    longest = max(Theme.objects.all(), key=lambda t: len(t.name))
    practice_published(agency="35.78", theme=longest.code)
    assert f">{longest.name}</a></th>" in client.get(reverse("insights:statistics")).content.decode()
    english = client.get(en_url("insights:statistics")).content.decode()
    assert "themes without a practice: " in english


def test_small_multiples_per_theme_share_one_scale(fixture):
    multiples = stats.theme_multiples()
    themes = [m["theme"].code for m in multiples["charts"]]
    assert themes == ["kemiskinan", "investasi"] and len(multiples["zeros"]) == 10
    poverty = {row["bar"].label: (row["bar"].value, row["width"]) for row in multiples["charts"][0]["chart"]["rows"]}
    investment = {row["bar"].label: row["width"] for row in multiples["charts"][1]["chart"]["rows"]}
    # kemiskinan: a city, the province, a ministry (1 each); investasi: the city (1): one scale for both.
    assert poverty["Pemerintah kota"] == (1, 100) and investment == {"Pemerintah kota": 100}


def _csv_rows(client, href: str) -> int:
    query = href.split("?", 1)[1]
    response = client.get(f"{reverse('exports:practices', args=['csv'])}?{query}")
    assert response.status_code == 200
    return len(list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))) - 1


def test_every_linked_bar_counts_what_its_list_and_the_csv_export_hold(client, fixture):
    stopped = published_practice(agency_code="32.04", slug="berhenti")
    # Stopped: the list and the CSV hide it, so the statistics do not count it either.
    Practice.objects.filter(pk=stopped.pk).update(stopped_at=timezone.now(), stopped_reason="Anggaran habis.")
    bars = stats.practices_by_theme() + stats.practices_by_province() + stats.practices_by_kind()
    linked = [b for b in bars if b.href]
    assert len(linked) == len(bars) and sum(1 for b in linked if b.value) >= 6
    for bar in linked:  # zeros too: Jawa Barat's only practice is stopped
        assert _csv_rows(client, bar.href) == bar.value, bar
        assert client.get(bar.href).context["page_obj"].paginator.count == bar.value, bar
    assert sum(b.value for b in stats.practices_by_year()) == _csv_rows(client, "/?") == 4


def test_contributing_share(fixture):
    jatim = next(r for r in stats.contributing_share_by_province() if r["name"] == "Jawa Timur")
    # Jawa Timur: its government and 38 regencies/cities = 39 agencies, 2 of which have published practices.
    assert (jatim["total"], jatim["contributing"], jatim["percent"]) == (39, 2, 5)


def test_working_days():
    friday = datetime.date(2025, 3, 7)
    assert stats.working_days_between(friday, datetime.date(2025, 3, 10)) == 1  # Sat, Sun skipped
    assert stats.working_days_between(friday, datetime.date(2025, 3, 17)) == 6


def test_review_funnel_medians_and_overdue():
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
    url = reverse("insights:statistics")
    assert "Alur peninjauan" not in client.get(url).content.decode()
    client.force_login(member("35.78"))
    assert "Alur peninjauan" not in client.get(url).content.decode()
    staff = UserFactory(ministry_role="moderator")
    staff.save()
    client.force_login(staff)
    assert "Alur peninjauan" in client.get(url).content.decode()
    assert client.get(en_url("insights:statistics")).status_code == 200


def _page_queries(client, url: str) -> int:
    client.get(url)  # the first request of a process also fills Django's per-process caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _replicated_practice(i: int) -> None:
    source = practice_published(agency=["35.78", "35", "32.04", "kemenpanrb"][i % 4], theme="investasi")
    replication_start(source=source, by=agency_member("32.05"), date=datetime.date(2025, 2, 1), note="")


def _overdue_and_rejected(i: int) -> None:
    practice = practice_in_state("in_review", agency_code=["35.78", "35", "32.04"][i % 3])
    PracticeRevision.objects.filter(pk=practice.working_revision_id).update(
        submitted_at=datetime.datetime(2024, 1, 1, tzinfo=UTC)
    )
    Transition.objects.create(
        practice=practice, revision=practice.working_revision, from_state="in_review", to_state="rejected",
        comment="Bukti belum cukup.",
    )  # fmt: skip


def test_statistics_page_costs_the_same_for_few_and_many_rows(client, django_assert_max_num_queries):
    url = reverse("insights:statistics")
    staff = moderator()
    _replicated_practice(0)
    _overdue_and_rejected(0)
    few_public = _page_queries(client, url)
    client.force_login(staff)
    few_moderator = _page_queries(client, url)
    for i in range(1, 7):
        _replicated_practice(i)
        _overdue_and_rejected(i)
    assert _page_queries(client, url) == few_moderator
    with django_assert_max_num_queries(STATISTICS_MODERATOR_PAGE_BUDGET):
        client.get(url)
    client.logout()
    assert _page_queries(client, url) == few_public
    with django_assert_max_num_queries(STATISTICS_PAGE_BUDGET):
        client.get(url)
