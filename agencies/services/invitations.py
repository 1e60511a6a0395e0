"""Writes about invitations: an agency admin invites the staff of their agency, a lead moderator invites
moderators, the ministry invites an agency's first admin, and the invited person accepts through the link.

The link carries a random token (`secrets.token_urlsafe(32)`); the row keeps only its SHA-256, so a copy of the
database opens nothing. Every write locks the invitation row before checking its state, and the email is
written to the notifications outbox through `accounts.signals.security_notice` inside the same transaction:
an invitation exists exactly when its email does.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User, email_normalize
from accounts.services.users import user_ministry_role_set
from accounts.signals import security_notice
from audit.services import Action, audit_record

from ..models import Agency, Invitation, Membership
from ..selectors import invitation_token_hash
from .memberships import membership_set

# Invitations and resends per person who sends them (web and API alike; `RATELIMIT_RATES` may override it).
INVITATION_SEND_RATE_KEY = "invitation-send"
INVITATION_SEND_RATE = "30/h"


def invitation_days() -> int:
    return settings.AGENCIES_INVITATION_DAYS


def invitation_accept_path(token: str) -> str:
    """The link's path without a language prefix (notifications store Indonesian paths)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("agencies:invitation_accept", args=[token])


def invitation_refusal(*, email: str, agency: Agency | None) -> str | None:
    """Why an account that already exists for `email` cannot take this invitation, or None.

    The database allows one open membership per person, and ministry staff belong to no agency; so a person who
    is active in an agency must leave it first, and moderators are never invited into an agency (nor members
    into the ministry). An existing account without any of these accepts by signing in.
    """
    user = User.objects.filter(email=email).first()
    if user is None:
        return None
    if not user.is_active:
        return _("Akun dengan alamat ini dinonaktifkan. Hubungi KemenPANRB untuk mengaktifkannya kembali.")
    membership = Membership.objects.active().filter(user=user).first()
    if agency is not None:
        if user.ministry_role:
            return _("Alamat ini milik moderator kementerian; moderator tidak menjadi anggota instansi.")
        if membership is not None and membership.agency_id == agency.pk:
            return _("Orang ini sudah menjadi anggota instansi Anda.")
        if membership is not None:
            return _(
                "Orang ini masih anggota instansi lain. Ia perlu dikeluarkan dahulu oleh admin instansinya, lalu "
                "undang kembali."
            )
        return None
    if user.ministry_role:
        return _("Orang ini sudah menjadi moderator kementerian.")
    if membership is not None:
        return _("Orang ini masih anggota sebuah instansi; moderator kementerian tidak menjadi anggota instansi.")
    return None


def _send(*, invitation: Invitation, token: str) -> None:
    """Write the email (an outbox row) in the caller's transaction: to the account if one exists (in that
    person's language), else to the address in the language chosen when inviting."""
    account = User.objects.filter(email=invitation.email, is_active=True).first()
    security_notice.send(
        sender=Invitation,
        kind="invitation",
        recipient=account or invitation.email,
        context={
            "agency": invitation.agency.name if invitation.agency_id else "",
            "role": invitation.role or invitation.ministry_role,
            "inviter": invitation.invited_by.get_full_name() if invitation.invited_by_id else "",
            "expires_at": invitation.expires_at,
            "days": invitation_days(),
            "has_account": account is not None,
        },
        language=invitation.language,
        target_url=invitation_accept_path(token),
        # One notification per send: a resend is a new email, never swallowed as a duplicate.
        dedupe_key=f"invitation:{invitation.pk}:{invitation.sent_count}",
    )


@transaction.atomic
def invitation_create(
    *,
    email: str,
    agency: Agency | None,
    role: str = "",
    ministry_role: str = "",
    by: User | None,
    language: str = "",
    request=None,
) -> Invitation:
    """Invite `email` into `agency` with `role` (member/admin), or, with `agency=None`, into the ministry with
    `ministry_role` (moderator/lead). Who may invite whom is the caller's access check (`agencies.access`).

    Raises ValidationError (on `email` where it is about the address) when the address already has an open
    invitation here (the database's unique constraint says so too) or an account that cannot take it.
    """
    email = email_normalize(email)
    refusal = invitation_refusal(email=email, agency=agency)
    if refusal:
        raise ValidationError({"email": refusal})
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        agency=agency,
        role=role if agency is not None else "",
        ministry_role=ministry_role if agency is None else "",
        language=language or (by.language if by else "") or settings.LANGUAGE_CODE,
        invited_by=by,
        token_hash=invitation_token_hash(token),
        expires_at=now + timedelta(days=invitation_days()),
        last_sent_at=now,
    )
    invitation.full_clean(exclude=["token_hash"])
    invitation.save()
    _send(invitation=invitation, token=token)
    audit_record(
        actor=by,
        action=Action.INVITATION_CREATED,
        target=invitation,
        data={"agency_id": invitation.agency_id, "role": invitation.role or invitation.ministry_role},
        request=request,
    )
    return invitation


