"""Verification records behind evidence levels, and setting a practice's level only when its record exists.

Each level above "self reported" names who checked and how (`EVIDENCE_LEVEL_REQUIREMENTS`); the level a new
record supports follows from the verifier's role and the method (`verification_level_for`). A recorded
verification of a higher level than the practice shows raises the practice to it (the record is the evidence,
so the label follows it); it never lowers one. Setting a level, from the review page or through an approval,
is refused while the practice has no record of that level.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record

from ..access import moderator_require, verifier_role_for
from ..cache_tags import practice_public_cache_invalidate
from ..models import Attachment, Practice, PracticeRevision, Verification

L = Practice.EvidenceLevel
M = Verification.Method
R = Verification.VerifierRole
LEVEL_ORDER = [L.SELF_REPORTED, L.AGENCY_VERIFIED, L.MINISTRY_VALIDATED, L.FIELD_VERIFIED]


@dataclass(frozen=True)
class Requirement:
    """What a level needs: a record by this role with one of these methods, described for people."""

    role: str
    methods: tuple[str, ...]
    needs: str


EVIDENCE_LEVEL_REQUIREMENTS: dict[str, Requirement | None] = {
    L.SELF_REPORTED: None,
    L.AGENCY_VERIFIED: Requirement(
        R.AGENCY,
        (M.DOCUMENT_CHECK, M.DATA_CHECK, M.FIELD_VISIT),
        gettext_lazy("catatan verifikasi oleh admin instansi pemilik (pemeriksaan dokumen atau data)"),
    ),
    L.MINISTRY_VALIDATED: Requirement(
        R.MINISTRY,
        (M.DOCUMENT_CHECK, M.DATA_CHECK),
        gettext_lazy("catatan pemeriksaan dokumen atau data oleh moderator kementerian"),
    ),
    L.FIELD_VERIFIED: Requirement(
        R.MINISTRY, (M.FIELD_VISIT,), gettext_lazy("catatan kunjungan lapangan oleh moderator kementerian")
    ),
}


def verification_level_for(*, role: str, method: str) -> str:
    """The level a record supports: an agency admin's check → agency verified; a moderator's document or data
    check → ministry validated; a moderator's field visit → field verified."""
    if role == R.AGENCY:
        return L.AGENCY_VERIFIED
    return L.FIELD_VERIFIED if method == M.FIELD_VISIT else L.MINISTRY_VALIDATED


def evidence_level_missing(*, practice: Practice, level: str) -> str | None:
    """What `level` still lacks on `practice` (a sentence for people), or None when it may be shown.

    Any record of that level on the practice counts, whichever revision it verified: verifications stay with
    the practice across revisions (each shows the revision and date it is about)."""
    if level not in L.values:
        return _("Tingkat bukti tidak dikenal.")
    requirement = EVIDENCE_LEVEL_REQUIREMENTS[level]
    if requirement is None:
        return None
    if Verification.objects.filter(practice=practice, level=level, method__in=requirement.methods).exists():
        return None
    return _("Tingkat bukti “%(level)s” memerlukan %(needs)s. Catat verifikasinya dulu di panel verifikasi.") % {
        "level": L(level).label,
        "needs": requirement.needs,
    }


def evidence_level_require(*, practice: Practice, level: str) -> None:
    """ValidationError (on `evidence_level`) naming the missing record; the approval path calls this too."""
    missing = evidence_level_missing(practice=practice, level=level)
    if missing:
        raise ValidationError({"evidence_level": [ValidationError(missing, code="evidence_level_unverified")]})


@transaction.atomic
def verification_record(
    *,
    practice: Practice,
    by,
    method: str,
    verified_on: datetime.date,
    notes: str = "",
    source_name: str = "",
    file_ids: list[int] | tuple[int, ...] = (),
    revision: PracticeRevision | None = None,
) -> Verification:
    """Record what the user checked on `practice`: moderators (ministry levels) and the owning agency's admins
    (agency level) only. The revision verified defaults to the working revision (what is in review), else the
    live one. Files must be the practice's own attachments.

    The practice row is locked, so the level it is raised to cannot race with another decision on it."""
    locked = Practice.objects.select_for_update(of=("self",)).get(pk=practice.pk)
    role = verifier_role_for(user=by, practice=locked)
    if role is None:
        raise PermissionDenied(
            _("Hanya moderator kementerian atau admin instansi pemilik yang dapat mencatat verifikasi.")
        )
    if verified_on > timezone.localdate():
        raise ValidationError({"verified_on": [_("Tanggal verifikasi tidak boleh di masa depan.")]})
    if revision is None:
        revision_id = locked.working_revision_id or locked.live_revision_id
    elif revision.practice_id != locked.pk:
        raise ValidationError({"revision": [_("Revisi ini bukan milik praktik ini.")]})
    else:
        revision_id = revision.pk
    files = list(Attachment.objects.filter(practice=locked, pk__in=list(file_ids)))
    if len(files) != len(set(file_ids)):
        raise ValidationError({"files": [_("Berkas bukti harus lampiran praktik ini.")]})
    level = verification_level_for(role=role, method=method)
    verification = Verification(
        practice=locked,
        revision_id=revision_id,
        level=level,
        method=method,
        source_name=source_name.strip(),
        verified_on=verified_on,
        verifier=by,
        verifier_role=role,
        verifier_agency_id=locked.agency_id if role == R.AGENCY else None,
        notes=notes.strip(),
    )
    verification.full_clean()
    verification.save()
    verification.files.set(files)
    audit_record(
        actor=by,
        action="practice.verification_recorded",
        target=locked,
        data={"verification": verification.pk, "level": level, "method": method, "revision": revision_id},
    )
    if LEVEL_ORDER.index(level) > LEVEL_ORDER.index(locked.evidence_level):
        _level_change(practice=locked, level=level, by=by, reason="verification")
    elif locked.status == Practice.Status.PUBLISHED:
        practice_public_cache_invalidate(practice=locked)  # the badge's explanation lists the records
    return verification


@transaction.atomic
def practice_evidence_level_set(*, practice: Practice, level: str, by) -> Practice:
    """A moderator sets the level a practice shows; refused (naming what is missing) without its record."""
    moderator_require(user=by)
    locked = Practice.objects.select_for_update(of=("self",)).get(pk=practice.pk)
    evidence_level_require(practice=locked, level=level)
    if locked.evidence_level != level:
        _level_change(practice=locked, level=level, by=by, reason="set")
    return locked


def _level_change(*, practice: Practice, level: str, by, reason: str) -> None:
    previous = practice.evidence_level
    practice.evidence_level = level
    practice.save(update_fields=["evidence_level", "updated_at"])
    audit_record(
        actor=by,
        action="practice.evidence_level_changed",
        target=practice,
        data={"from": previous, "to": level, "by": reason},
    )
    if practice.status == Practice.Status.PUBLISHED:
        practice_public_cache_invalidate(practice=practice)  # the badge on the page and the cards
