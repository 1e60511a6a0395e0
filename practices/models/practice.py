"""Themes and the practice itself: the stable identity that URLs, follows and statistics point to."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Theme(models.Model):
    """One of the 12 RB themes: 4 RB Tematik themes and 8 RB General change areas."""

    class Track(models.TextChoices):
        TEMATIK = "tematik", _("RB Tematik")
        GENERAL = "general", _("RB General")

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    track = models.CharField(_("jalur"), max_length=10, choices=Track.choices)
    name_id = models.CharField(_("nama (Indonesia)"), max_length=120)
    name_en = models.CharField(_("nama (Inggris)"), max_length=120)
    description_id = models.TextField(_("deskripsi (Indonesia)"), blank=True)
    description_en = models.TextField(_("deskripsi (Inggris)"), blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        # RB Tematik first ("tematik" > "general" alphabetically, hence descending), then the shipped order.
        ordering = ["-track", "order"]
        verbose_name = _("tema")
        verbose_name_plural = _("tema")
        constraints = [models.CheckConstraint(condition=Q(track__in=["tematik", "general"]), name="theme_track_valid")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_id

    @property
    def description(self) -> str:
        return self.description_en if get_language() == "en" else self.description_id


class PracticeQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: practices with a live revision that are not archived."""
        return self.filter(status=Practice.Status.PUBLISHED)

    def for_agency(self, agency_id: int):
        return self.filter(agency_id=agency_id)


class Practice(models.Model):
    """The stable identity of a practice: what URLs, replications, follows and statistics point to.

    The content lives in `PracticeRevision` rows. `live_revision` is what the public reads; `working_revision`
    is what the agency edits and the workflow moves. Approving a revision moves the live pointer, so a published
    practice stays public while its next revision is in review. Fields below "denormalised" are copied from the
    live revision by the publish service for fast lists, facets and search; they are never edited directly.
    """

    class Status(models.TextChoices):
        UNPUBLISHED = "unpublished", _("Belum terbit")
        PUBLISHED = "published", _("Terbit")
        ARCHIVED = "archived", _("Diarsipkan")

    class EvidenceLevel(models.TextChoices):
        SELF_REPORTED = "self_reported", _("Dilaporkan sendiri")
        AGENCY_VERIFIED = "agency_verified", _("Diverifikasi instansi")
        MINISTRY_VALIDATED = "ministry_validated", _("Divalidasi kementerian")
        FIELD_VERIFIED = "field_verified", _("Diverifikasi lapangan")

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="practices")
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    status = models.CharField(_("status publikasi"), max_length=12, choices=Status.choices, default=Status.UNPUBLISHED)
    live_revision = models.OneToOneField(
        "PracticeRevision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    working_revision = models.OneToOneField(
        "PracticeRevision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_level = models.CharField(
        _("tingkat bukti"), max_length=20, choices=EvidenceLevel.choices, default=EvidenceLevel.SELF_REPORTED
    )
    featured = models.BooleanField(_("unggulan"), default=False)
    source = models.ForeignKey(
        "self",
        verbose_name=_("praktik asal (replikasi dari)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived_practices",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="practices_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("pertama terbit"), null=True, blank=True)
    last_confirmed_at = models.DateTimeField(_("terakhir dikonfirmasi"), null=True, blank=True)
    stopped_reason = models.TextField(_("alasan dihentikan"), blank=True)
    # Freshness check (practices/services/jobs.py): when the agency was last asked to confirm, and
    # whether that request went unanswered.
    confirmation_requested_at = models.DateTimeField(null=True, blank=True)
    not_recently_confirmed = models.BooleanField(_("belum dikonfirmasi baru-baru ini"), default=False)

    # Denormalised from the live revision by the publish service.
    title = models.CharField(_("judul"), max_length=200, blank=True)
    summary = models.TextField(_("ringkasan"), blank=True)
    primary_theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="primary_practices"
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="practices")
    start_year = models.PositiveSmallIntegerField(null=True, blank=True)
    stage = models.CharField(max_length=12, blank=True)
    is_digital = models.BooleanField(default=False)
    reached_target = models.BooleanField(default=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # Counters kept by the replication services.
    replication_count = models.PositiveIntegerField(default=0)
    provinces_reached = models.PositiveIntegerField(default=0)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("praktik baik")
        verbose_name_plural = _("praktik baik")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(live_revision__isnull=False),
                name="practice_published_has_live_revision",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["unpublished", "published", "archived"]), name="practice_status_valid"
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="practice_search_gin"),
            GinIndex(name="practice_title_trgm", fields=["title"], opclasses=["gin_trgm_ops"]),
            models.Index(fields=["status", "-published_at"], name="practice_status_published"),
            # Benchmark tuning (docs/QUALITY.md): the facet and flag counts of the public list read only these
            # columns of published practices, so they are answered by an index-only scan, not the wide heap.
            models.Index(
                fields=["agency"],
                include=["id", "primary_theme", "stage", "evidence_level", "reached_target", "replication_count"],
                condition=Q(status="published"),
                name="practice_published_facets",
            ),
            models.Index(
                fields=["-published_at"], condition=Q(status="published", featured=True), name="practice_featured"
            ),
        ]

    def __str__(self) -> str:
        return self.title or (self.working_revision.title if self.working_revision_id else self.slug)
