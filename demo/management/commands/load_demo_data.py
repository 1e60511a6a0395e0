"""Demo content for `make run`: clearly marked sample accounts (and, as capabilities land, sample practices).

Idempotent: a second run reuses what exists and adds no duplicates.
"""

import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.services.users import user_ensure, user_ministry_role_set
from agencies.models import Agency, Membership, Region
from agencies.services.memberships import membership_set
from agencies.services.rbindex import rb_index_import
from common.cache import public_cache_invalidate
from demo.competitions import demo_calls_build, load_demo_calls
from demo.competitions_results import load_demo_competition_results
from demo.covers import demo_cover_images
from demo.people import load_demo_notification_settings, load_demo_people
from demo.showcases import load_demo_showcases
from demo.translations import demo_translations
from ledger.models import Question, Replication
from ledger.services.questions import question_answer, question_ask
from ledger.services.replication import replication_advance, replication_mark_from_practice, replication_start
from notifications.models import Follow
from notifications.services.follows import follow_set
from practices.models import Indicator, IndicatorValue, Practice, PracticeRevision, Theme, Verification
from practices.services.agency_review import revision_agency_approve
from practices.services.attachments import attachment_add, attachment_delete
from practices.services.decisions import (
    practice_archive,
    revision_approve,
    revision_reject,
    revision_request_changes,
)
from practices.services.publishing import practice_featured_set, practice_publish
from practices.services.submission import (
    practice_create,
    practice_submit,
    revision_section_save,
    revision_start_from_live,
)
from practices.services.verification import verification_record
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


