import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
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


class PracticeRevision(models.Model):
    """One version of a practice's content, moving through the review workflow.

    `version` increases on every save; a save that names an older version is refused (optimistic locking),
    so two people editing the same draft cannot silently overwrite each other.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draf")
        AGENCY_REVIEW = "agency_review", _("Menunggu persetujuan instansi")
        SUBMITTED = "submitted", _("Diajukan")
        IN_REVIEW = "in_review", _("Sedang ditinjau")
        CHANGES_REQUESTED = "changes_requested", _("Perlu perbaikan")
        PUBLISHED = "published", _("Terbit")
        REJECTED = "rejected", _("Ditolak")
        SUPERSEDED = "superseded", _("Digantikan revisi baru")

    class Stage(models.TextChoices):
        IDEA = "inisiatif", _("Inisiatif")
        PILOT = "uji_coba", _("Uji coba")
        IMPLEMENTED = "penerapan", _("Penerapan")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("nomor revisi"))
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="revisions_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Set by a lead moderator: approving or rejecting needs two assigned reviewers recommending the same.
    two_reviewers_required = models.BooleanField(_("wajib dua peninjau"), default=False)

    # 1. Identity
    title = models.CharField(_("judul"), max_length=200, blank=True)
    summary = models.TextField(_("ringkasan"), blank=True, help_text=_("Paling banyak 3 kalimat; tampil di daftar."))
    coauthors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="coauthored_revisions", verbose_name=_("penulis pendamping")
    )
    start_year = models.PositiveSmallIntegerField(_("tahun mulai"), null=True, blank=True)
    stage = models.CharField(_("tahap"), max_length=12, choices=Stage.choices, blank=True)
    is_digital = models.BooleanField(_("berbasis digital"), default=False)
    primary_theme = models.ForeignKey(
        Theme, verbose_name=_("tema utama"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    other_themes = models.ManyToManyField(Theme, blank=True, related_name="+", verbose_name=_("tema lain"))
    other_regions = models.ManyToManyField(
        "agencies.Region", blank=True, related_name="+", verbose_name=_("wilayah lain tempat praktik berjalan")
    )
    # 2. Problem
    problem = models.TextField(_("situasi sebelum"), blank=True)
    affected = models.TextField(_("siapa yang terdampak"), blank=True)
    # 3. Approach
    approach = models.TextField(_("apa yang dilakukan"), blank=True)
    novelty = models.TextField(_("apa yang baru"), blank=True)
    partners = models.TextField(_("mitra"), blank=True)
    beneficiaries = models.TextField(_("penerima manfaat"), blank=True)
    # 4. Impact (narrative; indicators are rows)
    impact = models.TextField(_("hasil"), blank=True)
    # 5. Resources and sustainability
    cost = models.DecimalField(_("biaya (Rp)"), max_digits=16, decimal_places=0, null=True, blank=True)
    staff_count = models.PositiveIntegerField(_("jumlah staf"), null=True, blank=True)
    budget_source = models.CharField(_("sumber anggaran"), max_length=200, blank=True)
    regulation = models.TextField(_("regulasi yang menjadi dasar"), blank=True)
    sustainability = models.TextField(_("keberlanjutan"), blank=True)
    # 6. Replication kit (attachments are rows)
    success_conditions = models.TextField(_("syarat keberhasilan"), blank=True)
    replication_steps = models.TextField(_("langkah replikasi"), blank=True)
    # 7. Lessons
    challenges = models.TextField(_("tantangan"), blank=True)
    failures = models.TextField(_("kegagalan"), blank=True)
    do_differently = models.TextField(_("yang akan dilakukan berbeda"), blank=True)
    # 8. Contact (email shown to logged-in agency users only)
    contact_name = models.CharField(_("nama narahubung"), max_length=150, blank=True)
    contact_position = models.CharField(_("jabatan narahubung"), max_length=150, blank=True)
    contact_email = models.EmailField(_("email narahubung"), blank=True)
    contact_phone = models.CharField(_("telepon narahubung"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("revisi praktik")
        verbose_name_plural = _("revisi praktik")
        ordering = ["practice_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "number"], name="revision_number_unique"),
            models.CheckConstraint(
                condition=Q(
                    state__in=[
                        "draft",
                        "agency_review",
                        "submitted",
                        "in_review",
                        "changes_requested",
                        "published",
                        "rejected",
                        "superseded",
                    ]
                ),
                name="revision_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True) | Q(start_year__gte=1945, start_year__lte=2100),
                name="revision_start_year_range",
            ),
        ]
        indexes = [models.Index(fields=["state", "submitted_at"], name="revision_state_submitted")]

    def __str__(self) -> str:
        return f"{self.title or _('(tanpa judul)')} r{self.number}"


class Indicator(models.Model):
    """A measured result of a practice: baseline, target, and achieved values over time."""

    revision = models.ForeignKey(PracticeRevision, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("nama indikator"), max_length=200)
    unit = models.CharField(_("satuan"), max_length=50)
    baseline_value = models.DecimalField(_("nilai awal"), max_digits=18, decimal_places=4, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("tahun nilai awal"), null=True, blank=True)
    target_value = models.DecimalField(_("target"), max_digits=18, decimal_places=4, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("tahun target"), null=True, blank=True)
    higher_is_better = models.BooleanField(
        _("semakin tinggi semakin baik"),
        default=True,
        help_text=_("Kosongkan untuk indikator seperti angka kemiskinan."),
    )
    source = models.CharField(_("sumber data"), max_length=200, blank=True)
    evidence_url = models.URLField(_("tautan bukti"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("indikator")
        verbose_name_plural = _("indikator")

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(_("nilai capaian"), max_digits=18, decimal_places=4)
    date = models.DateField(_("tanggal"))
    source = models.CharField(_("sumber data"), max_length=200, blank=True, help_text=_("Mis. BPS, data instansi."))
    evidence_url = models.URLField(_("tautan bukti"), blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("nilai capaian")
        verbose_name_plural = _("nilai capaian")

    def __str__(self) -> str:
        return f"{self.value} ({self.date})"


def attachment_upload_to(instance, filename: str) -> str:
    # The stored name is generated; the original name is kept on the row for display only.
    return f"attachments/{instance.practice_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    class Purpose(models.TextChoices):
        EVIDENCE = "evidence", _("Bukti")
        KIT = "kit", _("Perangkat replikasi")
        COVER = "cover", _("Gambar sampul")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="attachments")
    revision = models.ForeignKey(
        PracticeRevision, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    purpose = models.CharField(_("kegunaan"), max_length=10, choices=Purpose.choices, default=Purpose.EVIDENCE)
    file = models.FileField(upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    title = models.CharField(_("keterangan"), max_length=200, blank=True)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("lampiran")
        verbose_name_plural = _("lampiran")
        constraints = [
            models.CheckConstraint(condition=Q(size__lte=20 * 1024 * 1024), name="attachment_size_max_20mb"),
        ]

    def __str__(self) -> str:
        return self.original_name


class Transition(models.Model):
    """One recorded step of the workflow: who moved what from which state to which, when, and why."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="transitions")
    revision = models.ForeignKey(PracticeRevision, null=True, on_delete=models.SET_NULL, related_name="transitions")
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("riwayat status")
        verbose_name_plural = _("riwayat status")

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


