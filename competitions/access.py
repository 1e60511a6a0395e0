"""Who may do what in calls and competitions; every answer is built on `agencies.roles.roles_for` (and, for
external reviewers, on `showcases.access.user_is_expert` and the call's `CallReviewer` rows). Nothing else in
the app compares a role.

- Calls: anyone reads a published call (not a draft); lead moderators create, edit and publish them and run
  their stages (404 for everyone else: the pages do not announce themselves).
- Entries: an agency admin enters the agency's practices and withdraws them; the agency's members read their
  entry's outcome; others get 404.
- Reviews: a reviewer opens only reviews assigned to them, and never an entry they have a conflict of interest
  with (`review_conflict_of_interest`, the one rule: the reviewer's agency is the entry's, or in the same
  province; or they declared one). Everything else is 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.roles import roles_for

from .models import Call, ConflictDeclaration, Entry, Review, Stage

# Calls, entries, stages, reviews (COMP-A) ----------------------------------------------------------------------


def call_can_manage(*, user) -> bool:
    """Lead moderators run calls: create, edit, publish, invite reviewers, assign, decide who advances."""
    return roles_for(user).lead


def call_manage_require(*, user) -> None:
    """The lead's pages (new call, edit, stages): 404 for everyone else."""
    if not call_can_manage(user=user):
        raise Http404


def call_get_public(*, user, slug: str) -> Call:
    """A call's public page: any call but a draft; a draft only for lead moderators (404 otherwise)."""
    call = Call.objects.filter(slug=slug).first()
    if call is None or (call.status == Call.Status.DRAFT and not call_can_manage(user=user)):
        raise Http404
    return call


def call_get_for_lead(*, user, pk: int, for_update: bool = False) -> Call:
    """A call on the lead's pages; 404 for everyone else. With `for_update`, locked until the transaction ends."""
    call_manage_require(user=user)
    qs = Call.objects.all()
    if for_update:
        qs = qs.select_for_update()
    call = qs.filter(pk=pk).first()
    if call is None:
        raise Http404
    return call


def stage_get_for_lead(*, user, pk: int) -> Stage:
    call_manage_require(user=user)
    stage = Stage.objects.select_related("call").filter(pk=pk).first()
    if stage is None:
        raise Http404
    return stage


def entry_can_enter(*, user) -> bool:
    """Agency admins enter their agency's practices (the service checks the practice is the agency's)."""
    return roles_for(user).agency_admin


def entry_agency_require(*, user) -> int:
    """The agency an admin enters for; PermissionDenied for everyone else."""
    roles = roles_for(user)
    if not roles.agency_admin:
        raise PermissionDenied(_("Hanya admin instansi yang dapat mendaftarkan praktik instansinya."))
    return roles.agency_id


def entry_get_for_agency(*, user, pk: int, admin: bool = False) -> Entry:
    """An entry as its agency sees it: members read it (the outcome), admins (`admin`) withdraw it; 404 else."""
    entry = Entry.objects.select_related("call", "practice", "agency", "stage").filter(pk=pk).first()
    roles = roles_for(user)
    if entry is None or not (roles.admin_of(entry.agency_id) if admin else roles.member_of(entry.agency_id)):
        raise Http404
    return entry


def _province_id(agency: Agency | None) -> int | None:
    """The province of a regional government (itself for a province); None for central agencies."""
    region = getattr(agency, "region", None)
    if region is None:
        return None
    return region.province_id or region.pk


def review_conflict_of_interest(*, reviewer_agency: Agency | None, entry_agency: Agency) -> bool:
    """THE conflict-of-interest rule: a reviewer who belongs to the entry's agency, or to an agency in the same
    province, never reviews it. Ministry staff and external experts without a membership have none by this rule
    (they may still declare one: `ConflictDeclaration`)."""
    if reviewer_agency is None:
        return False
    if reviewer_agency.pk == entry_agency.pk:
        return True
    province = _province_id(reviewer_agency)
    return province is not None and province == _province_id(entry_agency)


def reviewer_agency(*, user) -> Agency | None:
    """The agency a reviewer belongs to (their active membership), for the conflict rule."""
    membership = roles_for(user).membership
    return membership.agency if membership is not None else None


def review_has_conflict(*, user, entry: Entry) -> bool:
    """The rule above, or a conflict the reviewer declared on this entry."""
    if review_conflict_of_interest(reviewer_agency=reviewer_agency(user=user), entry_agency=entry.agency):
        return True
    return ConflictDeclaration.objects.filter(entry_id=entry.pk, reviewer_id=user.pk).exists()


