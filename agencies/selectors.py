"""Reads about agencies, regions and memberships."""

from __future__ import annotations

import hashlib

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

from .filters import AgencyFilter
from .models import Agency, Invitation, Membership, Region


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


def agency_members(*, agency: Agency) -> QuerySet[Membership]:
    """The active memberships of an agency with their users, admins first, then by name (one query)."""
    return (
        Membership.objects.active()
        .filter(agency=agency)
        .select_related("user")
        .order_by("role", "user__full_name", "user__email", "pk")
    )


def agency_invitations_open(*, agency: Agency | None) -> QuerySet[Invitation]:
    """The agency's (or, with None, the ministry's) invitations not yet accepted or revoked, newest first;
    expired ones included, so that they can be resent."""
    qs = Invitation.objects.open().select_related("invited_by")
    qs = qs.ministry() if agency is None else qs.for_agency(agency.pk)
    return qs.order_by("-created_at", "-pk")


def moderator_list() -> QuerySet:
    """Active moderators and lead moderators with `has_totp` (a confirmed authenticator device), leads first."""
    devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return User.objects.moderators().annotate(has_totp=Exists(devices)).order_by("-ministry_role", "full_name", "pk")


def invitation_token_hash(token: str) -> str:
    """What an invitation row keeps of its link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation whose link carries `token`, or None (unknown, tampered with, or replaced by a resend)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("agency", "invited_by")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


def account_for_email(*, email: str) -> User | None:
    """The account registered with `email` (stored normalised), if any."""
    return User.objects.filter(email=email).first()
