"""Calls for practices and the competitions run on them (KIPP, RBXperience showcases).

A call has stages, each with its reviewers and a rubric-based score per entry; an entry is a practice of an
agency (the practice itself, never a copy). After the last scored stage the lead announces finalists, which
opens the public objection window; after it the winners are published with the ministerial decree as an award
collection (`showcases`).

Every state that the workflow depends on is a column with a database constraint; the services in
`competitions/services/` are the only writers.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.constraints import ConstraintErrorsOnFields

OBJECTION_DAYS_DEFAULT = 5


class CallQuerySet(models.QuerySet):
    def public(self):
        """Calls the public may see: every call that is not a draft."""
        return self.exclude(status=Call.Status.DRAFT)


class Call(ConstraintErrorsOnFields, models.Model):
    """A call for practices: "KIPP 2027", "RBXperience 2027: RB Tematik kemiskinan"."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        OPEN = "open", _("Dibuka")  # published; entries accepted between opens_at and closes_at
        JUDGING = "judging", _("Penilaian")  # entries closed (by the deadline job), stages running
        OBJECTION = "objection", _("Masa sanggah")  # finalists announced, the public objection window open
        DELIBERATION = "deliberation", _("Penetapan")  # window closed, winners not yet published
        FINISHED = "finished", _("Selesai")  # winners published
        CANCELLED = "cancelled", _("Dibatalkan")

    title = models.CharField(_("judul"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("deskripsi"), blank=True)
    themes = models.ManyToManyField(
        "practices.Theme", verbose_name=_("tema yang dapat ikut"), blank=True, related_name="calls"
    )
    # Agency kinds that may enter (agencies.Agency.Kind values); empty means every kind.
    agency_kinds = ArrayField(
        models.CharField(max_length=32), verbose_name=_("jenis instansi yang dapat ikut"), default=list, blank=True
    )
    opens_at = models.DateTimeField(_("pendaftaran dibuka"))
    closes_at = models.DateTimeField(_("pendaftaran ditutup"))
    objection_days = models.PositiveSmallIntegerField(
        _("lama masa sanggah (hari)"),
        default=OBJECTION_DAYS_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    entries_closed_at = models.DateTimeField(_("pendaftaran ditutup pada"), null=True, blank=True)
    finalists_announced_at = models.DateTimeField(_("finalis diumumkan"), null=True, blank=True)
    objection_opens_at = models.DateTimeField(_("masa sanggah dibuka"), null=True, blank=True)
    objection_closes_at = models.DateTimeField(_("masa sanggah ditutup"), null=True, blank=True)
    objection_closed_at = models.DateTimeField(_("masa sanggah berakhir pada"), null=True, blank=True)
    results_published_at = models.DateTimeField(_("hasil diumumkan"), null=True, blank=True)
    # The award collection of the winners, made when the results are published (services/results.py).
    winners_collection = models.ForeignKey(
        "showcases.Collection",
        verbose_name=_("koleksi pemenang"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CallQuerySet.as_manager()

    constraint_error_fields = {
        "competitions_call_closes_after_opens": "closes_at",
        "competitions_call_objection_days_range": "objection_days",
    }

    class Meta:
        verbose_name = _("panggilan")
        verbose_name_plural = _("panggilan")
        ordering = ["-opens_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="competitions_call_closes_after_opens",
                violation_error_message=_("Batas pendaftaran harus setelah pendaftaran dibuka."),
            ),
            models.CheckConstraint(
                condition=Q(objection_days__gte=1, objection_days__lte=30),
                name="competitions_call_objection_days_range",
                violation_error_message=_("Masa sanggah antara 1 dan 30 hari."),
            ),
            models.CheckConstraint(
                condition=Q(objection_opens_at__isnull=True)
                | Q(objection_closes_at__isnull=False, objection_closes_at__gt=F("objection_opens_at")),
                name="competitions_call_objection_window_ordered",
                violation_error_message=_("Masa sanggah harus berakhir setelah dibuka."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["objection", "deliberation", "finished"])
                | Q(finalists_announced_at__isnull=False, objection_opens_at__isnull=False),
                name="competitions_call_objection_needs_finalists",
                violation_error_message=_("Masa sanggah hanya dapat dibuka setelah finalis diumumkan."),
            ),
            models.CheckConstraint(
                condition=~Q(status="finished") | Q(results_published_at__isnull=False),
                name="competitions_call_finished_has_results",
                violation_error_message=_("Panggilan selesai harus memiliki tanggal pengumuman hasil."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    """One line of a call's rubric: a name and its weight (the weights of a call add up to 100)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("urutan"))
    name = models.CharField(_("kriteria"), max_length=200)
    description = models.TextField(_("penjelasan"), blank=True)
    weight = models.PositiveSmallIntegerField(_("bobot (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    max_score = models.PositiveSmallIntegerField(
        _("nilai tertinggi"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("kriteria penilaian")
        verbose_name_plural = _("kriteria penilaian")
        ordering = ["call", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "position"],
                name="competitions_criterion_position_unique",
                violation_error_message=_("Urutan kriteria ini sudah dipakai."),
            ),
            models.UniqueConstraint(
                fields=["call", "name"],
                name="competitions_criterion_name_unique",
                violation_error_message=_("Kriteria dengan nama ini sudah ada."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100),
                name="competitions_criterion_weight",
                violation_error_message=_("Bobot kriteria antara 1 dan 100."),
            ),
            models.CheckConstraint(
                condition=Q(max_score__gte=1, max_score__lte=100),
                name="competitions_criterion_max_score",
                violation_error_message=_("Nilai tertinggi kriteria antara 1 dan 100."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """A step of a call after registration, with its own reviewers (KIPP: screening, Top 99, TPI, Top 45...)."""

    class Kind(models.TextChoices):
        SCREENING = "screening", _("Seleksi administrasi")
        SCORING = "scoring", _("Penilaian evaluator")
        PANEL = "panel", _("Penilaian tim panel independen")
        PRESENTATION = "presentation", _("Presentasi dan wawancara")
        FIELD = "field", _("Verifikasi lapangan")

    class Status(models.TextChoices):
        PENDING = "pending", _("Belum dimulai")
        OPEN = "open", _("Berjalan")
        CLOSED = "closed", _("Selesai")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(_("urutan"))
    kind = models.CharField(_("jenis"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("nama tahap"), max_length=200)
    # Whether reviewers score the call's rubric in this stage (a screening is a pass/fail check).
    is_scored = models.BooleanField(_("dinilai dengan rubrik"), default=True)
    min_reviews = models.PositiveSmallIntegerField(
        _("jumlah penilaian minimum per peserta"), default=2, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    # What the lead's advance decision defaults to: the top N, or everyone at or above a score.
    advance_top_n = models.PositiveIntegerField(_("lolos: N teratas"), null=True, blank=True)
    advance_min_score = models.DecimalField(
        _("lolos: nilai minimum"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tahap")
        verbose_name_plural = _("tahap")
        ordering = ["call", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "position"],
                name="competitions_stage_position_unique",
                violation_error_message=_("Urutan tahap ini sudah dipakai."),
            ),
            models.CheckConstraint(
                condition=Q(min_reviews__gte=1, min_reviews__lte=9),
                name="competitions_stage_min_reviews",
                violation_error_message=_("Jumlah penilaian minimum antara 1 dan 9."),
            ),
            models.CheckConstraint(
                condition=Q(advance_top_n__isnull=True) | Q(advance_top_n__gte=1),
                name="competitions_stage_top_n",
                violation_error_message=_("Jumlah peserta yang lolos minimal 1."),
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="competitions_stage_closed_at",
                violation_error_message=_("Tahap yang selesai harus memiliki waktu selesai."),
            ),
            # A call is in one stage at a time (migration 0002_core).
            models.UniqueConstraint(
                fields=["call"],
                condition=Q(status="open"),
                name="competitions_stage_one_open_per_call",
                violation_error_message=_("Hanya satu tahap yang dapat berjalan pada satu panggilan."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Entry(ConstraintErrorsOnFields, models.Model):
    """A practice entered into a call by its agency: the practice itself, not a copy."""

    class Status(models.TextChoices):
        ENTERED = "entered", _("Terdaftar")
        WITHDRAWN = "withdrawn", _("Ditarik")
        ELIMINATED = "eliminated", _("Tidak lolos")
        FINALIST = "finalist", _("Finalis")
        DISQUALIFIED = "disqualified", _("Didiskualifikasi")
        WINNER = "winner", _("Pemenang")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="entries")
    practice = models.ForeignKey("practices.Practice", on_delete=models.PROTECT, related_name="call_entries")
    # The practice's agency when it entered: the conflict-of-interest rules and the public list read it.
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="call_entries")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ENTERED)
    # The stage the entry is in now (null before the first stage opens and after elimination at registration).
    stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The winners' labels ("Juara 1", "Top 45") and rank, set when the results are published.
    award_label = models.CharField(_("penghargaan"), max_length=120, blank=True)
    final_rank = models.PositiveSmallIntegerField(_("peringkat akhir"), null=True, blank=True)

    constraint_error_fields = {"competitions_entry_once_per_call": "practice"}

    class Meta:
        verbose_name = _("peserta")
        verbose_name_plural = _("peserta")
        ordering = ["call", "entered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "practice"],
                name="competitions_entry_once_per_call",
                violation_error_message=_("Praktik ini sudah terdaftar pada panggilan ini."),
            ),
            models.CheckConstraint(
                condition=Q(status="withdrawn", withdrawn_at__isnull=False)
                | (~Q(status="withdrawn") & Q(withdrawn_at__isnull=True)),
                name="competitions_entry_withdrawn_at",
                violation_error_message=_("Peserta yang ditarik harus memiliki waktu penarikan, dan hanya itu."),
            ),
            models.CheckConstraint(
                condition=Q(status="winner") | Q(award_label="", final_rank__isnull=True),
                name="competitions_entry_award_only_winners",
                violation_error_message=_("Penghargaan dan peringkat hanya untuk pemenang."),
            ),
        ]
        indexes = [models.Index(fields=["call", "status"], name="competitions_entry_call_status")]

    def __str__(self) -> str:
        return f"{self.call} · {self.practice_id}"


class CallReviewer(models.Model):
    """A person invited to review in a call: a moderator, or an external expert (showcases.Expert)."""

    class Kind(models.TextChoices):
        MODERATOR = "moderator", _("Moderator kementerian")
        EXPERT = "expert", _("Pakar/akademisi eksternal")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_reviews")
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("penilai panggilan")
        verbose_name_plural = _("penilai panggilan")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "user"],
                name="competitions_callreviewer_unique",
                violation_error_message=_("Orang ini sudah menjadi penilai panggilan ini."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.call_id} · {self.user_id}"


class ConflictDeclaration(models.Model):
    """A reviewer's declared conflict of interest with an entry: never assigned to it again in the call."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="conflicts")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("alasan"), blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "reviewer"],
                name="competitions_conflict_unique",
                violation_error_message=_("Konflik kepentingan ini sudah dinyatakan."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} · {self.reviewer_id}"


class Review(models.Model):
    """One reviewer's assessment of one entry in one stage: rubric scores, a comment for the author, a private note.

    Scores stay private until the stage closes; the author then sees the outcome and the comments meant for them.
    """

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Ditugaskan")
        SUBMITTED = "submitted", _("Dikirim")

    class Verdict(models.TextChoices):  # for unscored stages (administrative screening)
        PASS = "pass", _("Memenuhi syarat")
        FAIL = "fail", _("Tidak memenuhi syarat")

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="reviews")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="call_assessments")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    verdict = models.CharField(_("keputusan"), max_length=4, choices=Verdict.choices, blank=True)
    # The weighted total on a 0–100 scale, computed by the service from the scores when submitted.
    total = models.DecimalField(_("nilai total"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment_for_author = models.TextField(_("catatan untuk pengusul"), blank=True)
    private_note = models.TextField(_("catatan internal"), blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("penilaian")
        verbose_name_plural = _("penilaian")
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "entry", "reviewer"],
                name="competitions_review_unique",
                violation_error_message=_("Penilai ini sudah ditugaskan untuk peserta ini pada tahap ini."),
            ),
            models.CheckConstraint(
                condition=Q(status="assigned") | Q(submitted_at__isnull=False),
                name="competitions_review_submitted_at",
                violation_error_message=_("Penilaian yang dikirim harus memiliki waktu kirim."),
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__gte=0, total__lte=100),
                name="competitions_review_total_range",
                violation_error_message=_("Nilai total antara 0 dan 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage_id} · {self.entry_id} · {self.reviewer_id}"


class Score(models.Model):
    """One criterion's score in a review (0 to the criterion's max_score, checked by the service)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("nilai"), max_digits=5, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"],
                name="competitions_score_unique",
                violation_error_message=_("Kriteria ini sudah dinilai pada penilaian ini."),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="competitions_score_not_negative",
                violation_error_message=_("Nilai tidak boleh negatif."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


class AdvanceDecision(models.Model):
    """The lead's decision that closes a stage: who goes on, by which rule, with the scores that justified it."""

    class Rule(models.TextChoices):
        TOP_N = "top_n", _("N teratas")
        MIN_SCORE = "min_score", _("Nilai minimum")
        MANUAL = "manual", _("Pilihan pimpinan")

    stage = models.OneToOneField(Stage, on_delete=models.CASCADE, related_name="decision")
    rule = models.CharField(_("aturan"), max_length=10, choices=Rule.choices)
    top_n = models.PositiveIntegerField(null=True, blank=True)
    min_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    # [{"entry": id, "practice": title, "average": "87.50", "reviews": 2, "advanced": true}, ...] as decided.
    ranking = models.JSONField(default=list)
    advanced = models.ManyToManyField(Entry, related_name="advanced_by", blank=True)
    note = models.TextField(_("catatan"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.stage_id} · {self.rule}"


class Objection(ConstraintErrorsOnFields, models.Model):
    """A public objection (sanggahan) against a finalist during the call's objection window.

    The objector's name and email are personal data: only lead moderators see them. Nothing is shown before a
    moderator checks it; the public sees counts and outcomes only.
    """

    class Relation(models.TextChoices):
        SERVICE_USER = "service_user", _("Pengguna layanan")
        RESIDENT = "resident", _("Warga di wilayah tersebut")
        AGENCY_STAFF = "agency_staff", _("Pegawai instansi tersebut")
        OTHER_AGENCY = "other_agency", _("Pegawai instansi lain")
        RESEARCHER = "researcher", _("Peneliti/akademisi/jurnalis")
        OTHER = "other", _("Lainnya")

    class Ground(models.TextChoices):
        NOT_IMPLEMENTED = "not_implemented", _("Inovasi tidak dilaksanakan")
        DATA_INCORRECT = "data_incorrect", _("Data tidak benar")
        PLAGIARISED = "plagiarised", _("Menjiplak inovasi lain")
        NOT_ELIGIBLE = "not_eligible", _("Tidak memenuhi syarat")
        HARM = "harm", _("Merugikan masyarakat")
        OTHER = "other", _("Lainnya")

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Email belum dikonfirmasi")
        PENDING = "pending", _("Menunggu pemeriksaan")
        ACCEPTED = "accepted", _("Diterima untuk ditindaklanjuti")
        DISMISSED = "dismissed", _("Ditolak (spam/tidak relevan)")
        UPHELD = "upheld", _("Terbukti")
        NOT_UPHELD = "not_upheld", _("Tidak terbukti")

    class Finding(models.TextChoices):
        CONTINUES = "continues", _("Peserta tetap melanjutkan")
        DISQUALIFIED = "disqualified", _("Peserta didiskualifikasi")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="objections")
    name = models.CharField(_("nama"), max_length=120)
    email = models.EmailField(_("email"))
    relation = models.CharField(_("hubungan dengan inovasi"), max_length=16, choices=Relation.choices)
    ground = models.CharField(_("alasan sanggahan"), max_length=16, choices=Ground.choices)
    text = models.TextField(_("uraian"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UNCONFIRMED)
    # SHA-256 of the email-confirmation link's token (the token itself is only in the email).
    confirm_token_hash = models.CharField(max_length=64, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.TextField(_("alasan penolakan"), blank=True)
    # The agency's one answer.
    answer = models.TextField(_("tanggapan instansi"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    # The lead's finding on an upheld objection.
    finding = models.CharField(_("hasil pemeriksaan"), max_length=12, choices=Finding.choices, blank=True)
    finding_note = models.TextField(_("catatan hasil pemeriksaan"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sanggahan")
        verbose_name_plural = _("sanggahan")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="unconfirmed") | Q(confirmed_at__isnull=False),
                name="competitions_objection_confirmed_at",
                violation_error_message=_("Sanggahan yang dikonfirmasi harus memiliki waktu konfirmasi."),
            ),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(dismiss_reason=""),
                name="competitions_objection_dismiss_reason",
                violation_error_message=_("Sanggahan yang ditolak harus memiliki alasan."),
            ),
            # The agency answers once: an answer has its time and author.
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answer="") | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="competitions_objection_answer_once",
                violation_error_message=_(
                    "Instansi hanya dapat menanggapi satu kali, dan tanggapan tidak boleh kosong."
                ),
            ),
            # A finding only on an upheld objection, and an upheld objection always has one.
            models.CheckConstraint(
                condition=(Q(status="upheld") & ~Q(finding="")) | (~Q(status="upheld") & Q(finding="")),
                name="competitions_objection_finding_when_upheld",
                violation_error_message=_("Sanggahan yang terbukti harus memiliki hasil pemeriksaan, dan hanya itu."),
            ),
        ]
        indexes = [models.Index(fields=["entry", "status"], name="competitions_objection_entry")]

    def __str__(self) -> str:
        return f"{self.entry_id} · {self.get_ground_display()}"


class ObjectionFile(models.Model):
    """A file attached to an objection, through the same safe upload checks as practice attachments."""

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="objections/%Y/%m/", max_length=200)
    original_name = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name
