from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.constraints import ConstraintErrorsOnFields

# The bounds and messages of an RB index score: the field validators and the database constraints say the same.
RB_SCORE_MESSAGE = _("Nilai indeks RB harus di antara 0 dan 100.")
RB_YEAR_MIN, RB_YEAR_MAX = 2000, 2100
RB_YEAR_MESSAGE = _("Tahun harus di antara 2000 dan 2100.")


class Region(ConstraintErrorsOnFields, models.Model):
    """A province or a regency/city, with its official Kemendagri code (`33`, `33.01`)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Provinsi")
        REGENCY = "regency", _("Kabupaten")
        CITY = "city", _("Kota")

    code = models.CharField(_("kode wilayah"), max_length=8, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.CharField(_("tingkat"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(
        "self",
        verbose_name=_("provinsi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subregions",
        limit_choices_to={"level": "province"},
    )

    # A constraint about one field puts its message there (common.constraints).
    constraint_error_fields = {"province": "province"}

    class Meta:
        ordering = ["code"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        constraints = [
            # A province has no parent; a regency or city always has one.
            models.CheckConstraint(
                condition=(
                    Q(level="province", province__isnull=True) | (~Q(level="province") & Q(province__isnull=False))
                ),
                name="region_parent_matches_level",
                violation_error_code="province",
                violation_error_message=_("Provinsi tidak punya provinsi induk; kabupaten atau kota harus punya."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AgencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def central(self):
        return self.filter(kind__in=Agency.CENTRAL_KINDS)

    def regional(self):
        return self.exclude(kind__in=Agency.CENTRAL_KINDS)


class Agency(ConstraintErrorsOnFields, models.Model):
    """A government agency taking part: a central institution or a regional government (643 shipped)."""

    class Kind(models.TextChoices):
        COORDINATING_MINISTRY = "kementerian_koordinator", _("Kementerian Koordinator")
        MINISTRY = "kementerian", _("Kementerian")
        AGENCY = "lembaga", _("Lembaga")
        STATE_SECRETARIAT = "sekretariat_lembaga_negara", _("Sekretariat Lembaga Negara")
        PROVINCE = "provinsi", _("Pemerintah Provinsi")
        REGENCY = "kabupaten", _("Pemerintah Kabupaten")
        CITY = "kota", _("Pemerintah Kota")

    CENTRAL_KINDS = (Kind.COORDINATING_MINISTRY, Kind.MINISTRY, Kind.AGENCY, Kind.STATE_SECRETARIAT)
    REGIONAL_KINDS = (Kind.PROVINCE, Kind.REGENCY, Kind.CITY)

    code = models.CharField(_("kode"), max_length=64, unique=True)
    kind = models.CharField(_("jenis"), max_length=32, choices=Kind.choices)
    name = models.CharField(_("nama"), max_length=200)
    acronym = models.CharField(_("singkatan"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    region = models.OneToOneField(
        Region, verbose_name=_("wilayah"), null=True, blank=True, on_delete=models.PROTECT, related_name="government"
    )
    active = models.BooleanField(_("aktif"), default=True)

    objects = AgencyQuerySet.as_manager()

    # A constraint about one field puts its message there (common.constraints).
    constraint_error_fields = {"region": "region"}

    class Meta:
        ordering = ["name"]
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["provinsi", "kabupaten", "kota"], region__isnull=False)
                    | (~Q(kind__in=["provinsi", "kabupaten", "kota"]) & Q(region__isnull=True))
                ),
                name="agency_region_matches_kind",
                violation_error_code="region",
                violation_error_message=_("Pemerintah daerah harus punya wilayah; instansi pusat tidak punya wilayah."),
            ),
        ]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_central(self) -> bool:
        return self.kind in self.CENTRAL_KINDS


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=Membership.State.ACTIVE)


class Membership(models.Model):
    """A person's place in an agency. A person has at most one active membership."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Anggota")
        ADMIN = "admin", _("Admin instansi")

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu persetujuan")
        ACTIVE = "active", _("Aktif")
        ENDED = "ended", _("Berakhir")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("peran"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("keanggotaan")
        verbose_name_plural = _("keanggotaan")
        constraints = [
            # Code "unique" with one field in `fields`: Django puts the message on that field.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(state__in=["pending", "active"]),
                name="membership_one_open_per_user",
                violation_error_code="unique",
                violation_error_message=_("Orang ini sudah punya keanggotaan yang aktif atau menunggu persetujuan."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=["member", "admin"]),
                name="membership_role_valid",
                violation_error_message=_("Peran keanggotaan tidak dikenal."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "active", "ended"]),
                name="membership_state_valid",
                violation_error_message=_("Status keanggotaan tidak dikenal."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency} ({self.role})"


class RBIndexScore(models.Model):
    """An agency's RB index score for one year; the category (AA…D) is derived from the shipped bands."""

    class Category(models.TextChoices):
        AA = "AA", "AA"
        A = "A", "A"
        BB = "BB", "BB"
        B = "B", "B"
        CC = "CC", "CC"
        C = "C", "C"
        D = "D", "D"

    NEEDS_MENTORING = ("CC", "C", "D")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="rb_scores")
    year = models.PositiveSmallIntegerField(
        _("tahun"),
        validators=[
            MinValueValidator(RB_YEAR_MIN, message=RB_YEAR_MESSAGE),
            MaxValueValidator(RB_YEAR_MAX, message=RB_YEAR_MESSAGE),
        ],
    )
    score = models.DecimalField(
        _("nilai"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0, message=RB_SCORE_MESSAGE), MaxValueValidator(100, message=RB_SCORE_MESSAGE)],
    )
    category = models.CharField(_("kategori"), max_length=2, choices=Category.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency_id", "-year"]
        verbose_name = _("nilai indeks RB")
        verbose_name_plural = _("nilai indeks RB")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year"],
                name="rbindex_one_per_agency_year",
                violation_error_message=_("Instansi ini sudah punya nilai indeks RB untuk tahun ini."),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100),
                name="rbindex_score_range",
                violation_error_message=RB_SCORE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(year__gte=RB_YEAR_MIN, year__lte=RB_YEAR_MAX),
                name="rbindex_year_range",
                violation_error_message=RB_YEAR_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(category__in=["AA", "A", "BB", "B", "CC", "C", "D"]),
                name="rbindex_category_valid",
                violation_error_message=_("Kategori indeks RB harus salah satu dari AA, A, BB, B, CC, C, atau D."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year}: {self.score} ({self.category})"


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted nor revoked (expired ones included: they are still "the" invitation of that address
        until someone resends or revokes them)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self, *, now=None):
        """Open and not expired: a link that would still work."""
        return self.open().filter(expires_at__gt=now or timezone.now())

    def for_agency(self, agency_id: int):
        return self.filter(agency_id=agency_id)

    def ministry(self):
        return self.filter(agency__isnull=True)


