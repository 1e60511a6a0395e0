"""Reads of practices' English versions: what the public page shows in a language, what the editor shows."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from ..models import TRANSLATABLE_FIELDS, Practice, PracticeRevision, PracticeTranslation

SOURCE_LANGUAGE = "id"


def english_verified_at() -> Subquery:
    """An annotation of practices: when their English version of the live revision was verified (None when
    there is no public one). The practice page reads it with the practice, so a page without a translation
    costs no query more."""
    return Subquery(
        PracticeTranslation.objects.filter(
            practice=OuterRef("pk"),
            language="en",
            state=PracticeTranslation.State.VERIFIED,
            revision_id=OuterRef("live_revision_id"),
        ).values("verified_at")[:1]
    )


def translation_public_get(*, practice: Practice, language: str) -> PracticeTranslation | None:
    """The translation the public may read: verified, of the live revision (never a draft, never a stale one)."""
    if language == SOURCE_LANGUAGE or practice.live_revision_id is None:
        return None
    return PracticeTranslation.objects.filter(
        practice=practice,
        language=language,
        state=PracticeTranslation.State.VERIFIED,
        revision_id=practice.live_revision_id,
    ).first()


def translation_languages_public(*, practice_ids: list[int]) -> dict[int, list[PracticeTranslation]]:
    """Verified, current translations of several practices (the API's list), by practice id; one query."""
    found: dict[int, list[PracticeTranslation]] = {}
    rows = PracticeTranslation.objects.filter(
        practice_id__in=practice_ids, state=PracticeTranslation.State.VERIFIED
    ).select_related("practice")
    for row in rows:
        if row.revision_id == row.practice.live_revision_id:
            found.setdefault(row.practice_id, []).append(row)
    return found


@dataclass
class PracticeContent:
    """What a practice page shows in the reader's language.

    `language` is the language of the text shown ("id" or "en"); `translated` says the text is a verified
    translation; `available` lists the other languages the practice can be read in (for the notice)."""

    language: str
    translated: bool
    revision: PracticeRevision
    title: str
    summary: str
    translation: PracticeTranslation | None
    other_language_available: bool

    @property
    def cache_key(self) -> str:
        """What the kept body fragment depends on besides the revision: the text's language and, for a
        translation, when it was verified (a re-verified text is rendered afresh)."""
        return f"{self.language}:{self.translation.verified_at.isoformat() if self.translation else ''}"


def practice_content(*, practice: Practice, language: str) -> PracticeContent:
    """The live revision in `language` when a verified translation exists (empty translated fields stay
    Indonesian), else in Indonesian. The revision returned is an unsaved copy with the English text laid
    over it, so the page's template reads it exactly as it reads the original."""
    revision = practice.live_revision
    annotated = hasattr(practice, "english_verified_at")  # practice_public_get's annotation: no query needed
    if language == SOURCE_LANGUAGE:
        if annotated:
            other = practice.english_verified_at is not None
        else:
            other = PracticeTranslation.objects.filter(
                practice=practice, state=PracticeTranslation.State.VERIFIED, revision_id=practice.live_revision_id
            ).exists()
        return PracticeContent("id", False, revision, practice.title, practice.summary, None, other)
    missing = annotated and language == "en" and practice.english_verified_at is None
    translation = None if missing else translation_public_get(practice=practice, language=language)
    if translation is None:
        return PracticeContent("id", False, revision, practice.title, practice.summary, None, False)
    shown = copy.copy(revision)
    for name in TRANSLATABLE_FIELDS:
        if translation.text(name):
            setattr(shown, name, translation.text(name))
    return PracticeContent(language, True, shown, shown.title, shown.summary, translation, True)


def translation_for_editor(*, practice: Practice, language: str) -> PracticeTranslation | None:
    return (
        PracticeTranslation.objects.select_related("verified_by", "updated_by", "revision")
        .filter(practice=practice, language=language)
        .first()
    )
