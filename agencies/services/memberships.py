"""Writes about memberships: who works for which agency, in which role."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import Action, audit_record

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


@transaction.atomic
def membership_end(*, membership_id: int, by, request=None) -> Membership:
    """End a membership (the person leaves the agency). The account stays, and so does everything the person
    wrote: practices and drafts belong to the agency, and its other members go on editing them.

    Refused for the agency's last active admin. The agency's admin rows are locked first (in primary-key
    order), so two admins removing each other at the same moment cannot leave the agency without one.
    """
    target = Membership.objects.select_related("user").get(pk=membership_id)
    admins = list(
        Membership.objects.select_for_update()
        .active()
        .filter(agency_id=target.agency_id, role=Membership.Role.ADMIN)
        .order_by("pk")
    )
    membership = Membership.objects.select_for_update(of=("self",)).select_related("user").get(pk=membership_id)
    if membership.state == Membership.State.ENDED:
        return membership
    if membership.role == Membership.Role.ADMIN and membership.state == Membership.State.ACTIVE and len(admins) <= 1:
        raise ValidationError(
            _("Instansi harus tetap punya setidaknya satu admin. Undang admin lain dahulu, lalu coba lagi.")
        )
    membership.state = Membership.State.ENDED
    membership.save(update_fields=["state"])
    membership.user.__dict__.pop("_membership_memo", None)
    if by is not None and by.pk == membership.user_id:
        by.__dict__.pop("_membership_memo", None)
    audit_record(
        actor=by,
        action=Action.MEMBERSHIP_ENDED,
        target=membership,
        data={"user_id": membership.user_id, "agency_id": membership.agency_id, "role": membership.role},
        request=request,
    )
    return membership
