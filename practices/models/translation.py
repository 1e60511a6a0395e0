"""A practice's content in another language (issue #17): the English version of the live revision's text.

Practices are written in Indonesian first. A translation belongs to the practice (one per language) and records
the revision it translates. Only a translation marked verified by a moderator, of the revision that is live now,
is ever shown publicly or indexed: editing the text after verification makes it a draft again, and a newly
published revision leaves the old translation "needs review" (kept for the translator to update, hidden from
the public) until it is saved against the new revision and verified again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..sections import TEXT_FIELDS
from .practice import Practice
from .revision import PracticeRevision

# The fields a translation carries, in section order: the title, the summary and every narrative field.
TRANSLATABLE_FIELDS: list[str] = ["title", *TEXT_FIELDS]


class PracticeTranslation(models.Model):
    class Language(models.TextChoices):
        ENGLISH = "en", _("Inggris")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draf")
        VERIFIED = "verified", _("Terverifikasi")

    class Source(models.TextChoices):
        HUMAN = "human", _("Ditulis penerjemah")
        MACHINE = "machine", _("Draf terjemahan mesin")

    class MachineState(models.TextChoices):
        NONE = "", _("Tidak diminta")
        PENDING = "pending", _("Sedang diterjemahkan mesin")
        DONE = "done", _("Draf mesin selesai")
        FAILED = "failed", _("Terjemahan mesin gagal")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="translations")
    # The Indonesian text this translates; a translation is shown only while this is the live revision.
    revision = models.ForeignKey(PracticeRevision, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("bahasa"), max_length=5, choices=Language.choices, default=Language.ENGLISH)
    # {field: text} for TRANSLATABLE_FIELDS; a missing or empty field is shown in Indonesian.
    fields = models.JSONField(_("teks terjemahan"), default=dict, blank=True)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.DRAFT)
    source = models.CharField(_("asal"), max_length=10, choices=Source.choices, default=Source.HUMAN)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(_("diverifikasi pada"), null=True, blank=True)
    machine_state = models.CharField(
        _("terjemahan mesin"), max_length=10, choices=MachineState.choices, default="", blank=True
    )
    machine_error = models.TextField(_("galat terjemahan mesin"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("terjemahan praktik")
        verbose_name_plural = _("terjemahan praktik")
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "language"],
                name="translation_one_per_language",
                violation_error_message=_("Praktik ini sudah punya terjemahan dalam bahasa ini."),
            ),
            models.CheckConstraint(
                condition=Q(language__in=["en"]),
                name="translation_language_valid",
                violation_error_message=_("Bahasa terjemahan tidak dikenal (sumbernya selalu bahasa Indonesia)."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "verified"]),
                name="translation_state_valid",
                violation_error_message=_("Status terjemahan tidak dikenal."),
            ),
            models.CheckConstraint(
                condition=Q(source__in=["human", "machine"]),
                name="translation_source_valid",
                violation_error_message=_("Asal terjemahan tidak dikenal."),
            ),
            models.CheckConstraint(
                condition=Q(machine_state__in=["", "pending", "done", "failed"]),
                name="translation_machine_state_valid",
                violation_error_message=_("Status terjemahan mesin tidak dikenal."),
            ),
            # A verified translation says when it was verified; a draft carries no verification.
            models.CheckConstraint(
                condition=Q(state="verified", verified_at__isnull=False)
                | Q(state="draft", verified_at__isnull=True, verified_by__isnull=True),
                name="translation_verified_has_date",
                violation_error_message=_("Terjemahan terverifikasi harus punya tanggal verifikasi; draf tidak."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practice_id} [{self.language}] {self.fields.get('title', '')}"

    @property
    def is_current(self) -> bool:
        """True while it translates the live revision (a newer publication leaves it needing review)."""
        return self.revision_id == self.practice.live_revision_id

    @property
    def is_public(self) -> bool:
        return self.state == self.State.VERIFIED and self.is_current

    def text(self, name: str) -> str:
        return (self.fields or {}).get(name) or ""
