"""Who may act in the replication ledger and ask-the-innovator; every answer is built on
`agencies.roles.roles_for` and nothing else.

Reading the ledger and the FAQ of a published practice is public (`practices.access.published_practice_get`).
Acting needs an agency: the replicating agency records stages and turns a launched replication into a
practice; the source's agency responds to steps and answers questions; any other agency starts a replication
or asks. A replication or question the user may not act on answers 404 (its existence does not leak); a step
the user may see but not take raises PermissionDenied with a message for people.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from agencies.roles import roles_for
from practices.access import practice_get_for_editing
from practices.models import Practice

from .models import Question, Replication


def replication_get_for_user(*, user, pk: int, for_update: bool = False) -> Replication:
    """A replication the user may act on: members of the replicating agency or of the source's agency.

    Anyone may read a replication of a published practice (the ledger is public); acting on one needs one
    of the two memberships, checked again for each step (`replication_replicator_require`,
    `replication_source_require`). Others get 404.
    """
    qs = Replication.objects.select_related("source", "source__agency", "agency")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    replication = qs.filter(pk=pk).first()
    roles = roles_for(user)
    if replication is None or not (
        roles.member_of(replication.agency_id) or roles.member_of(replication.source.agency_id)
    ):
        raise Http404
    return replication


def question_get_for_user(*, user, pk: int, for_update: bool = False) -> Question:
    """A question the user may see in full: its asker's agency or the practice's owning agency (404 otherwise)."""
    qs = Question.objects.select_related("practice", "practice__agency", "asker_agency")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    question = qs.filter(pk=pk).first()
    roles = roles_for(user)
    if question is None or not (
        roles.member_of(question.asker_agency_id) or roles.member_of(question.practice.agency_id)
    ):
        raise Http404
    return question


def agency_member_require(*, user, message: str) -> int:
    """The agency the user acts for in the ledger or the Q&A; PermissionDenied with `message` without one."""
    agency_id = roles_for(user).agency_id
    if agency_id is None:
        raise PermissionDenied(message)
    return agency_id


# Replications ----------------------------------------------------------------------------------------------


def replication_can_start(*, user, source: Practice) -> bool:
    """A member of an agency other than the source's may start replicating it (once per agency: the service)."""
    roles = roles_for(user)
    return roles.has_agency and not roles.member_of(source.agency_id)


def replication_start_require(*, user, source: Practice) -> None:
    """An agency never replicates its own practice."""
    if roles_for(user).member_of(source.agency_id):
        raise PermissionDenied(_("Instansi tidak dapat mereplikasi praktiknya sendiri."))


def replication_replicator_require(*, user, replication: Replication, message: str) -> None:
    """Recording a stage, making the replication a practice: members of the replicating agency only."""
    agency_member_require(user=user, message=_("Hanya anggota instansi yang dapat melakukan langkah ini."))
    if not roles_for(user).member_of(replication.agency_id):
        raise PermissionDenied(message)


def replication_source_require(*, user, replication: Replication) -> None:
    """Responding to a step: members of the source practice's agency only."""
    agency_member_require(user=user, message=_("Hanya anggota instansi yang dapat melakukan langkah ini."))
    if not roles_for(user).member_of(replication.source.agency_id):
        raise PermissionDenied(_("Hanya instansi pemilik praktik asal yang dapat menanggapi."))


def replication_can_act(*, user, replication: Replication) -> dict[str, bool]:
    """What the user may do on a replication row (for buttons; the services check again)."""
    roles = roles_for(user)
    is_replicator = roles.member_of(replication.agency_id)
    return {
        "advance": is_replicator and replication.stage != Replication.Stage.RESULTS,
        "respond": roles.member_of(replication.source.agency_id),
        "make_practice": is_replicator
        and replication.stage in Replication.COUNTED_STAGES
        and replication.became_id is None,
    }


# Questions -------------------------------------------------------------------------------------------------


def question_can_ask(*, user, practice: Practice) -> bool:
    """Members of an agency other than the owner ask; the owner answers."""
    roles = roles_for(user)
    return roles.has_agency and not roles.member_of(practice.agency_id)


def question_ask_require(*, user, practice: Practice) -> None:
    """The owning agency does not ask about its own practice."""
    if roles_for(user).member_of(practice.agency_id):
        raise PermissionDenied(_("Instansi pemilik tidak bertanya pada praktiknya sendiri."))


def question_can_answer(*, user, practice: Practice) -> bool:
    """Members of the owning agency answer its questions and choose which join the FAQ."""
    return roles_for(user).member_of(practice.agency_id)


def question_answer_require(*, user, practice: Practice, message: str) -> None:
    if not question_can_answer(user=user, practice=practice):
        raise PermissionDenied(message)


# Marking a new practice as a replication (the submit page's ledger panel) ---------------------------------------


def replication_mark_practice_get(*, user, pk: int) -> Practice:
    """The practice being marked: one the user may edit (their own agency's), else 404."""
    return practice_get_for_editing(user=user, pk=pk)


def replication_mark_require(*, user, practice: Practice) -> None:
    """Marking a practice as a replication (or undoing it): members of the practice's agency only."""
    if not roles_for(user).member_of(practice.agency_id):
        raise PermissionDenied(_("Hanya anggota instansi pemilik yang dapat menandai praktik ini sebagai replikasi."))
