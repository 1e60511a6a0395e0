"""Who must do what with their own account: the accounts app's one access rule, on the ministry role of
`User` (the ministry half of the roles primitive; `agencies.roles` adds the agency half)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .models import User
from .twofactor import user_has_totp


def user_must_use_2fa(*, user) -> bool:
    """Moderators and lead moderators must have a confirmed device (unless switched off for a test run)."""
    return bool(getattr(settings, "ACCOUNTS_2FA_REQUIRED_FOR_MODERATORS", True)) and user.is_moderator


def api_two_factor_require(*, request) -> None:
    """A moderator deciding through the API needs a credential that passed two-factor: a 2FA-verified session,
    or a token made from one (`TokenGrant`), while the moderator still has a confirmed device. Else 403 with a
    message that says what to do. Members' tokens are not concerned."""
    user = request.user
    if not user_must_use_2fa(user=user):
        return
    verified = getattr(user, "is_verified", None)
    if not user_has_totp(user=user) or verified is None or not verified():
        raise PermissionDenied(
            _(
                "Keputusan moderator lewat API memerlukan verifikasi dua faktor: buat token baru dari sesi yang "
                "sudah diverifikasi dua faktor (halaman Token API), dengan perangkat autentikator yang aktif."
            )
        )


def two_factor_reset_target_get(*, user, user_id: int) -> User:
    """The person whose two-factor a lead moderator may reset (a lost phone): only leads may, never their own
    (that is what their recovery codes are for, or another lead), any active account's (moderators from the
    moderators' page; an agency member who opted into two-factor has nobody else to ask). 404 otherwise.
    A lead who must use two-factor acts from a verified session (403 otherwise; TwoFactorMiddleware already
    sends such a session to the verification page first)."""
    if not user.is_authenticated or not user.is_lead_moderator or user.pk == user_id:
        raise Http404
    if user_must_use_2fa(user=user) and not user.is_verified():
        raise PermissionDenied(_("Verifikasi dua langkah diperlukan untuk tindakan ini."))
    target = User.objects.filter(pk=user_id, is_active=True).first()
    if target is None:
        raise Http404
    return target
