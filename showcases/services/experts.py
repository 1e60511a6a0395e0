"""Experts (managed by lead moderators) and their notes on published practices (moderated before they show)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services.users import user_ensure
from agencies.roles import roles_for
from audit.services import audit_record
from common.cache import public_cache_invalidate_tags
from common.richtext import richtext_clean_source
from practices.cache_tags import practice_tag
from practices.models import Practice

from ..access import expert_manage_require, note_moderate_own_require, note_moderate_require, note_write_require
from ..models import Expert, ExpertNote

MINISTRY = "Kementerian PANRB"


@transaction.atomic
def expert_save(
    *,
    actor,
    email: str,
    full_name: str = "",
    affiliation: str,
    expertise: str = "",
    is_active: bool = True,
) -> Expert:
    """Make (or update) the expert profile of the account with `email`, creating the account when there is
    none: it gets no password, and the person sets one through "Lupa kata sandi" (password reset).

    Lead moderators only. Audited as `expert.saved`."""
    expert_manage_require(user=actor)
    affiliation = " ".join((affiliation or "").split())
    if not affiliation:
        raise ValidationError({"affiliation": _("Tulis afiliasi pakar, misalnya nama universitas atau lembaga.")})
    user, created = user_ensure(email=email, full_name=" ".join((full_name or "").split()))
    if full_name and not user.full_name:
        user.full_name = " ".join(full_name.split())
        user.save(update_fields=["full_name"])
    expert, made = Expert.objects.select_for_update().get_or_create(
        user=user, defaults={"affiliation": affiliation, "created_by": actor}
    )
    expert.affiliation = affiliation
    expert.expertise = " ".join((expertise or "").split())
    expert.is_active = is_active
    expert.full_clean()
    expert.save()
    audit_record(
        actor=actor,
        action="expert.saved",
        target=expert,
        data={"created": made, "account_created": created, "active": is_active},
    )
    return expert


def _byline(user: User) -> str:
    """What stands under the author's name: their position and affiliation as they are now."""
    expert = Expert.objects.filter(user=user).first()
    if expert is not None:
        parts = [user.position, expert.affiliation]
    else:
        parts = [user.position, MINISTRY if roles_for(user).moderator else ""]
    return ", ".join(p for p in parts if p)[:300]


@transaction.atomic
def note_save(*, author, practice: Practice, transferable: str, preconditions: str = "", risks: str = "") -> ExpertNote:
    """Write or edit the author's note on a published practice. It goes (back) to moderation: an edited note
    is hidden until a moderator reads it again. Audited as `expert_note.submitted`."""
    note_write_require(user=author)
    practice = Practice.objects.select_for_update(of=("self",)).get(pk=practice.pk)
    if practice.status != Practice.Status.PUBLISHED:
        raise ValidationError(_("Catatan pakar hanya untuk praktik yang terbit."))
    transferable = richtext_clean_source(transferable)
    if not transferable:
        raise ValidationError({"transferable": _("Tulis apa yang dapat ditiru instansi lain dari praktik ini.")})
    note = ExpertNote.objects.select_for_update().filter(practice=practice, author=author).first()
    was_published = note is not None and note.status == ExpertNote.Status.PUBLISHED
    if note is None:
        note = ExpertNote(practice=practice, author=author)
    note.transferable = transferable
    note.preconditions = richtext_clean_source(preconditions)
    note.risks = richtext_clean_source(risks)
    note.author_affiliation = _byline(author)
    note.status = ExpertNote.Status.PENDING
    note.rejection_reason = ""
    note.published_at = None
    note.full_clean()
    note.save()
    audit_record(actor=author, action="expert_note.submitted", target=note, data={"practice": practice.pk})
    if was_published:
        public_cache_invalidate_tags([practice_tag(practice.slug)])  # its notes are on the practice page
    return note


@transaction.atomic
def note_moderate(*, actor, note: ExpertNote, publish: bool, reason: str = "") -> ExpertNote:
    """Publish a pending note, or reject it with a reason for its author. A moderator does not moderate their
    own note. Audited as `expert_note.published` / `expert_note.rejected`."""
    note_moderate_require(user=actor)
    note = ExpertNote.objects.select_for_update().get(pk=note.pk)
    note_moderate_own_require(user=actor, note=note)
    reason = (reason or "").strip()
    if not publish and not reason:
        raise ValidationError({"reason": _("Tulis alasan penolakan untuk penulisnya.")})
    was_published = note.status == ExpertNote.Status.PUBLISHED
    now = timezone.now()
    note.status = ExpertNote.Status.PUBLISHED if publish else ExpertNote.Status.REJECTED
    note.rejection_reason = "" if publish else reason
    note.published_at = now if publish else None
    note.moderated_by, note.moderated_at = actor, now
    note.full_clean()
    note.save()
    audit_record(
        actor=actor,
        action="expert_note.published" if publish else "expert_note.rejected",
        target=note,
        data={"practice": note.practice_id, "author": note.author_id},
    )
    if publish or was_published:
        public_cache_invalidate_tags([practice_tag(note.practice.slug)])  # its notes are on the practice page
    return note
