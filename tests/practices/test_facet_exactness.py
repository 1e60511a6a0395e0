"""Issue #20: the facet counts of the list come from the facet table and the kept counts (triggers, same
transaction) and stay exact: after publish, archive, stop, a new revision, replication, the freshness check and
a confirmation, every filter state gives the same counts as a direct count over the practices."""

import datetime
import itertools

import pytest
from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone

from agencies.models import Region
from insights.selectors import map as insights_map
from ledger.services import replication as replication_svc
from practices.filters import PracticeFilter
from practices.models import FacetCount, FacetCube, FacetPair, Practice, PracticeFacets, Theme
from practices.selectors import facets, public
from practices.selectors.public import practice_list
from practices.services import decisions
from practices.services.facets import facets_restale
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import practice_published, revision_next, revision_publish

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 1, 6)

# Filter states: none, one kept filter (the pair counts), several (the facet rows), every kind of filter.
STATES = [
    {},
    {"theme": "kemiskinan"},
    {"theme": "investasi"},
    {"stage": "penerapan"},
    {"evidence": "field_verified"},
    {"reached": True},
    {"replicated": True},
    {"track": "tematik"},
    {"kind": "kota"},
    {"kind": "kementerian"},
    {"province": "35"},
    {"province": "35", "region": "35.78"},
    {"province": "32", "region": "35.78"},  # a regency of another province: the province wins
    {"region": "32.04"},
    {"year_from": 2020, "year_to": 2022},
    {"freshness": "stopped"},
    {"freshness": "unconfirmed"},
    {"freshness": "running", "theme": "kemiskinan"},
    {"theme": "kemiskinan", "stage": "penerapan", "kind": "kota"},
    # A theme and more: the sets keeping the theme are read from its rows once, each a condition on flags.
    {"theme": "kemiskinan", "province": "35", "region": "35.78"},
    {"theme": "kemiskinan", "province": "32", "region": "35.78", "stage": "penerapan"},
    {"theme": "kemiskinan", "kind": "kota", "freshness": "stopped"},
    {"theme": "kemiskinan", "freshness": "unconfirmed", "year_to": 2022},
    {"theme": "investasi", "reached": True, "year_from": 2020, "evidence": "field_verified"},
    {"stage": "penerapan", "kind": "kota", "province": "35"},
    # Several filters that are all dimensions of the cube (0025): each grouping of it is read.
    {"theme": "kemiskinan", "stage": "penerapan", "evidence": "field_verified"},
    {"theme": "kemiskinan", "track": "tematik", "kind": "kota"},
    {"track": "general", "stage": "uji_coba", "province": "32", "region": "32.04"},
    {"stage": "penerapan", "evidence": "field_verified"},
    {"evidence": "self_reported", "province": "35"},
    {"theme": "investasi", "evidence": "self_reported", "province": "32"},
    {"theme": "nope"},
]


def direct(cleaned: dict) -> dict:
    """The oracle: every facet counted over the practice table through the ORM, one query per facet."""

    def result_without(*keys):
        sub = {k: v for k, v in cleaned.items() if k not in keys and v not in (None, "", False)}
        return PracticeFilter(sub, queryset=Practice.objects.published(), hide_stopped="freshness" not in keys).qs

    return facets.list_counts(cleaned=cleaned, result_without=result_without, one_pass=False)


def assert_exact():
    for state in STATES:
        assert facets.table_list_counts(cleaned=state) == direct(state), state
        assert facets.table_total(cleaned=state) == direct(state)["total"], state
    assert_kept_aggregates_exact()
    # The kept counts are exactly a recount from scratch (no drift from adding and subtracting).
    kept = set(FacetCount.objects.exclude(n=0).values_list("facet", "value", "n"))
    pairs = set(FacetPair.objects.exclude(n=0).values_list("f1", "v1", "f2", "v2", "n"))
    cells = cube_cells()
    rows = facet_rows()
    with connection.cursor() as cursor:
        cursor.execute("SELECT practices_facets_rebuild()")
    assert facet_rows() == rows
    assert set(FacetCount.objects.exclude(n=0).values_list("facet", "value", "n")) == kept
    assert set(FacetPair.objects.exclude(n=0).values_list("f1", "v1", "f2", "v2", "n")) == pairs
    assert cube_cells() == cells


def cube_cells() -> set[tuple]:
    """The cube's cells that count anything (a cell emptied by the trigger stays, with zeros)."""
    measures = ("n", "reached", "replicated", "stopped", "nrc", "stale")
    cells = FacetCube.objects.exclude(n=0, reached=0, replicated=0, stopped=0, nrc=0, stale=0)
    return set(
        cells.values_list("mask", "theme_id", "agency_id", "stage", "evidence_level", "primary_theme_id", *measures)
    )


