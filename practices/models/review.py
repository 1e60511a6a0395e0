"""The review workflow's records: transitions, pre-screens, reviewer assignments and reviews."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .practice import Practice
from .revision import PracticeRevision


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
    # The publish guard: a moderator's explicit answer that the flagged duplicates are not duplicates, given
    # with the approval that needed it (services/guard.py).
    duplicates_cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dinyatakan bukan duplikat oleh"),
    )
    duplicates_cleared_at = models.DateTimeField(_("dinyatakan bukan duplikat pada"), null=True, blank=True)
    duplicates_cleared_reason = models.TextField(_("alasan bukan duplikat"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("penyaringan awal")
        verbose_name_plural = _("penyaringan awal")
        constraints = [
            models.CheckConstraint(
                condition=Q(completeness__gte=0, completeness__lte=1),
                name="screening_completeness_range",
                violation_error_message=_("Kelengkapan harus di antara 0 dan 1."),
            ),
            models.CheckConstraint(
                condition=Q(duplicates_cleared_at__isnull=True) | ~Q(duplicates_cleared_reason=""),
                name="screening_duplicates_cleared_with_reason",
                violation_error_code="screening_duplicates_cleared_with_reason",
                violation_error_message=_("Tuliskan alasan mengapa praktik ini bukan duplikat."),
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
                violation_error_message=_("Peninjau ini sudah ditugaskan untuk revisi ini."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} ← {self.revision}"


# The rubric's criteria (their weights are settings.REVIEW_RUBRIC_WEIGHTS): the review form's labels and the
# review page's.
RUBRIC_LABELS = {
    "significance": _("Signifikansi"),
    "novelty": _("Kebaruan"),
    "adaptability": _("Kemampuan adaptasi/replikasi"),
    "sustainability": _("Keberlanjutan"),
    "evidence": _("Bukti"),
}


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
            models.UniqueConstraint(
                fields=["revision", "reviewer"],
                name="review_one_per_reviewer",
                violation_error_message=_("Anda sudah memberi penilaian untuk revisi ini; ubah penilaian itu."),
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0, total__lte=100),
                name="review_total_range",
                violation_error_message=_("Nilai total harus di antara 0 dan 100."),
            ),
            models.CheckConstraint(
                condition=Q(recommendation__in=["approve", "changes", "reject"]),
                name="review_recommendation_valid",
                violation_error_message=_("Pilih rekomendasi: setujui, minta perbaikan, atau tolak."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.total}"


class RevisionSnapshot(models.Model):
    """A revision's content as it stood when a moderator asked for changes.

    A revision sent back for changes is edited in place (the same row), so without this copy nothing would
    show the next reviewer what the agency changed since that round. `data` is `practices.snapshot.revision_snapshot`
    of the revision; `section_comments` are the changes asked for, per section.
    """

    revision = models.ForeignKey(PracticeRevision, on_delete=models.CASCADE, related_name="snapshots")
    transition = models.OneToOneField(
        Transition, null=True, blank=True, on_delete=models.SET_NULL, related_name="snapshot"
    )
    data = models.JSONField()
    section_comments = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("salinan revisi")
        verbose_name_plural = _("salinan revisi")

    def __str__(self) -> str:
        return f"{self.revision_id} @ {self.created_at:%Y-%m-%d %H:%M}"
