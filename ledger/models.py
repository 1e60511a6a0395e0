"""The replication ledger and ask-the-innovator.

The tables were created by the practices app and keep their names (`db_table`), so moving the models here
moved no data; their constraints keep their names too.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from common.constraints import ConstraintErrorsOnFields
from practices.models import Indicator, Practice


class ReplicationQuerySet(models.QuerySet):
    def for_ledger(self) -> "ReplicationQuerySet":
        """With what a ledger row shows: the agencies, the practice it became, its steps and their results."""
        return (
            self.select_related("agency", "agency__region", "agency__region__province", "became", "source__agency")
            .prefetch_related(
                Prefetch(
                    "steps",
                    queryset=ReplicationStep.objects.order_by("created_at", "id").prefetch_related(
                        "results__indicator"
                    ),
                )
            )
            .order_by("created_at", "id")
        )


class QuestionQuerySet(models.QuerySet):
    def faq(self) -> "QuestionQuerySet":
        """Answered questions the owning agency chose to show on the practice page, with the asking agency."""
        return self.filter(is_public=True, answered_at__isnull=False).select_related("asker_agency")


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
    # Stages from which a replication counts as "replicated" in the source's counters.
    COUNTED_STAGES = ("launched", "results")

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

    objects = ReplicationQuerySet.as_manager()

    class Meta:
        db_table = "practices_replication"
        ordering = ["created_at", "id"]
        verbose_name = _("replikasi")
        verbose_name_plural = _("replikasi")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "agency"],
                name="replication_one_per_agency",
                violation_error_message=_("Instansi ini sudah mereplikasi praktik ini."),
            ),
            models.CheckConstraint(
                condition=Q(stage__in=["interest", "study", "legal_basis", "launched", "results"]),
                name="replication_stage_valid",
                violation_error_message=_("Tahap replikasi tidak dikenal."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} ← {self.source}"

    @property
    def stage_index(self) -> int:
        return self.STAGE_ORDER.index(self.stage)


class ReplicationStep(ConstraintErrorsOnFields, models.Model):
    """One stage reached by a replication, with the source agency's optional response.

    Stages advance one at a time; a step that jumps over stages names them (`skipped_stages`) with the reason
    given for the jump, so the timeline says what was not recorded. `marked_from_practice` tells the step made
    when a new practice was marked as a replication of the source at its submission (undone with the mark).
    """

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
    skipped_stages = ArrayField(
        models.CharField(max_length=12, choices=Replication.Stage.choices),
        verbose_name=_("tahap yang dilewati"),
        default=list,
        blank=True,
    )
    skip_reason = models.TextField(_("alasan melewati tahap"), max_length=2000, blank=True)
    marked_from_practice = models.BooleanField(default=False)

    # A constraint about one field puts its message there (common.constraints).
    constraint_error_fields = {"skip_reason": "skip_reason"}

    class Meta:
        db_table = "practices_replicationstep"
        ordering = ["replication_id", "created_at", "id"]
        verbose_name = _("tahap replikasi")
        verbose_name_plural = _("tahap replikasi")
        constraints = [
            models.UniqueConstraint(
                fields=["replication", "stage"],
                name="replication_step_once_per_stage",
                violation_error_message=_("Tahap ini sudah dicatat untuk replikasi ini."),
            ),
            # A jump over stages is an explicit, explained choice.
            models.CheckConstraint(
                condition=Q(skipped_stages=[]) | ~Q(skip_reason=""),
                name="replication_step_skip_has_reason",
                violation_error_code="skip_reason",
                violation_error_message=_("Tuliskan alasan melewati tahap."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.replication_id}: {self.stage}"

    # The texts a step marked from the practice's submit page gets: stored in Indonesian (the source language),
    # shown in the reader's language (`skip_reason_display`, `note_display`).
    MARK_SKIP_REASON = _("Ditandai saat pengajuan praktik: tahap sebelumnya tidak dicatat di buku replikasi.")
    MARK_NOTE = _("Praktik “%(title)s” diajukan sebagai replikasi.")

    @property
    def skip_reason_display(self) -> str:
        if self.marked_from_practice and self.skip_reason == source_language_text(self.MARK_SKIP_REASON):
            return str(self.MARK_SKIP_REASON)
        return self.skip_reason

    @property
    def note_display(self) -> str:
        if self.marked_from_practice:
            prefix, _sep, suffix = source_language_text(self.MARK_NOTE).partition("%(title)s")
            if self.note.startswith(prefix) and self.note.endswith(suffix):
                return str(self.MARK_NOTE) % {"title": self.note[len(prefix) : len(self.note) - len(suffix)]}
        return self.note

    @property
    def skipped_labels(self) -> list[str]:
        labels = dict(Replication.Stage.choices)
        return [str(labels.get(stage, stage)) for stage in self.skipped_stages]


class ReplicationResult(models.Model):
    """An indicator value the replicating agency reports at the "results" stage, measured like the source's."""

    step = models.ForeignKey(ReplicationStep, on_delete=models.CASCADE, related_name="results")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indikator praktik asal"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(_("nilai capaian"), max_digits=18, decimal_places=4)
    date = models.DateField(_("tanggal"))

    class Meta:
        db_table = "practices_replicationresult"
        ordering = ["step_id", "indicator_id"]
        verbose_name = _("hasil replikasi")
        verbose_name_plural = _("hasil replikasi")
        constraints = [
            models.UniqueConstraint(
                fields=["step", "indicator"],
                name="replication_result_once_per_indicator",
                violation_error_message=_("Hasil untuk indikator ini sudah dicatat pada tahap ini."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.value}"


class Question(ConstraintErrorsOnFields, models.Model):
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

    objects = QuestionQuerySet.as_manager()

    # A constraint about one field puts its message there (common.constraints).
    constraint_error_fields = {"answer": "answer"}

    class Meta:
        db_table = "practices_question"
        ordering = ["created_at", "id"]
        verbose_name = _("pertanyaan")
        verbose_name_plural = _("pertanyaan")
        constraints = [
            # Only an answered question can be shown publicly.
            models.CheckConstraint(
                condition=Q(is_public=False) | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="question_public_needs_answer",
                violation_error_code="answer",
                violation_error_message=_("Jawab pertanyaan ini dulu sebelum menampilkannya sebagai FAQ."),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


def source_language_text(text) -> str:
    """A translatable text in the source language (Indonesian), as stored."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)
