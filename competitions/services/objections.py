"""Finalists and the public objection window (masa sanggah) of a call.

- `finalists_announce`: the lead turns the entries advanced by the last decided stage into finalists; the call
  goes to `objection` and its window opens at once. The window closes at the end (23:59:59 Asia/Jakarta) of the
  calendar day `objection_days` days after the announcement: announced on Monday with 5 days, it closes on
  Saturday at midnight, Jakarta time.
- `objection_file`: anyone files an objection against a finalist while the window is open. It stays
  `unconfirmed` (never shown, counted or moderated) until the link emailed to the objector is opened; only the
  link's SHA-256 is stored (`Objection.confirm_token_hash`) and the link expires with the window.
- `objection_moderate` (moderators): a confirmed (`pending`) objection is accepted or dismissed with a reason;
  an accepted one is sent to the entry's agency, which answers once (`objection_answer`).
- `objection_decide` (lead): upheld (the entry continues, or is disqualified) or not upheld.
- `objection_windows_close`: the beat job; closes every window past its end (call → `deliberation`). Idempotent.

Every step writes an audit event in its transaction; none carries the objector's name or email.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import secrets
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.roles import agency_people
from audit.services import audit_record
from common.cache import public_cache_invalidate
from notifications.services.notify import notify, stored_path
from practices.services.attachments import AttachmentRefused, attachment_check, attachment_max_bytes

from ..access import objection_moderate_require, results_manage_require
from ..models import Call, Entry, Objection, ObjectionFile
from .stages import call_finalist_candidates, call_ready_for_finalists

OBJECTION_MAX_FILES = 3
JAKARTA = "Asia/Jakarta"  # the calls' calendar, whatever settings.TIME_ZONE says


class DismissReason:
    SPAM = "spam"
    ABUSIVE = "abusive"
    OUT_OF_SCOPE = "out_of_scope"
    choices = [
        (SPAM, gettext_lazy("Spam")),
        (ABUSIVE, gettext_lazy("Kasar atau menyerang pribadi")),
        (OUT_OF_SCOPE, gettext_lazy("Di luar pokok sanggahan")),
    ]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def objection_window_end(*, start: dt.datetime, days: int) -> dt.datetime:
    """The end of the Jakarta calendar day `days` days after `start` (23:59:59.999999 local time)."""
    zone = zoneinfo.ZoneInfo(JAKARTA)
    local_day = timezone.localtime(start, zone).date() + dt.timedelta(days=days)
    return dt.datetime.combine(local_day, dt.time.max, tzinfo=zone)


def objection_window_is_open(*, call: Call, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        call.status == Call.Status.OBJECTION
        and call.objection_opens_at is not None
        and call.objection_opens_at <= now < call.objection_closes_at
    )


# Announcing the finalists ------------------------------------------------------------------------------------


@transaction.atomic
def finalists_announce(*, call_id: int, by, request=None) -> list[Entry]:
    """The entries advanced by the last decided stage become finalists; the objection window opens now."""
    results_manage_require(user=by)
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.status != Call.Status.JUDGING:
        raise ValidationError(_("Finalis hanya dapat diumumkan saat panggilan dalam tahap penilaian."))
    if not call_ready_for_finalists(call):
        raise ValidationError(_("Finalis dapat diumumkan setelah semua tahap diputuskan."))
    stage = call.stages.order_by("-position").first()
    finalists = list(call_finalist_candidates(call).select_related("practice", "agency").order_by("pk"))
    if not finalists:
        raise ValidationError(_("Tidak ada peserta yang lolos tahap terakhir."))
    now = timezone.now()
    Entry.objects.filter(pk__in=[e.pk for e in finalists]).update(status=Entry.Status.FINALIST)
    call.status = Call.Status.OBJECTION
    call.finalists_announced_at = now
    call.objection_opens_at = now
    call.objection_closes_at = objection_window_end(start=now, days=call.objection_days)
    call.save(
        update_fields=["status", "finalists_announced_at", "objection_opens_at", "objection_closes_at", "updated_at"]
    )
    audit_record(
        actor=by,
        action="call.finalists_announced",
        target=call,
        data={"stage": stage.pk, "finalists": [e.pk for e in finalists]},
        request=request,
    )
    audit_record(
        actor=by,
        action="call.objection_window_opened",
        target=call,
        data={"closes_at": call.objection_closes_at.isoformat(), "days": call.objection_days},
        request=request,
    )
    for entry in finalists:
        entry.status = Entry.Status.FINALIST
        notify(
            recipients=agency_people(agency_id=entry.agency_id),
            kind="call_finalist",
            context={
                "call": call.title,
                "practice": entry.practice.title,
                "closes_at": call.objection_closes_at,
            },
            target_url=stored_path("competitions:finalists", call.slug),
        )
    public_cache_invalidate()  # the call's public pages show the finalists
    return finalists


# Filing and confirming -----------------------------------------------------------------------------------------


def objection_files_check(*, uploaded: list) -> list[tuple[str, bytes, str]]:
    """The attached files through the practice attachments' checks: (original name, bytes to store, type)."""
    if len(uploaded) > OBJECTION_MAX_FILES:
        raise ValidationError(
            {"attachments": _("Paling banyak %(count)d berkas per sanggahan.") % {"count": OBJECTION_MAX_FILES}}
        )
    checked = []
    limit = attachment_max_bytes()
    for upload in uploaded:
        name = (upload.name or "berkas")[:255]
        if upload.size > limit:
            raise ValidationError(
                {
                    "attachments": _("Berkas “%(name)s” terlalu besar: paling besar %(limit)s.")
                    % {"name": name, "limit": filesizeformat(limit)}
                }
            )
        upload.seek(0)
        content = upload.read()
        try:
            result = attachment_check(content=content, original_name=name)
        except AttachmentRefused as exc:
            raise ValidationError({"attachments": exc.messages}) from exc
        checked.append((name, result.content, result.mime_type))
    return checked


