"""Writes about memberships: who works for which agency, in which role."""

from __future__ import annotations

from django.db import transaction

from ..models import Agency, Membership


@transaction.atomic
def membership_set(*, user, agency: Agency, role: str) -> Membership:
    """Give `user` an active membership in `agency` with `role`, ending any other open membership.

    The row lock on the user's memberships keeps two concurrent calls from both creating one.
    """
    open_memberships = Membership.objects.select_for_update().filter(
        user=user, state__in=[Membership.State.PENDING, Membership.State.ACTIVE]
    )
    current = None
    for membership in open_memberships:
        if membership.agency_id == agency.pk:
            current = membership
        else:
            membership.state = Membership.State.ENDED
            membership.save(update_fields=["state"])
    if current is None:
        current = Membership(user=user, agency=agency)
    current.role = role
    current.state = Membership.State.ACTIVE
    current.full_clean()
    current.save()
    user.__dict__.pop("_membership_memo", None)
    return current