# Review workflow: screening, assignments, reviews ---------------------------------------------------------


class Screening(models.Model):
    """The automated pre-screen's findings for one submission of a revision (a resubmission gets a new row)."""

    revision = models.ForeignKey(PracticeRevision, on_delete=models.CASCADE, related_name="screenings")
    completeness = models.FloatField(_("kelengkapan"))
    missing = models.JSONField(default=list, blank=True)  # [label, ...]
    duplicates = models.JSONField(default=list, blank=True)  # [{practice_id, title, score}]
    attachments = models.JSONField(default=list, blank=True)  # [{id, name, ok, problem}]
    links = models.JSONField(default=list, blank=True)  # [{url, ok, status, error}]
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("penyaringan awal")
        verbose_name_plural = _("penyaringan awal")
        constraints = [
            models.CheckConstraint(
                condition=Q(completeness__gte=0, completeness__lte=1), name="screening_completeness_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.revision_id} @ {self.created_at:%Y-%m-%d}"

    @property
    def problem_count(self) -> int:
        return (
            len(self.duplicates)
            + sum(1 for a in self.attachments if not a.get("ok"))
            + sum(1 for link in self.links if link.get("ok") is False)
        )


class ReviewAssignmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(completed_at__isnull=True)


class ReviewAssignment(models.Model):
    """Who must review which revision, since when; closed when the revision is decided or reassigned."""

    revision = models.ForeignKey(PracticeRevision, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["assigned_at", "id"]
        verbose_name = _("penugasan tinjauan")
        verbose_name_plural = _("penugasan tinjauan")
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "reviewer"],
                condition=Q(completed_at__isnull=True),
                name="assignment_one_open_per_reviewer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} ← {self.revision}"


class Review(models.Model):
    """One reviewer's rubric scores (0–10 per criterion), per-section comments and recommendation."""

    class Recommendation(models.TextChoices):
        APPROVE = "approve", _("Setujui")
        CHANGES = "changes", _("Minta perbaikan")
        REJECT = "reject", _("Tolak")

    revision = models.ForeignKey(PracticeRevision, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    scores = models.JSONField(default=dict)  # {criterion: 0..10}
    total = models.DecimalField(_("nilai total"), max_digits=5, decimal_places=2)
    section_comments = models.JSONField(default=dict, blank=True)  # {section: text}
    comment = models.TextField(_("catatan"), blank=True)
    recommendation = models.CharField(_("rekomendasi"), max_length=10, choices=Recommendation.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("tinjauan")
        verbose_name_plural = _("tinjauan")
        constraints = [
            models.UniqueConstraint(fields=["revision", "reviewer"], name="review_one_per_reviewer"),
            models.CheckConstraint(condition=Q(total__gte=0, total__lte=100), name="review_total_range"),
            models.CheckConstraint(
                condition=Q(recommendation__in=["approve", "changes", "reject"]), name="review_recommendation_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.total}"


# Replication ledger and questions (issue #6) ---------------------------------------------------------------


class Replication(models.Model):
    """Agency B applying agency A's published practice in its own region, stage by stage.

    Stages only move forward; each stage reached is a `ReplicationStep` row. A replication that reached
    "launched" may become a practice of its own (`became`), whose `source` points back at the replicated one.
    """

    class Stage(models.TextChoices):
        INTEREST = "interest", _("Minat")
        STUDY = "study", _("Studi tiru atau pendampingan")
        LEGAL = "legal_basis", _("Dasar hukum")
        LAUNCHED = "launched", _("Diluncurkan")
        RESULTS = "results", _("Hasil")

    STAGE_ORDER = ["interest", "study", "legal_basis", "launched", "results"]

    source = models.ForeignKey(
        Practice, verbose_name=_("praktik asal"), on_delete=models.PROTECT, related_name="replications"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("instansi replikator"), on_delete=models.PROTECT, related_name="replications"
    )
    stage = models.CharField(_("tahap"), max_length=12, choices=Stage.choices, default=Stage.INTEREST)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    became = models.OneToOneField(
        Practice,
        verbose_name=_("menjadi praktik"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replication_origin",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("replikasi")
        verbose_name_plural = _("replikasi")
        constraints = [
            models.UniqueConstraint(fields=["source", "agency"], name="replication_one_per_agency"),
            models.CheckConstraint(
                condition=Q(stage__in=["interest", "study", "legal_basis", "launched", "results"]),
                name="replication_stage_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} ← {self.source}"

    @property
    def stage_index(self) -> int:
        return self.STAGE_ORDER.index(self.stage)


class ReplicationStep(models.Model):
    """One stage reached by a replication, with the source agency's optional response."""

    replication = models.ForeignKey(Replication, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("tahap"), max_length=12, choices=Replication.Stage.choices)
    date = models.DateField(_("tanggal"))
    note = models.TextField(_("catatan"), blank=True)
    evidence_url = models.URLField(_("tautan bukti"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    response = models.TextField(_("tanggapan instansi asal"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["replication_id", "created_at", "id"]
        verbose_name = _("tahap replikasi")
        verbose_name_plural = _("tahap replikasi")
        constraints = [
            models.UniqueConstraint(fields=["replication", "stage"], name="replication_step_once_per_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.replication_id}: {self.stage}"


class ReplicationResult(models.Model):
    """An indicator value the replicating agency reports at the "results" stage, measured like the source's."""

    step = models.ForeignKey(ReplicationStep, on_delete=models.CASCADE, related_name="results")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indikator praktik asal"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(_("nilai capaian"), max_digits=18, decimal_places=4)
    date = models.DateField(_("tanggal"))

    class Meta:
        ordering = ["step_id", "indicator_id"]
        verbose_name = _("hasil replikasi")
        verbose_name_plural = _("hasil replikasi")
        constraints = [
            models.UniqueConstraint(fields=["step", "indicator"], name="replication_result_once_per_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.value}"


class Question(models.Model):
    """A question an agency user asks the owning agency; public answers form the practice's FAQ."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="questions")
    asker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    asker_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("pertanyaan"), max_length=2000)
    answer = models.TextField(_("jawaban"), blank=True, max_length=5000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    is_public = models.BooleanField(_("tampilkan sebagai FAQ"), default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("pertanyaan")
        verbose_name_plural = _("pertanyaan")
        constraints = [
            # Only an answered question can be shown publicly.
            models.CheckConstraint(
                condition=Q(is_public=False) | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="question_public_needs_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]