# The rest of a review sample's required content (practices.completeness.REQUIRED_FIELDS), marked as sample.
DEMO_REVIEW_SAMPLE_CONTENT = {
    "affected": "Contoh: warga dan pelaku usaha yang mengurus izin.",
    "novelty": "Contoh: antrean daring dan loket bersama lintas instansi.",
    "beneficiaries": "Contoh: sekitar 1.500 pengunjung per hari.",
    "impact": "Contoh: waktu layanan rata-rata turun dari 120 menjadi 45 menit.",
    "budget_source": "APBD",
    "sustainability": "Contoh: diatur Peraturan Wali Kota dan masuk rencana kerja.",
    "success_conditions": "Contoh: komitmen pimpinan dan instansi vertikal yang mau bergabung.",
    "replication_steps": "Contoh: petakan layanan, siapkan gedung, tandatangani kerja sama.",
    "challenges": "Contoh: menyelaraskan jam layanan banyak instansi.",
    "contact_name": "Contoh: Budi",
    "contact_email": "budi@demo.rbx.go.id",
}


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
        self.stdout.write(load_demo_people(password=DEMO_PASSWORD))
        self.stdout.write(load_demo_notification_settings())
        self._demo_drafts()
        self._review_samples()
        self._demo_revisions()
        self.stdout.write(f"demo published practices ready ({load_demo_published_practices()})")
        self.stdout.write(f"demo cover images ready ({demo_cover_images()} new)")
        translated = demo_translations()  # after the covers' revisions
        self.stdout.write(f"demo English versions ready ({', '.join(translated) or 'none new'})")
        self.stdout.write(f"demo featured practices ready ({_demo_featured()})")
        self.stdout.write(load_demo_ledger())
        self.stdout.write(load_demo_showcases(password=DEMO_PASSWORD))
        self.stdout.write(load_demo_calls(password=DEMO_PASSWORD)[0])  # issue #18: calls scored up to finalists
        self.stdout.write(load_demo_competition_results(demo_calls_build()))  # #18: finalists, objections, results
        self.stdout.write(_demo_evidence_and_freshness())
        self.stdout.write(f"demo follows ready ({load_demo_follows()})")
        self.stdout.write(_demo_task_list())
        self.stdout.write(_demo_review_outcomes())

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
                # Everything a submission needs: the publish guard refuses to approve an incomplete revision.
                **DEMO_REVIEW_SAMPLE_CONTENT,
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
                # "Agency verified" needs the agency admin's verification record (issue #14).
                verification_record(
                    practice=practice, by=admin, method="document_check", verified_on=timezone.localdate(),
                    notes="Contoh: SK pembentukan MPP dan laporan layanan 2023 diperiksa.",
                )  # fmt: skip
                revision_approve(practice=practice, by=lead, evidence_level=Practice.EvidenceLevel.AGENCY_VERIFIED)
        self.stdout.write("demo review samples ready")

    def _demo_revisions(self):
        """A practice with two published revisions (issue #14), through the services: the files of revision 1
        are carried into revision 2, which removes one (still downloadable from the version history)."""
        if Practice.objects.filter(slug=DEMO_REVISIONS_SLUG).exists():
            return
        member = User.objects.get(email="anggota@demo.rbx.go.id")
        admin = User.objects.get(email="admin@demo.rbx.go.id")
        lead = User.objects.get(email="lead@demo.rbx.go.id")
        practice = practice_create(agency=Agency.objects.get(code="35.78"), by=member)
        Practice.objects.filter(pk=practice.pk).update(slug=DEMO_REVISIONS_SLUG)  # a readable sample address

        def save(section: str, **kwargs):
            version = Practice.objects.get(pk=practice.pk).working_revision.version
            return revision_section_save(practice_id=practice.pk, section=section, version=version, by=member, **kwargs)

        def upload(name: str, title: str, purpose: str):
            content = _demo_pdf(f"Contoh: {title}")
            return attachment_add(
                practice_id=practice.pk,
                uploaded=SimpleUploadedFile(name, content, content_type="application/pdf"),
                by=member,
                purpose=purpose,
                title=f"Contoh: {title}",
            )

        def publish():
            practice_submit(practice_id=practice.pk, by=member)
            revision_agency_approve(practice=Practice.objects.get(pk=practice.pk), by=admin, comment="Contoh")
            revision_approve(practice=Practice.objects.get(pk=practice.pk), by=lead)

        # Revision 1.
        theme = Theme.objects.filter(code="pelayanan-publik").first() or Theme.objects.first()
        for section, data in DEMO_REVISION_CONTENT.items():
            save(section, data={**data, "primary_theme": theme} if section == "identity" else data)
        revision = save("impact", data={}, indicators=[DEMO_REVISION_INDICATOR])
        save("impact", data={}, values=[{"indicator": revision.indicators.get(), **DEMO_REVISION_VALUES[0]}])
        upload("sop_sekolah_ramah_anak.pdf", "SOP sekolah ramah anak", "kit")
        old_budget = upload("rincian_anggaran_2023.pdf", "Rincian anggaran 2023", "evidence")
        publish()

        # Revision 2: a new title and achieved value, the 2023 budget replaced by the 2024 one.
        revision_start_from_live(practice_id=practice.pk, by=member)
        save("identity", data={"title": "Contoh: Sekolah ramah anak di seluruh kecamatan"})
        revision = save("resources", data={"cost": Decimal("450000000"), "budget_source": "APBD dan CSR"})
        save("impact", data={}, values=[{"indicator": revision.indicators.get(), **DEMO_REVISION_VALUES[1]}])
        attachment_delete(attachment_id=old_budget.pk, practice_id=practice.pk)
        upload("rincian_anggaran_2024.pdf", "Rincian anggaran 2024", "evidence")
        publish()
        self.stdout.write("demo practice with two published revisions ready")


# A practice with two published revisions and carried files (issue #14) -------------------------------------

DEMO_REVISIONS_SLUG = "contoh-sekolah-ramah-anak"


def _demo_pdf(text: str) -> bytes:
    """A one-page PDF showing `text` (sample evidence; ASCII only)."""
    stream = f"BT /F1 18 Tf 72 760 Td ({text}) Tj ET".encode("ascii", "replace")
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>>>>>endobj\n"
        + f"4 0 obj<</Length {len(stream)}>>stream\n".encode()
        + stream
        + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


