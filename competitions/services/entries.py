"""Entries: an agency admin enters one of the agency's practices into an open call, and may withdraw it until the
deadline. Every refusal is a ValidationError with a message for people (`entry_refusals` says them all at once
for the call page); the database's unique (call, practice) is the last word on "entered once".
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from common.cache import public_cache_invalidate
from practices.models import Practice, PracticeRevision

from ..access import entry_agency_require, entry_get_for_agency
from ..models import Call, Entry

ENTERABLE_REVISION_STATES = (PracticeRevision.State.SUBMITTED, PracticeRevision.State.IN_REVIEW)


def practice_is_enterable(practice: Practice) -> bool:
    """Published, or submitted to the ministry (issue #18): drafts and practices still with the agency are not."""
    if practice.status == Practice.Status.PUBLISHED:
        return True
    revision = practice.working_revision
    return revision is not None and revision.state in ENTERABLE_REVISION_STATES


def practice_theme_ids(practice: Practice) -> set[int]:
    """The practice's themes: the published copy's, or the submitted revision's."""
    if practice.status == Practice.Status.PUBLISHED:
        return set(practice.themes.values_list("pk", flat=True))
    revision = practice.working_revision
    if revision is None:
        return set()
    ids = set(revision.other_themes.values_list("pk", flat=True))
    if revision.primary_theme_id:
        ids.add(revision.primary_theme_id)
    return ids


def entries_open_refusal(*, call: Call, now: datetime | None = None) -> str:
    """Why the call takes no entries now ("" when it does)."""
    now = now or timezone.now()
    if call.status != Call.Status.OPEN or call.closes_at <= now:
        return _("Pendaftaran panggilan ini sudah ditutup; praktik tidak dapat didaftarkan lagi.")
    if call.opens_at > now:
        return _("Pendaftaran panggilan ini belum dibuka.")
    return ""


def entry_refusals(*, call: Call, practice: Practice, now: datetime | None = None) -> list[str]:
    """Every reason this practice may not enter this call now (empty: it may)."""
    refusals = []
    closed = entries_open_refusal(call=call, now=now)
    if closed:
        refusals.append(closed)
    if not practice_is_enterable(practice):
        refusals.append(_("Hanya praktik yang sudah terbit atau sudah diajukan ke kementerian yang dapat didaftarkan."))
    call_themes = set(call.themes.values_list("pk", flat=True))
    if call_themes and not (call_themes & practice_theme_ids(practice)):
        refusals.append(_("Tema praktik ini tidak termasuk tema panggilan."))
    if call.agency_kinds and practice.agency.kind not in call.agency_kinds:
        refusals.append(_("Jenis instansi Anda tidak termasuk yang dapat ikut panggilan ini."))
    if Entry.objects.filter(call=call, practice=practice).exclude(status=Entry.Status.WITHDRAWN).exists():
        refusals.append(_("Praktik ini sudah terdaftar pada panggilan ini."))
    return refusals


@transaction.atomic
def entry_create(*, actor, call_id: int, practice_id: int) -> Entry:
    """Enter the practice (of the actor's agency, the actor its admin) into the call. A withdrawn entry of the
    same practice is entered again (the row is reused: one per call and practice).

    Audited as `entry.entered`."""
    agency_id = entry_agency_require(user=actor)
    call = Call.objects.select_for_update().get(pk=call_id)
    practice = (
        Practice.objects.select_related("agency", "working_revision")
        .filter(pk=practice_id, agency_id=agency_id)
        .first()
    )
    if practice is None:
        raise ValidationError({"practice": _("Pilih salah satu praktik instansi Anda.")})
    refusals = entry_refusals(call=call, practice=practice)
    if refusals:
        raise ValidationError(refusals)
    entry = Entry.objects.select_for_update().filter(call=call, practice=practice).first()
    if entry is not None:  # withdrawn before: entered again
        entry.status, entry.withdrawn_at, entry.entered_by = Entry.Status.ENTERED, None, actor
        entry.save(update_fields=["status", "withdrawn_at", "entered_by"])
    else:
        try:
            with transaction.atomic():
                entry = Entry.objects.create(call=call, practice=practice, agency=practice.agency, entered_by=actor)
        except IntegrityError as exc:
            raise ValidationError(_("Praktik ini sudah terdaftar pada panggilan ini.")) from exc
    audit_record(actor=actor, action="entry.entered", target=entry, data={"call": call.pk, "practice": practice.pk})
    public_cache_invalidate()
    return entry


@transaction.atomic
def entry_withdraw(*, actor, entry_id: int) -> Entry:
    """Withdraw an entry (the agency's admin), until the deadline. Audited as `entry.withdrawn`."""
    entry = entry_get_for_agency(user=actor, pk=entry_id, admin=True)
    call = Call.objects.select_for_update().get(pk=entry.call_id)
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.status == Entry.Status.WITHDRAWN:
        raise ValidationError(_("Pendaftaran ini sudah ditarik."))
    if call.status != Call.Status.OPEN or call.closes_at <= timezone.now():
        raise ValidationError(_("Batas pendaftaran sudah lewat; pendaftaran tidak dapat ditarik lagi."))
    entry.status, entry.withdrawn_at = Entry.Status.WITHDRAWN, timezone.now()
    entry.save(update_fields=["status", "withdrawn_at"])
    audit_record(actor=actor, action="entry.withdrawn", target=entry, data={"call": call.pk})
    public_cache_invalidate()
    return entry
