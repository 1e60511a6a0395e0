"""Demo content for `make run`: clearly marked sample accounts (and, as capabilities land, sample practices).

Idempotent: a second run reuses what exists and adds no duplicates.
"""

import secrets
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.services.users import user_ensure, user_ministry_role_set
from agencies.models import Agency, Membership, Region
from agencies.services.memberships import membership_set
from agencies.services.rbindex import rb_index_import
from ledger.models import Question, Replication
from ledger.services.questions import question_answer, question_ask
from ledger.services.replication import replication_advance, replication_start
from notifications.models import Follow
from notifications.services.follows import follow_set
from practices.models import Indicator, IndicatorValue, Practice, PracticeRevision, Theme
from practices.services.agency_review import revision_agency_approve
from practices.services.decisions import revision_approve
from practices.services.publishing import practice_publish
from practices.workflow import revision_transition

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - sample accounts, printed by `make run`

DEMO_ACCOUNTS = [
    # email, full name, agency code, agency role, ministry role
    ("anggota@demo.rbx.go.id", "Contoh: Sari Anggota (Kota Surabaya)", "35.78", Membership.Role.MEMBER, ""),
    ("admin@demo.rbx.go.id", "Contoh: Budi Admin (Kota Surabaya)", "35.78", Membership.Role.ADMIN, ""),
    ("anggota.bandung@demo.rbx.go.id", "Contoh: Dewi Anggota (Kab. Bandung)", "32.04", Membership.Role.ADMIN, ""),
    ("moderator@demo.rbx.go.id", "Contoh: Rina Moderator (KemenPANRB)", None, None, User.MinistryRole.MODERATOR),
    ("lead@demo.rbx.go.id", "Contoh: Agus Moderator Utama (KemenPANRB)", None, None, User.MinistryRole.LEAD),
]

DEMO_DRAFTS = [
    (
        "contoh-surabaya-adminduk-keliling",
        "pelayanan-publik",
        {
            "title": "Contoh: Layanan adminduk keliling di kelurahan",
            "summary": "Petugas kependudukan datang ke kelurahan sesuai jadwal. Warga lansia tak perlu ke kantor.",
            "start_year": 2022,
            "stage": PracticeRevision.Stage.PILOT,
            "problem": "Antrean panjang di kantor Dispendukcapil; warga lansia dan difabel sulit datang.",
        },
    ),
    (
        "contoh-surabaya-e-sapa-warga",
        "digitalisasi",
        {
            "title": "Contoh: Kanal aduan warga satu pintu",
            "summary": "Semua aduan warga masuk ke satu kanal dan dipantau sampai tuntas.",
            "start_year": 2023,
            "stage": PracticeRevision.Stage.IDEA,
            "is_digital": True,
        },
    ),
]


