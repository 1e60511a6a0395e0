"""Practices for the tests, made through the services: `practice_create`, then the draft's content, then the
workflow moves (`revision_transition`, never by setting `state`) or `practice_publish`.

- `practice_draft`: a draft of one agency with complete content and an indicator;
- `practice_in_state`: a draft moved by the real transitions to agency review, submitted or in review;
- `practice_published`: published at once (the public-side tests), with optional themes, indicator values and
  practice-level facts;
- `revision_complete`: fill every required item of a working revision (for tests not about the forms).
"""

from __future__ import annotations

import io
import itertools
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from agencies.models import Agency, Membership
from common.cache import public_cache_invalidate
from practices.models import Indicator, IndicatorValue, Practice, PracticeRevision, Theme
from practices.services.decisions import revision_request_changes
from practices.services.publishing import practice_publish
from practices.services.submission import practice_create, revision_start_from_live
from practices.services.verification import verification_record
from practices.workflow import revision_transition
from tests.accounts.factories import moderator
from tests.agencies.factories import SURABAYA, member

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

REVISION_FIELDS = {f.name for f in PracticeRevision._meta.fields}


def _created(*, agency_code: str, by=None, slug: str | None = None) -> tuple[Practice, PracticeRevision]:
    """A new practice through `practice_create`, with a readable slug when the test names one."""
    practice = practice_create(agency=Agency.objects.get(code=agency_code), by=by)
    if slug:
        Practice.objects.filter(pk=practice.pk).update(slug=slug)
        practice.slug = slug
    return practice, practice.working_revision


def _revision_fill(revision: PracticeRevision, **values) -> PracticeRevision:
    for name, value in values.items():
        setattr(revision, name, value)
    revision.save()
    return revision


def new_practice(user) -> Practice:
    """An empty draft of `user`'s agency, as the "new practice" button makes it."""
    return practice_create(agency=user.memberships.get().agency, by=user)


def revision_complete(practice: Practice, theme_code: str = "pelayanan-publik", **overrides) -> PracticeRevision:
    """Fill every required item of the working revision directly (for tests not about the forms)."""
    revision = _revision_fill(
        practice.working_revision, **{**COMPLETE_CONTENT, **overrides}, primary_theme=Theme.objects.get(code=theme_code)
    )
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


def practice_draft(*, agency_code: str = SURABAYA, title: str | None = None, by=None, **content) -> Practice:
    n = next(_seq)
    practice, revision = _created(agency_code=agency_code, by=by, slug=f"praktik-uji-{n}")
    _revision_fill(
        revision,
        title=title or f"Praktik uji nomor {n}",
        primary_theme=Theme.objects.get(code="kemiskinan"),
        **{**CONTENT, **content},
    )
    Indicator.objects.create(
        revision=revision, name="Waktu proses", unit="hari", baseline_value=Decimal(14), target_value=Decimal(2)
    )
    return practice


def practice_in_state(state: str, *, agency_code: str = SURABAYA, author=None, admin=None, mod=None, **kw) -> Practice:
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


def practice_published(
    *,
    title: str = "Praktik uji",
    summary: str = "Ringkasan praktik uji.",
    agency: str = SURABAYA,
    theme: str = "kemiskinan",
    slug: str | None = None,
    other_themes: tuple[str, ...] = (),
    publish: bool = True,
    indicator: dict | None = None,
    **content,
) -> Practice:
    """A practice published through `practice_publish` (or left a draft with `publish=False`).

    `content` may hold revision fields and the practice-level facts a moderator or the ledger sets
    (`evidence_level`, `replication_count`, `featured`)."""
    practice, revision = _created(agency_code=agency, slug=slug or f"praktik-terbit-{next(_seq)}")
    _revision_fill(
        revision,
        title=title,
        summary=summary,
        primary_theme=Theme.objects.get(code=theme),
        **{k: v for k, v in content.items() if k in REVISION_FIELDS},
    )
    if other_themes:
        revision.other_themes.set(Theme.objects.filter(code__in=other_themes))
    if indicator:
        values = indicator.pop("values", [])
        row = Indicator.objects.create(revision=revision, **indicator)
        for day, value in values:
            IndicatorValue.objects.create(indicator=row, value=Decimal(value), date=date.fromisoformat(day))
    if not publish:
        return Practice.objects.get(pk=practice.pk)
    practice = practice_publish(practice=Practice.objects.get(pk=practice.pk), revision=revision)
    facts = {k: v for k, v in content.items() if k in {"evidence_level", "replication_count", "featured"}}
    if facts:
        Practice.objects.filter(pk=practice.pk).update(**facts)
        practice.refresh_from_db()
        public_cache_invalidate()
    return practice


def published(*, code: str, title: str, summary: str = "", theme_code: str = "pelayanan-publik") -> Practice:
    """A complete practice of agency `code`, published."""
    practice = new_practice(member(code))
    revision = revision_complete(practice, theme_code=theme_code, title=title, summary=summary or title)
    return practice_publish(practice=practice, revision=revision)


def published_practice(*, agency_code: str, slug: str, theme: str = "kemiskinan", title: str | None = None) -> Practice:
    """A published practice under a known slug (the ledger, FAQ and map tests address practices by slug)."""
    return practice_published(
        agency=agency_code, slug=slug, theme=theme, title=title or f"Praktik {slug}", summary="Ringkas."
    )


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name: str = "bukti.pdf", marker: str = ""):
    """An upload that passes the attachment checks (a distinct `marker` gives distinct bytes)."""
    return SimpleUploadedFile(name, PDF_BYTES + marker.encode(), content_type="application/pdf")


def revision_next(practice: Practice, *, by, **fields) -> PracticeRevision:
    """A new working revision started from the live one (`revision_start_from_live`), its fields set directly."""
    revision = revision_start_from_live(practice_id=practice.pk, by=by)
    return _revision_fill(revision, **fields) if fields else revision


def revision_publish(practice: Practice, revision: PracticeRevision) -> Practice:
    """Publish `revision` through `practice_publish` (the previous live revision becomes superseded)."""
    return practice_publish(practice=Practice.objects.get(pk=practice.pk), revision=revision)


def practice_changes_requested(*, author=None, section_comments: dict[str, str], comment: str = "", **kw) -> Practice:
    """A practice sent back to its agency by a moderator (`revision_request_changes`) with these comments."""
    practice = practice_in_state(S.IN_REVIEW, author=author, **kw)
    revision_request_changes(practice=practice, by=moderator(), section_comments=section_comments, comment=comment)
    return _fresh(practice)


def verified(practice: Practice, level: str, *, by=None) -> Practice:
    """The verification record `level` needs, through `verification_record` (issue #14): an agency admin's
    document check for "agency verified", a moderator's data check or field visit for the ministry levels."""
    if level == "agency_verified":
        by = by or member(practice.agency.code, role=Membership.Role.ADMIN)
        method = "document_check"
    else:
        by = by or moderator()
        method = "field_visit" if level == "field_verified" else "data_check"
    verification_record(
        practice=practice, by=by, method=method, verified_on=timezone.localdate(), source_name="BPS", notes="Diperiksa."
    )
    return Practice.objects.get(pk=practice.pk)


def png_upload(name: str = "foto.png", *, size: tuple[int, int] = (24, 16)):
    """A small real PNG (the attachment check decodes and re-encodes images)."""
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")