DEMO_REVISION_CONTENT = {
    "identity": {
        "title": "Contoh: Sekolah ramah anak",
        "summary": "Contoh data: sekolah dasar menyediakan ruang aman, kantin sehat, dan kanal aduan bagi siswa.",
        "start_year": 2022,
        "stage": PracticeRevision.Stage.IMPLEMENTED,
    },
    "problem": {
        "problem": "Contoh: aduan perundungan tidak tercatat dan jarang ditindaklanjuti.",
        "affected": "Contoh: siswa sekolah dasar dan orang tuanya.",
    },
    "approach": {
        "approach": "Contoh: setiap sekolah menunjuk guru pendamping dan membuka kanal aduan.",
        "novelty": "Contoh: aduan dipantau dinas pendidikan sampai tuntas.",
        "beneficiaries": "Contoh: 120 sekolah dasar.",
    },
    "impact": {"impact": "Contoh: aduan yang tuntas naik tiap semester."},
    "resources": {"cost": Decimal("300000000"), "budget_source": "APBD", "sustainability": "Contoh: Perwali."},
    "kit": {
        "success_conditions": "Contoh: komitmen kepala sekolah.",
        "replication_steps": "1. Contoh: tunjuk guru pendamping.\n2. Buka kanal aduan.",
    },
    "lessons": {"challenges": "Contoh: beban kerja guru pendamping."},
    "contact": {"contact_name": "Contoh: Narahubung Dinas Pendidikan", "contact_email": "narahubung@contoh.go.id"},
}
DEMO_REVISION_INDICATOR = {
    "name": "Aduan siswa yang tuntas",
    "unit": "persen",
    "baseline_value": Decimal("20"),
    "baseline_year": 2022,
    "target_value": Decimal("80"),
    "target_year": 2025,
    "higher_is_better": True,
    "source": "Contoh data",
}
DEMO_REVISION_VALUES = [
    {"value": Decimal("45"), "date": date(2023, 12, 31), "source": "Contoh data"},
    {"value": Decimal("62"), "date": date(2024, 12, 31), "source": "Contoh data"},
]


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


DEMO_CHANGES_TITLE = "Contoh: Posyandu Digital Kelurahan"


def _demo_task_list() -> str:
    """A practice of the demo member that a moderator sent back with comments on two sections and that waits for
    the member's corrections, so "Praktik saya" shows a task list with "Perlu perbaikan" (issue #14). Made
    through the services (sections saved, submitted, approved by the agency admin, changes requested);
    idempotent; sample content."""
    if PracticeRevision.objects.filter(practice__working_revision__title=DEMO_CHANGES_TITLE).exists():
        return "demo task list sample ready"
    member = User.objects.get(email="anggota@demo.rbx.go.id")
    admin = User.objects.get(email="admin@demo.rbx.go.id")
    moderator = User.objects.get(email="moderator@demo.rbx.go.id")
    practice = practice_create(agency=Agency.objects.get(code="35.78"), by=member)
    sections = {
        "identity": {
            "title": DEMO_CHANGES_TITLE,
            "summary": "Contoh: data tumbuh kembang balita dicatat kader di ponsel dan terbaca puskesmas hari itu.",
            "start_year": 2022,
            "stage": PracticeRevision.Stage.PILOT,
            "is_digital": True,
            "primary_theme": Theme.objects.get(code="pelayanan-publik"),
        },
        "problem": {"problem": "Contoh: laporan posyandu di kertas terlambat sebulan.", "affected": "Contoh: balita."},
        "approach": {
            "approach": "Contoh: aplikasi pencatatan untuk kader.",
            "novelty": "Contoh: peringatan dini gizi buruk.",
            "beneficiaries": "Contoh: 4.000 balita.",
        },
        "impact": {"impact": "Contoh: keterlambatan laporan turun."},
        "resources": {"cost": Decimal(85000000), "budget_source": "APBD", "sustainability": "Contoh: Perwal."},
        "kit": {"success_conditions": "Contoh: kader terlatih.", "replication_steps": "Contoh: latih kader."},
        "lessons": {"challenges": "Contoh: sinyal lemah di beberapa RW."},
        "contact": {"contact_name": "Contoh: Sari", "contact_email": "sari@demo.rbx.go.id"},
    }
    indicator = {"name": "Keterlambatan laporan", "unit": "hari", "baseline_value": Decimal(30)}
    indicator |= {"baseline_year": 2021, "target_value": Decimal(1), "target_year": 2024, "higher_is_better": False}
    for version, (section, data) in enumerate(sections.items(), start=1):
        revision_section_save(
            practice_id=practice.pk,
            section=section,
            version=version,
            data=data,
            by=member,
            indicators=[indicator] if section == "impact" else None,
        )
    _demo_through_the_agency(practice, member=member, admin=admin, comment="Contoh: layak diteruskan.")
    revision_request_changes(
        practice=practice,
        by=moderator,
        comment="Contoh: praktik menjanjikan; lengkapi dua hal ini lalu ajukan ulang.",
        section_comments={
            "impact": "Contoh: tambahkan nilai capaian 2023 dan 2024 beserta sumber datanya.",
            "resources": "Contoh: rinci biaya per tahun dan siapa yang menanggung setelah uji coba.",
        },
    )
    return "demo task list sample ready (changes requested)"


