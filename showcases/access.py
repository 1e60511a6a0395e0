"""Who may curate collections, who is an expert, who writes and moderates expert notes. Every answer is built
on `agencies.roles.roles_for` (moderators, lead moderators) or on the `Expert` row; nothing else compares a role.

- Collections: anyone reads a published one; ministry moderators (leads included) curate (create, edit, order,
  publish, feature). An unpublished collection is 404 for everyone else.
- Experts: lead moderators manage the profiles. `user_is_expert` is what the competitions app asks too.
- Expert notes: active experts and moderators write (their own notes only); moderators moderate.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from agencies.roles import roles_for

from .models import Collection, Expert, ExpertNote

# Collections ------------------------------------------------------------------------------------------------


def collection_can_curate(*, user) -> bool:
    """Ministry moderators curate collections (the competitions' results come through the same services)."""
    return roles_for(user).moderator


def collection_curate_require(*, user) -> None:
    if not collection_can_curate(user=user):
        raise PermissionDenied(_("Hanya moderator kementerian yang dapat mengelola koleksi."))


def collection_get_for_user(*, user, slug: str) -> Collection:
    """A collection's public page: published for everyone, unpublished for curators only (404 otherwise)."""
    collection = Collection.objects.filter(slug=slug).first()
    if collection is None or not (collection.is_published or collection_can_curate(user=user)):
        raise Http404
    return collection


def collection_get_for_curator(*, user, pk: int, for_update: bool = False) -> Collection:
    """A collection on the management pages: curators only; 404 for everyone else (the pages do not announce
    themselves). With `for_update`, the row is locked until the transaction ends."""
    if not collection_can_curate(user=user):
        raise Http404
    qs = Collection.objects.all()
    if for_update:
        qs = qs.select_for_update()
    collection = qs.filter(pk=pk).first()
    if collection is None:
        raise Http404
    return collection


def collection_manage_require(*, user) -> None:
    """The management list and the "new collection" page: 404 for non-curators, like the rows behind them."""
    if not collection_can_curate(user=user):
        raise Http404


# Experts ----------------------------------------------------------------------------------------------------


def user_is_expert(user) -> bool:
    """Whether the person has an active expert profile (one query, then remembered on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = getattr(user, "_showcases_is_expert", None)
    if cached is None:
        cached = Expert.objects.filter(user_id=user.pk, is_active=True).exists()
        user._showcases_is_expert = cached
    return cached


def expert_can_manage(*, user) -> bool:
    return roles_for(user).lead


def expert_manage_require(*, user) -> None:
    """Saving an expert profile: lead moderators only."""
    if not expert_can_manage(user=user):
        raise PermissionDenied(_("Hanya moderator utama yang dapat mengelola pakar."))


def expert_pages_require(*, user) -> None:
    """The experts' pages: lead moderators only, 404 for everyone else."""
    if not expert_can_manage(user=user):
        raise Http404


def expert_get_for_manager(*, user, pk: int) -> Expert:
    expert_pages_require(user=user)
    expert = Expert.objects.select_related("user").filter(pk=pk).first()
    if expert is None:
        raise Http404
    return expert


# Expert notes -----------------------------------------------------------------------------------------------


def note_can_write(*, user) -> bool:
    """Active experts and ministry moderators write expert notes."""
    return user_is_expert(user) or roles_for(user).moderator


def note_write_require(*, user) -> None:
    """Writing a note: active experts and moderators."""
    if not note_can_write(user=user):
        raise PermissionDenied(_("Hanya pakar dan moderator yang dapat menulis catatan pakar."))


def note_pages_require(*, user) -> None:
    """The note-writing pages: 404 for people who may not write notes (nothing to see there for them)."""
    if not note_can_write(user=user):
        raise Http404


def note_get_for_author(*, user, practice_id: int, for_update: bool = False) -> ExpertNote | None:
    """The user's own note on a practice, if any (a note is edited by its author only)."""
    note_pages_require(user=user)
    qs = ExpertNote.objects.filter(author_id=user.pk, practice_id=practice_id)
    if for_update:
        qs = qs.select_for_update()
    return qs.first()


def note_can_moderate(*, user) -> bool:
    return roles_for(user).moderator


def note_moderate_require(*, user) -> None:
    """Publishing or rejecting a note: moderators."""
    if not note_can_moderate(user=user):
        raise PermissionDenied(_("Hanya moderator yang dapat memoderasi catatan pakar."))


def note_queue_require(*, user) -> None:
    """The moderation queue: moderators only (404 for everyone else)."""
    if not note_can_moderate(user=user):
        raise Http404


def note_get_for_moderator(*, user, pk: int, for_update: bool = False) -> ExpertNote:
    note_queue_require(user=user)
    qs = ExpertNote.objects.select_related("practice", "author")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    note = qs.filter(pk=pk).first()
    if note is None:
        raise Http404
    return note


def note_moderate_own_require(*, user, note: ExpertNote) -> None:
    """A moderator does not publish their own note: another moderator reads it first."""
    if note.author_id == user.pk:
        raise PermissionDenied(_("Catatan Anda sendiri dimoderasi oleh moderator lain."))
