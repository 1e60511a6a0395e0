"""Reads about agencies, regions and memberships."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from .filters import AgencyFilter
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


def agency_directory(*, data) -> tuple[AgencyFilter, QuerySet[Agency]]:
    """The public directory: active agencies filtered by kind, province and name, with their number of
    published practices (one query for the page, one for the count)."""
    filterset = AgencyFilter(data, queryset=agency_list())
    queryset = filterset.qs.annotate(
        practice_count=Count("practices", filter=Q(practices__status="published"))
    ).order_by("name")
    return filterset, queryset


def agency_public_get(*, slug: str) -> Agency:
    agency = agency_list().filter(slug=slug).first()
    if agency is None:
        raise Http404
    return agency


def region_relatives(*, agency: Agency) -> dict:
    """For a regency/city: its province's government; for a province: the governments of its regencies."""
    region = agency.region
    if region is None:
        return {}
    if region.level == Region.Level.PROVINCE:
        return {"subregion_agencies": list(agency_list().filter(region__province=region).order_by("region__code"))}
    return {"province_agency": Agency.objects.filter(region_id=region.province_id).first()}