def review_get_for_reviewer(*, user, pk: int, for_update: bool = False) -> Review:
    """A review as its reviewer opens it: assigned to them, of a call they are an active reviewer of, and no
    conflict of interest. Anything else (someone else's review, a conflict, a withdrawn entry): 404."""
    if not user.is_authenticated:
        raise Http404
    qs = Review.objects.select_related(
        "stage", "stage__call", "entry", "entry__practice", "entry__agency", "entry__agency__region"
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    review = qs.filter(pk=pk, reviewer_id=user.pk, entry__call__reviewers__user_id=user.pk).first()
    if review is None or not review.entry.call.reviewers.filter(user_id=user.pk, is_active=True).exists():
        raise Http404
    if review.entry.status == Entry.Status.WITHDRAWN or review_has_conflict(user=user, entry=review.entry):
        raise Http404
    return review


# Finalists, objections and results (COMP-B) ----------------------------------------------------------------------
# Objectors' personal data: their name and email are read by lead moderators only (pages, exports, API);
# moderators check the text, relation and ground; the agency reads an accepted objection's text and answers it.

OBJECTION_AGENCY_STATUSES = ("accepted", "upheld", "not_upheld")


def results_can_manage(*, user) -> bool:
    """Announcing finalists, findings on objections, publishing the winners: lead moderators."""
    return roles_for(user).lead


def results_manage_require(*, user) -> None:
    if not results_can_manage(user=user):
        raise PermissionDenied(_("Hanya moderator utama yang dapat melakukan langkah ini."))


def objection_can_moderate(*, user) -> bool:
    return roles_for(user).moderator


def objection_moderate_require(*, user) -> None:
    """Checking confirmed objections (accept or dismiss): moderators (and leads)."""
    if not objection_can_moderate(user=user):
        raise PermissionDenied(_("Anda tidak berwenang memeriksa sanggahan."))


def objection_queue_require(*, user) -> None:
    """The moderators' objection pages: 404 for everyone else."""
    if not objection_can_moderate(user=user):
        raise Http404


def objection_can_see_objector(*, user) -> bool:
    """Whether an objector's name and email may be shown: lead moderators only."""
    return roles_for(user).lead


def objection_get_for_moderator(*, user, pk: int):
    """A confirmed objection, for moderators; an unconfirmed one does not exist for anyone (404)."""
    from .models import Objection

    objection_queue_require(user=user)
    objection = (
        Objection.objects.exclude(status=Objection.Status.UNCONFIRMED)
        .select_related("entry__call", "entry__practice")
        .filter(pk=pk)
        .first()
    )
    if objection is None:
        raise Http404
    return objection


def objection_agency_id(*, user) -> int | None:
    """The agency whose accepted objections the user reads and answers (any active member), or None."""
    return roles_for(user).agency_id


def objection_get_for_agency(*, user, pk: int):
    """An accepted (or decided) objection against an entry of the user's agency; 404 for everyone else."""
    from .models import Objection

    agency_id = objection_agency_id(user=user)
    objection = (
        Objection.objects.filter(pk=pk, status__in=OBJECTION_AGENCY_STATUSES, entry__agency_id=agency_id)
        .select_related("entry__call", "entry__practice")
        .first()
        if agency_id
        else None
    )
    if objection is None:
        raise Http404
    return objection


def objection_file_get_for_user(*, user, pk: int):
    """A file of an objection: moderators (confirmed objections) and the entry's agency (accepted ones)."""
    from .models import ObjectionFile

    roles = roles_for(user)
    qs = ObjectionFile.objects.select_related("objection__entry").filter(pk=pk)
    if roles.moderator:
        qs = qs.exclude(objection__status="unconfirmed")
    elif roles.has_agency:
        qs = qs.filter(objection__status__in=OBJECTION_AGENCY_STATUSES, objection__entry__agency_id=roles.agency_id)
    else:
        raise Http404
    found = qs.first()
    if found is None:
        raise Http404
    return found


def finalist_public_get(*, call: Call, pk: int) -> Entry:
    """A finalist of the call (or what it became: disqualified, winner), for everyone; 404 otherwise."""
    entry = (
        Entry.objects.select_related("practice", "agency")
        .filter(
            call=call,
            pk=pk,
            status__in=[Entry.Status.FINALIST, Entry.Status.DISQUALIFIED, Entry.Status.WINNER],
        )
        .first()
    )
    if entry is None:
        raise Http404
    return entry
