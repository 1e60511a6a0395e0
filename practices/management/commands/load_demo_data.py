"""Demo content for `make run`: clearly marked sample accounts (and, as capabilities land, sample practices).

Idempotent: a second run reuses what exists and adds no duplicates.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.services import user_ensure, user_ministry_role_set
from agencies.models import Agency, Membership
from agencies.services import membership_set
from practices.models import Practice, PracticeRevision, Theme

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
        from practices.models import Practice, PracticeRevision, Theme
        from practices.services.moderation import revision_agency_approve, revision_approve
        from practices.workflow import revision_transition

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
            revision_transition(practice_id=practice.pk, to_state=S.AGENCY_REVIEW, by=member)
            revision_agency_approve(practice=practice, by=admin, comment="Contoh")
            if publish:
                revision_approve(practice=practice, by=lead, evidence_level=Practice.EvidenceLevel.AGENCY_VERIFIED)
        self.stdout.write("demo review samples ready")
