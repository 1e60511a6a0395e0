"""Reads of practices' English versions: what the public page shows in a language, what the editor shows."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, JSONField, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import JSONObject
from django.utils.translation import get_language

from ..models import TRANSLATABLE_FIELDS, Practice, PracticeRevision, PracticeTranslation

SOURCE_LANGUAGE = "id"
# The languages a practice's text can be translated into (the source is always Indonesian).
TRANSLATED_LANGUAGES = frozenset(PracticeTranslation.Language.values)


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


def _public_translations(language: str) -> QuerySet[PracticeTranslation]:
    return PracticeTranslation.objects.filter(language=language, state=PracticeTranslation.State.VERIFIED)


def _wanted(language: str | None) -> str | None:
    """The translation language a list in `language` (default: the active one) reads, or None for Indonesian."""
    language = language or get_language() or SOURCE_LANGUAGE
    return language if language in TRANSLATED_LANGUAGES else None


def shown_text_annotate(queryset: QuerySet[Practice], *, language: str | None = None) -> QuerySet[Practice]:
    """Practices annotated with `shown_text`, the title and summary of their public translation into
    `language` (default: the active language) as {"title", "summary", "language"}, or None when only Indonesian
    exists: what `Practice.shown_title` and the cards read. A correlated subquery on the unique (practice,
    language) index, in the list's own query: a page costs no query more. In Indonesian, unchanged."""
    language = _wanted(language)
    if language is None:
        return queryset
    text = (
        _public_translations(language)
        .filter(practice=OuterRef("pk"), revision_id=OuterRef("live_revision_id"))
        .annotate(shown=JSONObject(title=KT("fields__title"), summary=KT("fields__summary"), language=F("language")))
        .values("shown")[:1]
    )
    return queryset.annotate(shown_text=Subquery(text, output_field=JSONField()))


def practices_shown_text(practices: Iterable[Practice | None], *, language: str | None = None) -> None:
    """Set `shown_text` (see `shown_text_annotate`) on practices read without it (lists kept in the cache,
    practices reached through another row), in one query for all of them; those already annotated and `None`
    entries are skipped. In Indonesian, nothing is read."""
    language = _wanted(language)
    if language is None:
        return
    todo = {}
    for practice in practices:
        if practice is not None and "shown_text" not in practice.__dict__:
            todo.setdefault(practice.pk, []).append(practice)
    if not todo:
        return
    found = {
        row["practice_id"]: row
        for row in _public_translations(language)
        .filter(practice_id__in=list(todo), practice__live_revision_id=F("revision_id"))
        .values("practice_id", title=KT("fields__title"), summary=KT("fields__summary"))
    }
    for pk, same in todo.items():
        row = found.get(pk)
        text = {"title": row["title"], "summary": row["summary"], "language": language} if row else None
        for practice in same:
            practice.shown_text = text


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


# The moderators' queue of translations awaiting verification ------------------------------------------------


def translations_awaiting_verification() -> QuerySet[PracticeTranslation]:
    """Translations of published practices that the public does not see yet: drafts (written by people or by
    the machine) and verified ones of an older revision ("needs review"), oldest change first. With the
    practice, its agency and the last writer in the same query (a page of the queue costs a fixed number)."""
    return (
        PracticeTranslation.objects.filter(practice__status=Practice.Status.PUBLISHED)
        .filter(Q(state=PracticeTranslation.State.DRAFT) | ~Q(revision_id=F("practice__live_revision_id")))
        .select_related("practice__agency", "updated_by")
        .order_by("updated_at", "id")
    )


def translations_awaiting_count() -> int:
    """The number the moderator navigation shows beside the queue (one COUNT)."""
    return translations_awaiting_verification().count()
