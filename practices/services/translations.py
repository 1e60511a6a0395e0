"""Writes of practices' English versions: saving a translation, verifying it, drafting it by machine.

Who may call which is decided by `practices.access.practice_get_for_translation`; these functions trust the
caller for that. A translation always translates the live revision: saving it points it at the live revision
and makes it a draft again (so a verified text edited afterwards is hidden until verified anew). Verifying or
un-verifying rewrites the practice's search vector (verified English text is indexed) and the public pages.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.services import audit_record
from common.cache import public_cache_invalidate
from common.richtext import richtext_clean_source
from common.tasks import enqueue, enqueue_on_commit
from common.text import no_control_characters

from ..machine_translation import MachineTranslationError, backend_get
from ..models import TRANSLATABLE_FIELDS, Practice, PracticeRevision, PracticeTranslation
from ..sections import RICHTEXT_FIELDS
from .indexing import practice_search_vector_update

logger = logging.getLogger(__name__)
TITLE_MAX_LENGTH = PracticeRevision._meta.get_field("title").max_length


def _clean_fields(fields: dict[str, str]) -> dict[str, str]:
    """Only the translatable fields, stripped, Markdown sanitised as the Indonesian text is; empty ones dropped."""
    cleaned, errors = {}, {}
    for name in TRANSLATABLE_FIELDS:
        text = (fields.get(name) or "").strip()
        if not text:
            continue
        try:
            no_control_characters(text)
        except ValidationError as exc:
            errors[name] = exc.messages
            continue
        if name == "title" and len(text) > TITLE_MAX_LENGTH:
            errors[name] = [_("Judul paling banyak %(n)d karakter.") % {"n": TITLE_MAX_LENGTH}]
            continue
        cleaned[name] = richtext_clean_source(text) if name in RICHTEXT_FIELDS else text
    if errors:
        raise ValidationError(errors)
    return cleaned


def _locked(*, practice_id: int, language: str) -> tuple[Practice, PracticeTranslation | None]:
    practice = Practice.objects.select_for_update(of=("self",)).select_related("live_revision").get(pk=practice_id)
    translation = PracticeTranslation.objects.select_for_update().filter(practice=practice, language=language).first()
    return practice, translation


def _reindex_on_change(practice: Practice) -> None:
    if practice.status == Practice.Status.PUBLISHED:
        practice_search_vector_update(practice_id=practice.pk)
    transaction.on_commit(public_cache_invalidate)


@transaction.atomic
def translation_save(*, practice_id: int, language: str, fields: dict[str, str], by) -> PracticeTranslation:
    """Write the translation of the live revision (under the practice's row lock); it becomes a human draft.

    Raises ValidationError (per field) for text that breaks the input rules, or when the practice has no live
    revision to translate. A translation that was verified is verified no more: its public page and search
    vector go back to Indonesian only until a moderator verifies the new text."""
    practice, translation = _locked(practice_id=practice_id, language=language)
    if practice.live_revision_id is None:
        raise ValidationError(_("Praktik ini belum terbit; terjemahkan setelah terbit."), code="not_published")
    cleaned = _clean_fields(fields)
    if not cleaned.get("title"):
        raise ValidationError({"title": [_("Isi judul dalam bahasa Inggris.")]})
    was_verified = translation is not None and translation.state == PracticeTranslation.State.VERIFIED
    if translation is None:
        translation = PracticeTranslation(practice=practice, language=language)
    changed = (
        translation.pk is None or translation.fields != cleaned or translation.revision_id != practice.live_revision_id
    )
    translation.revision_id = practice.live_revision_id
    if changed:
        translation.fields = cleaned
        translation.source = PracticeTranslation.Source.HUMAN
        translation.state = PracticeTranslation.State.DRAFT
        translation.verified_at = translation.verified_by = None
    translation.updated_by = by
    translation.full_clean(exclude=["practice", "revision", "verified_by", "updated_by"], validate_unique=False)
    translation.save()
    if was_verified and changed:
        _reindex_on_change(practice)
        audit_record(actor=by, action="practice.translation_unverified", target=practice, data={"language": language})
    return translation


class TranslationVerifyRefused(ValidationError):
    pass


@transaction.atomic
def translation_verify(*, practice_id: int, language: str, by) -> PracticeTranslation:
    """Mark the translation verified by moderator `by` (the caller checked the role): from now on it is shown
    on the public page in its language and indexed. Refused for a translation of an older revision (it needs
    saving against the live one first) and for one without a title. Audited; repeating it changes nothing."""
    practice, translation = _locked(practice_id=practice_id, language=language)
    if translation is None:
        raise TranslationVerifyRefused(_("Belum ada terjemahan untuk diverifikasi."), code="missing")
    if translation.state == PracticeTranslation.State.VERIFIED and translation.revision_id == practice.live_revision_id:
        return translation
    if translation.revision_id != practice.live_revision_id:
        raise TranslationVerifyRefused(
            _("Terjemahan ini untuk revisi yang lebih lama. Perbarui lalu simpan sebelum memverifikasi."),
            code="stale",
        )
    if not translation.text("title"):
        raise TranslationVerifyRefused(_("Terjemahan belum punya judul."), code="no_title")
    translation.state = PracticeTranslation.State.VERIFIED
    translation.verified_by = by
    translation.verified_at = timezone.now()
    translation.save(update_fields=["state", "verified_by", "verified_at", "updated_at"])
    _reindex_on_change(practice)
    audit_record(actor=by, action="practice.translation_verified", target=practice, data={"language": language})
    return translation


@transaction.atomic
def translation_machine_request(*, practice_id: int, language: str, by) -> PracticeTranslation:
    """Ask the machine-translation backend for a draft of the empty fields (queued after the commit).

    Refused when machine translation is off or the practice has no live revision. The translation row is
    created if needed and marked pending, so the request is never lost: the task reads it by id."""
    if backend_get() is None:
        raise ValidationError(_("Terjemahan mesin tidak diaktifkan di portal ini."), code="off")
    practice, translation = _locked(practice_id=practice_id, language=language)
    if practice.live_revision_id is None:
        raise ValidationError(_("Praktik ini belum terbit; terjemahkan setelah terbit."), code="not_published")
    if translation is None:
        translation = PracticeTranslation(practice=practice, language=language, updated_by=by)
    elif translation.state == PracticeTranslation.State.VERIFIED and translation.is_current:
        raise ValidationError(_("Terjemahan ini sudah diverifikasi; ubah teksnya langsung."), code="verified")
    # A draft of an older revision is carried to the live one (it was not public): the machine fills what the
    # translator has not written yet.
    translation.revision_id = practice.live_revision_id
    translation.state, translation.verified_at, translation.verified_by = PracticeTranslation.State.DRAFT, None, None
    translation.machine_state = PracticeTranslation.MachineState.PENDING
    translation.machine_error = ""
    translation.save()
    enqueue_on_commit("practices.tasks.translation_machine_draft", translation.pk)
    return translation


def translation_machine_draft(*, translation_id: int) -> str:
    """Fill the empty fields of a pending translation from the backend (the task's service); returns the
    resulting machine state. The backend is called outside any transaction (it may take seconds); the result
    is written under the row lock, only into fields still empty (a translator's words are never overwritten)
    and only on a draft of the live revision. Errors are recorded on the row and never raised: the translator
    sees them in the editor."""
    translation = (
        PracticeTranslation.objects.select_related("practice__live_revision").filter(pk=translation_id).first()
    )
    if translation is None or translation.machine_state != PracticeTranslation.MachineState.PENDING:
        return "skipped"  # a repeated task: nothing asked for any more
    revision = translation.practice.live_revision
    backend = backend_get()
    drafted, error = {}, ""
    if backend is None:
        error = _("Terjemahan mesin tidak diaktifkan di portal ini.")
    elif revision is None:
        error = _("Praktik ini belum terbit; terjemahkan setelah terbit.")
    else:
        try:
            for name in TRANSLATABLE_FIELDS:
                source_text = getattr(revision, name)
                if source_text and not translation.text(name):
                    drafted[name] = backend.translate(source_text, source="id", target=translation.language)
        except MachineTranslationError as exc:
            error = str(exc)
            logger.warning("machine translation of practice %s failed: %s", translation.practice_id, error)
    with transaction.atomic():
        current = PracticeTranslation.objects.select_for_update().get(pk=translation_id)
        if error:
            current.machine_state, current.machine_error = PracticeTranslation.MachineState.FAILED, error
            current.save(update_fields=["machine_state", "machine_error", "updated_at"])
            return current.machine_state
        usable = current.state == PracticeTranslation.State.DRAFT and current.revision_id == revision.pk
        if usable:
            try:
                merged = {**_clean_fields(drafted), **{k: v for k, v in current.fields.items() if v}}
            except ValidationError:
                merged = dict(current.fields)
            if merged != current.fields:
                current.fields = merged
                current.source = PracticeTranslation.Source.MACHINE
        current.machine_state = PracticeTranslation.MachineState.DONE
        current.machine_error = ""
        current.save(update_fields=["fields", "source", "machine_state", "machine_error", "updated_at"])
        return current.machine_state


# The sweep of machine drafts asked for but never made (the broker was down at the request, or the worker died).
MACHINE_SWEEP_AFTER = timedelta(minutes=5)
MACHINE_GIVE_UP_AFTER = timedelta(days=1)
MACHINE_SWEEP_BATCH = 100


def translation_machine_requeue() -> dict[str, int]:
    """Queue `translation_machine_draft` again for translations still "pending" a few minutes after the
    request (the beat job `machine-translations-sweep`), and mark failed those pending for a day (the task
    kept failing: the translator sees it in the editor and may ask again). Harmless when repeated: the task
    does nothing for a row no longer pending, and writes only into fields still empty."""
    now = timezone.now()
    pending = PracticeTranslation.objects.filter(machine_state=PracticeTranslation.MachineState.PENDING)
    with override("id"):  # stored text, shown in the editor in the portal's source language like the others
        error = _("Terjemahan mesin tidak selesai dalam sehari. Minta lagi bila masih diperlukan.")
    given_up = pending.filter(updated_at__lt=now - MACHINE_GIVE_UP_AFTER).update(
        machine_state=PracticeTranslation.MachineState.FAILED, machine_error=error, updated_at=now
    )
    ids = list(
        pending.filter(updated_at__lt=now - MACHINE_SWEEP_AFTER)
        .order_by("updated_at", "id")
        .values_list("pk", flat=True)[:MACHINE_SWEEP_BATCH]
    )
    queued = 0
    for pk in ids:
        if not enqueue("practices.tasks.translation_machine_draft", pk):
            break
        queued += 1
    return {"queued": queued, "given_up": given_up}
