"""Demo content for `make run`: clearly marked sample accounts (and, as capabilities land, sample practices).

Idempotent: a second run reuses what exists and adds no duplicates.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.services import user_ensure, user_ministry_role_set
from agencies.models import Agency, Membership
from agencies.services import membership_set

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - sample accounts, printed by `make run`

DEMO_ACCOUNTS = [
    # email, full name, agency code, agency role, ministry role
    ("anggota@demo.rbx.go.id", "Contoh: Sari Anggota (Kota Surabaya)", "35.78", Membership.Role.MEMBER, ""),
    ("admin@demo.rbx.go.id", "Contoh: Budi Admin (Kota Surabaya)", "35.78", Membership.Role.ADMIN, ""),
    ("anggota.bandung@demo.rbx.go.id", "Contoh: Dewi Anggota (Kab. Bandung)", "32.04", Membership.Role.ADMIN, ""),
    ("moderator@demo.rbx.go.id", "Contoh: Rina Moderator (KemenPANRB)", None, None, User.MinistryRole.MODERATOR),
    ("lead@demo.rbx.go.id", "Contoh: Agus Moderator Utama (KemenPANRB)", None, None, User.MinistryRole.LEAD),
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
        self.stdout.write(load_demo_ledger())


def load_demo_ledger() -> str:
    """Sample RB index scores, and a sample replication and Q&A on a sample published practice (issue #6).

    Idempotent; the replication and Q&A are skipped when no published practice exists yet.
    """
    from django.utils import timezone

    from agencies.services_rbindex import rb_index_import
    from practices.models import Practice, Question, Replication
    from practices.services.questions import question_answer, question_ask
    from practices.services.replication import replication_advance, replication_start

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