class Command(BaseCommand):
    help = "Load demo accounts and sample content (marked as sample) for local use."

    @transaction.atomic
    def handle(self, *args, **options):
        for email, name, agency_code, role, ministry_role in DEMO_ACCOUNTS:
            user, _ = user_ensure(email=email, password=DEMO_PASSWORD, full_name=name)
            if agency_code:
                membership_set(user=user, agency=Agency.objects.get(code=agency_code), role=role)
            if ministry_role:
                user_ministry_role_set(user=user, role=ministry_role)
            if ministry_role == User.MinistryRole.LEAD and not user.is_staff:
                # The lead moderator is the demo's ministry administrator for the Django admin.
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
        self.stdout.write(f"demo accounts ready ({len(DEMO_ACCOUNTS)}); password: {DEMO_PASSWORD}")
        self._demo_drafts()
        self._review_samples()
        self.stdout.write(f"demo published practices ready ({load_demo_published_practices()})")
        self.stdout.write(load_demo_ledger())
        self.stdout.write(f"demo follows ready ({load_demo_follows()})")

    def _demo_drafts(self):
        """Two drafts of the demo member of Kota Surabaya, to resume from "Praktik saya" (get_or_create by slug)."""
        author = User.objects.get(email="anggota@demo.rbx.go.id")
        agency = Agency.objects.get(code="35.78")
        for slug, theme_code, content in DEMO_DRAFTS:
            practice, created = Practice.objects.get_or_create(
                slug=slug, defaults={"agency": agency, "created_by": author}
            )
            if not created:
                continue
            revision = PracticeRevision.objects.create(
                practice=practice,
                number=1,
                created_by=author,
                primary_theme=Theme.objects.get(code=theme_code),
                **content,
            )
            practice.working_revision = revision
            practice.save(update_fields=["working_revision", "updated_at"])
        self.stdout.write(f"demo drafts ready ({len(DEMO_DRAFTS)})")

    def _review_samples(self):
        """A submitted and a published sample practice, moved through the real workflow services (idempotent)."""

        S = PracticeRevision.State
        member = User.objects.get(email="anggota@demo.rbx.go.id")
        admin = User.objects.get(email="admin@demo.rbx.go.id")
        lead = User.objects.get(email="lead@demo.rbx.go.id")
        samples = [
            ("contoh-mal-pelayanan-publik", "Contoh: Mal Pelayanan Publik Siola", "pelayanan-publik", True),
            ("contoh-izin-usaha-sehari", "Contoh: Izin Usaha Mikro Sehari Jadi", "investasi", False),
        ]
        for slug, title, theme_code, publish in samples:
            if Practice.objects.filter(slug=slug).exists():
                continue
            theme = Theme.objects.filter(code=theme_code).first() or Theme.objects.first()
            practice = Practice.objects.create(agency=Agency.objects.get(code="35.78"), slug=slug, created_by=member)
            practice.working_revision = PracticeRevision.objects.create(
                practice=practice,
                number=1,
                created_by=member,
                title=title,
                summary="Contoh data untuk demonstrasi portal.",
                primary_theme=theme,
                start_year=2022,
                stage=PracticeRevision.Stage.IMPLEMENTED,
                problem="Contoh: layanan tersebar di banyak kantor.",
                approach="Contoh: satu tempat untuk banyak layanan.",
            )
            practice.save()
            indicator = practice.working_revision.indicators.create(
                name="Waktu layanan rata-rata",
                unit="menit",
                baseline_value=120,
                baseline_year=2021,
                target_value=30,
                target_year=2024,
                higher_is_better=False,
                source="Data instansi",
            )
            indicator.values.create(value=45, date="2023-12-31", source="Data instansi")
            revision_transition(practice_id=practice.pk, to_state=S.AGENCY_REVIEW, by=member)
            revision_agency_approve(practice=practice, by=admin, comment="Contoh")
            if publish:
                revision_approve(practice=practice, by=lead, evidence_level=Practice.EvidenceLevel.AGENCY_VERIFIED)
        self.stdout.write("demo review samples ready")


# Published sample practices (public side) -------------------------------------------------------------------

