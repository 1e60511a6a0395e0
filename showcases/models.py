"""Collections (showcases) of published practices, the experts of the portal and their notes on practices.

A collection is either curated by ministry staff ("Praktik replikasi terbanyak") or the winners of an award
(a competition's results, "RBXperience 2023, Nusa Dua"), which carry the decree that named them. Items point at
practices; only published practices are added (the services check it: a check constraint cannot read another
table) and only those still published are shown (the selectors filter).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.constraints import ConstraintErrorsOnFields


def decree_upload_to(instance, filename: str) -> str:
    # A generated name: nothing the uploader typed reaches the storage path.
    return f"showcases/decrees/{uuid.uuid4().hex}.pdf"


class CollectionQuerySet(models.QuerySet):
    def published(self) -> CollectionQuerySet:
        return self.filter(is_published=True)

    def featured(self) -> CollectionQuerySet:
        """Published collections chosen for the home page, in their home order."""
        return self.published().filter(featured_on_home=True).order_by("home_position", "-published_at", "id")


class Collection(ConstraintErrorsOnFields, models.Model):
    class Kind(models.TextChoices):
        CURATED = "curated", _("Kurasi")
        AWARD = "award", _("Penghargaan")

    title = models.CharField(_("judul"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    introduction = models.TextField(_("pengantar"), max_length=10000, blank=True)  # Markdown (common.richtext)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.CURATED)
    source_label = models.CharField(
        _("sumber"), max_length=120, blank=True, help_text=_("Misalnya nama kompetisi: “KIPP 2027”.")
    )
    # The decree naming the winners (award collections only).
    decree_number = models.CharField(_("nomor surat keputusan"), max_length=120, blank=True)
    decree_date = models.DateField(_("tanggal surat keputusan"), null=True, blank=True)
    decree_file = models.FileField(_("berkas surat keputusan (PDF)"), upload_to=decree_upload_to, blank=True)
    is_published = models.BooleanField(_("terbit"), default=False)
    published_at = models.DateTimeField(_("terbit pada"), null=True, blank=True)
    featured_on_home = models.BooleanField(_("tampil di beranda"), default=False)
    home_position = models.PositiveSmallIntegerField(_("urutan di beranda"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CollectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("koleksi")
        verbose_name_plural = _("koleksi")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["curated", "award"]),
                name="collection_kind_valid",
                violation_error_message=_("Jenis koleksi tidak dikenal."),
            ),
            models.CheckConstraint(
                condition=Q(kind="award") | Q(decree_number="", decree_date__isnull=True, decree_file=""),
                name="collection_decree_only_for_awards",
                violation_error_message=_("Surat keputusan hanya untuk koleksi penghargaan."),
            ),
            models.CheckConstraint(
                condition=Q(featured_on_home=False) | Q(is_published=True),
                name="collection_featured_is_published",
                violation_error_message=_("Hanya koleksi yang terbit dapat tampil di beranda."),
            ),
        ]
        indexes = [models.Index(fields=["home_position"], condition=Q(featured_on_home=True), name="collection_home")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_award(self) -> bool:
        return self.kind == self.Kind.AWARD


class CollectionItemQuerySet(models.QuerySet):
    def shown(self) -> CollectionItemQuerySet:
        """Items whose practice is still published, in order (an archived practice leaves every collection)."""
        return self.filter(practice__status="published").order_by("position", "id")


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="collection_items")
    position = models.PositiveIntegerField(_("urutan"))
    label = models.CharField(_("label"), max_length=80, blank=True, help_text=_("Misalnya “Juara 1” atau “Top 45”."))
    note = models.TextField(_("catatan"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CollectionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("isi koleksi")
        verbose_name_plural = _("isi koleksi")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "practice"],
                name="collection_item_practice_once",
                violation_error_message=_("Praktik ini sudah ada di koleksi."),
            ),
            # Deferred: reordering swaps positions inside one transaction.
            models.UniqueConstraint(
                fields=["collection", "position"],
                name="collection_item_position_once",
                violation_error_message=_("Urutan ini sudah dipakai dalam koleksi."),
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collection} #{self.position}"


class Expert(models.Model):
    """An expert or academic: writes notes on practices, and is the competitions' external reviewer identity.

    Managed by lead moderators. An inactive expert keeps their published notes but writes no new ones."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile")
    affiliation = models.CharField(_("afiliasi"), max_length=200, help_text=_("Misalnya “Universitas Airlangga”."))
    expertise = models.CharField(_("bidang keahlian"), max_length=200, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pakar")
        verbose_name_plural = _("pakar")
        ordering = ["user__full_name", "id"]

    def __str__(self) -> str:
        return f"{self.user.get_full_name()} ({self.affiliation})"


class ExpertNoteQuerySet(models.QuerySet):
    def published(self) -> ExpertNoteQuerySet:
        return self.filter(status=ExpertNote.Status.PUBLISHED)


class ExpertNote(ConstraintErrorsOnFields, models.Model):
    """An attributed commentary on a published practice: what is transferable, preconditions, risks.

    Shown only once a moderator published it; an edit sends it back to moderation. One note per author and
    practice (the author edits it). The byline is kept as written (`author_affiliation`), as a signed text is."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu moderasi")
        PUBLISHED = "published", _("Terbit")
        REJECTED = "rejected", _("Ditolak")

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="expert_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_notes")
    author_affiliation = models.CharField(_("jabatan atau afiliasi penulis"), max_length=300, blank=True)
    transferable = models.TextField(_("Yang dapat ditiru"), max_length=5000)
    preconditions = models.TextField(_("Prasyarat"), max_length=5000, blank=True)
    risks = models.TextField(_("Risiko"), max_length=5000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.TextField(_("alasan penolakan"), max_length=2000, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExpertNoteQuerySet.as_manager()
    constraint_error_fields = {"expert_note_rejected_has_reason": "rejection_reason"}

    class Meta:
        verbose_name = _("catatan pakar")
        verbose_name_plural = _("catatan pakar")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "author"],
                name="expert_note_one_per_author",
                violation_error_message=_("Anda sudah menulis catatan untuk praktik ini; ubah catatan itu."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "published", "rejected"]),
                name="expert_note_status_valid",
                violation_error_message=_("Status catatan tidak dikenal."),
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="expert_note_rejected_has_reason",
                violation_error_code="expert_note_rejected_has_reason",
                violation_error_message=_("Tulis alasan penolakan untuk penulisnya."),
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="expert_note_published_has_date",
                violation_error_message=_("Catatan yang terbit perlu tanggal terbit."),
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="expert_note_queue")]

    def __str__(self) -> str:
        return f"{self.author} → {self.practice}"
