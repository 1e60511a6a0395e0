"""Sends a logged-in user who still owes a second factor to the 2FA pages before anything else."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .access import user_must_use_2fa
from .twofactor import user_has_totp

SESSION_NO_DEVICE = "accounts_2fa_no_device"

# What a user who has only passed the password step may still reach.
ALLOWED_VIEWS = frozenset(
    {"accounts:logout", "accounts:2fa_setup", "accounts:2fa_verify", "set_language", "healthz", "javascript-catalog"}
)


class TwoFactorMiddleware:
    """After the password: users with a confirmed TOTP device must enter a token (`/akun/2fa/verifikasi/`);
    moderators without one must enrol first (`/akun/2fa/`). Must come after django-otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if view_name in ALLOWED_VIEWS:
            return None
        # A session whose user had no device at its first request is remembered, so that ordinary members do not
        # pay a query on every page; enrolling logs the device in, and a device added elsewhere counts from the
        # next login.
        if request.session.get(SESSION_NO_DEVICE) == user.pk and not user_must_use_2fa(user=user):
            return None
        if user_has_totp(user=user):
            target = "accounts:2fa_verify"
        elif user_must_use_2fa(user=user):
            target = "accounts:2fa_setup"
        else:
            request.session[SESSION_NO_DEVICE] = user.pk
            return None
        nxt = request.get_full_path() if request.method == "GET" else ""
        url = reverse(target)
        return redirect(f"{url}?{urlencode({'next': nxt})}" if nxt else url)
