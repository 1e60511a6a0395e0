"""Shared set-up for the submission tests: people at each rung of the permission ladder and practices."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import User
from agencies.models import Agency, Membership
from practices.models import Indicator, Practice, PracticeRevision, Theme
from practices.services.publishing import practice_publish
from practices.services.submission import practice_create
from tests.factories import MembershipFactory, UserFactory

SURABAYA = "35.78"
SIDOARJO = "35.15"  # same province (Jawa Timur) as Surabaya
BANDUNG = "32.04"


def member(code: str = SURABAYA, role: str = Membership.Role.MEMBER) -> User:
    return MembershipFactory(agency=Agency.objects.get(code=code), role=role).user


def moderator() -> User:
    return UserFactory(ministry_role=User.MinistryRole.MODERATOR)


def new_practice(user: User) -> Practice:
    return practice_create(agency=user.memberships.get().agency, by=user)


COMPLETE_CONTENT = {
    "title": "Layanan adminduk keliling berbasis kelurahan",
    "summary": "Petugas datang ke kelurahan. Warga tidak perlu ke kantor.",
    "start_year": 2021,
    "stage": PracticeRevision.Stage.IMPLEMENTED,
    "problem": "Antrean panjang di kantor dinas.",
    "affected": "Warga lansia dan difabel.",
    "approach": "Mobil layanan terjadwal.",
    "novelty": "Jadwal dari data permintaan.",
    "beneficiaries": "Warga kelurahan.",
    "impact": "Waktu layanan turun.",
    "budget_source": "APBD",
    "sustainability": "Masuk rencana kerja dinas.",
    "success_conditions": "Data kependudukan yang rapi.",
    "replication_steps": "1. Petakan permintaan. 2. Jadwalkan.",
    "challenges": "Sinyal internet di lapangan.",
    "contact_name": "Sari",
    "contact_email": "sari@example.go.id",
}


def complete(practice: Practice, theme_code: str = "pelayanan-publik", **overrides) -> PracticeRevision:
    """Fill every required item of the working revision directly (for tests not about the forms)."""
    revision = practice.working_revision
    for name, value in {**COMPLETE_CONTENT, **overrides}.items():
        setattr(revision, name, value)
    revision.primary_theme = Theme.objects.get(code=theme_code)
    revision.save()
    Indicator.objects.create(
        revision=revision,
        name="Waktu layanan",
        unit="menit",
        baseline_value=Decimal("120"),
        baseline_year=2020,
        target_value=Decimal("30"),
        target_year=2024,
        higher_is_better=False,
    )
    return revision


def published(*, code: str, title: str, summary: str = "", theme_code: str = "pelayanan-publik") -> Practice:
    author = member(code)
    practice = new_practice(author)
    revision = complete(practice, theme_code=theme_code, title=title, summary=summary or title)
    return practice_publish(practice=practice, revision=revision)
