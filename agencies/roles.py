"""The one primitive every permission check in the portal is built on: what a person is, for an agency and for
the ministry.

`roles_for(user)` reads the user's active membership once per request (memoised on the user object) and the
ministry role from the user. Access functions (`<app>/access.py`) and the workflow table ask it; nothing else
compares a role. Ministry staff are moderators of every agency but members of none.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Membership
from .selectors import membership_for_user


@dataclass(frozen=True)
class Roles:
    authenticated: bool = False
    agency_id: int | None = None
    agency_role: str = ""  # Membership.Role, or "" without an active membership
    # The ministry half, as `User.is_moderator` / `is_lead_moderator` define it (a lead is also a moderator).
    moderator: bool = False
    lead: bool = False
    membership: Membership | None = None

    @property
    def has_agency(self) -> bool:
        return self.agency_id is not None

    @property
    def agency_admin(self) -> bool:
        """The admin of the agency they belong to (whichever it is)."""
        return self.agency_id is not None and self.agency_role == Membership.Role.ADMIN

    def member_of(self, agency_id: int | None) -> bool:
        """Member or admin of that agency."""
        return self.agency_id is not None and self.agency_id == agency_id

    def admin_of(self, agency_id: int | None) -> bool:
        return self.member_of(agency_id) and self.agency_role == Membership.Role.ADMIN

    def names_for(self, agency_id: int | None) -> set[str]:
        """The workflow table's role names held for one agency's practice: "member" and "agency_admin" (an
        admin is also a member) of that agency, "moderator" and "lead" (a lead is also a moderator)."""
        names = set()
        if self.moderator:
            names.add("moderator")
        if self.lead:
            names.add("lead")
        if self.member_of(agency_id):
            names.add("member")
            if self.agency_role == Membership.Role.ADMIN:
                names.add("agency_admin")
        return names


ANONYMOUS = Roles()


def roles_for(user) -> Roles:
    """The person's roles; anonymous and deactivated users hold none."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    membership = membership_for_user(user=user)
    return Roles(
        authenticated=True,
        agency_id=membership.agency_id if membership else None,
        agency_role=membership.role if membership else "",
        moderator=user.is_moderator,
        lead=user.is_lead_moderator,
        membership=membership,
    )


def portal_permissions(*, user) -> dict[str, bool]:
    """What the navigation and the pages may offer this person; templates read it, never a role."""
    roles = roles_for(user)
    return {
        "manage": roles.has_agency,  # "Praktik saya"
        "review": roles.moderator or roles.agency_admin,  # "Tinjauan"
        "review_ministry": roles.moderator,
        "assign": roles.lead,  # reassign, two reviewers
        "api_write": roles.moderator or roles.has_agency,  # a token that can write, not only read
        "people": roles.agency_admin,  # the agency's members and invitations
        "moderators": roles.lead,  # moderators and their invitations
    }


def agency_people(*, agency_id: int, admins_only: bool = False) -> list:
    """The active people of an agency (its admins only, with `admins_only`): whom a notification addressed to
    the agency reaches. Ended and pending memberships and deactivated accounts are left out."""
    qs = Membership.objects.active().filter(agency_id=agency_id, user__is_active=True).select_related("user")
    if admins_only:
        qs = qs.filter(role=Membership.Role.ADMIN)
    return [membership.user for membership in qs.order_by("user_id")]