@transaction.atomic
def objection_file(
    *,
    entry_id: int,
    name: str,
    email: str,
    relation: str,
    ground: str,
    text: str,
    files: list | None = None,
    language: str = "",
    request=None,
) -> Objection:
    """File an objection against a finalist while the window is open; email the confirmation link."""
    entry = Entry.objects.select_related("call", "practice").filter(pk=entry_id).first()
    if entry is None:
        raise ValidationError(_("Peserta tidak ditemukan."))
    call = Call.objects.select_for_update().get(pk=entry.call_id)
    if not objection_window_is_open(call=call):
        raise ValidationError(
            _("Masa sanggah panggilan ini sudah berakhir atau belum dibuka; sanggahan tidak diterima.")
        )
    if entry.status != Entry.Status.FINALIST:
        raise ValidationError(_("Sanggahan hanya dapat diajukan terhadap finalis."))
    checked = objection_files_check(uploaded=files or [])
    token = secrets.token_urlsafe(32)
    objection = Objection(
        entry=entry,
        name=name.strip(),
        email=email.strip().lower(),
        relation=relation,
        ground=ground,
        text=text.strip(),
        confirm_token_hash=token_hash(token),
    )
    objection.full_clean(exclude=["confirm_token_hash", "moderated_by", "answered_by", "decided_by"])
    objection.save()
    for original_name, content, mime in checked:
        extension = mimetypes.guess_extension(mime) or ""
        stored = ObjectionFile(
            objection=objection,
            original_name=original_name,
            mime_type=mime,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        upload = ContentFile(content)
        upload.content_type = mime  # stored with the object on S3 storage, as practice attachments are
        stored.file.save(f"{uuid.uuid4().hex}{extension}", upload, save=False)
        stored.save()
    audit_record(
        action="objection.filed",
        target=objection,
        data={"entry": entry.pk, "call": call.pk, "ground": ground, "files": len(checked)},
        request=request,
    )
    notify(
        recipients=[objection.email],
        kind="objection_confirm",
        context={"call": call.title, "practice": entry.practice.title, "closes_at": call.objection_closes_at},
        target_url=stored_path("competitions:objection_confirm", token),
        language=language or settings.LANGUAGE_CODE,
    )
    return objection


def objection_by_token(*, token: str) -> Objection | None:
    """The objection of a confirmation link, while its window is open (the link expires with the window)."""
    objection = (
        Objection.objects.select_related("entry__call", "entry__practice")
        .filter(confirm_token_hash=token_hash(token))
        .first()
    )
    if objection is None or not objection_window_is_open(call=objection.entry.call):
        return None
    return objection


@transaction.atomic
def objection_confirm(*, token: str, request=None) -> Objection | None:
    """Confirm the objector's email from the link: `unconfirmed` → `pending` (the moderators' queue)."""
    found = objection_by_token(token=token)
    if found is None:
        return None
    objection = Objection.objects.select_for_update().get(pk=found.pk)
    if objection.status == Objection.Status.UNCONFIRMED:
        objection.status = Objection.Status.PENDING
        objection.confirmed_at = timezone.now()
        objection.save(update_fields=["status", "confirmed_at"])
        audit_record(
            action="objection.confirmed", target=objection, data={"entry": objection.entry_id}, request=request
        )
    objection.entry = found.entry
    return objection


# Moderation, the agency's answer, the lead's finding -----------------------------------------------------------


@transaction.atomic
def objection_moderate(*, objection_id: int, by, accept: bool, reason: str = "", request=None) -> Objection:
    """A moderator accepts a pending objection (it goes to the agency) or dismisses it with a reason."""
    objection_moderate_require(user=by)
    objection = (
        Objection.objects.select_for_update().select_related("entry__call", "entry__practice").get(pk=objection_id)
    )
    if objection.status != Objection.Status.PENDING:
        raise ValidationError(_("Sanggahan ini sudah diperiksa."))
    if not accept and reason not in dict(DismissReason.choices):
        raise ValidationError({"reason": _("Pilih alasan penolakan.")})
    objection.status = Objection.Status.ACCEPTED if accept else Objection.Status.DISMISSED
    objection.dismiss_reason = "" if accept else reason
    objection.moderated_by = by
    objection.moderated_at = timezone.now()
    objection.save(update_fields=["status", "dismiss_reason", "moderated_by", "moderated_at"])
    audit_record(
        actor=by,
        action="objection.accepted" if accept else "objection.dismissed",
        target=objection,
        data={"entry": objection.entry_id, "reason": reason} if not accept else {"entry": objection.entry_id},
        request=request,
    )
    if accept:
        entry = objection.entry
        notify(
            recipients=agency_people(agency_id=entry.agency_id),
            kind="objection_received",
            context={
                "call": entry.call.title,
                "practice": entry.practice.title,
                "ground": objection.get_ground_display(),
            },
            target_url=stored_path("competitions:agency_objections"),
        )
    return objection


@transaction.atomic
def objection_answer(*, objection: Objection, by, answer: str, request=None) -> Objection:
    """The agency's one answer to an accepted objection (`objection` from `access.objection_get_for_agency`)."""
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Tulis tanggapan instansi.")})
    updated = Objection.objects.filter(
        pk=objection.pk, status=Objection.Status.ACCEPTED, answered_at__isnull=True
    ).update(answer=answer, answered_by=by, answered_at=timezone.now())
    if not updated:
        raise ValidationError(_("Sanggahan ini sudah ditanggapi atau sudah diputuskan; tanggapan hanya sekali."))
    objection.refresh_from_db()
    audit_record(
        actor=by, action="objection.answered", target=objection, data={"entry": objection.entry_id}, request=request
    )
    return objection


@transaction.atomic
def objection_decide(
    *, objection_id: int, by, upheld: bool, finding: str = "", note: str = "", request=None
) -> Objection:
    """The lead's finding on an accepted objection: upheld (entry continues or is disqualified) or not upheld."""
    results_manage_require(user=by)
    objection = Objection.objects.select_for_update().select_related("entry__call").get(pk=objection_id)
    if objection.status != Objection.Status.ACCEPTED:
        raise ValidationError(_("Hanya sanggahan yang diterima dan belum diputuskan yang dapat diputuskan."))
    if objection.entry.call.status not in (Call.Status.OBJECTION, Call.Status.DELIBERATION):
        raise ValidationError(_("Hasil panggilan sudah diumumkan; sanggahan tidak dapat diputuskan lagi."))
    if upheld and finding not in Objection.Finding.values:
        raise ValidationError({"finding": _("Pilih akibat sanggahan yang terbukti.")})
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.NOT_UPHELD
    objection.finding = finding if upheld else ""
    objection.finding_note = note.strip()
    objection.decided_by = by
    objection.decided_at = timezone.now()
    objection.save(update_fields=["status", "finding", "finding_note", "decided_by", "decided_at"])
    audit_record(
        actor=by,
        action="objection.decided",
        target=objection,
        data={"entry": objection.entry_id, "status": objection.status, "finding": objection.finding},
        request=request,
    )
    if objection.finding == Objection.Finding.DISQUALIFIED:
        entry = Entry.objects.select_for_update().get(pk=objection.entry_id)
        if entry.status == Entry.Status.FINALIST:
            entry.status = Entry.Status.DISQUALIFIED
            entry.save(update_fields=["status"])
            audit_record(
                actor=by,
                action="entry.disqualified",
                target=entry,
                data={"objection": objection.pk},
                request=request,
            )
            public_cache_invalidate()
    return objection


# The beat job --------------------------------------------------------------------------------------------------


def objection_windows_close(*, now: dt.datetime | None = None) -> list[int]:
    """Close every objection window past its end: call → `deliberation`. Safe to run again (and concurrently)."""
    now = now or timezone.now()
    closed = []
    due = Call.objects.filter(status=Call.Status.OBJECTION, objection_closes_at__lte=now).values_list("pk", flat=True)
    for call_id in list(due):
        with transaction.atomic():
            call = (
                Call.objects.select_for_update(skip_locked=True)
                .filter(Q(pk=call_id), status=Call.Status.OBJECTION, objection_closes_at__lte=now)
                .first()
            )
            if call is None:
                continue
            call.status = Call.Status.DELIBERATION
            call.objection_closed_at = now
            call.save(update_fields=["status", "objection_closed_at", "updated_at"])
            counts = {
                status: Objection.objects.filter(entry__call=call, status=status).count()
                for status in (Objection.Status.PENDING, Objection.Status.ACCEPTED)
            }
            audit_record(
                action="call.objection_window_closed",
                target=call,
                data={"closes_at": call.objection_closes_at.isoformat(), "open_objections": counts},
            )
            closed.append(call.pk)
    if closed:
        public_cache_invalidate()
    return closed
