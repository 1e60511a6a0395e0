"""Reads about agencies, regions and memberships."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Agency, Membership, Region


def membership_for_user(*, user) -> Membership | None:
    """The user's active membership with its agency, or None (anonymous users and ministry staff)."""
    if not user.is_authenticated:
        return None
    return Membership.objects.active().select_related("agency", "agency__region").filter(user=user).first()


def province_list() -> QuerySet[Region]:
    return Region.objects.filter(level=Region.Level.PROVINCE).order_by("code")


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.active().select_related("region", "region__province")