def assert_kept_aggregates_exact():
    """The home page's numbers and theme counts and the map's counts, read from the kept counts, equal direct
    counts over the listed practices."""
    listed = Practice.objects.listed()
    assert public._portal_numbers() == public._headline_numbers(listed)
    by_theme = dict(listed.values_list("themes").annotate(n=Count("id")).exclude(themes=None))
    assert {theme_id: n for theme_id, n in public._theme_counts().items() if n} == by_theme
    jatim = Region.objects.get(code="35")
    for theme in [None, *Theme.objects.all()]:
        in_theme = listed.filter(themes=theme) if theme else listed
        by_province = dict(
            in_theme.filter(agency__region__isnull=False)
            .annotate(province=Coalesce("agency__region__province__code", "agency__region__code"))
            .values_list("province")
            .annotate(n=Count("id"))
        )
        assert {c.code: c.count for c in insights_map._province_counts(theme) if c.count} == by_province, theme
        assert len(insights_map._province_counts(theme)) == Region.objects.filter(level="province").count()
        if theme is None:
            continue
        by_kind = dict(in_theme.values_list("agency__kind").annotate(n=Count("id")))
        assert insights_map._kept_by_agency_column(theme=theme, column="kind") == by_kind, theme
        in_jatim = in_theme.filter(Q(agency__region=jatim) | Q(agency__region__province=jatim))
        regions = insights_map.province_regions(province=jatim, theme=theme)
        shown = {r.region.pk: r.count for r in [regions["own"], *regions["with_practices"]] if r.count}
        assert shown == dict(in_jatim.values_list("agency__region").annotate(n=Count("id"))), theme
        assert regions["count"] == in_jatim.count()


def facet_rows() -> set[tuple]:
    return {tuple(tuple(v) if isinstance(v, list) else v for v in row) for row in PracticeFacets.objects.values_list()}


@pytest.fixture
def catalogue():
    return {
        "sby": practice_published(
            title="Surabaya kemiskinan",
            agency="35.78",
            theme="kemiskinan",
            start_year=2019,
            stage="penerapan",
            evidence_level="field_verified",
            indicator={
                "name": "Angka",
                "unit": "%",
                "target_value": 8,
                "higher_is_better": False,
                "values": [("2024-01-01", "7")],
            },
        ),
        "bdg": practice_published(
            title="Bandung investasi",
            agency="32.04",
            theme="investasi",
            other_themes=("kemiskinan",),
            start_year=2022,
            stage="uji_coba",
        ),
        "jatim": practice_published(title="Jatim pelayanan", agency="35", theme="pelayanan-publik", start_year=2021),
        "menpan": practice_published(
            title="Menpan akuntabilitas", agency="kemenpanrb", theme="akuntabilitas", start_year=2023
        ),
        "draft": practice_published(title="Belum terbit", agency="35.78", theme="kemiskinan", publish=False),
    }