DEMO_RESUBMITTED_TITLE = "Contoh: Bank Sampah Digital Kecamatan"
DEMO_REJECTED_TITLE = "Contoh: Lomba Kebersihan Kantor Tahunan"


def _demo_through_the_agency(practice: Practice, *, member: User, admin: User, comment: str) -> None:
    """A member submits the practice and the agency admin sends it on: it waits for the ministry."""
    practice_submit(practice_id=practice.pk, by=member)
    revision_agency_approve(practice=practice, by=admin, comment=comment)


def _demo_complete_practice(*, title: str, summary: str, by: User, theme_code: str) -> Practice:
    """A practice of the demo agency with every required item, written section by section (sample content)."""
    practice = practice_create(agency=Agency.objects.get(code="35.78"), by=by)
    sections = {
        "identity": {
            "title": title,
            "summary": summary,
            "start_year": 2023,
            "stage": PracticeRevision.Stage.PILOT,
            "primary_theme": Theme.objects.get(code=theme_code),
        },
        "problem": {"problem": "Contoh: masalah sebelum praktik.", "affected": "Contoh: warga kecamatan."},
        "approach": {
            "approach": "Contoh: apa yang dilakukan.",
            "novelty": "Contoh: apa yang baru.",
            "beneficiaries": "Contoh: 2.000 rumah tangga.",
        },
        "impact": {"impact": "Contoh: hasil yang terukur."},
        "resources": {"cost": Decimal(40000000), "budget_source": "APBD", "sustainability": "Contoh: SK camat."},
        "kit": {"success_conditions": "Contoh: relawan aktif.", "replication_steps": "Contoh: bentuk tim."},
        "lessons": {"challenges": "Contoh: partisipasi awal rendah."},
        "contact": {"contact_name": "Contoh: Sari", "contact_email": "sari@demo.rbx.go.id"},
    }
    indicator = {"name": "Sampah terpilah", "unit": "ton/bulan", "baseline_value": Decimal(2), "baseline_year": 2022}
    indicator |= {"target_value": Decimal(10), "target_year": 2025, "source": "Contoh: data kecamatan"}
    for version, (section, data) in enumerate(sections.items(), start=1):
        revision_section_save(
            practice_id=practice.pk,
            section=section,
            version=version,
            data=data,
            by=by,
            indicators=[indicator] if section == "impact" else None,
        )
    return practice