DEMO_PRACTICES = [
    # slug, agency code, theme codes (primary first), start year, stage, title, summary, indicator
    # (name, unit, baseline, baseline year, target, target year, higher is better, [(date, value), ...])
    (
        "contoh-data-desa-kemiskinan",
        "32.04",
        ["kemiskinan"],
        2021,
        "penerapan",
        "Contoh: Pengentasan kemiskinan berbasis data desa",
        "Data keluarga miskin dimutakhirkan tiap bulan oleh desa sehingga bantuan tepat sasaran.",
        ("Angka kemiskinan", "%", "9.8", 2020, "8.0", 2024, False, [("2022-12-31", "9.1"), ("2024-06-30", "7.9")]),
    ),
    (
        "contoh-perizinan-usaha-sehari",
        "35.78",
        ["investasi"],
        2020,
        "penerapan",
        "Contoh: Izin usaha selesai dalam sehari",
        "Perizinan usaha mikro diproses daring dan selesai dalam satu hari kerja.",
        ("Lama proses izin", "hari", "14", 2019, "1", 2023, False, [("2021-12-31", "3"), ("2023-12-31", "1")]),
    ),
    (
        "contoh-stunting-posyandu-digital",
        "kemenpanrb",
        ["kemiskinan", "digitalisasi"],
        2022,
        "uji_coba",
        "Contoh: Posyandu digital untuk menurunkan stunting",
        "Kader posyandu mencatat tumbuh kembang balita di aplikasi; puskesmas menindaklanjuti dalam seminggu.",
        ("Prevalensi stunting", "%", "24", 2021, "14", 2024, False, [("2023-12-31", "19.5")]),
    ),
    (
        "contoh-mal-pelayanan-publik",
        "35",
        ["pelayanan-publik"],
        2019,
        "penerapan",
        "Contoh: Mal pelayanan publik provinsi",
        "Layanan dari 30 instansi di satu gedung dengan antrean daring.",
        (
            "Indeks kepuasan masyarakat",
            "skor",
            "76",
            2019,
            "85",
            2023,
            True,
            [("2021-12-31", "81"), ("2023-12-31", "86")],
        ),
    ),
    (
        "contoh-e-budgeting-terbuka",
        "35.78",
        ["akuntabilitas"],
        2018,
        "penerapan",
        "Contoh: Anggaran daerah terbuka dengan e-budgeting",
        "Seluruh usulan dan realisasi anggaran dapat dilihat warga secara daring.",
        ("Temuan audit", "temuan", "42", 2018, "10", 2023, False, [("2020-12-31", "25"), ("2023-12-31", "12")]),
    ),
    (
        "contoh-asn-merit-system",
        "32",
        ["sdm-aparatur"],
        2021,
        "penerapan",
        "Contoh: Seleksi jabatan berbasis sistem merit",
        "Seleksi terbuka dengan asesmen kompetensi untuk semua jabatan pimpinan tinggi.",
        ("Jabatan diisi lewat seleksi terbuka", "%", "40", 2020, "100", 2024, True, [("2024-01-31", "92")]),
    ),
    (
        "contoh-whistleblowing-system",
        "kemenpanrb",
        ["pengawasan"],
        2023,
        "uji_coba",
        "Contoh: Saluran pengaduan pelanggaran yang melindungi pelapor",
        "Pengaduan anonim ditindaklanjuti inspektorat dengan batas waktu yang dipantau publik.",
        ("Pengaduan ditindaklanjuti tepat waktu", "%", "35", 2022, "90", 2025, True, [("2024-12-31", "71")]),
    ),
    (
        "contoh-pangkas-regulasi-bangunan",
        "33.74",
        ["deregulasi"],
        2022,
        "inisiatif",
        "Contoh: Pangkas regulasi tumpang tindih perizinan bangunan",
        "Peraturan wali kota yang tumpang tindih dicabut dan diganti satu alur persetujuan bangunan gedung.",
        ("Peraturan dicabut", "peraturan", "0", 2022, "25", 2024, True, [("2023-12-31", "18")]),
    ),
]


