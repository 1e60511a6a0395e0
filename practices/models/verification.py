"""Verification records: what was checked behind a practice's evidence level, how, when and by whom.

A record belongs to the practice (so a new revision keeps every earlier one visible) and names the revision it
checked. The level a record supports follows from who checked and how (`services.verification`); the database
holds the combinations that make sense.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.constraints import ConstraintErrorsOnFields

from .practice import Practice
from .revision import Attachment, PracticeRevision


class Verification(ConstraintErrorsOnFields, models.Model):
    class Method(models.TextChoices):
        DOCUMENT_CHECK = "document_check", _("Pemeriksaan dokumen")
        DATA_CHECK = "data_check", _("Pemeriksaan data terhadap sumber bernama")
        FIELD_VISIT = "field_visit", _("Kunjungan lapangan")

    class VerifierRole(models.TextChoices):
        AGENCY = "agency", _("Admin instansi pemilik")
        MINISTRY = "ministry", _("Moderator kementerian")

    # The levels a record can stand behind ("self reported" needs none).
    LEVELS = (
        Practice.EvidenceLevel.AGENCY_VERIFIED,
        Practice.EvidenceLevel.MINISTRY_VALIDATED,
        Practice.EvidenceLevel.FIELD_VERIFIED,
    )

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="verifications")
    revision = models.ForeignKey(
        PracticeRevision,
        verbose_name=_("revisi yang diverifikasi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verifications",
    )
    level = models.CharField(_("tingkat bukti"), max_length=20, choices=Practice.EvidenceLevel.choices)
    method = models.CharField(_("cara verifikasi"), max_length=20, choices=Method.choices)
    source_name = models.CharField(
        _("sumber data"),
        max_length=200,
        blank=True,
        help_text=_("Untuk pemeriksaan data: nama sumber pembanding, mis. BPS atau SIPD."),
    )
    verified_on = models.DateField(_("tanggal verifikasi"))
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("verifikator"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verifier_role = models.CharField(_("peran verifikator"), max_length=10, choices=VerifierRole.choices)
    verifier_agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("catatan"), max_length=5000, blank=True)
    files = models.ManyToManyField(Attachment, verbose_name=_("berkas bukti"), blank=True, related_name="verifications")
    created_at = models.DateTimeField(auto_now_add=True)

    # A constraint about one field puts its message there (common.constraints).
    constraint_error_fields = {code: code for code in ("method", "level", "source_name")}

    class Meta:
        ordering = ["-verified_on", "-id"]
        verbose_name = _("verifikasi")
        verbose_name_plural = _("verifikasi")
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=["document_check", "data_check", "field_visit"]),
                name="verification_method_valid",
                violation_error_code="method",
                violation_error_message=_("Pilih cara verifikasi: pemeriksaan dokumen, data, atau kunjungan lapangan."),
            ),
            models.CheckConstraint(
                condition=Q(level__in=["agency_verified", "ministry_validated", "field_verified"]),
                name="verification_level_valid",
                violation_error_code="level",
                violation_error_message=_("Verifikasi hanya untuk tingkat bukti di atas “Dilaporkan sendiri”."),
            ),
            models.CheckConstraint(
                condition=~Q(method="data_check") | ~Q(source_name=""),
                name="verification_data_check_names_source",
                violation_error_code="source_name",
                violation_error_message=_("Pemeriksaan data harus menyebut sumber data pembandingnya."),
            ),
            models.CheckConstraint(
                condition=~Q(level="field_verified") | Q(method="field_visit"),
                name="verification_field_level_needs_visit",
                violation_error_code="method",
                violation_error_message=_("Tingkat “Diverifikasi lapangan” memerlukan kunjungan lapangan."),
            ),
            models.CheckConstraint(
                condition=~Q(level="ministry_validated") | ~Q(method="field_visit"),
                name="verification_ministry_visit_is_field_level",
                violation_error_code="method",
                violation_error_message=_(
                    "Kunjungan lapangan oleh kementerian dicatat sebagai “Diverifikasi lapangan”."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(level="agency_verified") & Q(verifier_role="agency"))
                | (Q(level__in=["ministry_validated", "field_verified"]) & Q(verifier_role="ministry")),
                name="verification_role_matches_level",
                violation_error_code="level",
                violation_error_message=_(
                    "Verifikasi instansi dicatat oleh admin instansi; validasi dan verifikasi lapangan oleh "
                    "moderator kementerian."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practice_id}: {self.level} ({self.method}, {self.verified_on})"