def _demo_review_outcomes() -> str:
    """The two other ends of a review (issue #14), through the services, marked as sample content:
    - a practice a moderator sent back with per-section comments, which the agency corrected and resubmitted
      (the review page shows "changes since the last round" against what the moderator saw);
    - a practice the ministry rejected, with its reason.
    Idempotent (by title)."""
    existing = set(
        PracticeRevision.objects.filter(title__in=[DEMO_RESUBMITTED_TITLE, DEMO_REJECTED_TITLE]).values_list(
            "title", flat=True
        )
    )
    member = User.objects.get(email="anggota@demo.rbx.go.id")
    admin = User.objects.get(email="admin@demo.rbx.go.id")
    moderator = User.objects.get(email="moderator@demo.rbx.go.id")
    if DEMO_RESUBMITTED_TITLE not in existing:
        practice = _demo_complete_practice(
            title=DEMO_RESUBMITTED_TITLE,
            summary="Contoh: warga menabung sampah terpilah dan saldonya tercatat di aplikasi.",
            by=member,
            theme_code="pelayanan-publik",
        )
        _demo_through_the_agency(practice, member=member, admin=admin, comment="Contoh: layak diteruskan.")
        revision_request_changes(
            practice=practice,
            by=moderator,
            comment="Contoh: lengkapi dua bagian ini lalu ajukan ulang.",
            section_comments={
                "impact": "Contoh: tambahkan nilai capaian terbaru beserta sumbernya.",
                "lessons": "Contoh: ceritakan juga apa yang gagal.",
            },
        )
        revision = PracticeRevision.objects.get(pk=Practice.objects.get(pk=practice.pk).working_revision_id)
        indicator = revision.indicators.get()
        revision = revision_section_save(
            practice_id=practice.pk,
            section="impact",
            version=revision.version,
            data={"impact": "Contoh: sampah terpilah naik menjadi 6 ton per bulan dalam setahun."},
            by=member,
            values=[
                {"indicator": indicator, "value": Decimal(6), "date": date(2024, 6, 30), "source": "Contoh: kecamatan"}
            ],
        )
        revision_section_save(
            practice_id=practice.pk,
            section="lessons",
            version=revision.version,
            data={"failures": "Contoh: aplikasi pertama terlalu rumit bagi kader; diganti formulir sederhana."},
            by=member,
        )
        # A member's resubmission goes to the agency admin again.
        _demo_through_the_agency(practice, member=member, admin=admin, comment="Contoh: perbaikan sudah lengkap.")
    if DEMO_REJECTED_TITLE not in existing:
        practice = _demo_complete_practice(
            title=DEMO_REJECTED_TITLE,
            summary="Contoh: lomba kebersihan antarruang kantor setiap tahun.",
            by=member,
            theme_code="pelayanan-publik",
        )
        _demo_through_the_agency(practice, member=member, admin=admin, comment="Contoh")
        revision_reject(
            practice=practice,
            by=moderator,
            reason="Contoh: kegiatan rutin internal, belum menunjukkan perubahan layanan bagi warga.",
        )
    return "demo review outcomes ready (resubmitted after changes, rejected)"