def load_demo_published_practices() -> int:
    """~8 published sample practices across themes and provinces, via the ORM and `practice_publish`.

    Idempotent by slug: an existing sample is left alone. Unknown theme or agency codes are skipped, so the
    demo still loads if the reference data changes.
    """

    themes = {t.code: t for t in Theme.objects.all()}
    created = 0
    for slug, agency_code, theme_codes, year, stage, title, summary, indicator in DEMO_PRACTICES:
        agency = Agency.objects.filter(code=agency_code).first()
        codes = [c for c in theme_codes if c in themes]
        if Practice.objects.filter(slug=slug).exists() or agency is None or not codes:
            continue
        practice = Practice.objects.create(agency=agency, slug=slug)
        revision = PracticeRevision.objects.create(
            practice=practice,
            number=1,
            title=title,
            summary=summary,
            start_year=year,
            stage=stage,
            primary_theme=themes[codes[0]],
            problem=f"{summary} Sebelumnya layanan lambat dan datanya tersebar.",
            approach="Tim lintas bidang menyusun alur baru, menguji di beberapa lokasi, lalu memperluasnya.",
            impact="Capaian indikator dipantau tiap semester dan dipublikasikan.",
            challenges="Kesiapan sumber daya manusia dan data di awal pelaksanaan.",
            contact_name="Contoh: Narahubung",
            contact_email="narahubung@contoh.go.id",
        )
        revision.other_themes.set([themes[c] for c in codes[1:]])
        name, unit, base, base_year, target, target_year, higher, values = indicator
        ind = Indicator.objects.create(
            revision=revision,
            name=name,
            unit=unit,
            baseline_value=Decimal(base),
            baseline_year=base_year,
            target_value=Decimal(target),
            target_year=target_year,
            higher_is_better=higher,
            source="Contoh data",
        )
        for day, value in values:
            IndicatorValue.objects.create(indicator=ind, value=Decimal(value), date=date.fromisoformat(day))
        practice.working_revision = revision
        practice.save(update_fields=["working_revision"])
        practice_publish(practice=practice, revision=revision)
        created += 1
    return created


def load_demo_ledger() -> str:
    """Sample RB index scores, and a sample replication and Q&A on a sample published practice (issue #6).

    Idempotent; the replication and Q&A are skipped when no published practice exists yet.
    """

    rb_index_import(text="35.78,2024,82.5\n35,2024,76\n32.04,2024,48.5\n32.01,2024,71\n33.22,2024,88\n")
    source = Practice.objects.published().filter(agency__code="35.78").order_by("pk").first()
    if source is None:
        return "sample RB index scores ready; no published practice for a sample replication"
    bandung = User.objects.get(email="anggota.bandung@demo.rbx.go.id")
    surabaya = User.objects.get(email="admin@demo.rbx.go.id")
    if not Replication.objects.filter(source=source, agency__code="32.04").exists():
        today = timezone.localdate()
        replication = replication_start(source=source, by=bandung, date=today, note="Contoh: minat replikasi.")
        replication_advance(replication_id=replication.pk, to_stage="study", by=bandung, date=today,
                            note="Contoh: studi tiru ke Surabaya.")  # fmt: skip
    if not Question.objects.filter(practice=source).exists():
        question = question_ask(practice=source, by=bandung, text="Contoh: berapa lama persiapannya?")
        question_answer(question_id=question.pk, by=surabaya, answer="Contoh: sekitar tiga bulan.", is_public=True)
    return "sample RB index scores, replication and Q&A ready"


def load_demo_follows() -> int:
    """Sample follows (idempotent): the Bandung admin follows Kota Surabaya immediately and a theme daily; a
    confirmed public follower gets the weekly digest of the Province of Jawa Timur (`warga@contoh.rbx.go.id`)."""

    bandung = User.objects.get(email="anggota.bandung@demo.rbx.go.id")
    follow_set(user=bandung, kind="agency", target=Agency.objects.get(code="35.78"), frequency="immediate")
    follow_set(user=bandung, kind="theme", target=Theme.objects.get(code="kemiskinan"), frequency="daily")
    Follow.objects.get_or_create(
        user=None,
        email="warga@contoh.rbx.go.id",
        kind=Follow.Kind.PROVINCE,
        province=Region.objects.get(code="35"),
        defaults={
            "frequency": Follow.Frequency.WEEKLY,
            "token": secrets.token_urlsafe(32),
            "confirmed_at": timezone.now(),
        },
    )
    return Follow.objects.filter(Q(user=bandung) | Q(email="warga@contoh.rbx.go.id")).count()
