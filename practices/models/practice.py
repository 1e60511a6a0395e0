"""Themes and the practice itself: the stable identity that URLs, follows and statistics point to."""

import datetime

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from common.constraints import ConstraintErrorsOnFields

# A published practice not confirmed as still running for this long shows so in public (issue #14).
FRESHNESS_DAYS = 183


def freshness_cutoff() -> datetime.datetime:
    """Confirmations before this instant are stale: midnight today minus FRESHNESS_DAYS, so that every query
    and every page of one day draws the line at the same place (and counts kept for a day stay right)."""
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return today - datetime.timedelta(days=FRESHNESS_DAYS)


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
        constraints = [
            models.CheckConstraint(
                condition=Q(track__in=["tematik", "general"]),
                name="theme_track_valid",
                violation_error_message=_("Jalur tema harus RB Tematik atau RB General."),
            )
        ]

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

    def listed(self):
        """What default public listings show (list, themes, home, feeds): published and not stopped. A stopped
        practice stays public on its page and is found with the "Status praktik" facet."""
        return self.published().filter(stopped_at__isnull=True)

    def for_agency(self, agency_id: int):
        return self.filter(agency_id=agency_id)

    def with_freshness(self, *, cutoff: datetime.datetime | None = None):
        """Annotated with `freshness` (a `Practice.Freshness` value), computed in the database."""
        return self.annotate(freshness_key=freshness_expression(cutoff or freshness_cutoff()))


def freshness_expression(cutoff: datetime.datetime) -> Case:
    """The `Practice.Freshness` of a row: stopped, not recently confirmed (the check went unanswered, or the
    last confirmation is older than the cutoff), else running. The one definition the model property, the
    filter and both facet counters share."""
    return Case(
        When(stopped_at__isnull=False, then=Value("stopped")),
        When(not_recently_confirmed=True, then=Value("unconfirmed")),
        When(LessThan(Coalesce("last_confirmed_at", "published_at"), cutoff), then=Value("unconfirmed")),
        default=Value("running"),
    )


class Practice(ConstraintErrorsOnFields, models.Model):
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

    class Freshness(models.TextChoices):
        RUNNING = "running", _("Masih berjalan")
        UNCONFIRMED = "unconfirmed", _("Belum dikonfirmasi baru-baru ini")
        STOPPED = "stopped", _("Dihentikan")

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
    # A stopped practice stays published (its reason and lessons stay public) but leaves default listings.
    stopped_at = models.DateTimeField(_("dihentikan pada"), null=True, blank=True)
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
    # The live revision's cover as the cards and the page show it (`practices.services.covers.cover_summary`):
    # {"id", "alt", "width", "height", "variants": [[width, height], ...]}; null when it has none ready.
    cover = models.JSONField(null=True, blank=True, editable=False)
    # Counters kept by the replication services.
    replication_count = models.PositiveIntegerField(default=0)
    provinces_reached = models.PositiveIntegerField(default=0)

    objects = PracticeQuerySet.as_manager()

    # A constraint about one field puts its message there (common.constraints).
    constraint_error_fields = {"practice_stopped_has_reason": "stopped_reason"}

    class Meta:
        verbose_name = _("praktik baik")
        verbose_name_plural = _("praktik baik")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(live_revision__isnull=False),
                name="practice_published_has_live_revision",
                violation_error_message=_("Praktik yang terbit harus punya revisi yang terbit."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["unpublished", "published", "archived"]),
                name="practice_status_valid",
                violation_error_message=_("Status publikasi tidak dikenal."),
            ),
            models.CheckConstraint(
                condition=Q(stopped_at__isnull=True) | ~Q(stopped_reason=""),
                name="practice_stopped_has_reason",
                violation_error_code="practice_stopped_has_reason",
                violation_error_message=_("Praktik yang dihentikan perlu alasan penghentiannya."),
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
                # The freshness columns let the default "not stopped" filter and the "Status praktik" facet be
                # answered from the index too.
                include=[
                    "id",
                    "primary_theme",
                    "stage",
                    "evidence_level",
                    "reached_target",
                    "replication_count",
                    "stopped_at",
                    "not_recently_confirmed",
                    "last_confirmed_at",
                    "published_at",
                ],
                condition=Q(status="published"),
                name="practice_published_facets",
            ),
            models.Index(
                fields=["-published_at"], condition=Q(status="published", featured=True), name="practice_featured"
            ),
            # The map's first practices of a province (insights.selectors.map.who_does_what): each agency's
            # listed practices in title order, so that only the first agencies by name are read.
            models.Index(
                fields=["agency", "title", "id"],
                condition=Q(status="published", stopped_at__isnull=True),
                name="practice_listed_agency_title",
            ),
        ]

    def __str__(self) -> str:
        return self.title or (self.working_revision.title if self.working_revision_id else self.slug)

    @property
    def confirmed_since_at(self) -> datetime.datetime | None:
        """Since when the practice is known to run: its last confirmation, else its first publication."""
        return self.last_confirmed_at or self.published_at

    @property
    def freshness(self) -> str:
        """`Freshness` in Python, the same rule as `freshness_expression` (for one practice on its page)."""
        if self.stopped_at is not None:
            return self.Freshness.STOPPED
        since = self.confirmed_since_at
        if self.not_recently_confirmed or (since is not None and since < freshness_cutoff()):
            return self.Freshness.UNCONFIRMED
        return self.Freshness.RUNNING

    def get_freshness_display(self) -> str:
        return self.Freshness(self.freshness).label

    # The title and summary a public list shows in the reader's language. `shown_text` is set by the list's
    # selector (`practices.selectors.translations.shown_text_annotate` / `practices_shown_text`) on pages in
    # another language than Indonesian: the verified translation's texts, or None when only Indonesian exists.
    # Not looked up (an Indonesian page), the Indonesian original.
    @property
    def _shown(self) -> dict:
        return self.__dict__.get("shown_text") or {}

    @property
    def shown_title(self) -> str:
        return self._shown.get("title") or self.title

    @property
    def shown_summary(self) -> str:
        return self._shown.get("summary") or self.summary

    @property
    def shown_language(self) -> str:
        """The language of `shown_title` (a translation needs a title to be verified)."""
        return self._shown.get("language") if self._shown.get("title") else "id"

    @property
    def shown_summary_language(self) -> str:
        return self._shown.get("language") if self._shown.get("summary") else "id"

    @property
    def indonesian_only(self) -> bool:
        """Looked up for a reader of another language, and there is no verified translation."""
        return "shown_text" in self.__dict__ and not self._shown.get("title")