def _demo_evidence_and_freshness() -> str:
    """Sample verifications behind every evidence level, a stopped practice with its reason and lessons, a
    replication that reached "launched" through the ledger (stage by stage, and one marked at submission), and a
    practice not confirmed for more than six months (issue #14). Idempotent; all marked as sample content."""
    moderator = User.objects.get(email="moderator@demo.rbx.go.id")
    surabaya = User.objects.get(email="admin@demo.rbx.go.id")
    bandung = User.objects.get(email="anggota.bandung@demo.rbx.go.id")
    today = timezone.localdate()
    published = Practice.objects.published()

    # Every level with its record: the MPP sample is agency verified (_review_samples); two more here.
    mpp = published.filter(slug="contoh-mal-pelayanan-publik", agency__code="35.78").first()
    if mpp and not Verification.objects.filter(practice=mpp, level="agency_verified").exists():
        verification_record(practice=mpp, by=surabaya, method="document_check", verified_on=today,
                            notes="Contoh: SK pembentukan MPP diperiksa.")  # fmt: skip
    checks = [
        ("contoh-e-budgeting-terbuka", "data_check", "Contoh: Portal APBD Kota Surabaya",
         "Contoh: nilai anggaran di portal dicocokkan dengan Perda APBD 2024."),
        ("contoh-perizinan-usaha-sehari", "field_visit", "",
         "Contoh: kunjungan ke tiga kecamatan; izin terbit di hari yang sama untuk 9 dari 10 pemohon."),
    ]  # fmt: skip
    for slug, method, source_name, notes in checks:
        practice = published.filter(slug=slug).first()
        if practice and not practice.verifications.filter(method=method).exists():
            verification_record(practice=practice, by=moderator, method=method, verified_on=today,
                                source_name=source_name, notes=notes)  # fmt: skip

    # A stopped practice stays public with its reason and lessons.
    stopped_slug = "contoh-antrean-sms-dihentikan"
    if not Practice.objects.filter(slug=stopped_slug).exists():
        practice = Practice.objects.create(agency=Agency.objects.get(code="35.78"), slug=stopped_slug)
        revision = PracticeRevision.objects.create(
            practice=practice,
            number=1,
            title="Contoh: Antrean puskesmas lewat SMS",
            summary="Warga mendaftar antrean puskesmas lewat SMS. Dihentikan setelah aplikasi daring tersedia.",
            start_year=2016,
            stage=PracticeRevision.Stage.IMPLEMENTED,
            primary_theme=Theme.objects.get(code="pelayanan-publik"),
            problem="Contoh: antrean pagi di puskesmas panjang.",
            approach="Contoh: nomor antrean dikirim lewat SMS gateway.",
            challenges="Contoh: biaya SMS naik dan banyak nomor warga berganti.",
            failures="Contoh: warga tanpa pulsa tidak terlayani; antrean manual tetap ramai.",
            do_differently="Contoh: mulai dari kanal yang gratis bagi warga dan ukur pemakaian sejak bulan pertama.",
        )
        practice.working_revision = revision
        practice.save(update_fields=["working_revision"])
        practice_publish(practice=practice, revision=revision)
        practice_archive(practice=practice, by=surabaya, stopped=True,
                         reason="Contoh: digantikan aplikasi antrean daring kota pada 2021.")  # fmt: skip

    # A practice not confirmed for more than six months ("Belum dikonfirmasi sejak ...").
    stale = published.filter(slug="contoh-whistleblowing-system").first()
    if stale and stale.freshness == Practice.Freshness.RUNNING:
        Practice.objects.filter(pk=stale.pk).update(last_confirmed_at=timezone.now() - timedelta(days=200))
        public_cache_invalidate()

    # A replication that reached "launched" through the ledger, stage by stage (load_demo_ledger started it) ...
    replication = Replication.objects.filter(agency__code="32.04", stage="study").order_by("pk").first()
    if replication is not None:
        replication_advance(replication_id=replication.pk, to_stage="legal_basis", by=bandung, date=today,
                            note="Contoh: Perbup tentang layanan terpadu ditetapkan.")  # fmt: skip
        replication_advance(replication_id=replication.pk, to_stage="launched", by=bandung, date=today,
                            note="Contoh: diluncurkan di Soreang.")  # fmt: skip
    # ... and one marked at submission: Bandung's new draft replicates Surabaya's e-budgeting.
    budgeting = published.filter(slug="contoh-e-budgeting-terbuka").first()
    if budgeting and not Replication.objects.filter(source=budgeting, agency__code="32.04").exists():
        draft = practice_create(agency=Agency.objects.get(code="32.04"), by=bandung)
        PracticeRevision.objects.filter(pk=draft.working_revision_id).update(
            title="Contoh: E-budgeting terbuka Kabupaten Bandung",
            summary="Contoh: anggaran kabupaten dibuka ke publik, meniru Kota Surabaya.",
        )
        replication_mark_from_practice(practice_id=draft.pk, source_id=budgeting.pk, by=bandung)
    return "sample verifications, a stopped practice, an unconfirmed one and launched replications ready"


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


def _demo_featured() -> int:
    """Two published samples on the home page's "Praktik unggulan", as ministry staff curate them in the admin."""
    lead = User.objects.get(email="lead@demo.rbx.go.id")
    for slug in ("contoh-perizinan-usaha-sehari", "contoh-data-desa-kemiskinan"):
        practice = Practice.objects.filter(slug=slug, status=Practice.Status.PUBLISHED).first()
        if practice is not None and not practice.featured:
            practice_featured_set(practice_id=practice.pk, featured=True, by=lead)
    return Practice.objects.filter(featured=True).count()
