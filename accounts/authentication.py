"""API token authentication that knows how the token was made (`TokenGrant`): an expired token is refused,
and the request says whether its credential passed two-factor (`request.user.is_verified()`, as a session
does through django-otp)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .access import user_must_use_2fa
from .models import TokenGrant
from .twofactor import user_has_totp


class GrantedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        grant = TokenGrant.objects.filter(token_id=token.pk).first()
        if grant is not None and grant.expires_at is not None and grant.expires_at <= timezone.now():
            raise AuthenticationFailed(
                _("Token API ini kedaluwarsa. Buat token baru di halaman akun Anda (setelah verifikasi dua faktor).")
            )
        if user_must_use_2fa(user=user) and not user_has_totp(user=user):
            raise AuthenticationFailed(
                _("Token moderator hanya berlaku selama verifikasi dua faktor aktif. Daftarkan autentikator lagi.")
            )
        verified = bool(grant and grant.two_factor_verified)
        user.is_verified = lambda: verified
        return user, token