class Invitation(ConstraintErrorsOnFields, models.Model):
    """An invitation by email to join an agency (role member or admin) or the ministry (moderator or lead).

    Only the SHA-256 of the link's token is stored (`token_hash`); the raw token exists in the email alone. A
    resend replaces the hash, so an older link stops working. The link works once (`accepted_at`), until
    `expires_at`, and not after `revoked_at`.
    """

    class Role(models.TextChoices):
        MEMBER = "member", _("Anggota")
        ADMIN = "admin", _("Admin instansi")

    class MinistryRole(models.TextChoices):
        MODERATOR = "moderator", _("Moderator kementerian")
        LEAD = "lead", _("Moderator utama")

    email = models.EmailField(_("email"))
    # Null: an invitation to the ministry (a moderator or lead moderator).
    agency = models.ForeignKey(
        Agency, verbose_name=_("instansi"), null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    role = models.CharField(_("peran"), max_length=10, choices=Role.choices, blank=True)
    ministry_role = models.CharField(_("peran kementerian"), max_length=16, choices=MinistryRole.choices, blank=True)
    language = models.CharField(
        _("bahasa email"), max_length=5, choices=[("id", "Bahasa Indonesia"), ("en", "English")], default="id"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diundang oleh"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    expires_at = models.DateTimeField(_("berlaku sampai"))
    sent_count = models.PositiveSmallIntegerField(_("jumlah kiriman"), default=1)
    last_sent_at = models.DateTimeField(_("terakhir dikirim"))
    accepted_at = models.DateTimeField(_("diterima"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diterima oleh"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_accepted",
    )
    revoked_at = models.DateTimeField(_("dibatalkan"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    constraint_error_fields = {"email": "email"}

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("undangan")
        verbose_name_plural = _("undangan")
        constraints = [
            # Exactly one of the two kinds: an agency with its role, or the ministry with a ministry role.
            models.CheckConstraint(
                condition=(
                    Q(agency__isnull=False, role__in=["member", "admin"], ministry_role="")
                    | Q(agency__isnull=True, role="", ministry_role__in=["moderator", "lead"])
                ),
                name="invitation_agency_xor_ministry",
                violation_error_message=_(
                    "Undangan ditujukan ke instansi dengan peran anggota/admin, atau ke kementerian dengan peran "
                    "moderator."
                ),
            ),
            # One open invitation per address and agency (the ministry counts as one: NULLS NOT DISTINCT).
            models.UniqueConstraint(
                fields=["email", "agency"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                nulls_distinct=False,
                name="invitation_one_open_per_email_agency",
                violation_error_code="email",
                violation_error_message=_(
                    "Alamat ini sudah punya undangan yang belum diterima. Kirim ulang undangan itu dari daftar."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(email__regex=r"[A-Z]"),
                name="invitation_email_lowercase",
                violation_error_code="email",
                violation_error_message=_("Alamat email harus ditulis dengan huruf kecil."),
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_accepted_and_revoked",
                violation_error_message=_("Undangan tidak bisa diterima sekaligus dibatalkan."),
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True, accepted_user__isnull=True) | Q(accepted_at__isnull=False),
                name="invitation_accepted_user_needs_time",
                violation_error_message=_("Penerima undangan hanya dicatat bersama waktu penerimaannya."),
            ),
        ]
        indexes = [models.Index(fields=["agency", "created_at"], name="invitation_agency_created")]

    def __str__(self) -> str:
        return f"{self.email} → {self.agency or _('Kementerian')}"

    @property
    def is_ministry(self) -> bool:
        return self.agency_id is None

    def role_display(self) -> str:
        return self.get_ministry_role_display() if self.is_ministry else self.get_role_display()

    def state(self, *, now=None) -> str:
        """accepted / revoked / expired / pending: what the lists and the accept page say."""
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return "pending"