def _locked(invitation_id: int) -> Invitation:
    return (
        Invitation.objects.select_for_update(of=("self",)).select_related("agency", "invited_by").get(pk=invitation_id)
    )


@transaction.atomic
def invitation_resend(*, invitation_id: int, by: User | None, request=None) -> Invitation:
    """A fresh link (the old one stops working), seven more days and a new email. Refused once the invitation
    was accepted or revoked, or when the address's account can no longer take it."""
    invitation = _locked(invitation_id)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("Undangan ini sudah diterima atau dibatalkan; tidak bisa dikirim ulang."))
    refusal = invitation_refusal(email=invitation.email, agency=invitation.agency)
    if refusal:
        raise ValidationError(refusal)
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    invitation.token_hash = invitation_token_hash(token)
    invitation.expires_at = now + timedelta(days=invitation_days())
    invitation.last_sent_at = now
    invitation.sent_count += 1
    invitation.save(update_fields=["token_hash", "expires_at", "last_sent_at", "sent_count"])
    _send(invitation=invitation, token=token)
    audit_record(
        actor=by,
        action=Action.INVITATION_RESENT,
        target=invitation,
        data={"sent": invitation.sent_count},
        request=request,
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation_id: int, by: User | None, request=None) -> Invitation:
    """The link stops working. Revoking twice is harmless; an accepted invitation cannot be revoked (remove
    the member instead)."""
    invitation = _locked(invitation_id)
    if invitation.accepted_at:
        raise ValidationError(_("Undangan ini sudah diterima. Untuk mencabut akses, keluarkan anggotanya."))
    if invitation.revoked_at:
        return invitation
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(actor=by, action=Action.INVITATION_REVOKED, target=invitation, request=request)
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    invitation_id: int,
    user: User | None = None,
    password: str = "",
    full_name: str = "",
    position: str = "",
    request=None,
) -> User:
    """Take the invitation: create the account (password, name, position) or, for an address that already has
    one, give the signed-in `user` the membership or ministry role. Returns the person, whom the caller signs in.

    The row lock makes a link work once even when it is used twice at the same moment.
    """
    invitation = _locked(invitation_id)
    if invitation.state() != "pending":
        raise ValidationError(_("Undangan ini tidak berlaku lagi."))
    existing = User.objects.select_for_update().filter(email=invitation.email).first()
    if existing is not None:
        if user is None or user.pk != existing.pk:
            raise ValidationError(
                _("Masuk dengan akun %(email)s untuk menerima undangan ini.") % {"email": existing.email}
            )
        refusal = invitation_refusal(email=invitation.email, agency=invitation.agency)
        if refusal:
            raise ValidationError(refusal)
        person = existing
    else:
        person = User(
            email=invitation.email,
            full_name=full_name.strip(),
            position=position.strip(),
            language=invitation.language,
        )
        person.set_password(password)
        person.full_clean()
        person.save()
    if invitation.agency_id:
        membership_set(user=person, agency=invitation.agency, role=invitation.role)
    else:
        person = user_ministry_role_set(user=person, role=invitation.ministry_role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = person
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit_record(
        actor=person,
        action=Action.INVITATION_ACCEPTED,
        target=invitation,
        data={"agency_id": invitation.agency_id, "role": invitation.role or invitation.ministry_role},
        request=request,
    )
    return person


@transaction.atomic
def invitation_first_admin(*, agency: Agency, email: str, by: User | None = None, language: str = "") -> Invitation:
    """The ministry invites an agency's first admin (the Django admin's action, `invite_agency_admin`): refused
    when the agency already has an active admin or a pending admin invitation; an expired one is revoked.

    The agency row is locked so that two such calls cannot both find "no admin yet".
    """
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if Membership.objects.active().filter(agency=agency, role=Membership.Role.ADMIN).exists():
        raise ValidationError(
            _("%(agency)s sudah punya admin aktif; admin itu yang mengundang orang lain.") % {"agency": agency}
        )
    open_admin = Invitation.objects.open().filter(agency=agency, role=Invitation.Role.ADMIN)
    if open_admin.filter(expires_at__gt=timezone.now()).exists():
        raise ValidationError(
            _("%(agency)s sudah punya undangan admin yang menunggu; kirim ulang atau batalkan undangan itu.")
            % {"agency": agency}
        )
    for expired in open_admin:
        invitation_revoke(invitation_id=expired.pk, by=by)
    return invitation_create(email=email, agency=agency, role=Invitation.Role.ADMIN, by=by, language=language)
