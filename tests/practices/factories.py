"""Practices in a given workflow state, moved there through `revision_transition` (never by setting `state`)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from agencies.models import Agency, Membership
from practices.models import Indicator, Practice, PracticeRevision, Theme
from practices.workflow import revision_transition
from tests.factories import MembershipFactory, UserFactory

S = PracticeRevision.State
_seq = itertools.count(1)

CONTENT = {
    "summary": "Layanan perizinan satu pintu yang memangkas waktu proses dari 14 hari menjadi 2 hari.",
    "start_year": 2021,
    "stage": PracticeRevision.Stage.IMPLEMENTED,
    "problem": "Perizinan lambat.",
    "affected": "Pelaku usaha.",
    "approach": "Satu loket daring.",
    "novelty": "Tanda tangan elektronik.",
    "beneficiaries": "UMKM.",
    "impact": "Waktu proses turun.",
    "budget_source": "APBD",
    "sustainability": "Perda.",
    "success_conditions": "Komitmen pimpinan.",
    "replication_steps": "Petakan layanan.",
    "challenges": "Resistensi.",
    "contact_name": "Sari",
    "contact_email": "sari@example.go.id",
}


def _user(**fields):
    user = UserFactory(**fields)
    user.save()  # the factory sets the password after saving; keep the hash that force_login's session records
    return user


def member(agency_code: str = "35.78", role: str = Membership.Role.MEMBER, **user):
    return MembershipFactory(agency=Agency.objects.get(code=agency_code), role=role, user=_user(**user)).user


def moderator(lead: bool = False, **user):
    return _user(ministry_role="lead" if lead else "moderator", **user)


def practice_draft(*, agency_code: str = "35.78", title: str | None = None, by=None, **content) -> Practice:
    n = next(_seq)
    agency = Agency.objects.get(code=agency_code)
    practice = Practice.objects.create(agency=agency, slug=f"praktik-uji-{n}", created_by=by)
    revision = PracticeRevision.objects.create(
        practice=practice,
        number=1,
        created_by=by,
        title=title or f"Praktik uji nomor {n}",
        primary_theme=Theme.objects.get(code="kemiskinan"),
        **{**CONTENT, **content},
    )
    Indicator.objects.create(
        revision=revision, name="Waktu proses", unit="hari", baseline_value=Decimal(14), target_value=Decimal(2)
    )
    practice.working_revision = revision
    practice.save()
    return practice


def practice_in_state(state: str, *, agency_code: str = "35.78", author=None, admin=None, mod=None, **kw) -> Practice:
    """A practice whose working revision reached `state` through the real workflow moves."""
    author = author or member(agency_code)
    practice = practice_draft(agency_code=agency_code, by=author, **kw)
    if state == S.DRAFT:
        return practice
    revision_transition(practice_id=practice.pk, to_state=S.AGENCY_REVIEW, by=author)
    if state == S.AGENCY_REVIEW:
        return _fresh(practice)
    admin = admin or member(agency_code, role=Membership.Role.ADMIN)
    revision_transition(practice_id=practice.pk, to_state=S.SUBMITTED, by=admin)
    if state == S.SUBMITTED:
        return _fresh(practice)
    revision_transition(practice_id=practice.pk, to_state=S.IN_REVIEW, by=None)
    if state == S.IN_REVIEW:
        return _fresh(practice)
    raise ValueError(state)


def _fresh(practice: Practice) -> Practice:
    return Practice.objects.select_related("agency", "working_revision").get(pk=practice.pk)
