"""The facet table of the public list (issue #20): one compact row per published practice, and counts per facet
value of the default list, both kept by PostgreSQL triggers in the writing transaction.

`PracticeFacets` holds what the filters and facets of the list read, as ints, short codes and an int[] of themes
(GIN), so a filtered count is an indexed scan of narrow rows instead of joins over the wide practice table.
`FacetCount` holds, per (facet, value), how many listed (published, not stopped) practices have it; the list
without filters reads its counts from there. The triggers (`practices/migrations/0018_facet_counts.py`) fire on
every write to practices and their theme links, whichever service or `update()` makes it (publish, archive,
stop, new revision, replication counters, freshness check), so the counts cannot drift from the data. Agencies,
regions and theme codes are joined when counting, so renaming or re-classifying one needs no rewrite here.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PracticeFacets(models.Model):
    """Written only by the database triggers; never edit directly (`practices_facets_rebuild()` recomputes)."""

    practice = models.OneToOneField(
        "practices.Practice",
        primary_key=True,
        on_delete=models.DO_NOTHING,  # the trigger removes the row with the practice
        db_constraint=False,
        related_name="+",
    )
    agency_id = models.IntegerField()
    primary_theme_id = models.IntegerField(null=True)
    theme_ids = ArrayField(models.IntegerField(), default=list)
    stage = models.CharField(max_length=12, blank=True)
    evidence_level = models.CharField(max_length=20)
    start_year = models.SmallIntegerField(null=True)
    reached_target = models.BooleanField()
    replicated = models.BooleanField()
    stopped = models.BooleanField()
    not_recently_confirmed = models.BooleanField()
    # COALESCE(last_confirmed_at, published_at): "not recently confirmed" when older than the freshness cutoff.
    confirmed_since = models.DateTimeField(null=True)
    published_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "practices_practicefacets"
        indexes = [
            GinIndex(fields=["theme_ids"], name="practicefacets_themes_gin"),
            models.Index(fields=["agency_id"], name="practicefacets_agency"),
            # The stale part of the freshness facet without filters: an index-only range count.
            models.Index(
                fields=["confirmed_since"],
                condition=Q(stopped=False, not_recently_confirmed=False),
                name="practicefacets_since",
            ),
        ]

    def __str__(self) -> str:
        return f"facets of practice {self.practice_id}"


class FacetCount(models.Model):
    """Listed practices per (facet, value): `total`, `theme` (id), `agency` (id), `ptheme` (primary theme id),
    `stage`, `evidence`, `reached`, `replicated`, `nrc` (not recently confirmed); `stopped` counts the published
    stopped ones. Kept by the trigger on `PracticeFacets`; rows may hold 0. One row is a sum, not a count:
    `replications`, the listed practices' `replication_count` added up (kept by a trigger on practices, 0023)."""

    facet = models.CharField(max_length=16)
    value = models.CharField(max_length=40, blank=True)
    n = models.IntegerField(default=0)

    class Meta:
        db_table = "practices_facetcount"
        constraints = [
            models.UniqueConstraint(
                fields=["facet", "value"],
                name="facetcount_facet_value",
                violation_error_message=_("Hitungan saring untuk nilai ini sudah ada."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}: {self.n}"


class FacetPair(models.Model):
    """Counts of one chosen filter: for a practice with filter key (f1, v1) (a theme id, `stage`, `evidence`,
    `reached`, `replicated`; stopped ones included) and `FacetCount` key (f2, v2), how many there are. The list
    with one of these filters chosen reads every other facet's counts here instead of counting rows. Kept by
    the same trigger as `FacetCount`."""

    f1 = models.CharField(max_length=16)
    v1 = models.CharField(max_length=40, blank=True)
    f2 = models.CharField(max_length=16)
    v2 = models.CharField(max_length=40, blank=True)
    n = models.IntegerField(default=0)

    class Meta:
        db_table = "practices_facetpair"
        constraints = [
            models.UniqueConstraint(
                fields=["f1", "v1", "f2", "v2"],
                name="facetpair_keys",
                violation_error_message=_("Hitungan pasangan saringan ini sudah ada."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.f1}={self.v1} & {self.f2}={self.v2}: {self.n}"


class FacetCube(models.Model):
    """Counts of several chosen filters (the list with a theme, a stage and a kind of agency, say): per cell
    of one of the `CUBE_MASKS` groupings (selectors/facets.py), how many published practices fall in it, listed
    (`n`; `reached`, `replicated`, `nrc` and `stale` among them) and stopped (`stopped`). A dimension the
    grouping does not keep holds 0 or ''; `theme_id` is kept by some groupings only, where a practice counts
    once per theme. The cells are bounded by the dimensions (themes, agencies, stages, evidence levels), not
    by the practices, so a filtered list costs about the same at 100,000 practices as at 300,000. Kept by the
    same trigger as `FacetCount` (0025)."""

    mask = models.SmallIntegerField()
    theme_id = models.IntegerField(default=0)
    agency_id = models.IntegerField()
    stage = models.CharField(max_length=12, blank=True)
    evidence_level = models.CharField(max_length=20, blank=True)
    primary_theme_id = models.IntegerField(default=0)
    n = models.IntegerField(default=0)
    reached = models.IntegerField(default=0)
    replicated = models.IntegerField(default=0)
    stopped = models.IntegerField(default=0)
    nrc = models.IntegerField(default=0)
    # Listed, not flagged and confirmed before the kept instant of `practices_facetcube_stale` (0025), which
    # `facets_restale` (services/indexing.py) brings to the freshness cutoff as the days pass.
    stale = models.IntegerField(default=0)

    class Meta:
        db_table = "practices_facetcube"
        constraints = [
            models.UniqueConstraint(
                fields=["mask", "theme_id", "stage", "evidence_level", "agency_id", "primary_theme_id"],
                name="facetcube_cell",
                violation_error_message=_("Sel hitungan saringan ini sudah ada."),
            )
        ]
        indexes = [
            models.Index(fields=["mask", "stage", "evidence_level"], name="facetcube_stage"),
            models.Index(fields=["mask", "agency_id"], name="facetcube_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.mask}: {self.theme_id}/{self.agency_id}/{self.stage}/{self.evidence_level}: {self.n}"
