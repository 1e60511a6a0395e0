"""A practice's content: revisions, their indicators with achieved values, and attachments."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.text import no_control_characters

from .practice import Practice, Theme

# The bounds and messages of the input rules (issue #14): the field validators, the forms and the database
# constraints say the same thing, so a person sees a sentence naming the field whichever check refuses first.
START_YEAR_MIN, START_YEAR_MAX = 1945, 2100
START_YEAR_MESSAGE = _("Tahun mulai harus di antara 1945 dan 2100.")
COST_MESSAGE = _("Biaya tidak boleh negatif: isi 0 atau lebih, dalam rupiah.")
TARGET_YEAR_MESSAGE = _("Tahun target tidak boleh sebelum tahun nilai awal.")


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
    # {section: the `version` its last save produced}: a save conflicts only with a later save of its section.
    section_versions = models.JSONField(default=dict, blank=True, editable=False)
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
    title = models.CharField(_("judul"), max_length=200, blank=True, validators=[no_control_characters])
    summary = models.TextField(
        _("ringkasan"),
        blank=True,
        help_text=_("Paling banyak 3 kalimat; tampil di daftar."),
        validators=[no_control_characters],
    )
    coauthors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="coauthored_revisions", verbose_name=_("penulis pendamping")
    )
    start_year = models.PositiveSmallIntegerField(
        _("tahun mulai"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(START_YEAR_MIN, message=START_YEAR_MESSAGE),
            MaxValueValidator(START_YEAR_MAX, message=START_YEAR_MESSAGE),
        ],
    )
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
    problem = models.TextField(_("situasi sebelum"), blank=True, validators=[no_control_characters])
    affected = models.TextField(_("siapa yang terdampak"), blank=True, validators=[no_control_characters])
    # 3. Approach
    approach = models.TextField(_("apa yang dilakukan"), blank=True, validators=[no_control_characters])
    novelty = models.TextField(_("apa yang baru"), blank=True, validators=[no_control_characters])
    partners = models.TextField(_("mitra"), blank=True, validators=[no_control_characters])
    beneficiaries = models.TextField(_("penerima manfaat"), blank=True, validators=[no_control_characters])
    # 4. Impact (narrative; indicators are rows)
    impact = models.TextField(_("hasil"), blank=True, validators=[no_control_characters])
    # 5. Resources and sustainability
    cost = models.DecimalField(
        _("biaya (Rp)"),
        max_digits=16,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=COST_MESSAGE)],
    )
    staff_count = models.PositiveIntegerField(_("jumlah staf"), null=True, blank=True)
    budget_source = models.CharField(
        _("sumber anggaran"), max_length=200, blank=True, validators=[no_control_characters]
    )
    regulation = models.TextField(_("regulasi yang menjadi dasar"), blank=True, validators=[no_control_characters])
    sustainability = models.TextField(_("keberlanjutan"), blank=True, validators=[no_control_characters])
    # 6. Replication kit (attachments are rows)
    success_conditions = models.TextField(_("syarat keberhasilan"), blank=True, validators=[no_control_characters])
    replication_steps = models.TextField(_("langkah replikasi"), blank=True, validators=[no_control_characters])
    # 7. Lessons
    challenges = models.TextField(_("tantangan"), blank=True, validators=[no_control_characters])
    failures = models.TextField(_("kegagalan"), blank=True, validators=[no_control_characters])
    do_differently = models.TextField(_("yang akan dilakukan berbeda"), blank=True, validators=[no_control_characters])
    # 8. Contact (email shown to logged-in agency users only)
    contact_name = models.CharField(
        _("nama narahubung"), max_length=150, blank=True, validators=[no_control_characters]
    )
    contact_position = models.CharField(
        _("jabatan narahubung"), max_length=150, blank=True, validators=[no_control_characters]
    )
    contact_email = models.EmailField(_("email narahubung"), blank=True)
    contact_phone = models.CharField(
        _("telepon narahubung"), max_length=40, blank=True, validators=[no_control_characters]
    )

    class Meta:
        verbose_name = _("revisi praktik")
        verbose_name_plural = _("revisi praktik")
        ordering = ["practice_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "number"],
                name="revision_number_unique",
                violation_error_message=_("Nomor revisi ini sudah dipakai untuk praktik ini."),
            ),
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
                violation_error_message=_("Status revisi tidak dikenal."),
            ),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(start_year__gte=START_YEAR_MIN, start_year__lte=START_YEAR_MAX),
                name="revision_start_year_range",
                violation_error_message=START_YEAR_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0),
                name="revision_cost_not_negative",
                violation_error_message=COST_MESSAGE,
            ),
        ]
        indexes = [models.Index(fields=["state", "submitted_at"], name="revision_state_submitted")]

    def __str__(self) -> str:
        return f"{self.title or _('(tanpa judul)')} r{self.number}"


class Indicator(models.Model):
    """A measured result of a practice: baseline, target, and achieved values over time."""

    revision = models.ForeignKey(PracticeRevision, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("nama indikator"), max_length=200, validators=[no_control_characters])
    unit = models.CharField(_("satuan"), max_length=50, validators=[no_control_characters])
    baseline_value = models.DecimalField(_("nilai awal"), max_digits=18, decimal_places=4, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("tahun nilai awal"), null=True, blank=True)
    target_value = models.DecimalField(_("target"), max_digits=18, decimal_places=4, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("tahun target"), null=True, blank=True)
    higher_is_better = models.BooleanField(
        _("semakin tinggi semakin baik"),
        default=True,
        help_text=_("Kosongkan untuk indikator seperti angka kemiskinan."),
    )
    source = models.CharField(_("sumber data"), max_length=200, blank=True, validators=[no_control_characters])
    evidence_url = models.URLField(_("tautan bukti"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("indikator")
        verbose_name_plural = _("indikator")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_year__isnull=True)
                | Q(baseline_year__isnull=True)
                | Q(target_year__gte=F("baseline_year")),
                name="indicator_target_not_before_baseline",
                violation_error_message=TARGET_YEAR_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        # The same rule as the constraint, but on the field, so forms and the API put it next to the target year.
        if self.target_year is not None and self.baseline_year is not None and self.target_year < self.baseline_year:
            raise ValidationError({"target_year": TARGET_YEAR_MESSAGE}, code="target_before_baseline")


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(_("nilai capaian"), max_digits=18, decimal_places=4)
    date = models.DateField(_("tanggal"))
    source = models.CharField(
        _("sumber data"),
        max_length=200,
        blank=True,
        help_text=_("Mis. BPS, data instansi."),
        validators=[no_control_characters],
    )
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
    # The revision the file was uploaded to; which revisions *show* it is `revisions` (a file stays with the
    # revisions that had it, and a new revision starts with the files of the one it was copied from).
    revision = models.ForeignKey(
        PracticeRevision, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    revisions = models.ManyToManyField(
        PracticeRevision,
        through="RevisionAttachment",
        blank=True,
        related_name="files",
        verbose_name=_("revisi yang memuat berkas ini"),
    )
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    purpose = models.CharField(_("kegunaan"), max_length=10, choices=Purpose.choices, default=Purpose.EVIDENCE)
    file = models.FileField(upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    title = models.CharField(_("keterangan"), max_length=200, blank=True)
    # A cover image's text alternative (what it shows, for people who cannot see it): required for new covers.
    alt_text = models.CharField(_("teks alternatif"), max_length=300, blank=True)
    # A cover's pixel size and its resized copies (`practices.images`), made once by a task after the upload:
    # [{"width": 320, "height": 180, "name": "<storage name>"}, ...], narrowest first.
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    variants = models.JSONField(default=list, blank=True, editable=False)
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
            models.CheckConstraint(
                condition=Q(size__lte=20 * 1024 * 1024),
                name="attachment_size_max_20mb",
                violation_error_message=_("Berkas paling besar 20 MB."),
            ),
            # No cover is shown without a text alternative: variants (what the pages show) exist only for a
            # cover that has one. Covers uploaded before alt text existed keep their file and are not shown.
            models.CheckConstraint(
                condition=~Q(purpose="cover") | ~Q(alt_text="") | Q(variants=[]),
                name="attachment_cover_shown_has_alt_text",
                violation_error_message=_("Gambar sampul perlu teks alternatif."),
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class RevisionAttachment(models.Model):
    """A revision shows a file: the link table behind `PracticeRevision.files` / `Attachment.revisions`."""

    revision = models.ForeignKey(PracticeRevision, on_delete=models.CASCADE, related_name="+")
    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("lampiran revisi")
        verbose_name_plural = _("lampiran revisi")
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "attachment"],
                name="revision_attachment_unique",
                violation_error_message=_("Berkas ini sudah terlampir pada revisi ini."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.revision_id}: {self.attachment_id}"
