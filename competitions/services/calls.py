"""Calls: the lead's writes (create, edit, publish) and the deadline job that closes entries.

A call is edited in full while it is a draft; once open (published) its rubric and stages are fixed (entries
were made against them) and only the texts and dates can change. `calls_close_due` is the beat job's service:
it closes the entries of every open call whose deadline has passed, opens its first stage and puts the entries
in it; a call already closed is not touched, so a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.roles import agency_people
from audit.services import audit_record
from common.cache import public_cache_invalidate
from common.richtext import richtext_clean_source
from notifications.services.notify import notify, stored_path
from practices.models import Theme

from ..access import call_manage_require
from ..kipp import KIPP_CRITERIA, KIPP_STAGES
from ..models import Call, Criterion, Entry, Stage

EDITABLE_WHEN_OPEN = ("title", "description", "closes_at", "objection_days")


# Fixed words of competitions/urls_calls.py in both languages: a call's slug never shadows them.
RESERVED_SLUGS = {
    "baru",
    "new",
    "penilaian-saya",
    "my-reviews",
    "penilaian",
    "reviews",
    "tahap",
    "stages",
    "peserta",
    "entries",
    "kelola",
    "manage",
    "sanggahan",
    "objections",
}


def _slug_for(title: str) -> str:
    base = slugify(title)[:100] or "panggilan"
    if base in RESERVED_SLUGS:
        base = f"{base}-panggilan"
    slug, n = base, 2
    while Call.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _criteria_check(criteria: Sequence[dict]) -> list[dict]:
    rows = [c for c in criteria if (c.get("name") or "").strip()]
    if not rows:
        raise ValidationError({"criteria": _("Rubrik perlu setidaknya satu kriteria.")})
    names = [c["name"].strip().lower() for c in rows]
    if len(set(names)) != len(names):
        raise ValidationError({"criteria": _("Nama kriteria tidak boleh sama.")})
    total = sum(int(c.get("weight") or 0) for c in rows)
    if total != 100:
        raise ValidationError(
            {"criteria": _("Jumlah bobot kriteria harus 100; sekarang %(total)s.") % {"total": total}}
        )
    return rows


def _stages_check(stages: Sequence[dict]) -> list[dict]:
    rows = [s for s in stages if (s.get("name") or "").strip()]
    if not rows:
        raise ValidationError({"stages": _("Panggilan perlu setidaknya satu tahap.")})
    return rows


def _kinds_check(kinds: Sequence[str]) -> list[str]:
    known = set(Agency.Kind.values)
    unknown = [k for k in kinds if k not in known]
    if unknown:
        raise ValidationError({"agency_kinds": _("Jenis instansi tidak dikenal.")})
    return sorted(set(kinds))


def _rubric_write(call: Call, *, criteria: Sequence[dict], stages: Sequence[dict]) -> None:
    call.criteria.all().delete()
    call.stages.all().delete()
    Criterion.objects.bulk_create(
        Criterion(
            call=call,
            position=i,
            name=c["name"].strip(),
            description=(c.get("description") or "").strip(),
            weight=int(c["weight"]),
            max_score=int(c.get("max_score") or 10),
        )
        for i, c in enumerate(criteria, start=1)
    )
    Stage.objects.bulk_create(
        Stage(
            call=call,
            position=i,
            kind=s.get("kind") or Stage.Kind.SCORING,
            name=s["name"].strip(),
            is_scored=bool(s.get("is_scored", True)),
            min_reviews=int(s.get("min_reviews") or 1),
            advance_top_n=s.get("advance_top_n") or None,
            advance_min_score=s.get("advance_min_score"),
        )
        for i, s in enumerate(stages, start=1)
    )


@transaction.atomic
def call_create(
    *,
    actor,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    description: str = "",
    themes: Sequence[Theme] = (),
    agency_kinds: Sequence[str] = (),
    objection_days: int = 5,
    criteria: Sequence[dict] | None = None,
    stages: Sequence[dict] | None = None,
) -> Call:
    """A new draft call (lead moderators only). Without `criteria`/`stages`, KIPP's defaults (competitions.kipp).

    Audited as `call.created`."""
    call_manage_require(user=actor)
    criteria = _criteria_check(KIPP_CRITERIA if criteria is None else criteria)
    stages = _stages_check(KIPP_STAGES if stages is None else stages)
    call = Call(
        title=" ".join(title.split()),
        slug=_slug_for(title),
        description=richtext_clean_source(description or ""),
        agency_kinds=_kinds_check(agency_kinds),
        opens_at=opens_at,
        closes_at=closes_at,
        objection_days=objection_days,
        created_by=actor,
    )
    call.full_clean(exclude=["slug"])
    call.save()
    call.themes.set(themes)
    _rubric_write(call, criteria=criteria, stages=stages)
    audit_record(
        actor=actor,
        action="call.created",
        target=call,
        data={"criteria": len(criteria), "stages": len(stages)},
    )
    return call


@transaction.atomic
def call_update(
    *,
    actor,
    call_id: int,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    description: str = "",
    themes: Sequence[Theme] = (),
    agency_kinds: Sequence[str] = (),
    objection_days: int = 5,
    criteria: Sequence[dict] | None = None,
    stages: Sequence[dict] | None = None,
) -> Call:
    """Edit a call. A draft changes in full; an open call only its title, description, deadline and objection
    days (the rubric, stages, eligibility and opening date stay as entries were made against them); later, nothing.

    Audited as `call.updated` with the changed field names."""
    call_manage_require(user=actor)
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.status not in (Call.Status.DRAFT, Call.Status.OPEN):
        raise ValidationError(_("Panggilan yang pendaftarannya sudah ditutup tidak dapat diubah lagi."))
    new = {
        "title": " ".join(title.split()),
        "description": richtext_clean_source(description or ""),
        "opens_at": opens_at,
        "closes_at": closes_at,
        "objection_days": objection_days,
        "agency_kinds": _kinds_check(agency_kinds),
    }
    changed = [name for name, value in new.items() if getattr(call, name) != value]
    if call.status == Call.Status.OPEN:
        locked = [name for name in changed if name not in EDITABLE_WHEN_OPEN]
        if locked or set(call.themes.values_list("pk", flat=True)) != {t.pk for t in themes}:
            raise ValidationError(
                _(
                    "Panggilan sudah dibuka: hanya judul, deskripsi, batas pendaftaran dan masa sanggah yang dapat diubah."  # noqa: E501
                )
            )
        if closes_at <= timezone.now():
            raise ValidationError({"closes_at": _("Batas pendaftaran baru harus di masa depan.")})
    for name, value in new.items():
        setattr(call, name, value)
    call.full_clean(exclude=["slug"])
    call.save()
    if call.status == Call.Status.DRAFT:
        call.themes.set(themes)
        if criteria is not None or stages is not None:
            _rubric_write(
                call,
                criteria=_criteria_check(criteria if criteria is not None else list(call.criteria.values())),
                stages=_stages_check(stages if stages is not None else list(call.stages.values())),
            )
            changed.append("rubric")
    audit_record(actor=actor, action="call.updated", target=call, data={"fields": changed})
    public_cache_invalidate()
    return call


@transaction.atomic
def call_publish(*, actor, call_id: int) -> Call:
    """Draft → open: the call shows publicly and agencies may enter between opens_at and closes_at.

    Audited as `call.opened`."""
    call_manage_require(user=actor)
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.status != Call.Status.DRAFT:
        raise ValidationError(_("Panggilan ini sudah diterbitkan."))
    if call.closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("Batas pendaftaran sudah lewat; ubah tanggalnya sebelum menerbitkan.")})
    weights = sum(call.criteria.values_list("weight", flat=True))
    if weights != 100 or not call.stages.exists():
        raise ValidationError(_("Lengkapi rubrik (bobot berjumlah 100) dan tahap sebelum menerbitkan."))
    call.status = Call.Status.OPEN
    call.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="call.opened", target=call, data={"closes_at": call.closes_at.isoformat()})
    public_cache_invalidate()
    return call


def _entries_close_one(*, call_id: int, now: datetime) -> bool:
    """Close one call's entries under its row lock; False when another run already did (or it is not due)."""
    with transaction.atomic():
        call = Call.objects.select_for_update(skip_locked=True).filter(pk=call_id).first()
        if call is None or call.status != Call.Status.OPEN or call.closes_at > now:
            return False
        first = call.stages.order_by("position").first()
        entries = list(call.entries.filter(status=Entry.Status.ENTERED).select_related("practice"))
        call.status = Call.Status.JUDGING
        call.entries_closed_at = now
        call.save(update_fields=["status", "entries_closed_at", "updated_at"])
        if first is not None:
            first.status = Stage.Status.OPEN
            first.opened_at = now
            first.save(update_fields=["status", "opened_at"])
            Entry.objects.filter(pk__in=[e.pk for e in entries]).update(stage=first)
        audit_record(
            action="call.entries_closed",
            target=call,
            data={"entries": len(entries), "stage": first.pk if first else None},
        )
        for entry in entries:
            notify(
                recipients=agency_people(agency_id=entry.agency_id, admins_only=True),
                kind="call_entries_closed",
                context={"call": call.title, "title": entry.practice.title, "stage": first.name if first else ""},
                target_url=stored_path("competitions:entry_detail", entry.pk),
                dedupe_key=f"call-closed:{entry.pk}",
            )
    return True


def calls_close_due(*, now: datetime | None = None) -> int:
    """The deadline job: close entries of every open call past its closes_at; returns how many calls it closed.

    Each call in its own transaction under its row lock, skipping one another run holds; a call that is no
    longer open is left alone, so running it twice (or two beats at once) gives the same result."""
    now = now or timezone.now()
    due = Call.objects.filter(status=Call.Status.OPEN, closes_at__lte=now).values_list("pk", flat=True)
    closed = sum(_entries_close_one(call_id=pk, now=now) for pk in list(due))
    if closed:
        public_cache_invalidate()
    return closed
