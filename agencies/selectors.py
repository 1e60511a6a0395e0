"""Reads about agencies, regions and memberships."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Agency, Membership, Region


def membership_for_user(*, user) -> Membership | None:
    """The user's active membership with its agency, or None (anonymous users and ministry staff).

    Memoised on the user object, which lives for one request as `request.user`: the navigation, the access
    function and the view all ask, and one query answers them all. `membership_set` clears the memo.
    """
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_membership_memo"):
        user._membership_memo = (
            Membership.objects.active().select_related("agency", "agency__region").filter(user=user).first()
        )
    return user._membership_memo


def province_list() -> QuerySet[Region]:
    return Region.objects.filter(level=Region.Level.PROVINCE).order_by("code")


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.active().select_related("region", "region__province")
