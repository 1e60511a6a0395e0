"""Agency staff for the tests: a user given a membership through the agencies service."""

from __future__ import annotations

from accounts.models import User
from agencies.models import Agency, Membership
from agencies.services.memberships import membership_set
from tests.accounts.factories import user

SURABAYA = "35.78"
SIDOARJO = "35.15"  # same province (Jawa Timur) as Surabaya
BANDUNG = "32.04"


def member(agency_code: str = SURABAYA, role: str = Membership.Role.MEMBER, **fields) -> User:
    """A member (or, with `role`, the admin) of the agency with that code."""
    person = user(**fields)
    membership_set(user=person, agency=Agency.objects.get(code=agency_code), role=role)
    return person


def agency_admin(agency_code: str = SURABAYA, **fields) -> User:
    return member(agency_code, role=Membership.Role.ADMIN, **fields)