def test_counts_are_exact_through_the_life_of_practices(catalogue):
    assert PracticeFacets.objects.count() == 4  # one row per published practice, none for the draft
    assert_exact()
    assert facets.table_list_counts(cleaned={})["facets"]["theme"] == {
        "kemiskinan": 2,
        "investasi": 1,
        "pelayanan-publik": 1,
        "akuntabilitas": 1,
    }

    # Publish: a new practice counts at once, in the transaction that published it.
    practice_published(title="Bandung kemiskinan", agency="32.04", theme="kemiskinan", stage="penerapan")
    assert facets.table_list_counts(cleaned={"stage": "penerapan"})["total"] == 2
    assert_exact()

    # A new revision moves the practice to other facets (theme, stage, year).
    sby = catalogue["sby"]
    revision = revision_next(
        sby,
        by=member("35.78"),
        primary_theme=Theme.objects.get(code="investasi"),
        stage="uji_coba",
        start_year=2024,
    )
    revision_publish(sby, revision)
    counts = facets.table_list_counts(cleaned={"theme": "investasi"})
    assert counts["total"] == 2 and counts["facets"]["stage"] == {"uji_coba": 2}
    assert_exact()

    # Replication: "Sudah direplikasi" follows the ledger's counter.
    replicating = member("32.73")
    replication = replication_svc.replication_start(source=catalogue["jatim"], by=replicating, date=TODAY)
    replication_svc.replication_advance(
        replication_id=replication.pk, to_stage="launched", by=replicating, date=TODAY, skip_reason="Uji"
    )
    assert facets.table_list_counts(cleaned={"replicated": True})["total"] == 1
    assert facets.table_list_counts(cleaned={})["flags"]["replicated"] == 1
    assert public._portal_numbers()["replications"] == 1  # the kept sum of replication_count (0023)
    assert_exact()

    # Stopped: leaves the listed counts, counted under "Dihentikan".
    decisions.practice_archive(
        practice=catalogue["bdg"], by=member("32.04", role="admin"), reason="Selesai.", stopped=True
    )
    counts = facets.table_list_counts(cleaned={})
    assert counts["total"] == 4 and counts["facets"]["freshness"]["stopped"] == 1
    assert_exact()

    # Archived (withdrawn by a moderator): gone from every count.
    decisions.practice_archive(practice=catalogue["menpan"], by=moderator(), reason="Tidak berlaku lagi.")
    assert "akuntabilitas" not in facets.table_list_counts(cleaned={})["facets"]["theme"]
    assert_exact()

    # The freshness check (a bulk update) and its cutoff: stale and unanswered practices count as unconfirmed,
    # one exactly at the cutoff's UTC day on either side of the cutoff instant.
    cutoff = facets.freshness_cutoff()
    Practice.objects.filter(pk=catalogue["jatim"].pk).update(not_recently_confirmed=True)
    sby_stale, other = Practice.objects.published().exclude(pk=catalogue["jatim"].pk).filter(stopped_at=None)[:2]
    Practice.objects.filter(pk=sby_stale.pk).update(last_confirmed_at=cutoff - datetime.timedelta(seconds=1))
    Practice.objects.filter(pk=other.pk).update(last_confirmed_at=cutoff)
    assert facets.table_list_counts(cleaned={})["facets"]["freshness"]["unconfirmed"] == 2
    assert_exact()
    # The cube counts the stale ones up to its kept instant (set by the migration before this cutoff: the one
    # just made stale is counted from its facet row); the hourly job brings it to the cutoff, then past it and
    # back (a cutoff earlier than the kept instant is subtracted), and every count stays exact.
    facets_restale()
    assert FacetCube.objects.filter(mask=5).aggregate(n=Sum("stale"))["n"] == 1
    assert_exact()
    with connection.cursor() as cursor:
        cursor.execute("SELECT practices_facets_restale(%s)", [cutoff + datetime.timedelta(days=1)])
    assert FacetCube.objects.filter(mask=5).aggregate(n=Sum("stale"))["n"] == 2
    assert_exact()
    assert facets_restale() > 0  # back to the cutoff: the one confirmed at the cutoff is not stale
    assert FacetCube.objects.filter(mask=5).aggregate(n=Sum("stale"))["n"] == 1
    assert_exact()

    # A confirmation makes it running again.
    decisions.practice_confirm(practice=catalogue["jatim"], by=member("35"))
    assert facets.table_list_counts(cleaned={})["facets"]["freshness"]["unconfirmed"] == 1
    assert_exact()

    # Taken out of the published set by a direct write (as an admin's fix would): its row and counts go.
    Practice.objects.filter(pk=other.pk).update(live_revision=None, status=Practice.Status.UNPUBLISHED)
    assert_exact()

    # The replicated practice stopped, then unpublished: its replications leave the kept sum each time.
    Practice.objects.filter(pk=catalogue["jatim"].pk).update(replication_count=3)
    assert public._portal_numbers()["replications"] == 3
    Practice.objects.filter(pk=catalogue["jatim"].pk).update(stopped_at=timezone.now(), stopped_reason="Uji.")
    assert public._portal_numbers()["replications"] == 0
    assert_exact()
    Practice.objects.filter(pk=catalogue["jatim"].pk).update(stopped_at=None, stopped_reason="")
    assert public._portal_numbers()["replications"] == 3
    Practice.objects.filter(pk=catalogue["jatim"].pk).update(live_revision=None, status=Practice.Status.UNPUBLISHED)
    assert public._portal_numbers()["replications"] == 0
    assert_exact()


def test_many_practices_in_random_order_stay_exact():
    """Publishing, stopping and re-theming in an arbitrary order never lets the kept counts drift."""
    themes = itertools.cycle(["kemiskinan", "investasi", "pelayanan-publik"])
    agencies = itertools.cycle(["35.78", "32.04", "35", "kemenpanrb"])
    made = [
        practice_published(title=f"P{i}", agency=next(agencies), theme=next(themes), stage="penerapan")
        for i in range(8)
    ]
    for practice in made[::3]:
        Practice.objects.filter(pk=practice.pk).update(stopped_at=timezone.now(), stopped_reason="Uji.")
    Practice.themes.through.objects.filter(practice=made[1]).delete()  # theme links removed directly
    assert_exact()


def test_the_list_page_counts_from_the_facet_table_in_one_query(catalogue, django_assert_max_num_queries):
    """Without a text, the counts of a list page are one statement, whatever the filters."""
    for query in ("", "theme=kemiskinan", "theme=kemiskinan&stage=penerapan&kind=kota&freshness=running"):
        with django_assert_max_num_queries(1):
            facets.table_list_counts(cleaned=_cleaned(query))
        result = practice_list(data=QueryDict(query))
        assert result.page.paginator.count == direct(_cleaned(query))["total"]


def _cleaned(query: str) -> dict:
    filterset = PracticeFilter(QueryDict(query), queryset=Practice.objects.published())
    filterset.is_valid()
    return filterset.form.cleaned_data
