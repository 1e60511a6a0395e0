"""The publish guard: what must hold before a moderator's approval publishes a revision.

Two rules, read by the review page (to show the state before anyone clicks) and enforced in `revision_approve`
(so the review form and the API's decision action get the same refusal):
- nothing required may be missing (`completeness.revision_missing_items`, the list a submission is checked
  against: a revision can reach the ministry incomplete through the API or an older submission rule);
- when the revision's latest pre-screen flagged likely duplicates, the approving moderator answers explicitly
  "not a duplicate" with a reason. The answer is stored on that pre-screen and in the audit log, inside the
  approval's transaction: a refused approval leaves no answer behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record

from ..completeness import MissingItem, revision_missing_items
from ..models import Practice, PracticeRevision, Screening

# The keys of the refusal, as the API returns them in `error.fields` and the review form shows them.
NON_FIELD = "non_field_errors"
NOT_DUPLICATE = "not_duplicate"
NOT_DUPLICATE_REASON = "not_duplicate_reason"


@dataclass(frozen=True)
class PublishGuard:
    """The guard's state for one revision: what blocks an approval and what it asks of the moderator."""

    missing: list[MissingItem] = field(default_factory=list)
    screening: Screening | None = None

    @property
    def duplicates(self) -> list[dict]:
        """The flagged duplicates still waiting for an answer (none once a moderator has answered)."""
        if self.screening is None or self.screening.duplicates_cleared_at is not None:
            return []
        return list(self.screening.duplicates)

    @property
    def needs_duplicate_answer(self) -> bool:
        return bool(self.duplicates)

    @property
    def blocked(self) -> bool:
        """Approval is impossible whatever the moderator answers (required items are missing)."""
        return bool(self.missing)


def publish_guard(*, revision: PracticeRevision, screening: Screening | None) -> PublishGuard:
    """The guard's state for `revision`, given its latest pre-screen (None when it has none yet).

    Reads the revision's indicators (prefetch them for a page)."""
    return PublishGuard(missing=revision_missing_items(revision), screening=screening)


def _missing_message(missing: list[MissingItem]) -> str:
    return _("Praktik belum dapat disetujui karena masih ada yang belum diisi: %(items)s.") % {
        "items": ", ".join(item.label for item in missing)
    }


def publish_guard_enforce(
    *, practice: Practice, revision: PracticeRevision, by: User, not_duplicate: bool, not_duplicate_reason: str
) -> dict:
    """Refuse the approval of `revision` (ValidationError listing every reason, keyed for the form and the API)
    unless the guard is satisfied; record a "not a duplicate" answer on the pre-screen it answers.

    Call inside the approval's transaction, after the practice's row lock was taken (the transition takes it),
    so the refusal rolls the approval back and the answer is stored only with an approval. Returns the guard's
    part of the approval's audit data.
    """
    screening = revision.screenings.select_for_update().first()
    guard = publish_guard(revision=revision, screening=screening)
    errors: dict[str, list[str]] = {}
    reason = (not_duplicate_reason or "").strip()
    if guard.missing:
        errors[NON_FIELD] = [_missing_message(guard.missing)]
    if guard.needs_duplicate_answer:
        if not not_duplicate:
            titles = ", ".join(f"“{d.get('title') or d.get('practice_id')}”" for d in guard.duplicates)
            errors[NOT_DUPLICATE] = [
                _(
                    "Penyaringan awal menandai kemungkinan duplikat: %(titles)s. Nyatakan bahwa praktik ini "
                    "bukan duplikat, dengan alasannya, sebelum menyetujui."
                )
                % {"titles": titles}
            ]
        if not reason:
            errors[NOT_DUPLICATE_REASON] = [_("Tuliskan alasan mengapa praktik ini bukan duplikat.")]
    if errors:
        raise ValidationError(errors, code="publish_guard")
    data: dict = {"completeness": 1.0}
    if guard.needs_duplicate_answer:
        screening.duplicates_cleared_by = by
        screening.duplicates_cleared_at = timezone.now()
        screening.duplicates_cleared_reason = reason
        screening.full_clean(exclude=["revision", "assigned_to"])
        screening.save(update_fields=["duplicates_cleared_by", "duplicates_cleared_at", "duplicates_cleared_reason"])
        duplicate_ids = [d.get("practice_id") for d in screening.duplicates]
        audit_record(
            actor=by,
            action="moderation.duplicates_cleared",
            target=practice,
            data={"screening": screening.pk, "duplicates": duplicate_ids, "reason": reason},
        )
        data["duplicates_cleared"] = duplicate_ids
    return data
