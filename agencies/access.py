"""Who may manage the people of an agency and the ministry's moderators: the agencies app's access functions,
built on `roles.roles_for` alone. Views, the API and the admin ask these and compare no role themselves.

Web pages answer 404 to anyone who may not manage (the pages do not announce themselves, like the mentoring
page); an object of another agency is a 404 for everyone, so ids do not tell what exists.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Agency, Invitation, Membership
from .roles import roles_for


def people_manage_require(*, user, message: str | None = None) -> Agency:
    """The agency whose people `user` manages (they are its admin). Else 404, or PermissionDenied with
    `message` (the API: a signed-in caller is told why)."""
    roles = roles_for(user)
    if not roles.agency_admin:
        if message is not None and roles.authenticated:
            raise PermissionDenied(message)
        raise Http404
    return roles.membership.agency


def moderators_manage_require(*, user, message: str | None = None) -> None:
    """Lead moderators invite moderators and see the list; anyone else gets 404 (or `message`, see above)."""
    roles = roles_for(user)
    if not roles.lead:
        if message is not None and roles.authenticated:
            raise PermissionDenied(message)
        raise Http404


def membership_get_for_admin(*, user, pk: int, message: str | None = None) -> Membership:
    """An active membership of the admin's own agency, else 404."""
    agency = people_manage_require(user=user, message=message)
    membership = Membership.objects.active().select_related("user").filter(pk=pk, agency=agency).first()
    if membership is None:
        raise Http404
    return membership


def invitation_get_for_manager(*, user, pk: int, message: str | None = None) -> Invitation:
    """An invitation the user manages: one of their agency's (its admin), or a ministry invitation (a lead
    moderator). Anything else is 404."""
    roles = roles_for(user)
    invitation = Invitation.objects.select_related("agency", "invited_by").filter(pk=pk).first()
    if invitation is not None:
        if invitation.agency_id is None and roles.lead:
            return invitation
        if invitation.agency_id is not None and roles.admin_of(invitation.agency_id):
            return invitation
    if message is not None and roles.authenticated and not (roles.agency_admin or roles.lead):
        raise PermissionDenied(message)
    raise Http404


def invitation_manage_url_name(*, invitation: Invitation) -> str:
    """The page listing this invitation (where a resend or revoke returns to)."""
    return "agencies:moderators" if invitation.agency_id is None else "agencies:people"
